"""The official `kubernetes` Python client against a served cluster, as a reader's script would use
it: config.load_kube_config(the served kubeconfig), then CoreV1Api and AppsV1Api.

Every call below goes over real HTTPS to the router and through the simulated API server's
pipeline, so each also shows in the audit log under the kubeconfig's user. Most tests serve in
stepped mode (time moves only in c.run(), so the answers are the same every run); the watch
test serves in paced mode, where a Deployment's pods appear while the client watches.
"""

from __future__ import annotations

import pytest
import yaml

from k8slab.lab.cluster import Cluster

kubernetes = pytest.importorskip("kubernetes")
from kubernetes import client, config, watch  # noqa: E402
from kubernetes.client.rest import ApiException  # noqa: E402

DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
    "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}}


@pytest.fixture(scope="module")
def served():
    """A one-worker cluster served in stepped mode, and the official client's ApiClient."""
    cluster = Cluster(workers=1, seed=4, audit_policy="metadata")
    path = cluster.serve(mode="stepped")
    api = config.new_client_from_config(config_file=path)
    yield cluster, api
    api.close()
    cluster.stop_serving()


def users_of(cluster: Cluster, verb: str, resource: str) -> list[str]:
    return [e["user"]["username"] for e in cluster.audit_log(verb=verb, resource=resource)]


def test_load_kube_config_reads_the_served_kubeconfig(served):
    cluster, _ = served
    configuration = client.Configuration()
    config.load_kube_config(config_file=cluster.serving.kubeconfig,
                            client_configuration=configuration)
    assert configuration.host == cluster.serving.url
    with client.ApiClient(configuration) as api:
        assert client.VersionApi(api).get_code().git_version == "v1.35.0"


def test_it_lists_nodes_and_pods_as_the_admin(served):
    cluster, api = served
    core = client.CoreV1Api(api)
    nodes = core.list_node()
    assert [n.metadata.name for n in nodes.items] == ["control-plane", "worker-1"]
    assert nodes.items[0].status.node_info.kubelet_version == "v1.35.0"
    pods = core.list_namespaced_pod("kube-system")
    assert {"etcd-control-plane", "kube-apiserver-control-plane"} <= {
        p.metadata.name for p in pods.items}
    assert users_of(cluster, "list", "nodes")[-1] == "kubernetes-admin"
    assert users_of(cluster, "list", "pods")[-1] == "kubernetes-admin"


def test_create_patch_scale_logs_and_delete_a_deployment(served):
    cluster, api = served
    apps, core = client.AppsV1Api(api), client.CoreV1Api(api)
    created = apps.create_namespaced_deployment("default", DEPLOYMENT)
    assert created.metadata.name == "web" and created.metadata.generation == 1
    cluster.run(30)
    assert cluster.get("deployments", "web")["status"]["readyReplicas"] == 2

    # Strategic merge (the client's default for a dict body): containers merge by name.
    patched = apps.patch_namespaced_deployment(
        "web", "default", {"spec": {"template": {"spec": {"containers": [
            {"name": "web", "image": "nginx:1.28"}]}}}})
    assert [(c.name, c.image) for c in patched.spec.template.spec.containers] == [
        ("web", "nginx:1.28")]
    # A JSON merge patch, chosen by content type; null deletes a key.
    patched = apps.patch_namespaced_deployment(
        "web", "default", {"metadata": {"labels": {"tier": "front"}}},
        _content_type="application/merge-patch+json")
    assert patched.metadata.labels == {"tier": "front"}
    patched = apps.patch_namespaced_deployment(
        "web", "default", {"metadata": {"labels": {"tier": None}}},
        _content_type="application/merge-patch+json")
    assert not patched.metadata.labels

    scale = apps.patch_namespaced_deployment_scale("web", "default", {"spec": {"replicas": 3}})
    assert (scale.kind, scale.spec.replicas) == ("Scale", 3)
    assert apps.read_namespaced_deployment_scale("web", "default").spec.replicas == 3
    cluster.run(30)
    pods = core.list_namespaced_pod("default", label_selector="app=web").items
    assert len(pods) == 3
    assert {c.image for p in pods for c in p.spec.containers} == {"nginx:1.28"}

    log = core.read_namespaced_pod_log(pods[0].metadata.name, "default")
    assert "nginx/1.28" in log
    assert users_of(cluster, "get", "pods/log")[-1] == "kubernetes-admin"

    apps.delete_namespaced_deployment("web", "default", propagation_policy="Foreground")
    cluster.run(30)
    assert core.list_namespaced_pod("default", label_selector="app=web").items == []
    with pytest.raises(ApiException) as refused:
        apps.read_namespaced_deployment("web", "default")
    assert refused.value.status == 404
    assert yaml.safe_load(refused.value.body)["message"] == (
        'deployments.apps "web" not found')
    for verb in ("create", "patch", "delete"):
        assert users_of(cluster, verb, "deployments")[-1] == "kubernetes-admin"
    assert users_of(cluster, "patch", "deployments/scale")[-1] == "kubernetes-admin"


def test_server_side_apply_answers_201_when_it_creates_and_200_when_it_updates(served):
    _, api = served
    core = client.CoreV1Api(api)
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "applied"},
            "data": {"colour": "blue"}}
    codes = []
    for colour in ("blue", "red"):
        body["data"]["colour"] = colour
        answer, code, _ = core.patch_namespaced_config_map_with_http_info(
            "applied", "default", body, field_manager="notebook",
            _content_type="application/apply-patch+yaml")
        codes.append((code, answer.data["colour"]))
    assert codes == [(201, "blue"), (200, "red")]
    core.delete_namespaced_config_map("applied", "default")


def test_a_watch_from_a_resource_version_replays_what_happened_since(served):
    cluster, api = served
    core = client.CoreV1Api(api)
    since = core.list_namespaced_pod("default").metadata.resource_version
    cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "solo"},
                   "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}})
    cluster.run(5)
    seen = []
    for event in watch.Watch().stream(core.list_namespaced_pod, "default",
                                      resource_version=since, timeout_seconds=5):
        seen.append((event["type"], event["object"].metadata.name))
        if event["object"].status.phase == "Running":
            break
    assert seen[0] == ("ADDED", "solo") and all(name == "solo" for _, name in seen)
    # A watch is audited at ResponseStarted as it opens (ResponseComplete only when it ends).
    started = cluster.audit_log(verb="watch", resource="pods", stage="ResponseStarted")
    assert started[-1]["user"]["username"] == "kubernetes-admin"


def test_in_paced_mode_a_bounded_watch_sees_a_deployments_pods_appear():
    cluster = Cluster(workers=1, seed=5)
    path = cluster.serve(mode="paced", speed=20)
    try:
        api = config.new_client_from_config(config_file=path)
        client.AppsV1Api(api).create_namespaced_deployment("default", DEPLOYMENT)
        added = set()
        # timeoutSeconds counts simulated seconds: at 20x, 30 of them take 1.5 wall seconds.
        for event in watch.Watch().stream(client.CoreV1Api(api).list_namespaced_pod,
                                          "default", label_selector="app=web",
                                          timeout_seconds=30):
            if event["type"] == "ADDED":
                added.add(event["object"].metadata.name)
        assert len(added) == 2
        assert all(name.startswith("web-") for name in added)
        api.close()
    finally:
        cluster.stop_serving()


def test_a_bad_token_is_401_in_upstreams_words(served):
    cluster, _ = served
    configuration = client.Configuration()
    config.load_kube_config(config_file=cluster.serving.kubeconfig,
                            client_configuration=configuration)
    configuration.cert_file = configuration.key_file = None  # no client certificate ...
    configuration.api_key = {"authorization": "Bearer not-a-real-token"}  # ... a bad token
    with client.ApiClient(configuration) as api, pytest.raises(ApiException) as refused:
        client.CoreV1Api(api).list_namespaced_pod("default")
    status = yaml.safe_load(refused.value.body)
    assert refused.value.status == 401
    assert (status["kind"], status["reason"], status["message"]) == (
        "Status", "Unauthorized", "Unauthorized")


def test_a_user_without_rbac_is_403_in_upstreams_words_and_audited_as_that_user():
    cluster = Cluster(workers=0, audit_policy="metadata")
    path = cluster.serve(user="jane", groups=(), mode="stepped")
    try:
        api = config.new_client_from_config(config_file=path)
        with pytest.raises(ApiException) as refused:
            client.CoreV1Api(api).list_namespaced_pod("default")
        status = yaml.safe_load(refused.value.body)
        assert refused.value.status == 403
        # apiserver/pkg/endpoints/handlers/responsewriters/errors.go forbiddenMessage
        assert status["message"] == ('pods is forbidden: User "jane" cannot list resource '
                                     '"pods" in API group "" in the namespace "default"')
        assert status["reason"] == "Forbidden"
        assert status["details"] == {"kind": "pods"}
        with pytest.raises(ApiException) as refused:
            client.AppsV1Api(api).create_namespaced_deployment("default", DEPLOYMENT)
        assert yaml.safe_load(refused.value.body)["message"] == (
            'deployments.apps is forbidden: User "jane" cannot create resource "deployments" '
            'in API group "apps" in the namespace "default"')
        audited = cluster.audit_log(user="jane")
        assert [(e["verb"], e["objectRef"]["resource"], e["responseStatus"]["code"])
                for e in audited] == [("list", "pods", 403), ("create", "deployments", 403)]
        # Each event names the client that sent it: the generated client's User-Agent.
        assert {e["userAgent"].partition("/")[0] for e in audited} == {"OpenAPI-Generator"}
        api.close()
    finally:
        cluster.stop_serving()

"""The real kubectl reading a served cluster: get (every kind, every output, selectors, -A),
describe, explain, get --raw, auth can-i, a bounded get -w; each checked for exit code and
output. kubectl_real's own contract (errors, stepping) is tested here too."""

import json

import pytest
import yaml

from k8slab.api.kinds import KINDS
from k8slab.errors import K8sLabError
from k8slab.lab.real_kubectl import RealKubectlError
from tests.lab.serving.real_kubectl_cluster import needs_kubectl, rows, served_cluster

pytestmark = needs_kubectl


@pytest.fixture(scope="module")
def cluster():
    made = served_cluster()
    yield made
    made.stop_serving()


def web_pods(cluster) -> list[str]:
    return sorted(p["metadata"]["name"] for p in cluster.list("pods", "default")
                  if p["metadata"].get("labels", {}).get("app") == "web")


@pytest.mark.parametrize("kind", KINDS, ids=[k.resource for k in KINDS])
def test_get_every_kind_in_every_namespace(cluster, kind):
    output = cluster.kubectl_real(f"get {kind.resource} -A")
    listed = cluster.list(kind.resource, None)
    if not listed:  # nothing of this kind (webhooks, quotas, jobs...): kubectl says so
        assert output == "No resources found\n"
        return
    table = rows(output)
    assert table[0][0] == ("NAMESPACE" if kind.namespaced else "NAME")
    assert len(table) - 1 == len(listed)


def test_get_pods_wide_shows_node_and_ip(cluster):
    table = rows(cluster.kubectl_real("get pods -o wide"))
    assert table[0] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED",
                        "NODE", "READINESS", "GATES"]
    by_name = {row[0]: row for row in table[1:]}
    assert sorted(by_name) == web_pods(cluster)
    for name, row in by_name.items():
        pod = cluster.get("pods", name)
        assert row[5:7] == [pod["status"]["podIP"], pod["spec"]["nodeName"]]


def test_get_yaml_json_and_name(cluster):
    deployment = yaml.safe_load(cluster.kubectl_real("get deployment web -o yaml"))
    assert (deployment["kind"], deployment["metadata"]["name"]) == ("Deployment", "web")
    assert deployment["status"]["readyReplicas"] == 2
    listed = json.loads(cluster.kubectl_real("get pods -o json"))
    assert listed["kind"] == "List"
    assert sorted(p["metadata"]["name"] for p in listed["items"]) == web_pods(cluster)
    names = cluster.kubectl_real("get pods -o name").split()
    assert names == [f"pod/{name}" for name in web_pods(cluster)]


def test_label_and_field_selectors(cluster):
    assert [row[0] for row in rows(cluster.kubectl_real("get pods -l app=web"))[1:]] == \
        web_pods(cluster)
    assert cluster.kubectl_real("get pods -l app=none") == \
        "No resources found in default namespace.\n"
    on_worker_1 = sorted(p["metadata"]["name"] for p in cluster.list("pods", None)
                         if p["spec"].get("nodeName") == "worker-1")
    table = rows(cluster.kubectl_real("get pods -A --field-selector spec.nodeName=worker-1"))
    assert sorted(row[1] for row in table[1:]) == on_worker_1
    assert cluster.kubectl_real("get pods -A --field-selector status.phase!=Running") == \
        "No resources found\n"


def test_get_a_missing_object_is_kubectls_not_found(cluster):
    with pytest.raises(RealKubectlError) as caught:
        cluster.kubectl_real("get pod nope")
    assert caught.value.exit_code == 1
    assert caught.value.message == 'Error from server (NotFound): pods "nope" not found'


def test_describe_deployment_and_node(cluster):
    text = cluster.kubectl_real("describe deployment web")
    assert text.startswith("Name:                   web\nNamespace:              default\n")
    assert "Replicas:               2 desired | 2 updated | 2 total | 2 available | " \
           "0 unavailable\n" in text
    assert "ScalingReplicaSet" in text  # its events, found by field selector
    node = cluster.kubectl_real("describe node worker-1")
    assert "Non-terminated Pods:" in node and "RegisteredNode" in node


def test_explain(cluster):
    text = cluster.kubectl_real("explain pods.spec.containers.image")
    assert text.startswith("KIND:       Pod\nVERSION:    v1\n\nFIELD: image <string>\n")
    with pytest.raises(RealKubectlError, match='field "nope" does not exist'):
        cluster.kubectl_real("explain pods.spec.nope")


def test_get_raw(cluster):
    listed = json.loads(cluster.kubectl_real("get --raw /api/v1/namespaces/default/pods"))
    assert listed["kind"] == "PodList"
    assert sorted(p["metadata"]["name"] for p in listed["items"]) == web_pods(cluster)
    assert json.loads(cluster.kubectl_real("get --raw /version"))["gitVersion"] == "v1.35.0"


def test_auth_can_i_for_the_admin_and_as_another_user(cluster):
    assert cluster.kubectl_real("auth can-i create pods") == "yes\n"
    assert cluster.kubectl_real("auth can-i '*' '*' --all-namespaces") == "yes\n"
    with pytest.raises(RealKubectlError) as caught:  # kubectl exits 1 on "no"
        cluster.kubectl_real("auth can-i list secrets --as=jane")
    assert (caught.value.exit_code, caught.value.message) == (1, "no")


def test_a_bounded_watch_shows_a_scale_up_as_it_happens(cluster):
    start, before = cluster.now, web_pods(cluster)
    cluster.scale("deployment/web", 3)
    try:
        output = cluster.kubectl_real("get pods -w --request-timeout=3s", timeout=30)
    finally:
        cluster.scale("deployment/web", 2)
    assert cluster.now > start  # the open watch let simulated time move
    table = rows(output)
    assert table[0][:3] == ["NAME", "READY", "STATUS"]
    new = [row for row in table[1:] if row[0] not in before]
    statuses = [row[2] for row in new]
    assert "Running" in statuses and statuses[0] in ("Pending", "ContainerCreating")


def test_a_command_that_does_not_wait_moves_no_time(cluster):
    before = cluster.now
    cluster.kubectl_real("get pods")
    cluster.kubectl_real("describe pods")
    assert cluster.now == before


@pytest.mark.parametrize(("arguments", "says"), [
    ({"command": ""}, "needs a command"),
    ({"command": 5}, "command must be a string"),
    ({"command": "get 'pods"}, "cannot split"),
    ({"command": "get pods", "timeout": 0}, "timeout must be"),
    ({"command": "get pods", "stdin": b"x"}, "stdin must be text"),
])
def test_bad_arguments_are_refused_before_kubectl_runs(cluster, arguments, says):
    with pytest.raises(K8sLabError, match=says):
        cluster.kubectl_real(**arguments)


def test_a_command_past_its_timeout_is_stopped(cluster):
    with pytest.raises(K8sLabError, match="did not finish within 1 wall seconds"):
        cluster.kubectl_real("get pods -w", timeout=1)

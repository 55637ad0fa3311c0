"""Admission webhooks end to end: a handler in a pod behind a Service, called by the API
server over the simulated network, with upstream's messages for refusals and failures."""

import pytest

from k8slab.errors import APIError, InternalError, InvalidError, NotFoundError
from k8slab.lab.cluster import Cluster
from k8slab.lab.webhooks import (
    allowed,
    denied,
    mutating_webhook_configuration,
    rule,
    validating_webhook_configuration,
)

WORKER = "worker-1"


def pod(name="web", image="nginx:1.27", namespace="default", labels=None):
    meta = {"name": name, "namespace": namespace}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"containers": [{"name": "app", "image": image}]}}


def add_team_label(request):
    if request["object"]["metadata"].get("labels") is None:
        return allowed([{"op": "add", "path": "/metadata/labels", "value": {"team": "blue"}}])
    return allowed([{"op": "add", "path": "/metadata/labels/team", "value": "blue"}])


def no_latest(request):
    for container in request["object"]["spec"]["containers"]:
        image = container["image"]
        if ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest"):
            return denied(f'image "{image}" uses the latest tag')
    return allowed()


def create(cluster, obj):
    return cluster.request(lambda client: client.create(obj))


def refused(cluster, obj, error=APIError):
    with pytest.raises(error) as caught:
        create(cluster, obj)
    return caught.value


def calls(cluster, **match):
    return [r.details for r in cluster.trace if r.kind == "webhook"
            and all(r.details.get(k) == v for k, v in match.items())]


def stored(cluster, name="web", namespace="default"):
    return str(cluster.etcdctl(f"get /registry/pods/{namespace}/{name} --keys-only"))


@pytest.fixture
def cluster():
    return Cluster(workers=1)


def test_a_mutating_webhook_adds_a_label_and_the_trace_shows_the_call(cluster):
    assert cluster.run_webhook_server("label-adder", add_team_label) == "label-adder.default.svc"
    cluster.apply(mutating_webhook_configuration("label-adder"))
    create(cluster, pod())
    assert cluster.get("pods", "web")["metadata"]["labels"] == {"team": "blue"}
    [call] = calls(cluster)
    assert (call["webhook"], call["phase"], call["allowed"], call["patched"]) == (
        "label-adder.webhooks.k8slab.dev", "mutating", True, True)
    assert 0 < call["latency"] < 0.1
    [admit] = [r for r in cluster.trace_of("pod/default/web") if r.kind == "admit"]
    assert "MutatingAdmissionWebhook" in admit.details["mutated_by"]


def test_a_validating_webhook_refuses_latest_images_with_upstreams_message(cluster):
    cluster.run_webhook_server("no-latest", no_latest)
    cluster.apply(validating_webhook_configuration("no-latest"))
    error = refused(cluster, pod(image="nginx:latest"))
    assert error.message == ('admission webhook "no-latest.webhooks.k8slab.dev" denied the '
                             'request: image "nginx:latest" uses the latest tag')
    assert (error.code, error.reason) == (403, "Forbidden")
    assert stored(cluster) == ""
    create(cluster, pod(image="nginx:1.27"))
    assert [c["allowed"] for c in calls(cluster)] == [False, True]


def test_a_refusal_without_a_code_is_a_400_without_explanation(cluster):
    cluster.run_webhook_server("grumpy", lambda request: {"allowed": False})
    cluster.apply(validating_webhook_configuration("grumpy"))
    error = refused(cluster, pod())
    assert error.message == ('admission webhook "grumpy.webhooks.k8slab.dev" denied the '
                             "request without explanation")


@pytest.mark.parametrize("policy", ["Fail", "Ignore"])
def test_failure_policy_under_a_network_partition(cluster, policy):
    cluster.run_webhook_server("label-adder", add_team_label)
    cluster.apply(mutating_webhook_configuration("label-adder", failure_policy=policy,
                                                 timeout_seconds=2))
    cluster.partition(["control-plane"], [WORKER])
    if policy == "Fail":
        error = refused(cluster, pod(), InternalError)
        assert error.message == (
            'Internal error occurred: failed calling webhook "label-adder.webhooks.k8slab.dev": '
            'failed to call webhook: Post "https://label-adder.default.svc:443/?timeout=2s": '
            "context deadline exceeded")
        assert error.code == 500
        assert stored(cluster) == ""  # nothing half-applied
    else:
        create(cluster, pod())
        assert "labels" not in cluster.get("pods", "web")["metadata"]
    [call] = calls(cluster)
    assert call["failed_open"] is (policy == "Ignore")
    assert call["latency"] == pytest.approx(2.0, abs=0.01)
    assert call["error"].endswith("context deadline exceeded")


@pytest.mark.parametrize("policy", ["Fail", "Ignore"])
def test_a_webhook_slower_than_its_timeout(cluster, policy):
    cluster.run_webhook_server("slow", add_team_label, latency=3.0)
    cluster.apply(mutating_webhook_configuration("slow", failure_policy=policy,
                                                 timeout_seconds=1))
    if policy == "Fail":
        error = refused(cluster, pod(), InternalError)
        assert error.message.endswith(
            'Post "https://slow.default.svc:443/?timeout=1s": context deadline exceeded')
        assert stored(cluster) == ""
    else:
        create(cluster, pod())
        assert "labels" not in cluster.get("pods", "web")["metadata"]


def test_a_handler_that_raises_is_a_500_from_the_server(cluster):
    def broken(request):
        raise ValueError("boom")

    cluster.run_webhook_server("broken", broken)
    cluster.apply(validating_webhook_configuration("broken"))
    error = refused(cluster, pod(), InternalError)
    assert error.message == (
        'Internal error occurred: failed calling webhook "broken.webhooks.k8slab.dev": failed '
        'to call webhook: an error on the server ("ValueError: boom") has prevented the '
        "request from succeeding")
    assert any("ValueError: boom" in line for line in
               cluster.logs(cluster.list("pods", "default")[0]["metadata"]["name"]).splitlines())


def test_a_handler_that_returns_garbage_cannot_be_read(cluster):
    cluster.run_webhook_server("garbage", lambda request: "yes")
    cluster.apply(validating_webhook_configuration("garbage", failure_policy="Fail"))
    error = refused(cluster, pod(), InternalError)
    assert ("failed to call webhook: couldn't get version/kind; json parse error: json: cannot "
            "unmarshal string into Go value of type struct") in error.message


def test_a_patch_that_does_not_apply_fails_the_request_whatever_the_policy(cluster):
    def bad_patch(request):
        return allowed([{"op": "add", "path": "/metadata/annotations/x", "value": "1"}])

    cluster.run_webhook_server("bad-patch", bad_patch)
    cluster.apply(mutating_webhook_configuration("bad-patch", failure_policy="Ignore"))
    error = refused(cluster, pod(), InternalError)
    assert error.message == ('Internal error occurred: add operation does not apply: doc is '
                             'missing path: "/metadata/annotations/x": missing value')
    assert stored(cluster) == ""


def test_a_patch_without_a_patch_type_is_an_invalid_response(cluster):
    def untyped(request):
        return {k: v for k, v in allowed([{"op": "add", "path": "/metadata/labels",
                                          "value": {"a": "b"}}]).items() if k != "patchType"}

    cluster.run_webhook_server("untyped", untyped)
    cluster.apply(mutating_webhook_configuration("untyped"))
    error = refused(cluster, pod(), InternalError)
    assert error.message.endswith('"untyped.webhooks.k8slab.dev": received invalid webhook '
                                  "response: webhook returned response.patch but not "
                                  "response.patchType")


def test_no_endpoints_is_connection_refused(cluster):
    cluster.run_webhook_server("label-adder", add_team_label)
    cluster.apply(mutating_webhook_configuration("label-adder"))
    cluster.scale("deployment/label-adder", 0)
    cluster.run(5)
    error = refused(cluster, pod(), InternalError)
    cluster_ip = cluster.get("services", "label-adder")["spec"]["clusterIP"]
    assert error.message == (
        'Internal error occurred: failed calling webhook "label-adder.webhooks.k8slab.dev": '
        'failed to call webhook: Post "https://label-adder.default.svc:443/?timeout=10s": '
        f"dial tcp {cluster_ip}:443: connect: connection refused")


def test_a_missing_service_is_named(cluster):
    cluster.apply(validating_webhook_configuration("nowhere"))
    error = refused(cluster, pod(), InternalError)
    assert error.message.endswith('failed to call webhook: Post "https://nowhere.default.svc:'
                                  '443/?timeout=10s": service "nowhere" not found')


def test_namespace_selector(cluster):
    cluster.run_webhook_server("label-adder", add_team_label)
    cluster.apply(mutating_webhook_configuration(
        "label-adder", namespace_selector={"matchLabels": {"webhooks": "on"}}))
    cluster.apply([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "plain"}},
                   {"apiVersion": "v1", "kind": "Namespace",
                    "metadata": {"name": "served", "labels": {"webhooks": "on"}}}])
    create(cluster, pod(namespace="plain"))
    create(cluster, pod(namespace="served"))
    assert "labels" not in cluster.get("pods", "web", "plain")["metadata"]
    assert cluster.get("pods", "web", "served")["metadata"]["labels"] == {"team": "blue"}
    assert len(calls(cluster)) == 1


def test_object_selector(cluster):
    cluster.run_webhook_server("label-adder", add_team_label)
    cluster.apply(mutating_webhook_configuration(
        "label-adder", object_selector={"matchExpressions": [
            {"key": "inject", "operator": "In", "values": ["true"]}]}))
    create(cluster, pod("skipped"))
    create(cluster, pod("chosen", labels={"inject": "true"}))
    assert "labels" not in cluster.get("pods", "skipped")["metadata"]
    assert cluster.get("pods", "chosen")["metadata"]["labels"] == {"inject": "true",
                                                                  "team": "blue"}


@pytest.mark.parametrize("policy, rounds", [("IfNeeded", [0, 0, 1]), ("Never", [0, 0])])
def test_reinvocation_when_a_later_webhook_changes_the_object(cluster, policy, rounds):
    seen = []

    def counter(request):
        seen.append(dict(request["object"]["metadata"].get("labels") or {}))
        return allowed()

    cluster.run_webhook_server("a-counter", counter)
    cluster.run_webhook_server("b-labeller", add_team_label)
    cluster.apply([mutating_webhook_configuration("a-counter", reinvocation_policy=policy),
                   mutating_webhook_configuration("b-labeller")])
    create(cluster, pod())
    assert [c["round"] for c in calls(cluster)] == rounds
    assert seen == ([{}, {"team": "blue"}] if policy == "IfNeeded" else [{}])


def test_updates_and_deletes_reach_webhooks_that_ask_for_them(cluster):
    operations = []

    def record(request):
        operations.append((request["operation"], request["object"] is None,
                           request["oldObject"] is None))
        return allowed()

    cluster.run_webhook_server("recorder", record)
    create(cluster, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
                     "data": {"a": "1"}})
    cluster.apply(validating_webhook_configuration(
        "recorder", rules=[rule(["UPDATE", "DELETE"], ["configmaps"])]))
    current = cluster.get("configmaps", "settings")
    current["data"] = {"a": "2"}
    cluster.request(lambda client: client.update(current))
    cluster.delete("configmaps", "settings")
    assert operations == [("UPDATE", False, False), ("DELETE", True, False)]


def test_webhook_configurations_themselves_never_go_to_webhooks(cluster):
    cluster.apply(validating_webhook_configuration(
        "everything", rules=[rule(["*"], ["*"], ["*"], ["*"])]))
    assert refused(cluster, pod(), InternalError).message.endswith(
        'service "everything" not found')
    cluster.delete("validatingwebhookconfigurations", "everything", None)
    create(cluster, pod())


def test_a_bad_configuration_is_refused_by_the_api(cluster):
    bad = mutating_webhook_configuration("label-adder", timeout_seconds=60)
    with pytest.raises(InvalidError) as caught:
        create(cluster, bad)
    assert caught.value.message == (
        'MutatingWebhookConfiguration.admissionregistration.k8s.io "label-adder" is invalid: '
        "webhooks[0].timeoutSeconds: Invalid value: 60: the timeout value must be between 1 "
        "and 30 seconds")
    with pytest.raises(NotFoundError):
        cluster.get("mutatingwebhookconfigurations", "label-adder", None)

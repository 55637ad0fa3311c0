"""Defaults: upstream's values, never mutating the input."""

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k8slab.api.defaults import apply_defaults, image_tag


def pod(**spec):
    base = {"containers": [{"name": "web", "image": "nginx:1.27"}]}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": base | spec}


def test_pod_defaults():
    result = apply_defaults(pod())
    assert result["metadata"]["namespace"] == "default"
    spec = result["spec"]
    assert spec["restartPolicy"] == "Always"
    assert spec["schedulerName"] == "default-scheduler"
    assert spec["dnsPolicy"] == "ClusterFirst"
    assert spec["terminationGracePeriodSeconds"] == 30
    assert spec["enableServiceLinks"] is True
    assert "priority" not in spec  # the Priority admission plugin sets it
    assert spec["containers"][0] == {
        "name": "web",
        "image": "nginx:1.27",
        "imagePullPolicy": "IfNotPresent",
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }


def test_given_values_are_kept():
    result = apply_defaults(pod(restartPolicy="Never", priority=7))
    assert result["spec"]["restartPolicy"] == "Never"
    assert result["spec"]["priority"] == 7


def test_the_input_is_never_changed():
    original = pod(containers=[{"name": "a", "image": "x", "resources": {"limits": {"cpu": 1}}}])
    snapshot = copy.deepcopy(original)
    result = apply_defaults(original)
    assert original == snapshot
    result["spec"]["containers"][0]["resources"]["limits"]["cpu"] = 2
    assert original == snapshot


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        ("nginx", "Always"),
        ("nginx:latest", "Always"),
        ("nginx:1.27", "IfNotPresent"),
        ("registry:5000/app", "Always"),
        ("registry:5000/app:v2", "IfNotPresent"),
        ("nginx@sha256:0123", "IfNotPresent"),
        ("nginx:latest@sha256:0123", "Always"),
    ],
)
def test_image_pull_policy_follows_the_tag(image, policy):
    result = apply_defaults(pod(containers=[{"name": "c", "image": image}]))
    assert result["spec"]["containers"][0]["imagePullPolicy"] == policy


def test_image_tag():
    assert image_tag("nginx") == "latest"
    assert image_tag("a/b/c:v1") == "v1"
    assert image_tag("") == ""


def test_requests_default_from_limits_per_resource():
    resources = {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m"}}
    spec = apply_defaults(pod(containers=[{"name": "c", "image": "i", "resources": resources}]))
    assert spec["spec"]["containers"][0]["resources"]["requests"] == {
        "cpu": "500m",
        "memory": "1Gi",
    }


def test_init_containers_get_defaults_too():
    result = apply_defaults(pod(initContainers=[{"name": "i", "image": "busybox"}]))
    assert result["spec"]["initContainers"][0]["imagePullPolicy"] == "Always"


def test_container_ports_default_to_tcp():
    ports = [{"containerPort": 80}, {"containerPort": 53, "protocol": "UDP"}]
    result = apply_defaults(pod(containers=[{"name": "c", "image": "i", "ports": ports}]))
    assert [p["protocol"] for p in result["spec"]["containers"][0]["ports"]] == ["TCP", "UDP"]


def test_cluster_scoped_kinds_lose_their_namespace():
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n", "namespace": "x"}}
    assert "namespace" not in apply_defaults(node)["metadata"]


def test_node_allocatable_defaults_to_capacity():
    node = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "n"},
        "status": {"capacity": {"cpu": "4"}},
    }
    assert apply_defaults(node)["status"]["allocatable"] == {"cpu": "4"}


def test_namespace_phase_is_active():
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}}
    assert apply_defaults(namespace)["status"] == {"phase": "Active"}


def test_lease_keeps_its_namespace():
    lease = {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "n", "namespace": "kube-node-lease"},
    }
    assert apply_defaults(lease)["metadata"]["namespace"] == "kube-node-lease"


def test_null_sections_are_treated_as_empty():
    result = apply_defaults({"apiVersion": "v1", "kind": "Pod", "metadata": None, "spec": None})
    assert result["metadata"] == {"namespace": "default"}
    assert result["spec"]["restartPolicy"] == "Always"


@given(st.sampled_from(["Always", "Never", "OnFailure"]), st.integers(0, 100))
def test_defaults_are_idempotent(restart, grace):
    once = apply_defaults(pod(restartPolicy=restart, terminationGracePeriodSeconds=grace))
    assert apply_defaults(once) == once

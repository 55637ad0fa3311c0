import pytest

from k8slab.errors import K8sLabError
from k8slab.scheduler.node_info import (
    DEFAULT_MEMORY_REQUEST,
    DEFAULT_MILLI_CPU_REQUEST,
    NodeInfo,
    non_zero_requests,
    pod_key,
)


def test_allocatable_is_read_from_status_in_millicores_bytes_and_pods(make_node):
    info = NodeInfo(make_node("n1", cpu="3500m", memory="2Gi", pods="30"))
    assert info.name == "n1"
    assert info.allocatable == {"cpu": 3500, "memory": 2 * 1024**3, "pods": 30}
    assert info.requested == {"cpu": 0, "memory": 0}
    assert info.pod_count == 0


def test_missing_allocatable_resources_count_as_zero(make_node):
    info = NodeInfo(make_node("n1", cpu="", memory="", pods=""))
    assert info.allocatable == {"cpu": 0, "memory": 0, "pods": 0}


def test_bad_pod_capacity_is_a_clear_error(make_node):
    with pytest.raises(K8sLabError, match="node n1: bad status.allocatable"):
        NodeInfo(make_node("n1", pods="lots"))


def test_node_without_name_is_an_error():
    with pytest.raises(K8sLabError, match="metadata.name"):
        NodeInfo({"kind": "Node", "metadata": {}})


def test_requested_sums_the_real_requests_of_the_pods(make_node, make_pod):
    info = NodeInfo(make_node())
    info.add_pod(make_pod("a", [{"cpu": "250m", "memory": "64Mi"}, {"cpu": "250m"}]))
    info.add_pod(make_pod("b", [{"memory": "1Gi"}]))
    assert info.requested == {"cpu": 500, "memory": 64 * 2**20 + 2**30}
    assert info.pod_count == 2
    assert [pod_key(p) for p in info.pods] == ["default/a", "default/b"]


def test_non_zero_requested_counts_missing_container_requests_as_100m_and_200Mi(
    make_node, make_pod
):
    info = NodeInfo(make_node())
    info.add_pod(make_pod("a", [{"cpu": "250m", "memory": "64Mi"}, {"cpu": "250m"}, None]))
    assert info.non_zero_requested == {
        "cpu": 500 + DEFAULT_MILLI_CPU_REQUEST,
        "memory": 64 * 2**20 + 2 * DEFAULT_MEMORY_REQUEST,
    }
    assert info.requested == {"cpu": 500, "memory": 64 * 2**20}


def test_default_requests_are_upstreams():
    # kk pkg/scheduler/util/pod_resources.go
    assert DEFAULT_MILLI_CPU_REQUEST == 100
    assert DEFAULT_MEMORY_REQUEST == 200 * 1024 * 1024


def test_an_explicit_zero_request_is_not_defaulted(make_pod):
    assert non_zero_requests(make_pod("a", [{"cpu": "0", "memory": "0"}])) == {
        "cpu": 0,
        "memory": 0,
    }


def test_a_pod_without_containers_has_no_non_zero_request(make_pod):
    assert non_zero_requests(make_pod("a")) == {"cpu": 0, "memory": 0}


def test_non_zero_defaults_apply_to_init_containers_too(make_pod):
    pod = make_pod("a", [{"cpu": "50m", "memory": "10Mi"}], init_containers=[None])
    assert non_zero_requests(pod) == {
        "cpu": DEFAULT_MILLI_CPU_REQUEST,
        "memory": DEFAULT_MEMORY_REQUEST,
    }


def test_adding_a_pod_twice_raises(make_node, make_pod):
    info = NodeInfo(make_node("n1"))
    info.add_pod(make_pod("a", [{"cpu": "1"}]))
    with pytest.raises(K8sLabError, match="default/a is already on node n1"):
        info.add_pod(make_pod("a", [{"cpu": "2"}]))
    assert info.requested["cpu"] == 1000
    assert info.pod_count == 1


def test_same_name_in_another_namespace_is_another_pod(make_node, make_pod):
    info = NodeInfo(make_node())
    info.add_pod(make_pod("a", namespace="x"))
    info.add_pod(make_pod("a", namespace="y"))
    assert info.pod_count == 2


def test_remove_pod_gives_back_what_add_pod_took(make_node, make_pod):
    info = NodeInfo(make_node())
    keep = make_pod("keep", [{"cpu": "1", "memory": "1Gi"}])
    info.add_pod(keep)
    info.add_pod(make_pod("go", [None, {"cpu": "300m"}]))
    info.remove_pod(make_pod("go"))
    fresh = NodeInfo(make_node(), [keep])
    assert info.requested == fresh.requested
    assert info.non_zero_requested == fresh.non_zero_requested
    assert info.pods == [keep]
    assert not info.has_pod(make_pod("go"))


def test_removing_a_pod_that_is_not_there_raises(make_node, make_pod):
    with pytest.raises(K8sLabError, match="not on node"):
        NodeInfo(make_node()).remove_pod(make_pod("ghost"))


def test_pod_key_defaults_the_namespace_and_needs_a_name():
    assert pod_key({"metadata": {"name": "web"}}) == "default/web"
    assert pod_key({"metadata": {"name": "web", "namespace": "shop"}}) == "shop/web"
    with pytest.raises(K8sLabError, match="metadata.name"):
        pod_key({"metadata": {}})


def test_node_info_keeps_labels_taints_and_images(make_node):
    node = make_node(
        "n1",
        labels={"zone": "z1"},
        taints=[{"key": "k", "effect": "NoSchedule"}],
        images=[{"names": ["nginx:1.27", "nginx@sha256:abc"], "sizeBytes": 1000}],
    )
    info = NodeInfo(node)
    assert info.labels == {"zone": "z1"}
    assert info.taints == [{"key": "k", "effect": "NoSchedule"}]
    assert info.images == {"nginx:1.27": 1000, "nginx@sha256:abc": 1000}


def test_host_ports_are_taken_and_given_back(make_node, make_pod):
    pod = make_pod("web", [None])
    pod["spec"]["containers"][0]["ports"] = [{"containerPort": 80, "hostPort": 8080}]
    info = NodeInfo(make_node("n1"), [pod])
    assert info.used_ports == {("0.0.0.0", "TCP", 8080): 1}
    assert info.port_conflicts("10.0.0.1", "TCP", 8080)
    assert not info.port_conflicts("0.0.0.0", "UDP", 8080)
    assert not info.port_conflicts("0.0.0.0", "TCP", 0)
    info.remove_pod(pod)
    assert info.used_ports == {}


def test_extended_resources_are_requested_too(make_node, make_pod):
    info = NodeInfo(make_node("n1", extra={"example.com/gpu": 2}))
    info.add_pod(make_pod("a", [{"example.com/gpu": "1"}]))
    assert info.allocatable["example.com/gpu"] == 2
    assert info.requested["example.com/gpu"] == 1


def test_pods_with_affinity_are_tracked(make_node, make_pod):
    anti = {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": "z"}]
        }
    }
    info = NodeInfo(make_node("n1"), [make_pod("plain"), make_pod("anti", affinity=anti)])
    assert [pod_key(p) for p in info.pods_with_affinity] == ["default/anti"]
    assert [pod_key(p) for p in info.pods_with_required_anti_affinity] == ["default/anti"]
    info.remove_pod(make_pod("anti"))
    assert info.pods_with_affinity == []


def test_a_clone_changes_alone(make_node, make_pod):
    info = NodeInfo(make_node("n1"), [make_pod("a", [{"cpu": "1"}])])
    copy = info.clone()
    copy.remove_pod(make_pod("a"))
    copy.add_pod(make_pod("b", [{"cpu": "2"}]))
    assert [pod_key(p) for p in info.pods] == ["default/a"]
    assert (info.requested["cpu"], copy.requested["cpu"]) == (1000, 2000)

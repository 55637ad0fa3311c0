"""`Cluster.ip_route(node)`: the routes a node's kernel has to pods, as `ip route` prints them;
a node that is down has no kernel to ask, and an unknown node is named with the known ones."""

import pytest

from k8slab.errors import K8sLabError
from k8slab.lab.cluster import Cluster


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    cluster = Cluster(workers=2, seed=1)
    cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
                   "spec": {"nodeName": "worker-1",
                            "containers": [{"name": "web", "image": "nginx:1.27"}]}})
    cluster.run(5)
    return cluster


def test_a_worker_routes_its_own_pod_cidr_on_cni0_and_the_others_via_their_nodes(cluster):
    # The bridge plugin made cni0 (10.244.1.1, the gateway) when worker-1's first pod started.
    assert cluster.ip_route("worker-1") == (
        "10.244.0.0/24 via 10.0.0.10 dev eth0\n"
        "10.244.1.0/24 dev cni0 proto kernel scope link src 10.244.1.1\n"
        "10.244.2.0/24 via 10.0.0.22 dev eth0\n")


def test_a_node_that_is_down_cannot_be_asked(cluster):
    cluster.kill_node("worker-2")
    with pytest.raises(K8sLabError, match="worker-2 is down"):
        cluster.ip_route("worker-2")
    cluster.restart_node("worker-2")


def test_an_unknown_node_is_refused(cluster):
    with pytest.raises(K8sLabError, match="worker-9"):
        cluster.ip_route("worker-9")

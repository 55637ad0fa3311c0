"""The lab finds running components through lab/components.py, which answers with their read-only
views (etcd's endpoint status, the kubelet's status, `runc list`, HAProxy's stats), or with
nothing while the host or the process is down."""

import pytest

from k8slab import Cluster
from k8slab.etcd.status import MemberStatus
from k8slab.lab import components
from k8slab.node.container_state import ContainerState
from k8slab.node.kubelet_status import KubeletStatus

WEB = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
       "spec": {"nodeName": "worker-1", "containers": [{"name": "web", "image": "nginx:1.27"}]}}


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    cluster = Cluster(workers=1, seed=1)
    cluster.apply(WEB)
    cluster.run(5)
    return cluster


def test_each_host_runs_what_kubeadm_started_there(cluster):
    assert components.running_on(cluster.network, "control-plane") == (
        "runc", "containerd", "kubelet", "pod_network", "etcd", "kube-apiserver",
        "kube-controller-manager", "kube-scheduler", "kube-proxy")
    # kube-proxy is the DaemonSet kubeadm's addon phase installs, one pod on every node
    assert components.running_on(cluster.network, "worker-1") == ("runc", "containerd", "kubelet",
                                                                    "pod_network", "kube-proxy")


def test_the_etcd_member_reports_its_endpoint_status(cluster):
    status = components.etcd_status(cluster.network, "control-plane")
    assert isinstance(status, MemberStatus)
    assert (status.member, status.leader, status.is_leader) == ("control-plane",) * 2 + (True,)
    [node] = components.raft_nodes(cluster.network, ["control-plane"])
    assert node.commit_index == status.raft.commit
    assert components.etcd_status(cluster.network, "worker-1") is None


def test_kubelets_runc_and_the_scheduler_are_found_where_they_run(cluster):
    kubelet = components.kubelet_status(cluster.network, "worker-1")
    assert isinstance(kubelet, KubeletStatus) and kubelet.settled
    running = components.containers(cluster.network, "worker-1")
    [web] = [c for c in running if c.image == "nginx:1.27"]
    assert isinstance(web, ContainerState)
    assert (web.status, web.pod) == ("running", "pod/default/web")
    assert components.scheduler_view(cluster.network, "control-plane").leading
    assert components.load_balancer_stats(cluster.network, "control-plane") is None


def test_a_down_host_runs_nothing_and_reports_nothing():
    cluster = Cluster(workers=1, seed=1)
    cluster.kill_node("worker-1")
    cluster.kill_node("control-plane")
    for host in ("worker-1", "control-plane"):
        assert components.running_on(cluster.network, host) == ()
        assert components.kubelet_status(cluster.network, host) is None
        assert components.containers(cluster.network, host) == ()
    assert components.etcd_status(cluster.network, "control-plane") is None
    assert components.raft_nodes(cluster.network, ["control-plane"]) == []
    assert components.scheduler_view(cluster.network, "control-plane") is None
    assert cluster.etcd_status() == {"control-plane": None}


def test_the_load_balancer_of_an_ha_cluster_reports_every_api_server():
    ha = Cluster(workers=0, seed=1, control_planes=3)
    stats = components.load_balancer_stats(ha.network, "lb")
    assert [(row.server, row.status) for row in stats] == [
        (name, "UP") for name in ha.control_planes]
    assert [s.member for s in ha.etcd_status().values()] == ha.control_planes


def test_the_watch_cache_answers_a_list_as_the_api_server_does_without_taking_time(cluster):
    now = cluster.now
    items, revision = components.cached_list(cluster.network, "control-plane", "pods")
    assert cluster.now == now
    assert items == cluster.list("pods")
    assert int(revision) >= max(int(p["metadata"]["resourceVersion"]) for p in items)
    assert components.cached_list(cluster.network, "worker-1", "pods") is None

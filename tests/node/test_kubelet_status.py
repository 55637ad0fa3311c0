"""What a kubelet reports of itself: its node, registration, Lease, and the pods it runs; settled
once it registered, holds its Lease and runs every static pod. A snapshot, not the kubelet."""

import dataclasses

import pytest

from k8slab import Cluster
from k8slab.node.cni.testing import pod_network_for
from k8slab.node.containerd import Containerd
from k8slab.node.kubelet import VERSION, Kubelet, NodeConfig
from k8slab.node.kubelet_status import KubeletStatus
from k8slab.node.runc import Runc
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network

STATIC = ("kube-system/etcd-control-plane", "kube-system/kube-apiserver-control-plane",
          "kube-system/kube-controller-manager-control-plane",
          "kube-system/kube-scheduler-control-plane")
WEB = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
       "spec": {"nodeName": "worker-1", "containers": [{"name": "web", "image": "nginx:1.27"}]}}


def kubelet(cluster: Cluster, host: str) -> Kubelet:
    return cluster.network.host(host).memory["kubelet"]


def test_a_kubelet_not_yet_started_is_not_settled():
    sim = Simulation(1)
    host = Network(sim).add_host("node-1")
    host.start()
    containerd = Containerd(host.group("containerd"), Runc(host),
                            pod_network_for(host, "10.0.0.21", "10.244.1.0/24"))
    status = Kubelet(host.group("kubelet"), containerd,
                     NodeConfig("node-1", "10.0.0.21", "10.244.1.0/24"), "api").status()
    assert status == KubeletStatus("node-1", VERSION, False, False, (), ())
    assert not status.settled


def test_a_booted_cluster_s_kubelets_are_registered_leased_and_settled():
    cluster = Cluster(workers=1, seed=1)
    control_plane = kubelet(cluster, "control-plane").status()
    assert (control_plane.node_name, control_plane.registered, control_plane.lease_renewed) == (
        "control-plane", True, True)
    assert control_plane.static_pods == STATIC
    assert set(STATIC) <= set(control_plane.running_pods)
    assert control_plane.settled
    worker = kubelet(cluster, "worker-1").status()
    assert (worker.static_pods, worker.settled) == ((), True)


def test_a_pod_bound_to_the_node_shows_among_its_running_pods():
    cluster = Cluster(workers=1, seed=1)
    before = kubelet(cluster, "worker-1").status()
    cluster.apply(WEB)
    cluster.run(5)
    assert "default/web" in kubelet(cluster, "worker-1").status().running_pods
    assert "default/web" not in before.running_pods
    with pytest.raises(dataclasses.FrozenInstanceError):
        before.registered = False

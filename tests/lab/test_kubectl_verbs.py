"""kubectl's writing verbs on a running Cluster, through the API server, as a reader types them.

(Deployments and the pods/eviction subresource arrive with other parts of issue 10; these tests
use pods and nodes, and drain's --disable-eviction path, which deletes the pods.)
"""

from __future__ import annotations

import pytest

from k8slab import Cluster
from k8slab.errors import BadRequestError, K8sLabError, NotFoundError
from k8slab.lab.kubectl.output import KubectlError


def pod(name: str, node: str | None = None) -> dict:
    spec = {"containers": [{"name": "c", "image": "nginx"}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


@pytest.fixture()
def cluster() -> Cluster:
    c = Cluster(workers=2, seed=11)
    c.apply([pod("a", "worker-1"), pod("b", "worker-1"), pod("c", "worker-2")])
    c.run(5)
    return c


def names(c: Cluster) -> list[str]:
    return [p["metadata"]["name"] for p in c.list("pods", "default")]


def test_delete_waits_until_the_pod_is_gone(cluster: Cluster) -> None:
    out = cluster.kubectl("delete pod a b")
    assert out.splitlines() == ['pod "a" deleted from default namespace',
                                'pod "b" deleted from default namespace']
    assert names(cluster) == ["c"]
    with pytest.raises(NotFoundError, match='pods "a" not found'):
        cluster.kubectl("delete pod a")


def test_force_delete_warns_first(cluster: Cluster) -> None:
    assert cluster.kubectl("delete pod/c --force --grace-period=0").splitlines()[1] == (
        'pod "c" force deleted from default namespace')


def test_a_bad_delete_sends_nothing(cluster: Cluster) -> None:
    events = cluster.sim.events
    with pytest.raises(BadRequestError, match="--force and --grace-period greater than 0"):
        cluster.kubectl("delete pod a --force --grace-period=3")
    assert cluster.sim.events == events
    assert names(cluster) == ["a", "b", "c"]


def test_cordon_then_new_pods_go_elsewhere(cluster: Cluster) -> None:
    assert cluster.kubectl("cordon worker-1") == "node/worker-1 cordoned"
    assert cluster.kubectl("get nodes worker-1").splitlines()[1].split()[1] == (
        "Ready,SchedulingDisabled")
    cluster.apply(pod("d"))
    cluster.run(2)
    assert cluster.get("pods", "d")["spec"]["nodeName"] == "worker-2"
    assert cluster.kubectl("uncordon node/worker-1") == "node/worker-1 uncordoned"


def test_drain_refuses_unmanaged_pods_and_leaves_the_node_cordoned(cluster: Cluster) -> None:
    with pytest.raises(KubectlError) as caught:
        cluster.kubectl("drain worker-1")
    assert caught.value.output.splitlines()[0] == "node/worker-1 cordoned"
    # kube-proxy's DaemonSet pod refuses too, aggregated as utilerrors does: "[e1, e2]"
    assert caught.value.error == (
        "error: [cannot delete cannot delete Pods that declare no controller (use --force to "
        "override): default/a, default/b, cannot delete DaemonSet-managed Pods (use "
        "--ignore-daemonsets to ignore): kube-system/kube-proxy-694tm]")
    assert names(cluster) == ["a", "b", "c"]
    assert cluster.get("nodes", "worker-1", None)["spec"]["unschedulable"] is True


def test_drain_with_force_moves_every_pod_off_the_node(cluster: Cluster) -> None:
    # Every node runs kube-proxy's DaemonSet pod, so a drain needs --ignore-daemonsets, as
    # on a kubeadm cluster; worker-1's CoreDNS replica goes too (its ReplicaSet replaces it).
    out = cluster.kubectl("drain worker-1 --force --disable-eviction --ignore-daemonsets")
    assert out.splitlines() == [
        "node/worker-1 cordoned",
        "Warning: deleting Pods that declare no controller: default/a, default/b; ignoring "
        "DaemonSet-managed Pods: kube-system/kube-proxy-694tm",
        "pod/a deleted",
        "pod/b deleted",
        "pod/coredns-9fdf59497-q4vqq deleted",
        "node/worker-1 drained",
    ]
    assert names(cluster) == ["c"]
    # The control plane's static pods are mirror pods: drain never touches them. CoreDNS's
    # replacement, which tolerates the control plane's taint, had landed there.
    assert cluster.kubectl(
        "drain control-plane --force --disable-eviction --ignore-daemonsets").splitlines() == [
        "node/control-plane cordoned",
        "Warning: ignoring DaemonSet-managed Pods: kube-system/kube-proxy-55tk7",
        "pod/coredns-9fdf59497-7rjdw deleted",
        "node/control-plane drained"]


def test_the_facade_delete_and_scale(cluster: Cluster) -> None:
    assert cluster.delete("pods", "a", grace_period=0, force=True).splitlines()[1] == (
        'pod "a" force deleted from default namespace')
    assert cluster.delete("pod", "b", wait=False, cascade="orphan") == (
        'pod "b" deleted from default namespace')
    with pytest.raises(NotFoundError, match='deployments.apps "web" not found'):
        cluster.scale("deployment/web", 3)


def test_a_verb_needs_the_api_server(cluster: Cluster) -> None:
    cluster.kill_node("control-plane")
    with pytest.raises(K8sLabError, match="refused"):
        cluster.kubectl("cordon worker-1")

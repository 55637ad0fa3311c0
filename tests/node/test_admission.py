"""The kubelet admits a pod bound to its node only if it fits, as upstream's predicate admit
handler does: a pod created with spec.nodeName skips the scheduler but not the kubelet."""

from __future__ import annotations

import pytest

from k8slab import Cluster
from k8slab.node.admission import admit

ALLOCATABLE = {"cpu": 4000, "memory": 16 * 2**30, "pods": 3}


def pod(cpu: str = "0", memory: str = "0") -> dict:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v != "0"}
    return {"spec": {"containers": [{"name": "c", "resources": {"requests": requests}}]}}


@pytest.mark.parametrize(("new", "admitted", "reason", "message"), [
    (pod("1"), [pod("2")], "", ""),
    (pod("100"), [], "OutOfcpu",
     "Node didn't have enough resource: cpu, requested: 100000, used: 0, capacity: 4000"),
    (pod("2"), [pod("2500m")], "OutOfcpu",
     "Node didn't have enough resource: cpu, requested: 2000, used: 2500, capacity: 4000"),
    (pod(memory="17Gi"), [], "OutOfmemory",
     "Node didn't have enough resource: memory, requested: 18253611008, used: 0, "
     "capacity: 17179869184"),
    (pod(), [pod(), pod(), pod()], "OutOfpods",
     "Node didn't have enough resource: pods, requested: 1, used: 3, capacity: 3"),
])
def test_admission_checks_pods_then_cpu_then_memory(new, admitted, reason, message):
    assert admit(new, admitted, ALLOCATABLE) == (reason, message)


def test_a_pod_bound_by_name_to_a_node_too_small_fails_with_out_of_cpu():
    cluster = Cluster(workers=1)
    container = {"name": "c", "image": "nginx", "resources": {"requests": {"cpu": "100"}}}
    cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "huge"},
                   "spec": {"nodeName": "worker-1", "containers": [container]}})
    cluster.run(3)
    status = cluster.get("pods", "huge")["status"]
    assert (status["phase"], status["reason"]) == ("Failed", "OutOfcpu")
    # used: CoreDNS's replica on worker-1 requests 100m (kubeadm's coredns Deployment).
    assert status["message"] == ("Pod was rejected: Node didn't have enough resource: cpu, "
                                 "requested: 100000, used: 100, capacity: 4000")
    assert [c for c in cluster.containers("worker-1") if c["pod"] == "pod/default/huge"] == []
    cluster.run(30)
    assert cluster.get("pods", "huge")["status"]["phase"] == "Failed"


def test_a_terminating_pod_counts_until_its_containers_stopped():
    # kubelet.go filterOutInactivePods: a pod asked to terminate stays active until the pod
    # worker knows it terminated; a pod bound meanwhile can be rejected, as upstream.
    cluster = Cluster(workers=1, worker_cpu="2")

    def bound(name: str, cpu: str, command: list | None = None) -> dict:
        container = {"name": "c", "image": "busybox", "resources": {"requests": {"cpu": cpu}}}
        if command:
            container["command"] = command
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                "spec": {"nodeName": "worker-1", "containers": [container]}}

    cluster.apply(bound("old", "1500m", ["sleep", "3600"]))  # ignores SIGTERM: 30 s to stop
    cluster.run(3)
    cluster.delete("pods", "old", wait=False)
    cluster.apply(bound("early", "1"))
    cluster.run(3)
    assert cluster.get("pods", "early")["status"]["reason"] == "OutOfcpu"
    cluster.run(30)
    cluster.apply(bound("late", "1"))
    cluster.run(3)
    assert cluster.get("pods", "late")["status"]["phase"] == "Running"

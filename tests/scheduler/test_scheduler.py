"""The kube-scheduler loop as a transcript: pods in, Scheduled / FailedScheduling / Bound out.

Queue order, retries, preemption and status reports, checked inside a whole `Cluster`
(test_scheduler_scripted.py drives the loop against a scripted API server instead).
"""

from __future__ import annotations

import pytest

from k8slab import Cluster
from k8slab.errors import NotFoundError
from k8slab.scheduler.framework.diagnosis import Decision
from k8slab.scheduler.scheduler import Scheduler
from k8slab.scheduler.view import decision_log
from tests.scheduler.objects import node, pod, priority_class

CONTROL_PLANE_TAINT_MSG = "node(s) had untolerated taint(s)"
NOT_HELPFUL = "Preemption is not helpful for scheduling"
NO_VICTIMS = "No preemption victims found for incoming pod"


def scheduler_of(cluster: Cluster) -> Scheduler:
    return cluster.network.host("control-plane").memory["kube-scheduler"]


def leading_cluster(**options) -> Cluster:
    """A Cluster whose kube-scheduler already holds its leader Lease (it schedules only then)."""
    # No addons: these transcripts follow the queue's own pods, not kube-proxy's or CoreDNS's.
    cluster = Cluster(skip_phases=["addon"], **options)
    deadline = cluster.now + 30
    while not scheduler_of(cluster).leading:
        assert cluster.now < deadline, "the scheduler never became leader"
        cluster.run(0.1)
    return cluster


def outcomes(cluster: Cluster, since: int = -1) -> list[tuple[str, str, str | None]]:
    """(kind, pod, node) of each scheduler record after trace position `since`."""
    return [
        (rec.kind, rec.obj, rec.details.get("node"))
        for rec in cluster.trace.since(since)
        if rec.component == "scheduler"
    ]


def delete_pod(cluster: Cluster, name: str) -> None:
    cluster.request(lambda c: c.delete("pods", name, "default"))


def last_decision(cluster: Cluster, key: str) -> Decision:
    """The latest decision the trace holds for the pod `key` ("namespace/name")."""
    return decision_log(cluster.trace, key)[-1].decision


# -- the loop in a whole cluster -------------------------------------------------------------


def test_a_pod_is_scheduled_bound_and_counted_on_its_node() -> None:
    cluster = leading_cluster(workers=1)
    mark = len(cluster.trace) - 1
    cluster.apply(pod("web", cpu="500m"))
    cluster.run(1)
    assert outcomes(cluster, mark) == [
        ("Assumed", "pod/default/web", "worker-1"),
        ("Scheduled", "pod/default/web", "worker-1"),
        ("Bound", "pod/default/web", "worker-1"),
    ]
    assumed = cluster.trace.where(component="scheduler", kind="Assumed")[0]
    assert assumed.details == {"node": "worker-1", "feasible": 1}
    scheduled = cluster.trace.where(component="scheduler", kind="Scheduled")[0]
    assert scheduled.details["message"] == "Successfully assigned default/web to worker-1"
    [event] = [e for e in cluster.list("events", "default") if e["reason"] == "Scheduled"]
    assert (event["type"], event["message"], event["involvedObject"]["name"]) == (
        "Normal", "Successfully assigned default/web to worker-1", "web")
    assert cluster.get("pods", "web")["spec"]["nodeName"] == "worker-1"
    info = scheduler_of(cluster).nodes["worker-1"]
    assert [p["metadata"]["name"] for p in info.pods] == ["web"]
    assert info.requested["cpu"] == 500


def test_pods_are_scheduled_in_priority_order_then_first_come_first_served() -> None:
    cluster = leading_cluster(workers=0)  # the only node is tainted: every pod waits
    cluster.apply([priority_class(1000), priority_class(500), priority_class(-10, "negative")])
    cluster.apply(
        [
            pod("low"),
            pod("high", priorityClassName="priority1000"),
            pod("mid", priorityClassName="priority500"),
            pod("high-too", priorityClassName="priority1000"),
            pod("negative", priorityClassName="negative"),
        ]
    )
    cluster.run(1)
    assert [kind for kind, _, _ in outcomes(cluster)] == ["FailedScheduling"] * 5
    mark = len(cluster.trace) - 1
    cluster.apply(node("extra-1"))
    cluster.run(1)
    scheduled = [p for kind, p, _ in outcomes(cluster, mark) if kind == "Assumed"]
    assert scheduled == [
        "pod/default/high",
        "pod/default/high-too",
        "pod/default/mid",
        "pod/default/low",
        "pod/default/negative",
    ]


def test_an_unschedulable_pod_says_why_in_the_trace_and_in_its_status() -> None:
    cluster = leading_cluster(workers=1, worker_cpu="1")
    cluster.apply(pod("big", cpu="2"))
    cluster.run(1)
    message = (
        f"0/2 nodes are available: 1 Insufficient cpu, 1 {CONTROL_PLANE_TAINT_MSG}. "
        f"preemption: 0/2 nodes are available: 1 {NO_VICTIMS}, 1 {NOT_HELPFUL}."
    )
    failed = cluster.trace.where(component="scheduler", kind="FailedScheduling")
    # The record is the Warning Event's, which the scheduler also stores through the API.
    assert [(rec.obj, rec.details) for rec in failed] == [
        ("pod/default/big", {"type": "Warning", "message": message, "source": "default-scheduler"})]
    [event] = [e for e in cluster.list("events", "default") if e["reason"] == "FailedScheduling"]
    assert (event["type"], event["message"], event["source"]) == (
        "Warning", message, {"component": "default-scheduler"})
    status = cluster.get("pods", "big")["status"]
    assert status["phase"] == "Pending"
    assert [(c["type"], c["status"], c["reason"], c["message"]) for c in status["conditions"]] == [
        ("PodScheduled", "False", "Unschedulable", message)
    ]
    decision = last_decision(cluster, "default/big")
    assert (decision.scheduled, decision.message) == (False, message)


def test_an_unschedulable_pod_is_scheduled_as_soon_as_a_node_joins() -> None:
    cluster = leading_cluster(workers=1, worker_cpu="1")
    cluster.apply(pod("big", cpu="2"))
    cluster.run(10)
    joined = cluster.now
    cluster.apply(node("extra-1", cpu="4"))
    cluster.run(1)
    scheduled = cluster.trace.where(component="scheduler", kind="Scheduled")
    assert [(rec.obj, rec.details["node"]) for rec in scheduled] == [("pod/default/big", "extra-1")]
    assert scheduled[0].time - joined < 0.1  # not after the 5-minute unschedulable flush
    pod_now = cluster.get("pods", "big")
    assert pod_now["spec"]["nodeName"] == "extra-1"
    assert [(c["type"], c["status"]) for c in pod_now["status"]["conditions"]] == [
        ("PodScheduled", "True")
    ]


def test_an_unschedulable_pod_is_scheduled_as_soon_as_a_big_pod_leaves() -> None:
    cluster = leading_cluster(workers=1, worker_cpu="2")
    cluster.apply(pod("big", cpu="1500m"))
    cluster.run(5)
    cluster.apply(pod("next", cpu="1"))
    cluster.run(5)
    assert outcomes(cluster)[-1] == ("FailedScheduling", "pod/default/next", None)
    mark = len(cluster.trace) - 1
    delete_pod(cluster, "big")
    cluster.run(1)
    assert outcomes(cluster, mark) == [
        ("Assumed", "pod/default/next", "worker-1"),
        ("Scheduled", "pod/default/next", "worker-1"),
        ("Bound", "pod/default/next", "worker-1"),
    ]
    info = scheduler_of(cluster).nodes["worker-1"]
    assert [p["metadata"]["name"] for p in info.pods] == ["next"]
    assert info.requested["cpu"] == 1000


def test_the_trace_keeps_every_decision_with_the_record_it_explains() -> None:
    cluster = leading_cluster(workers=1, worker_cpu="1")
    cluster.apply([pod("big", cpu="2"), pod("small")])
    cluster.run(5)
    assert not last_decision(cluster, "default/big").scheduled
    cluster.apply(node("extra-1", cpu="4"))
    cluster.run(1)
    logged = decision_log(cluster.trace, "default/big")
    records = cluster.trace.where(component="scheduler", obj="pod/default/big")
    decided = [rec for rec in records if rec.kind in ("Assumed", "FailedScheduling")]
    assert [(entry.time, entry.host) for entry in logged] == [
        (rec.time, rec.host) for rec in decided
    ]
    assert [entry.decision.node for entry in logged] == [None] * (len(logged) - 1) + ["extra-1"]
    assert logged[-1].outcome == "Successfully assigned default/big to extra-1"
    assert {entry.outcome for entry in logged[:-1]} == {""}  # FitErrors need no outcome
    assert last_decision(cluster, "default/small").node == "worker-1"
    assert all(entry.decision.state is None for entry in logged)  # no cycle scratch is kept
    rows = last_decision(cluster, "default/big").rows()
    assert [(row["node"], row["chosen"]) for row in rows] == [
        ("control-plane", False),
        ("extra-1", True),
        ("worker-1", False),
    ]


def test_pods_for_another_scheduler_or_already_bound_are_not_scheduled() -> None:
    cluster = leading_cluster(workers=2)
    cluster.apply(
        [
            pod("theirs", schedulerName="my-scheduler"),
            pod("pinned", cpu="1", nodeName="worker-2"),
        ]
    )
    cluster.run(5)
    assert outcomes(cluster) == []
    scheduler = scheduler_of(cluster)
    assert decision_log(cluster.trace, "default/theirs") == []
    assert decision_log(cluster.trace, "default/pinned") == []
    assert cluster.get("pods", "theirs")["spec"].get("nodeName") is None
    assert scheduler.nodes["worker-2"].requested["cpu"] == 1000


def test_a_deleted_pod_no_longer_counts_on_its_node() -> None:
    cluster = leading_cluster(workers=1)
    cluster.apply([pod("a", cpu="1"), pod("b", cpu="2")])
    cluster.run(5)
    info = scheduler_of(cluster).nodes["worker-1"]
    assert (info.pod_count, info.requested["cpu"]) == (2, 3000)
    delete_pod(cluster, "a")
    cluster.run(1)
    info = scheduler_of(cluster).nodes["worker-1"]
    assert (info.pod_count, info.requested["cpu"]) == (1, 2000)


def test_a_node_that_leaves_is_no_longer_a_candidate() -> None:
    cluster = leading_cluster(workers=0)
    cluster.apply(node("extra-1"))
    cluster.run(1)
    cluster.request(lambda c: c.delete("nodes", "extra-1"))
    cluster.run(1)
    cluster.apply(pod("web"))
    cluster.run(1)
    assert outcomes(cluster)[-1] == ("FailedScheduling", "pod/default/web", None)
    assert list(scheduler_of(cluster).nodes) == ["control-plane"]


# -- preemption, end to end -------------------------------------------------------------------


def test_a_high_priority_pod_evicts_a_low_priority_one_and_lands_in_its_place() -> None:
    cluster = leading_cluster(workers=1, worker_cpu="2")
    cluster.apply(pod("low", cpu="1500m"))
    cluster.run(5)
    mark = len(cluster.trace) - 1
    cluster.apply([priority_class(1000), pod("high", cpu="1", priorityClassName="priority1000")])
    cluster.run(0.2)
    failed, preempted = [
        rec for rec in cluster.trace.since(mark) if rec.component == "scheduler"
    ][:2]
    assert (failed.kind, failed.obj) == ("FailedScheduling", "pod/default/high")
    assert failed.details == {
        "type": "Warning",
        "source": "default-scheduler",
        "message": f"0/2 nodes are available: 1 Insufficient cpu, 1 {CONTROL_PLANE_TAINT_MSG}.",
        "nominated_node": "worker-1",
        "victims": ["default/low"],
    }
    uid = cluster.get("pods", "high")["metadata"]["uid"]
    assert (preempted.kind, preempted.obj, preempted.details) == (
        "Preempted",
        "pod/default/low",
        {
            "node": "worker-1",
            "preemptor": "default/high",
            "message": f"Preempted by pod {uid} on node worker-1",
        },
    )
    with pytest.raises(NotFoundError):
        cluster.get("pods", "low")
    assert cluster.get("pods", "high")["status"]["nominatedNodeName"] == "worker-1"
    line = cluster.kubectl("get pods -o wide").splitlines()[1].split()
    assert (line[0], line[2], line[6], line[7]) == ("high", "Pending", "<none>", "worker-1")
    cluster.run(3)
    scheduled = cluster.trace.where(component="scheduler", kind="Assumed")[-1]
    assert (scheduled.obj, scheduled.details["node"]) == ("pod/default/high", "worker-1")
    assert scheduled.time - failed.time == pytest.approx(1.0)  # the preemptor's 1 s backoff
    assert cluster.get("pods", "high")["spec"]["nodeName"] == "worker-1"
    info = scheduler_of(cluster).nodes["worker-1"]
    assert [p["metadata"]["name"] for p in info.pods] == ["high"]


def test_the_nominated_pod_keeps_its_place_from_lower_priority_newcomers() -> None:
    cluster = leading_cluster(workers=1, worker_cpu="2")
    cluster.apply(pod("low", cpu="1500m"))
    cluster.run(5)
    cluster.apply([priority_class(1000), pod("high", cpu="1", priorityClassName="priority1000")])
    cluster.run(0.1)  # low is gone; high waits out its backoff, nominated to worker-1
    cluster.apply(pod("newcomer", cpu="1500m"))
    cluster.run(3)
    assert cluster.get("pods", "high")["spec"]["nodeName"] == "worker-1"
    newcomer = cluster.get("pods", "newcomer")
    assert newcomer["spec"].get("nodeName") is None
    assert newcomer["status"]["conditions"][0]["message"] == (
        f"0/2 nodes are available: 1 Insufficient cpu, 1 {CONTROL_PLANE_TAINT_MSG}. "
        f"preemption: 0/2 nodes are available: 1 {NO_VICTIMS}, 1 {NOT_HELPFUL}."
    )


# -- kubeadm's addons, the first pods the scheduler places ------------------------------------


def addon_of(obj: str) -> str:
    """The addon a kube-system pod record belongs to, its generated name suffixes dropped."""
    name = obj.removeprefix("pod/kube-system/")
    return next(addon for addon in ("kube-proxy", "coredns") if name.startswith(addon + "-"))


def test_the_addons_pods_tolerate_the_control_plane_taint_and_kube_proxy_has_one_node() -> None:
    cluster = Cluster(workers=2)
    assumed = [
        (addon_of(rec.obj), rec.details["node"], rec.details["feasible"])
        for rec in cluster.trace.where(component="scheduler", kind="Assumed")
    ]
    # kube-proxy: the DaemonSet controller pins each pod to its node (a matchFields affinity).
    # CoreDNS: kubeadm's Deployment tolerates node-role.kubernetes.io/control-plane:NoSchedule,
    # so all three nodes fit; its preferred anti-affinity spreads the two replicas.
    assert sorted(assumed) == [
        ("coredns", "worker-1", 3),
        ("coredns", "worker-2", 3),
        ("kube-proxy", "control-plane", 1),
        ("kube-proxy", "worker-1", 1),
        ("kube-proxy", "worker-2", 1),
    ]

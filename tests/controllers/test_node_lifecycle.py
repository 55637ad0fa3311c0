"""The node lifecycle controller: node health from Leases, Unknown after the grace period,
NodeNotReady, pods marked not ready, NoSchedule and NoExecute taints, zone states and rates."""

from __future__ import annotations

import pytest

from k8slab.controllers.node_health import zone_state
from k8slab.controllers.node_lifecycle import NodeLifecycleController
from k8slab.controllers.rate_limited_queue import RateLimitedTimedQueue, TokenBucket

from .conftest import keep_renewing, lease, node, pod, start

UNREACHABLE_NS = {"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule"}


def records(fake, kind: str) -> list[tuple[float, str]]:
    return [(round(r.time, 6), r.obj) for r in fake.group.sim.trace if r.kind == kind]


def taints_of(fake, name: str) -> list[tuple[str, str]]:
    found = next(n for n in fake.stored("nodes") if n["metadata"]["name"] == name)
    return [(t["key"], t["effect"]) for t in found["spec"].get("taints") or []]


def ready_of(fake, name: str) -> dict:
    found = next(n for n in fake.stored("nodes") if n["metadata"]["name"] == name)
    return next(c for c in found["status"]["conditions"] if c["type"] == "Ready")


def test_a_silent_node_goes_unknown_after_the_grace_period_then_gets_its_taints(fake) -> None:
    # The Lease was renewed at 0 and never again. The first pass (0.1 s, once the caches
    # synced) notes the node alive; Unknown comes at the first pass more than 50 s later.
    # worker-2 stays alive: with every node silent the controller would suspect itself.
    for name in ("worker-1", "worker-2"):
        fake.add(node(name))
        fake.add(lease(name, 0.0))
    keep_renewing(fake, "worker-2")
    fake.add(pod("web", "worker-1"))
    start(fake, NodeLifecycleController)
    fake.group.sim.run(200)
    assert records(fake, "NodeStatusUnknown") == [(55.1, "node/worker-1")]
    ready = ready_of(fake, "worker-1")
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.")
    pressure = [c["status"] for c in fake.stored("nodes")[0]["status"]["conditions"]]
    assert ready_of(fake, "worker-2")["status"] == "True"
    assert pressure == ["Unknown"] * 4
    messages = [(r.time, r.obj, r.details["message"]) for r in fake.group.sim.trace
                if r.kind == "NodeNotReady"]
    assert messages == [(55.1, "node/worker-1", "Node worker-1 status is now: NodeNotReady"),
                        (55.1, "pod/default/web", "Node is not ready")]
    pod_ready = next(c for c in fake.stored("pods")[0]["status"]["conditions"]
                     if c["type"] == "Ready")
    assert pod_ready["status"] == "False"
    # NoSchedule follows the condition at once; NoExecute is queued by the next pass.
    assert records(fake, "NodeQueuedForTaint") == [(60.1, "node/worker-1")]
    assert records(fake, "NoExecuteTaintAdded") == [(60.1, "node/worker-1")]
    assert taints_of(fake, "worker-1") == [("node.kubernetes.io/unreachable", "NoSchedule"),
                                           ("node.kubernetes.io/unreachable", "NoExecute")]


def test_a_node_renewing_its_lease_stays_ready(fake) -> None:
    fake.add(node("worker-1"))
    fake.add(lease("worker-1", 0.0))
    start(fake, NodeLifecycleController)
    keep_renewing(fake, "worker-1")
    fake.group.sim.run(500)
    assert records(fake, "NodeStatusUnknown") == []
    assert taints_of(fake, "worker-1") == []


def test_ready_false_from_the_kubelet_taints_not_ready_and_ready_again_clears(fake) -> None:
    fake.add(node("worker-1", "False"))
    fake.add(lease("worker-1", 0.0))
    fake.add(node("worker-2"))
    fake.add(lease("worker-2", 0.0))
    start(fake, NodeLifecycleController, node_monitor_grace_period=1e9)
    fake.group.sim.run(1)
    assert taints_of(fake, "worker-1") == [("node.kubernetes.io/not-ready", "NoSchedule"),
                                           ("node.kubernetes.io/not-ready", "NoExecute")]
    healed = fake.stored("nodes")[0]
    healed["status"]["conditions"] = node("worker-1", "True", at=5)["status"]["conditions"]
    fake.group.spawn(fake.update_status(healed))
    fake.group.sim.run(10)
    assert taints_of(fake, "worker-1") == []


def test_unknown_swaps_a_not_ready_taint_for_unreachable(fake) -> None:
    fake.add(node("worker-1", "False"))
    fake.add(lease("worker-1", 0.0))
    fake.add(node("worker-2"))
    fake.add(lease("worker-2", 0.0))
    keep_renewing(fake, "worker-2")
    start(fake, NodeLifecycleController)
    fake.group.sim.run(120)
    assert taints_of(fake, "worker-1") == [("node.kubernetes.io/unreachable", "NoSchedule"),
                                           ("node.kubernetes.io/unreachable", "NoExecute")]


def test_a_cordoned_node_gets_the_unschedulable_taint(fake) -> None:
    cordoned = node("worker-1")
    cordoned["spec"]["unschedulable"] = True
    fake.add(cordoned)
    fake.add(lease("worker-1", 0.0))
    start(fake, NodeLifecycleController)
    fake.group.sim.run(1)
    assert taints_of(fake, "worker-1") == [("node.kubernetes.io/unschedulable", "NoSchedule")]


@pytest.mark.parametrize("silent, total, expected_times", [
    (3, 10, [60.1, 70.1, 80.1]),       # Normal: 0.1 node/s, one token at a time
    (3, 4, []),                        # PartialDisruption in a small cluster: tainting stops
], ids=["normal zone: one taint every 10 s", "partial disruption, small cluster: none"])
def test_the_eviction_rate_spaces_no_execute_taints(fake, silent, total, expected_times) -> None:
    for i in range(total):
        fake.add(node(f"node-{i}"))
        fake.add(lease(f"node-{i}", 0.0))
    keep_renewing(fake, *(f"node-{i}" for i in range(silent, total)))
    start(fake, NodeLifecycleController)
    fake.group.sim.run(150)
    # The tainting pass runs every 100 ms, so a token is used within 100 ms of its refill.
    times = [t for t, _ in records(fake, "NoExecuteTaintAdded")]
    assert times == pytest.approx(expected_times, abs=0.21)
    assert all(b - a >= 10.0 for a, b in zip(times, times[1:], strict=False))


def test_when_every_node_is_silent_nothing_is_tainted(fake) -> None:
    # FullDisruption in every zone: more likely the control plane's own network than every
    # node at once, so upstream stops tainting and removes the NoExecute taints.
    fake.add(node("worker-1"))
    fake.add(lease("worker-1", 0.0))
    start(fake, NodeLifecycleController)
    fake.group.sim.run(200)
    assert records(fake, "FullDisruption") == [(55.1, "")]
    assert records(fake, "NoExecuteTaintAdded") == []
    assert taints_of(fake, "worker-1") == [("node.kubernetes.io/unreachable", "NoSchedule")]


@pytest.mark.parametrize("statuses, expected", [
    (["True", "True", "Unknown"], (1, "Normal")),
    (["Unknown", "Unknown", "Unknown", "True"], (3, "PartialDisruption")),
    (["Unknown", "Unknown", "True", "True"], (2, "Normal")),  # needs more than two
    (["Unknown", "False"], (2, "FullDisruption")),
])
def test_zone_states(statuses, expected) -> None:
    assert zone_state([{"status": s} for s in statuses], 0.55) == expected


def test_token_bucket_and_swap_limiter() -> None:
    bucket = TokenBucket(0.1, 0.0)
    assert [bucket.try_accept(t) for t in (0.0, 5.0, 10.0, 10.0)] == [True, False, True, False]
    queue = RateLimitedTimedQueue(TokenBucket(0.1, 0.0))
    queue.limiter.try_accept(0.0)
    queue.swap_limiter(0.01, 1.0)  # the old bucket was empty: the new one starts empty too
    assert queue.limiter.try_accept(1.0) is False
    assert queue.add("a", "", 0.0) and not queue.add("a", "", 0.0)
    assert queue.remove("a") and queue.add("a", "", 0.0)


# -- the whole story on a real cluster ------------------------------------------------------


def test_a_killed_worker_timeline_on_a_cluster() -> None:
    """Lease renewals stop -> Ready Unknown after 50 s (+ up to two 5 s monitor periods: one to
    notice the last renewal, one to notice the silence) -> NoExecute taint on the next pass ->
    pods deleted 300 s later (DefaultTolerationSeconds) -> restarting the node clears it all."""
    from k8slab.lab.cluster import Cluster

    c = Cluster(workers=2, seed=1)
    c.apply({"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "web", "namespace": "default"},
             "spec": {"nodeName": "worker-1", "containers": [{"name": "c", "image": "nginx"}]}})
    c.run(30)
    killed = c.now
    c.kill_node("worker-1")
    c.run(400)

    def times(kind: str, obj: str) -> list[float]:
        return [r.time for r in c.trace if r.kind == kind and r.obj == obj]

    renewed = max(t for t in times("RenewLease", "lease/kube-node-lease/worker-1") if t <= killed)
    [unknown] = times("NodeStatusUnknown", "node/worker-1")
    [tainted] = times("NoExecuteTaintAdded", "node/worker-1")
    [evicted] = [r.time for r in c.trace if r.kind == "TaintManagerEviction"
                 and r.details["message"] == "Marking for deletion Pod default/web"]
    [planned] = [r for r in c.trace if r.kind == "EvictionPlanned" and r.obj == "pod/default/web"]
    assert renewed + 50 < unknown <= renewed + 60
    assert times("NodeNotReady", "node/worker-1") == [unknown]
    assert times("NodeNotReady", "pod/default/web") == [unknown]
    assert tainted == pytest.approx(unknown + 5, abs=0.05)
    assert planned.time == pytest.approx(tainted, abs=0.05)  # when the taint was seen
    assert evicted == planned.details["fire_at"] == pytest.approx(planned.time + 300)
    assert [p["metadata"]["name"] for p in c.list("pods", "default")] == []
    node = c.get("nodes", "worker-1", None)
    assert [(t["key"], t["effect"]) for t in node["spec"]["taints"]] == [
        ("node.kubernetes.io/unreachable", "NoSchedule"),
        ("node.kubernetes.io/unreachable", "NoExecute")]

    c.restart_node("worker-1")
    c.run(30)
    node = c.get("nodes", "worker-1", None)
    assert node["spec"].get("taints") == []
    ready = next(x for x in node["status"]["conditions"] if x["type"] == "Ready")
    assert ready["status"] == "True"

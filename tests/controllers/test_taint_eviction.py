"""The taint eviction controller against the fake API: who is deleted, when, and cancelling
(kk pkg/controller/tainteviction/taint_eviction_test.go's cases, by name)."""

from __future__ import annotations

import pytest

from k8slab.api.tolerations import toleration_tolerates_taint as tolerates
from k8slab.controllers.taint_eviction import TaintEvictionController
from k8slab.controllers.taints import matching_tolerations, min_toleration_seconds

from .conftest import node, pod, pod_writes, start

UNREACHABLE = {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}
NOT_READY = {"key": "node.kubernetes.io/not-ready", "effect": "NoExecute"}


def toleration(key: str, seconds: int | None = None, effect: str = "NoExecute") -> dict:
    found = {"key": key, "operator": "Exists", "effect": effect}
    return found if seconds is None else dict(found, tolerationSeconds=seconds)


def deletions(fake) -> list[str]:
    return [key for verb, resource, key in fake.writes() if verb == "delete"]


def events(fake, reason: str = "TaintManagerEviction") -> list[tuple[float, str, str]]:
    return [(r.time, r.obj, r.details["message"]) for r in fake.group.sim.trace
            if r.kind == reason]


@pytest.mark.parametrize("tolerations, deleted_at", [
    ([], 0.0),
    ([toleration("node.kubernetes.io/unreachable", 300)], 300.0),
    ([toleration("node.kubernetes.io/unreachable", 0)], 0.0),
    ([toleration("node.kubernetes.io/unreachable")], None),
    ([toleration("node.kubernetes.io/unreachable", effect="NoSchedule")], 0.0),
    ([{"operator": "Exists"}], None),
    ([toleration("node.kubernetes.io/unreachable", 60),
      toleration("node.kubernetes.io/unreachable", 30)], 60.0),
], ids=["not tolerated: deleted at once", "tolerated for 300 s", "tolerationSeconds 0",
        "tolerated for ever", "a NoSchedule toleration does not count",
        "tolerates everything", "the first matching toleration counts"])
def test_a_pod_on_a_tainted_node_is_deleted_when_its_toleration_runs_out(
        fake, tolerations, deleted_at) -> None:
    fake.add(node("worker-1", "Unknown", taints=[UNREACHABLE]))
    fake.add(pod("web", "worker-1", tolerations))
    start(fake, TaintEvictionController)
    fake.group.sim.run(1000)
    if deleted_at is None:
        assert deletions(fake) == [] and events(fake) == []
        return
    assert deletions(fake) == ["default/web"]
    [(when, ref, message)] = events(fake)
    assert (when, ref, message) == (deleted_at, "pod/default/web",
                                    "Marking for deletion Pod default/web")
    # The pod is told why before it goes: DisruptionTarget, then DELETE.
    assert pod_writes(fake) == [("update_status", "pods", "default/web"),
                                ("delete", "pods", "default/web")]


def test_the_smallest_toleration_of_several_taints_decides(fake) -> None:
    fake.add(node("worker-1", "Unknown", taints=[UNREACHABLE, NOT_READY]))
    fake.add(pod("web", "worker-1", [toleration("node.kubernetes.io/unreachable", 300),
                                     toleration("node.kubernetes.io/not-ready", 120)]))
    start(fake, TaintEvictionController)
    fake.group.sim.run(1000)
    assert [when for when, _, _ in events(fake)] == [120.0]


def test_the_disruption_target_condition_is_written_before_the_delete(fake) -> None:
    fake.add(node("worker-1", "Unknown", taints=[UNREACHABLE]))
    fake.add(pod("web", "worker-1"))
    controller = start(fake, TaintEvictionController)
    seen = []
    controller.pods.on_update.append(lambda old, new: seen.append(new["status"]["conditions"]))
    fake.group.sim.run(1)
    assert {"type": "DisruptionTarget", "status": "True", "reason": "DeletionByTaintManager",
            "message": "Taint manager: deleting due to NoExecute taint",
            "lastTransitionTime": "2026-01-01T00:00:00Z"} in seen[-1]


def test_the_taint_going_away_first_cancels_the_deletion(fake) -> None:
    fake.add(node("worker-1", "Unknown", taints=[UNREACHABLE]))
    fake.add(pod("web", "worker-1", [toleration("node.kubernetes.io/unreachable", 300)]))
    start(fake, TaintEvictionController)
    fake.group.sim.run(100)
    healed = fake.stored("nodes")[0]
    healed["spec"]["taints"] = []
    fake.group.spawn(fake.update(healed))
    fake.group.sim.run(1000)
    assert deletions(fake) == []
    assert events(fake) == [(100.0, "pod/default/web", "Cancelling deletion of Pod default/web")]


def test_a_pod_bound_later_to_a_tainted_node_is_counted_from_when_it_came(fake) -> None:
    fake.add(node("worker-1", "Unknown", taints=[UNREACHABLE]))
    start(fake, TaintEvictionController)
    fake.group.sim.run(50)
    fake.group.spawn(fake.create(pod("late", "worker-1",
                                     [toleration("node.kubernetes.io/unreachable", 10)])))
    fake.group.sim.run(100)
    assert [when for when, _, _ in events(fake)] == [60.0]


def test_pods_on_untainted_nodes_and_no_schedule_taints_are_left_alone(fake) -> None:
    fake.add(node("worker-1", taints=[{"key": "x", "effect": "NoSchedule"}]))
    fake.add(node("worker-2"))
    fake.add(pod("a", "worker-1"))
    fake.add(pod("b", "worker-2"))
    start(fake, TaintEvictionController)
    fake.group.sim.run(1000)
    assert pod_writes(fake) == []


@pytest.mark.parametrize("toleration_, taint, expected", [
    ({"key": "a", "operator": "Equal", "value": "1", "effect": "NoExecute"},
     {"key": "a", "value": "1", "effect": "NoExecute"}, True),
    ({"key": "a", "value": "2", "effect": "NoExecute"},
     {"key": "a", "value": "1", "effect": "NoExecute"}, False),
    ({"key": "a", "operator": "Exists"}, {"key": "a", "value": "1", "effect": "NoExecute"}, True),
    ({"operator": "Exists", "effect": "NoSchedule"}, {"key": "a", "effect": "NoExecute"}, False),
    ({"key": "b", "operator": "Exists"}, {"key": "a", "effect": "NoExecute"}, False),
], ids=["equal value", "other value", "exists, any effect", "other effect", "other key"])
def test_toleration_matching(toleration_, taint, expected) -> None:
    assert tolerates(toleration_, taint) is expected


def test_min_toleration_seconds_follows_upstream() -> None:
    assert min_toleration_seconds([]) == 0
    assert min_toleration_seconds([{"tolerationSeconds": -5}]) == 0
    assert min_toleration_seconds([{}, {"tolerationSeconds": 7}]) == 7
    assert min_toleration_seconds([{}]) == -1
    assert matching_tolerations([UNREACHABLE], []) == (False, [])

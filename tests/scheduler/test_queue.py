"""The scheduling queue as a transcript: pods in, pops out, failures, events and timers."""

import pytest

from k8slab.errors import K8sLabError
from k8slab.scheduler.queue import (
    ACTIVE,
    BACKOFF,
    IN_FLIGHT,
    UNSCHEDULABLE,
    SchedulingQueue,
)


def popped_names(queue, now, count):
    names = []
    for _ in range(count):
        info = queue.pop(now)
        names.append(info.pod["metadata"]["name"] if info else None)
    return names


def test_active_pods_pop_by_priority_then_by_arrival(make_pod):
    queue = SchedulingQueue()
    queue.add(make_pod("low", priority=1), now=0)
    queue.add(make_pod("high-late", priority=10), now=2)
    queue.add(make_pod("high-early", priority=10), now=1)
    queue.add(make_pod("low-same-time", priority=1), now=0)
    assert popped_names(queue, 3, 5) == ["high-early", "high-late", "low", "low-same-time", None]


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(1, 1), (2, 2), (3, 4), (4, 8), (5, 10), (9, 10)]
)
def test_backoff_doubles_per_attempt_up_to_10_seconds(attempts, seconds):
    # podInitialBackoffSeconds 1, podMaxBackoffSeconds 10 (calculateBackoffDuration)
    assert SchedulingQueue().backoff_duration(attempts) == seconds


def test_a_failed_pod_waits_until_an_event_then_backs_off(make_pod):
    queue = SchedulingQueue()
    queue.add(make_pod("p"), now=0)
    info = queue.pop(now=0)
    assert (info.attempts, queue.where(info.pod)) == (1, IN_FLIGHT)
    queue.add_unschedulable(info, now=10, plugins=("NodeResourcesFit",))
    assert queue.where(info.pod) == UNSCHEDULABLE
    assert queue.flush_backoff_completed(now=100) == []
    # an event 0.5 s after the failure: the 1 s backoff still runs
    assert queue.move_all_to_active_or_backoff(now=10.5) == ["default/p"]
    assert queue.where(info.pod) == BACKOFF
    assert queue.next_backoff_expiry() == 11
    assert queue.flush_backoff_completed(now=10.9) == []
    assert queue.flush_backoff_completed(now=11) == ["default/p"]
    assert popped_names(queue, 11, 1) == ["p"]


def test_an_event_after_the_backoff_goes_straight_to_active(make_pod):
    queue = SchedulingQueue()
    queue.add(make_pod("p"), now=0)
    queue.add_unschedulable(queue.pop(now=0), now=1)
    queue.move_all_to_active_or_backoff(now=5)
    assert queue.pending() == {ACTIVE: ["default/p"], BACKOFF: [], UNSCHEDULABLE: []}


def test_an_event_during_the_cycle_sends_the_failed_pod_to_backoff(make_pod):
    queue = SchedulingQueue()
    queue.add(make_pod("p"), now=0)
    info = queue.pop(now=0)
    queue.move_all_to_active_or_backoff(now=0.2)  # e.g. a node was added meanwhile
    queue.add_unschedulable(info, now=0.5)
    assert queue.where(info.pod) == BACKOFF


def test_errors_go_to_backoff(make_pod):
    queue = SchedulingQueue()
    queue.add(make_pod("p"), now=0)
    info = queue.pop(now=0)
    queue.add_unschedulable(info, now=1, error=True)
    assert queue.where(info.pod) == BACKOFF


def test_pods_unschedulable_for_more_than_five_minutes_are_retried(make_pod):
    queue = SchedulingQueue()
    queue.add(make_pod("p"), now=0)
    queue.add_unschedulable(queue.pop(now=0), now=10)
    assert queue.flush_unschedulable_leftover(now=310) == []  # exactly 300 s: not yet
    assert queue.flush_unschedulable_leftover(now=310.5) == ["default/p"]
    assert queue.pending()[ACTIVE] == ["default/p"]


def test_the_backoff_grows_with_each_attempt(make_pod):
    queue = SchedulingQueue()
    queue.add(make_pod("p"), now=0)
    now = 0.0
    expiries = []
    for _ in range(4):
        info = queue.pop(now)
        queue.add_unschedulable(info, now, error=True)
        expiries.append(queue.next_backoff_expiry() - now)
        now = queue.next_backoff_expiry()
        queue.flush_backoff_completed(now)
    assert expiries == [1, 2, 4, 8]


def test_updates_replace_the_pod_and_retry_an_unschedulable_one(make_pod):
    queue = SchedulingQueue()
    queue.add(make_pod("p", priority=1), now=0)
    queue.add(make_pod("q", priority=5), now=0)
    queue.update(make_pod("p", priority=9), now=1)
    assert popped_names(queue, 1, 1) == ["p"]
    info = queue.pop(now=1)
    queue.add_unschedulable(info, now=2)
    queue.update(make_pod("q", priority=5, nodeSelector={"a": "b"}), now=20)
    assert queue.where(info.pod) == ACTIVE
    assert queue.pop(now=20).pod["spec"]["nodeSelector"] == {"a": "b"}


def test_deleted_pods_leave_every_part_of_the_queue(make_pod):
    queue = SchedulingQueue()
    for name in ("a", "b", "c"):
        queue.add(make_pod(name), now=0)
    queue.add_unschedulable(queue.pop(now=0), now=0)  # a
    queue.delete(make_pod("a"))
    queue.delete(make_pod("b"))
    assert queue.where(make_pod("a")) is None
    assert len(queue) == 1
    assert popped_names(queue, 0, 2) == ["c", None]


def test_done_lets_a_bound_pod_go(make_pod):
    queue = SchedulingQueue()
    queue.add(make_pod("p"), now=0)
    info = queue.pop(now=0)
    queue.done(info)
    assert queue.where(info.pod) is None
    queue.add(make_pod("p"), now=5)  # the same name again is a new pod
    assert queue.pop(now=5).attempts == 1


def test_only_popped_pods_can_fail(make_pod):
    queue = SchedulingQueue()
    queue.add(make_pod("p"), now=0)
    info = queue.pop(now=0)
    queue.add_unschedulable(info, now=0)
    with pytest.raises(K8sLabError, match="not being scheduled"):
        queue.add_unschedulable(info, now=1)


def test_nominations_are_listed_per_node(make_pod):
    queue = SchedulingQueue()
    queue.add(make_pod("p"), now=0)
    queue.add(make_pod("q"), now=0)
    queue.nominate(make_pod("p"), "node1")
    queue.nominate(make_pod("q"), "node1")
    queue.nominate(make_pod("q"), None)
    assert {n: [p["metadata"]["name"] for p in ps] for n, ps in queue.nominated_pods().items()} == {
        "node1": ["p"]
    }


@pytest.mark.parametrize(
    ("initial", "maximum", "message"),
    [(0, 10, "podInitialBackoffSeconds must be greater than 0"), (5, 2, "greater than or equal")],
)
def test_backoff_settings_are_checked(initial, maximum, message):
    with pytest.raises(K8sLabError, match=message):
        SchedulingQueue(initial_backoff=initial, max_backoff=maximum)

from k8slab.scheduler.plugins.priority_sort import PrioritySort
from k8slab.scheduler.queue import QueuedPodInfo


def queued(make_pod, name, priority, timestamp):
    return QueuedPodInfo(make_pod(name, priority=priority), f"default/{name}", timestamp)


def test_higher_priority_first_then_earlier_timestamp(make_pod):
    # kk .../queuesort/priority_sort_test.go
    less = PrioritySort().less
    assert less(queued(make_pod, "a", 100, 5), queued(make_pod, "b", 0, 1))
    assert not less(queued(make_pod, "a", 0, 1), queued(make_pod, "b", 100, 5))
    assert less(queued(make_pod, "a", 1, 1), queued(make_pod, "b", 1, 2))
    assert not less(queued(make_pod, "a", 1, 2), queued(make_pod, "b", 1, 2))


def test_priority_sort_is_only_a_queue_sort_plugin():
    assert PrioritySort().extension_points() == ("queue_sort",)

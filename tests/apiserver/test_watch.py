"""The watch cache: objects by key, a window of recent events, and watchers that see each event
the way their namespace and field selector see it."""

import pytest

from k8slab.apiserver.watch import (
    EVENT_FRESH_SECONDS,
    LOWER_BOUND_CAPACITY,
    WatchCache,
    Watcher,
)

KEY = "/registry/pods/default/web"


class FakeStream:
    """Records what the cache sends; can be closed."""

    def __init__(self) -> None:
        self.open = True
        self.sent: list[dict] = []
        self.closed: list[str] = []

    def send(self, message: dict) -> bool:
        self.sent.append(message)
        return True

    def close(self, reason: str) -> None:
        self.open = False
        self.closed.append(reason)


def pod(name="web", namespace="default", node=None, rv=1) -> dict:
    spec = {"nodeName": node} if node else {}
    return {"kind": "Pod", "metadata": {"name": name, "namespace": namespace,
                                        "resourceVersion": str(rv)}, "spec": spec}


def watcher(prefix="pods", namespace=None, selector=None) -> Watcher:
    return Watcher(prefix, namespace, selector or {}, FakeStream())


def seen(w: Watcher) -> list[tuple]:
    return [(m["type"], m["object"]["metadata"]["name"], m["object"]["metadata"]["resourceVersion"])
            for m in w.stream.sent]


@pytest.fixture
def cache() -> WatchCache:
    cache = WatchCache()
    cache.reset({}, 10)
    return cache


def test_changes_reach_watchers_as_added_modified_deleted(cache):
    w = watcher()
    assert cache.watch(w, 10) is None
    cache.apply(KEY, pod(rv=11), 11, 0.0)
    cache.apply(KEY, pod(rv=12), 12, 0.0)
    cache.apply(KEY, None, 13, 0.0)
    assert seen(w) == [("ADDED", "web", "11"), ("MODIFIED", "web", "12"),
                       ("DELETED", "web", "13")]
    assert cache.objects == {} and cache.revision == 13


def test_watchers_get_only_their_resource_and_namespace(cache):
    pods_dev, nodes = watcher(namespace="dev"), watcher(prefix="minions")
    cache.watch(pods_dev, 10)
    cache.watch(nodes, 10)
    cache.apply(KEY, pod(rv=11), 11, 0.0)
    cache.apply("/registry/pods/dev/db", pod("db", "dev", rv=12), 12, 0.0)
    cache.apply("/registry/minions/worker-1", {"kind": "Node", "metadata": {
        "name": "worker-1", "resourceVersion": "13"}}, 13, 0.0)
    assert seen(pods_dev) == [("ADDED", "db", "12")]
    assert seen(nodes) == [("ADDED", "worker-1", "13")]


def test_a_node_selector_sees_a_pod_arrive_when_it_is_bound_and_leave_when_it_moves(cache):
    mine = watcher(selector={"spec.nodeName": "worker-1"})
    unassigned = watcher(selector={"spec.nodeName": ""})
    cache.watch(mine, 10)
    cache.watch(unassigned, 10)
    cache.apply(KEY, pod(rv=11), 11, 0.0)
    cache.apply(KEY, pod(node="worker-1", rv=12), 12, 0.0)
    cache.apply(KEY, pod(node="worker-1", rv=13), 13, 0.0)
    cache.apply(KEY, pod(node="worker-2", rv=14), 14, 0.0)
    assert seen(mine) == [("ADDED", "web", "12"), ("MODIFIED", "web", "13"),
                          ("DELETED", "web", "14")]
    assert seen(unassigned) == [("ADDED", "web", "11"), ("DELETED", "web", "12")]


def test_a_watch_replays_the_events_after_its_resource_version(cache):
    cache.apply(KEY, pod(rv=11), 11, 0.0)
    cache.apply("/registry/minions/n", {"kind": "Node", "metadata": {"name": "n"}}, 12, 0.0)
    cache.apply(KEY, pod(rv=13), 13, 0.0)
    late = watcher()
    assert cache.watch(late, 11) is None
    assert seen(late) == [("MODIFIED", "web", "13")]
    early = watcher()
    cache.watch(early, 10)
    assert seen(early) == [("ADDED", "web", "11"), ("MODIFIED", "web", "13")]


def test_a_resource_version_older_than_the_window_is_too_old(cache):
    assert cache.watch(watcher(), 10) is None
    too_old = cache.watch(watcher(), 9)
    assert too_old is not None and too_old.startswith("too old resource version: 9 (")


def test_the_too_old_message_names_the_oldest_usable_version_as_upstream_does(cache):
    assert cache.watch(watcher(), 9) == "too old resource version: 9 (10)"


def test_the_window_grows_while_its_oldest_event_is_fresh_and_forgets_once_it_is_stale(cache):
    """watch_cache.go resizeCacheLocked: a full ring doubles while its oldest event is younger
    than 75 s; once it is older, a full ring forgets its oldest event."""
    for i in range(LOWER_BOUND_CAPACITY + 1):
        cache.apply(f"/registry/pods/default/p{i}", pod(f"p{i}", rv=11 + i), 11 + i, 0.0)
    assert cache.window.capacity == 2 * LOWER_BOUND_CAPACITY
    assert cache.watch(watcher(), 10) is None  # many, but fresh: all kept
    later = EVENT_FRESH_SECONDS + 1
    for i in range(LOWER_BOUND_CAPACITY - 1):  # fill the ring: 200 events
        cache.apply(KEY, pod(rv=200 + i), 200 + i, later)
    assert cache.watch(watcher(), 10) is None
    cache.apply(KEY, pod(rv=400), 400, later)  # full, oldest stale: event 11 is forgotten
    assert cache.window.capacity == 2 * LOWER_BOUND_CAPACITY
    assert cache.watch(watcher(), 10) == "too old resource version: 10 (11)"
    assert cache.watch(watcher(), 11) is None


def test_a_ring_whose_newest_quarter_is_stale_halves(cache):
    for i in range(2 * LOWER_BOUND_CAPACITY):
        cache.apply(f"/registry/pods/default/p{i}", pod(f"p{i}", rv=11 + i), 11 + i, 0.0)
    assert cache.window.capacity == 2 * LOWER_BOUND_CAPACITY
    cache.apply(KEY, pod(rv=300), 300, EVENT_FRESH_SECONDS + 1)
    assert cache.window.capacity == LOWER_BOUND_CAPACITY
    assert len(cache.window.events) == LOWER_BOUND_CAPACITY
    assert cache.window.events[-1].rv == 300


def test_reset_closes_every_open_watch(cache):
    a, b = watcher(), watcher(selector={"spec.nodeName": "worker-1"})
    cache.watch(a, 10)
    cache.watch(b, 10)
    cache.reset({KEY: pod(rv=20)}, 20)
    assert a.stream.closed == b.stream.closed == ["watch cache re-initialized"]
    assert cache.watch(watcher(), 19) is not None


def test_closed_streams_get_nothing(cache):
    w = watcher()
    cache.watch(w, 10)
    w.stream.open = False
    cache.apply(KEY, pod(rv=11), 11, 0.0)
    assert w.stream.sent == []


def test_a_two_segment_storage_prefix_reaches_its_watchers(cache):
    """Services live under /registry/services/specs (upstream's historic prefix): a watcher of
    "services/specs" sees them, whether it watched before or after the change."""
    before = watcher("services/specs")
    assert cache.watch(before, 10) is None
    service = {"kind": "Service", "metadata": {"name": "web", "namespace": "default",
                                               "resourceVersion": "11"}, "spec": {}}
    cache.apply("/registry/services/specs/default/web", service, 11, 0.0)
    after = watcher("services/specs")
    assert cache.watch(after, None) is None
    assert seen(before) == seen(after) == [("ADDED", "web", "11")]


def test_a_replay_sends_each_event_its_own_object(cache):
    cache.apply(KEY, pod(rv=11), 11, 0.0)
    cache.apply(KEY, pod(node="worker-1", rv=12), 12, 0.0)
    cache.apply(KEY, pod(node="worker-2", rv=13), 13, 0.0)
    late = watcher()
    cache.watch(late, 10)
    assert seen(late) == [("ADDED", "web", "11"), ("MODIFIED", "web", "12"),
                          ("MODIFIED", "web", "13")]
    sent = [m["object"] for m in late.stream.sent]
    assert [o["spec"].get("nodeName") for o in sent] == [None, "worker-1", "worker-2"]
    assert all(o is not cache.objects[KEY] for o in sent)

"""The watchable store: every write kept as events, replayed from a revision and streamed.

Watchers hear each write once, at its revision, filtered and with prev_kv only when asked; a
watch from before the compact revision is canceled (mvcc/watchable_store.go, watcher.go).
"""

import pytest

from k8slab.etcd.client import op_delete, op_put
from k8slab.etcd.errors import CompactedError, InvalidArgumentError
from k8slab.etcd.watchable_store import WatchableStore
from k8slab.etcd.wire import NODELETE, NOPUT, Event, KeyValue, ResponseHeader, WatchResponse

COMPACTED = "^etcdserver: mvcc: required revision has been compacted$"


# -- history and compaction --------------------------------------------------------------------


@pytest.fixture
def history(write_history) -> WatchableStore:
    return write_history(WatchableStore())


def test_events_since_replays_history_in_order_from_the_start_revision(history):
    events = history.events_since(3, "/", "0")
    assert [(e.type, e.kv.key, e.kv.mod_revision) for e in events] == [
        ("PUT", "/b", 3), ("PUT", "/a", 4), ("DELETE", "/b", 5), ("PUT", "/c", 6)]
    delete = events[2]
    assert delete.kv == KeyValue("/b", "", 0, 5, 0)
    assert delete.prev_kv == KeyValue("/b", "1", 3, 3, 1)
    assert events[1].prev_kv.value == "1"
    assert [e.kv.mod_revision for e in history.events_since(4, "/a")] == [4]
    assert history.events_since(7, "/", "0") == []


def test_compact_keeps_history_from_the_compact_revision(history):
    history.compact(4)
    assert history.compact_revision == 4
    assert [e.kv.mod_revision for e in history.events_since(4, "/", "0")] == [4, 5, 6]
    with pytest.raises(CompactedError, match=COMPACTED):
        history.events_since(3, "/", "0")
    assert history.get("/a").value == "2"  # compaction keeps the current keys


def test_a_deletion_at_the_compact_revision_leaves_nothing_behind(history):
    history.compact(5)  # /b was deleted at 5
    assert history.range("/b", revision=5) == ([], 0)
    assert [(e.type, e.kv.key) for e in history.events_since(5, "/", "0")] == [("PUT", "/c")]


def test_an_event_at_the_compact_revision_has_no_prev_kv(history):
    history.compact(4)  # /a's second version was written at 4
    event = history.events_since(4, "/a")[0]
    assert (event.kv.mod_revision, event.prev_kv) == (4, None)
    history.put("/a", "3")
    assert history.events_since(7, "/a")[0].prev_kv.mod_revision == 4


def test_dump_and_restore_carry_keys_and_revision_but_not_history(history):
    copy = WatchableStore()
    copy.restore(history.dump(), history.revision)
    assert copy.dump() == history.dump()
    assert [kv.key for kv in copy.dump()] == ["/a", "/c"]
    assert (copy.revision, copy.compact_revision) == (6, 6)
    with pytest.raises(CompactedError):
        copy.events_since(5, "/a")
    assert copy.put("/d", "1")[0] == 7


# -- subscribers -------------------------------------------------------------------------------


def test_watchers_hear_every_write_once_with_its_revision():
    store = WatchableStore()
    heard: list[tuple[int, list[Event]]] = []
    store.subscribe(lambda rev, events: heard.append((rev, events)))
    store.txn([], [op_put("/a", "1"), op_put("/b", "1")], [])
    store.delete_range("/nothing")
    store.delete_range("/a")
    assert [(rev, [(e.type, e.kv.key) for e in events]) for rev, events in heard] == [
        (2, [("PUT", "/a"), ("PUT", "/b")]), (3, [("DELETE", "/a")])]


def test_unsubscribed_watchers_hear_nothing():
    store = WatchableStore()
    heard = []

    def watcher(rev, events):
        heard.append(rev)

    store.subscribe(watcher)
    store.unsubscribe(watcher)
    store.unsubscribe(watcher)
    store.put("/a", "1")
    assert heard == []


# -- watches -----------------------------------------------------------------------------------


def watch(store, key="/", range_end="0", start_revision=0, **options):
    heard: list[WatchResponse] = []
    watch_id = store.watch(key, range_end, start_revision, callback=heard.append, **options)
    return watch_id, heard


def summary(heard):
    return [(r.watch_id, r.revision, [(e.type, e.kv.key, e.kv.mod_revision) for e in r.events])
            for r in heard]


def test_a_watch_from_now_hears_each_later_write_with_its_id():
    store = WatchableStore()
    first, heard = watch(store)
    second, _ = watch(store)
    assert (first, second) == (0, 1)
    store.put("/a", "1")
    store.txn([], [op_put("/b", "1"), op_delete("/a")], [])
    store.put("zzz", "not in range")
    assert summary(heard) == [(0, 2, [("PUT", "/a", 2)]),
                              (0, 3, [("PUT", "/b", 3), ("DELETE", "/a", 3)])]


def test_a_watch_from_the_past_gets_the_backlog_at_once_then_live_events(history):
    watch_id, heard = watch(history, start_revision=4)
    history.put("/d", "1")
    assert summary(heard) == [
        (watch_id, 6, [("PUT", "/a", 4), ("DELETE", "/b", 5), ("PUT", "/c", 6)]),
        (watch_id, 7, [("PUT", "/d", 7)])]


def test_a_watch_from_a_future_revision_starts_there(history):
    _, heard = watch(history, start_revision=8)
    history.put("/d", "1")
    history.put("/d", "2")
    assert summary(heard) == [(0, 8, [("PUT", "/d", 8)])]


def test_prev_kv_comes_only_when_asked(history):
    _, plain = watch(history, start_revision=4)
    _, asked = watch(history, start_revision=4, prev_kv=True)
    assert all(e.prev_kv is None for e in plain[0].events)
    assert [e.prev_kv.mod_revision for e in asked[0].events if e.prev_kv] == [2, 3]


@pytest.mark.parametrize(("filters", "types"), [((NOPUT,), ["DELETE"]), ((NODELETE,), ["PUT"]),
                                               ((NOPUT, NODELETE), [])])
def test_filters_drop_puts_or_deletes_and_an_empty_response_is_not_sent(filters, types):
    store = WatchableStore()
    _, heard = watch(store, filters=filters)
    store.put("/a", "1")
    store.delete_range("/a")
    assert [e.type for r in heard for e in r.events] == types
    assert all(r.events for r in heard)


def test_a_watch_from_before_the_compact_revision_is_canceled(history):
    history.compact(5)
    watch_id, heard = watch(history, start_revision=4)
    history.put("/d", "1")
    assert heard == [WatchResponse(ResponseHeader(), watch_id, [], compact_revision=5,
                                   canceled=True)]
    _, exact = watch(history, start_revision=5)
    assert summary(exact) == [(1, 7, [("PUT", "/c", 6), ("PUT", "/d", 7)])]


def test_a_canceled_watch_hears_nothing_more():
    store = WatchableStore()
    watch_id, heard = watch(store)
    assert store.cancel_watch(watch_id) and not store.cancel_watch(watch_id)
    store.put("/a", "1")
    assert heard == []


def test_bad_watch_arguments_are_named():
    store = WatchableStore()
    with pytest.raises(InvalidArgumentError, match="unknown watch filter 'NOGET'"):
        watch(store, filters=("NOGET",))
    with pytest.raises(InvalidArgumentError, match="start_revision must be >= 0"):
        watch(store, start_revision=-1)


def test_a_watcher_may_cancel_another_from_its_callback():
    store = WatchableStore()
    heard: list[int] = []
    second = 1
    store.watch("/a", callback=lambda r: (heard.append(r.watch_id), store.cancel_watch(second)))
    store.watch("/a", callback=lambda r: heard.append(r.watch_id))
    store.put("/a", "1")
    store.put("/a", "2")
    assert heard == [0, 0]

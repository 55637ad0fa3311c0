"""The MVCC store against etcd v3's data model (docs v3.6 data_model.md and api.md).

Revision starts at 1 and grows by exactly one per write request; each key keeps
create_revision, mod_revision and version; history can be compacted and replayed to watchers.
"""

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from k8slab.errors import (
    AlreadyExistsError,
    BadRequestError,
    GoneError,
    K8sLabError,
    NotFoundError,
)
from k8slab.etcd.mvcc import (
    MVCC,
    NODELETE,
    NOPUT,
    Compare,
    DeleteRangeRequest,
    DeleteRangeResponse,
    Event,
    KeyValue,
    PutRequest,
    PutResponse,
    RangeRequest,
    WatchResponse,
    in_range,
    prefix_end,
)

# -- revisions and per-key versions ---------------------------------------------------------


def test_a_new_store_is_at_revision_one():
    store = MVCC()
    assert store.revision == 1
    assert store.range("/a", "/b") == ([], 0)


def test_each_put_is_one_revision_and_versions_count_puts():
    store = MVCC()
    assert store.put("/a", "1") == (2, None)
    rev, prev = store.put("/a", "1")  # the same value again still counts
    assert rev == 3 and prev == KeyValue("/a", "1", 2, 2, 1)
    store.put("/b", "x")
    assert store.get("/a") == KeyValue("/a", "1", create_revision=2, mod_revision=3, version=2)
    assert store.get("/b") == KeyValue("/b", "x", 4, 4, 1)
    assert store.revision == 4


def test_delete_of_nothing_is_no_revision_and_delete_resets_the_generation():
    store = MVCC()
    store.put("/a", "1")
    store.put("/a", "2")
    assert store.delete_range("/missing") == (3, [])
    assert store.revision == 3
    rev, gone = store.delete_range("/a")
    assert rev == 4 and gone == [KeyValue("/a", "2", 2, 3, 2)]
    assert store.get("/a") is None
    store.put("/a", "3")
    assert store.get("/a") == KeyValue("/a", "3", create_revision=5, mod_revision=5, version=1)


def test_a_txn_with_several_writes_is_one_revision():
    store = MVCC()
    result = store.txn([], [("put", "/a", "1"), ("put", "/b", "2"), ("delete", "/none")], [])
    assert (result.succeeded, result.revision) == (True, 2)
    assert store.get("/a").mod_revision == store.get("/b").mod_revision == 2
    assert store.txn([], [("range", "/a")], []).revision == 2  # a read-only txn writes nothing


def test_lease_is_kept_on_the_key():
    store = MVCC()
    lease = store.lessor.grant(60, 7)
    store.put("/lock", "me", lease=lease.id)
    assert store.get("/lock").lease == 7


# -- range ----------------------------------------------------------------------------------


@pytest.fixture
def filled() -> MVCC:
    store = MVCC()
    for key in ("/registry/pods/default/a", "/registry/pods/default/b",
                "/registry/pods/dev/c", "/registry/podsx", "/registry/services/x"):
        store.put(key, key[-1])
    return store


def test_range_of_one_key(filled):
    kvs, count = filled.range("/registry/pods/dev/c")
    assert [kv.key for kv in kvs] == ["/registry/pods/dev/c"] and count == 1
    assert filled.range("/registry/pods/dev") == ([], 0)


def test_range_of_a_prefix_is_sorted_and_stops_at_the_prefix(filled):
    kvs, count = filled.range("/registry/pods/", prefix_end("/registry/pods/"))
    assert [kv.key for kv in kvs] == ["/registry/pods/default/a", "/registry/pods/default/b",
                                      "/registry/pods/dev/c"]
    assert count == 3


def test_range_end_is_exclusive(filled):
    kvs, _ = filled.range("/registry/pods/default/a", "/registry/pods/dev/c")
    assert [kv.key for kv in kvs] == ["/registry/pods/default/a", "/registry/pods/default/b"]


def test_limit_cuts_the_kvs_but_count_counts_them_all(filled):
    kvs, count = filled.range("/registry/", prefix_end("/registry/"), limit=2)
    assert [kv.key for kv in kvs] == ["/registry/pods/default/a", "/registry/pods/default/b"]
    assert count == 5


def test_range_end_nul_means_every_key_from_key_on(filled):
    kvs, count = filled.range("/registry/pods/dev/c", "\0")
    assert [kv.key for kv in kvs] == ["/registry/pods/dev/c", "/registry/podsx",
                                      "/registry/services/x"]
    assert count == 3
    assert in_range("/zzz", "/registry/podsx", "\0")
    assert not in_range("/a", "/registry/podsx", "\0")


def test_prefix_end_increments_the_last_character():
    assert prefix_end("/registry/pods/") == "/registry/pods0"
    assert prefix_end("a") == "b"


def test_empty_key_is_refused_in_etcds_words():
    store = MVCC()
    for attempt in (lambda: store.range(""), lambda: store.put("", "v"),
                    lambda: store.delete_range(""),
                    lambda: store.txn([Compare("", "version", "=", 0)], [], []),
                    lambda: store.txn([], [("range", "")], [])):
        with pytest.raises(BadRequestError, match="^etcdserver: key is not provided$"):
            attempt()
    assert store.revision == 1


# -- txn compares -----------------------------------------------------------------------------


@pytest.fixture
def one_key() -> MVCC:
    store = MVCC()
    store.put("/other", "x")  # rev 2
    store.put("/k", "v1")  # rev 3
    store.put("/k", "v2")  # rev 4: /k create 3, mod 4, version 2
    return store


@pytest.mark.parametrize(("target", "op", "value", "holds"), [
    ("version", "=", 2, True), ("version", ">", 1, True), ("version", "<", 2, False),
    ("version", "!=", 2, False), ("create", "=", 3, True), ("create", "<", 3, False),
    ("mod", "=", 4, True), ("mod", ">", 4, False), ("mod", "!=", 3, True),
    ("value", "=", "v2", True), ("value", "=", "v1", False), ("value", ">", "v1", True),
    ("value", "!=", "v2", False),
])
def test_compares_on_an_existing_key(one_key, target, op, value, holds):
    result = one_key.txn([Compare("/k", target, op, value)], [("put", "/yes", "1")],
                         [("put", "/no", "1")])
    assert result.succeeded is holds
    assert one_key.get("/yes" if holds else "/no") is not None
    assert result.revision == 5


@pytest.mark.parametrize(("target", "op", "value", "holds"), [
    ("version", "=", 0, True), ("create", "=", 0, True), ("mod", "=", 0, True),
    ("mod", ">", 0, False), ("value", "=", "", False), ("value", "!=", "x", False),
])
def test_a_missing_key_compares_as_zero_and_its_value_compare_is_false(target, op, value, holds):
    store = MVCC()
    assert store.txn([Compare("/absent", target, op, value)], [], []).succeeded is holds


def test_all_compares_must_hold(one_key):
    compares = [Compare("/k", "version", "=", 2), Compare("/other", "version", "=", 5)]
    result = one_key.txn(compares, [("put", "/a", "1")], [("range", "/k")])
    assert not result.succeeded
    assert result.results == [[one_key.get("/k")]]
    assert result.revision == 4


def test_create_if_absent_is_a_create_revision_compare():
    store = MVCC()
    create = [Compare("/lock", "create", "=", 0)]
    assert store.txn(create, [("put", "/lock", "a")], [("range", "/lock")]).succeeded
    second = store.txn(create, [("put", "/lock", "b")], [("range", "/lock")])
    assert not second.succeeded and second.results[0][0].value == "a"


def test_a_range_inside_a_txn_sees_the_txns_own_writes():
    store = MVCC()
    result = store.txn([], [("put", "/a", "1"), ("range", "/a")], [])
    assert result.results[1] == [KeyValue("/a", "1", 2, 2, 1)]


@pytest.mark.parametrize("ops", [
    [("put", "/a", "1"), ("put", "/a", "2")],
    [("put", "/a", "1"), ("delete", "/a")],
    [("delete", "/", "/z"), ("put", "/a", "1")],
])
def test_writing_a_key_twice_in_one_txn_is_refused(ops):
    store = MVCC()
    with pytest.raises(BadRequestError, match="^etcdserver: duplicate key given in txn request$"):
        store.txn([], ops, [])
    assert store.revision == 1 and store.get("/a") is None


def test_both_branches_are_checked_whichever_runs():
    store = MVCC()
    with pytest.raises(BadRequestError, match="duplicate key"):
        store.txn([], [("put", "/ok", "1")], [("put", "/a", "1"), ("put", "/a", "2")])
    with pytest.raises(BadRequestError, match="key is not provided"):
        store.txn([], [("put", "/ok", "1")], [("delete", "")])
    assert store.revision == 1


def test_the_same_key_in_both_branches_is_fine():
    store = MVCC()
    assert store.txn([], [("put", "/a", "1")], [("put", "/a", "2")]).succeeded


def test_unknown_targets_operators_and_operations_are_named():
    store = MVCC()
    with pytest.raises(BadRequestError, match="unknown compare target 'size'; use version, crea"):
        store.txn([Compare("/a", "size", "=", 0)], [], [])
    with pytest.raises(BadRequestError, match="unknown compare operator '>='"):
        store.txn([Compare("/a", "version", ">=", 0)], [], [])
    with pytest.raises(BadRequestError, match="unknown txn operation 'get'"):
        store.txn([], [("get", "/a")], [])


# -- compaction, history and watchers ----------------------------------------------------------


@pytest.fixture
def history() -> MVCC:
    store = MVCC()
    store.put("/a", "1")  # 2
    store.put("/b", "1")  # 3
    store.put("/a", "2")  # 4
    store.delete_range("/b")  # 5
    store.put("/c", "1")  # 6
    return store


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
    with pytest.raises(GoneError, match="^mvcc: required revision has been compacted$"):
        history.events_since(3, "/", "0")
    assert history.get("/a").value == "2"  # compaction keeps the current keys


@pytest.mark.parametrize("revision", [4, 3])
def test_compacting_at_or_below_the_compact_revision_is_refused(history, revision):
    history.compact(4)
    with pytest.raises(GoneError, match="^mvcc: required revision has been compacted$"):
        history.compact(revision)


def test_compacting_a_future_revision_is_refused(history):
    with pytest.raises(BadRequestError, match="^mvcc: required revision is a future revision$"):
        history.compact(7)
    history.compact(6)


def test_watchers_hear_every_write_once_with_its_revision():
    store = MVCC()
    heard: list[tuple[int, list[Event]]] = []
    store.subscribe(lambda rev, events: heard.append((rev, events)))
    store.txn([], [("put", "/a", "1"), ("put", "/b", "1")], [])
    store.delete_range("/nothing")
    store.delete_range("/a")
    assert [(rev, [(e.type, e.kv.key) for e in events]) for rev, events in heard] == [
        (2, [("PUT", "/a"), ("PUT", "/b")]), (3, [("DELETE", "/a")])]


def test_unsubscribed_watchers_hear_nothing():
    store = MVCC()
    heard = []

    def watcher(rev, events):
        heard.append(rev)

    store.subscribe(watcher)
    store.unsubscribe(watcher)
    store.unsubscribe(watcher)
    store.put("/a", "1")
    assert heard == []


def test_dump_and_restore_carry_keys_and_revision_but_not_history(history):
    copy = MVCC()
    copy.restore(history.dump(), history.revision)
    assert copy.dump() == history.dump()
    assert [kv.key for kv in copy.dump()] == ["/a", "/c"]
    assert (copy.revision, copy.compact_revision) == (6, 6)
    with pytest.raises(GoneError):
        copy.events_since(5, "/a")
    assert copy.put("/d", "1")[0] == 7


# -- reading the past ------------------------------------------------------------------------


def state(kvs):
    return [(kv.key, kv.value, kv.create_revision, kv.mod_revision, kv.version) for kv in kvs]


def test_a_read_at_a_revision_sees_the_store_as_it_was_then(history):
    assert state(history.range("/", "0", revision=3)[0]) == [
        ("/a", "1", 2, 2, 1), ("/b", "1", 3, 3, 1)]
    assert state(history.range("/", "0", revision=4)[0]) == [
        ("/a", "2", 2, 4, 2), ("/b", "1", 3, 3, 1)]
    assert state(history.range("/", "0", revision=5)[0]) == [("/a", "2", 2, 4, 2)]
    assert history.range("/b", revision=3)[1] == 1
    assert history.range("/b", revision=5) == ([], 0)
    assert history.range("/", "0", revision=1) == ([], 0)
    assert history.range("/", "0", revision=6) == history.range("/", "0")


def test_a_read_at_a_future_revision_is_refused(history):
    with pytest.raises(BadRequestError, match="^mvcc: required revision is a future revision$"):
        history.range("/a", revision=7)


def test_reads_at_or_after_the_compact_revision_stay_exact(history):
    before = {rev: history.range("/", "0", revision=rev) for rev in (4, 5, 6)}
    history.compact(4)
    assert {rev: history.range("/", "0", revision=rev) for rev in (4, 5, 6)} == before
    with pytest.raises(GoneError, match="^mvcc: required revision has been compacted$"):
        history.range("/a", revision=3)


def test_compaction_keeps_a_key_that_has_not_changed_for_a_long_time():
    store = MVCC()
    store.put("/old", "x")  # 2
    for i in range(5):
        store.put("/busy", str(i))  # 3..7
    store.compact(7)
    assert state(store.range("/", "0", revision=7)[0]) == [
        ("/busy", "4", 3, 7, 5), ("/old", "x", 2, 2, 1)]


def test_a_deletion_at_the_compact_revision_leaves_nothing_behind(history):
    history.compact(5)  # /b was deleted at 5
    assert history.range("/b", revision=5) == ([], 0)
    assert [(e.type, e.kv.key) for e in history.events_since(5, "/", "0")] == [("PUT", "/c")]


def test_count_only_and_keys_only(filled):
    assert filled.range("/registry/pods/", prefix_end("/registry/pods/"), count_only=True) == (
        [], 3)
    kvs, _ = filled.range("/registry/podsx", keys_only=True)
    assert kvs == [KeyValue("/registry/podsx", "", 5, 5, 1)]


def test_a_range_request_says_whether_the_limit_cut_something(filled):
    cut = filled.request(RangeRequest("/registry/", prefix_end("/registry/"), limit=2))
    assert (len(cut.kvs), cut.count, cut.more, cut.revision) == (2, 5, True, 6)
    whole = filled.request(RangeRequest("/registry/", prefix_end("/registry/"), limit=5))
    assert (len(whole.kvs), whole.more) == (5, False)


# -- put and delete options ----------------------------------------------------------------------


def test_put_returns_the_previous_kv_only_when_asked():
    store = MVCC()
    store.put("/a", "1")
    assert store.put("/a", "2", prev_kv=False) == (3, None)
    response = store.request(PutRequest("/a", "3", prev_kv=True))
    assert response == PutResponse(4, KeyValue("/a", "2", 2, 3, 2))
    assert store.request(PutRequest("/b", "1", prev_kv=True)) == PutResponse(5, None)


def test_ignore_value_and_ignore_lease_keep_what_the_key_has():
    store = MVCC()
    store.lessor.grant(60, 9)
    store.put("/a", "v", lease=9)
    store.put("/a", "", ignore_value=True)  # value kept, lease dropped
    assert store.get("/a") == KeyValue("/a", "v", 2, 3, 2, 0)
    store.put("/a", "w", lease=9)
    store.put("/a", "z", ignore_lease=True)  # lease kept
    assert store.get("/a") == KeyValue("/a", "z", 2, 5, 4, 9)


@pytest.mark.parametrize(("request_", "message"), [
    (PutRequest("/missing", ignore_value=True), "^etcdserver: key not found$"),
    (PutRequest("/missing", ignore_lease=True), "^etcdserver: key not found$"),
    (PutRequest("/a", "v", ignore_value=True), "^etcdserver: value is provided$"),
    (PutRequest("/a", lease=1, ignore_lease=True), "^etcdserver: lease is provided$"),
    (PutRequest("/a", "v", lease=404), "^etcdserver: requested lease not found$"),
])
def test_put_options_are_refused_in_etcds_words(request_, message):
    store = MVCC()
    store.lessor.grant(60, 1)
    store.put("/a", "1")
    with pytest.raises(K8sLabError, match=message):
        store.request(request_)
    with pytest.raises(K8sLabError, match=message):
        store.txn([], [request_], [])
    assert store.revision == 2 and store.get("/missing") is None


def test_a_put_with_an_unknown_lease_is_not_found():
    with pytest.raises(NotFoundError):
        MVCC().put("/a", "1", lease=5)


def test_delete_range_counts_and_returns_prev_kvs_only_when_asked(filled):
    prefix = "/registry/pods/"
    plain = filled.request(DeleteRangeRequest(prefix, "/registry/pods/dev/"))
    assert plain == DeleteRangeResponse(7, 2, [])
    asked = filled.request(DeleteRangeRequest(prefix, prefix_end(prefix), prev_kv=True))
    assert (asked.revision, asked.deleted) == (8, 1)
    assert asked.prev_kvs == [KeyValue("/registry/pods/dev/c", "c", 4, 4, 1)]
    assert filled.request(DeleteRangeRequest(prefix, prefix_end(prefix))) == \
        DeleteRangeResponse(8, 0, [])


# -- txn with requests --------------------------------------------------------------------------


def test_a_txn_of_requests_answers_with_responses():
    store = MVCC()
    store.put("/a", "1")
    result = store.txn([Compare("/a", "version", "=", 1)],
                       [PutRequest("/a", "2", prev_kv=True), DeleteRangeRequest("/none"),
                        RangeRequest("/a"), RangeRequest("/a", revision=2)], [])
    assert result.revision == 3
    put, delete, now, before = result.results
    assert put == PutResponse(3, KeyValue("/a", "1", 2, 2, 1))
    assert delete == DeleteRangeResponse(3, 0, [])
    assert (state(now.kvs), now.revision) == ([("/a", "2", 2, 3, 2)], 3)
    assert state(before.kvs) == [("/a", "1", 2, 2, 1)]


def test_only_the_branch_that_runs_is_checked_against_the_store():
    store = MVCC()
    bad_range = RangeRequest("/a", revision=99)
    assert store.txn([], [PutRequest("/a", "1")], [bad_range]).succeeded
    with pytest.raises(BadRequestError, match="future revision"):
        store.txn([], [PutRequest("/b", "1"), bad_range], [])
    assert store.revision == 2 and store.get("/b") is None


def test_lease_compares_and_range_compares():
    store = MVCC()
    store.lessor.grant(60, 5)
    store.put("/locks/a", "x", lease=5)
    store.put("/locks/b", "y", lease=5)
    assert store.txn([Compare("/locks/a", "lease", "=", 5)], [], []).succeeded
    assert store.txn([Compare("/missing", "lease", "=", 0)], [], []).succeeded
    every = Compare("/locks/", "lease", "=", 5, prefix_end("/locks/"))
    assert store.txn([every], [], []).succeeded
    store.put("/locks/b", "y")
    assert not store.txn([every], [], []).succeeded
    assert store.txn([Compare("/locks/", "version", ">", 0, "\0")], [], []).succeeded


@pytest.mark.parametrize("compare", [Compare("/a", "version", "=", "1"),
                                     Compare("/a", "value", "=", 1),
                                     Compare("/a", "lease", "=", True)])
def test_a_compare_value_of_the_wrong_type_is_named(compare):
    with pytest.raises(BadRequestError, match="compare needs a"):
        MVCC().txn([compare], [], [])


def test_a_tuple_of_the_wrong_shape_is_named():
    with pytest.raises(BadRequestError, match="wrong shape; use \\(put, key, value"):
        MVCC().txn([], [("put", "/a")], [])
    with pytest.raises(BadRequestError, match="unknown txn operation"):
        MVCC().txn([], ["put"], [])


# -- compaction edge cases ------------------------------------------------------------------------


def test_the_compact_revision_starts_below_zero_so_a_new_store_can_compact_at_zero_or_one():
    store = MVCC()
    assert store.compact_revision == -1  # kvstore.go compactMainRev: -1
    store.compact(0)
    with pytest.raises(GoneError):
        store.compact(0)
    store.compact(1)
    assert store.compact_revision == 1


def test_compacting_the_current_revision_then_writing_on(history):
    history.compact(6)
    assert history.range("/", "0", revision=6) == history.range("/", "0")
    history.put("/a", "3")
    assert history.range("/a", revision=6)[0][0].value == "2"
    assert history.range("/a")[0][0].value == "3"


def test_an_event_at_the_compact_revision_has_no_prev_kv(history):
    history.compact(4)  # /a's second version was written at 4
    event = history.events_since(4, "/a")[0]
    assert (event.kv.mod_revision, event.prev_kv) == (4, None)
    history.put("/a", "3")
    assert history.events_since(7, "/a")[0].prev_kv.mod_revision == 4


# -- watches --------------------------------------------------------------------------------------


def watch(store, key="/", range_end="0", start_revision=0, **options):
    heard: list[WatchResponse] = []
    watch_id = store.watch(key, range_end, start_revision, callback=heard.append, **options)
    return watch_id, heard


def summary(heard):
    return [(r.watch_id, r.revision, [(e.type, e.kv.key, e.kv.mod_revision) for e in r.events])
            for r in heard]


def test_a_watch_from_now_hears_each_later_write_with_its_id():
    store = MVCC()
    first, heard = watch(store)
    second, _ = watch(store)
    assert (first, second) == (0, 1)
    store.put("/a", "1")
    store.txn([], [("put", "/b", "1"), ("delete", "/a")], [])
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
    store = MVCC()
    _, heard = watch(store, filters=filters)
    store.put("/a", "1")
    store.delete_range("/a")
    assert [e.type for r in heard for e in r.events] == types
    assert all(r.events for r in heard)


def test_a_watch_from_before_the_compact_revision_is_canceled(history):
    history.compact(5)
    watch_id, heard = watch(history, start_revision=4)
    history.put("/d", "1")
    assert heard == [WatchResponse(watch_id, 0, [], compact_revision=5, canceled=True)]
    _, exact = watch(history, start_revision=5)
    assert summary(exact) == [(1, 7, [("PUT", "/c", 6), ("PUT", "/d", 7)])]


def test_a_canceled_watch_hears_nothing_more():
    store = MVCC()
    watch_id, heard = watch(store)
    assert store.cancel_watch(watch_id) and not store.cancel_watch(watch_id)
    store.put("/a", "1")
    assert heard == []


def test_bad_watch_arguments_are_named():
    store = MVCC()
    with pytest.raises(BadRequestError, match="unknown watch filter 'NOGET'"):
        watch(store, filters=("NOGET",))
    with pytest.raises(BadRequestError, match="start_revision must be >= 0"):
        watch(store, start_revision=-1)


def test_a_watcher_may_cancel_another_from_its_callback():
    store = MVCC()
    heard: list[int] = []
    second = 1
    store.watch("/a", callback=lambda r: (heard.append(r.watch_id), store.cancel_watch(second)))
    store.watch("/a", callback=lambda r: heard.append(r.watch_id))
    store.put("/a", "1")
    store.put("/a", "2")
    assert heard == [0, 0]


# -- snapshots ----------------------------------------------------------------------------------


def test_a_snapshot_carries_keys_leases_and_the_next_lease_id():
    store = MVCC()
    lease = store.lessor.grant(30, now=0.0)
    store.put("/a", "1", lease=lease.id)
    store.put("/b", "1")
    copy = MVCC()
    copy.restore_snapshot(store.snapshot())
    assert copy.dump() == store.dump() and copy.revision == store.revision
    assert copy.lessor.time_to_live(lease.id, 0.0, keys=True).keys == ("/a",)
    assert copy.lessor.grant(30).id == store.lessor.grant(30).id == 2
    copy.lessor.revoke(lease.id)
    assert [kv.key for kv in copy.dump()] == ["/b"]


# -- the store against a reference model ---------------------------------------------------------

KEYS = ["/a", "/a/x", "/b", "/c"]
LEASES = [1, 2]


class Model:
    """etcd's rules, plainly: key -> (value, create, mod, version, lease), a counter, the live
    lease IDs, and a copy of the whole state at every revision (for reads in the past)."""

    def __init__(self) -> None:
        self.revision = 1
        self.compact_revision = -1
        self.keys: dict[str, tuple[str, int, int, int, int]] = {}
        self.leases: list[int] = []
        self.states: dict[int, dict] = {1: {}}

    def apply(self, ops: list[tuple]) -> None:
        rev = self.revision + 1
        changed = False
        for op in ops:
            if op[0] == "put":
                lease = op[3] if len(op) > 3 else 0
                _, create, _, version, _ = self.keys.get(op[1], ("", rev, 0, 0, 0))
                self.keys[op[1]] = (op[2], create, rev, version + 1, lease)
                changed = True
            else:
                end = op[2] if len(op) > 2 else ""
                for key in [k for k in self.keys if in_range(k, op[1], end)]:
                    del self.keys[key]
                    changed = True
        if changed:
            self.revision = rev
            self.states[rev] = dict(self.keys)

    def revoke(self, lease: int) -> None:
        self.leases.remove(lease)
        self.apply([("delete", key) for key in sorted(self.keys) if self.keys[key][4] == lease])

    def holds(self, key: str, version: int) -> bool:
        return self.keys.get(key, ("", 0, 0, 0, 0))[3] == version


def as_model(kvs: list[KeyValue]) -> dict:
    return {kv.key: (kv.value, kv.create_revision, kv.mod_revision, kv.version, kv.lease)
            for kv in kvs}


def txn_ops():
    """A list of writes touching each key at most once (so etcd accepts it)."""
    one = st.sampled_from(KEYS).flatmap(lambda key: st.one_of(
        st.tuples(st.just("put"), st.just(key), st.text("xyz", max_size=2)),
        st.tuples(st.just("delete"), st.just(key))))
    return st.lists(one, max_size=3, unique_by=lambda op: op[1])


class StoreMatchesModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.store = MVCC()
        self.model = Model()

    @rule(key=st.sampled_from(KEYS), value=st.text("xyz", max_size=2),
          lease=st.sampled_from([0, *LEASES]))
    def put(self, key, value, lease):
        if lease and lease not in self.model.leases:
            with pytest.raises(NotFoundError, match="requested lease not found"):
                self.store.put(key, value, lease=lease)
            return
        self.store.put(key, value, lease=lease)
        self.model.apply([("put", key, value, lease)])

    @rule(key=st.sampled_from(KEYS))
    def delete(self, key):
        self.store.delete_range(key)
        self.model.apply([("delete", key)])

    @rule(prefix=st.sampled_from(["/a", "/"]))
    def delete_prefix(self, prefix):
        self.store.delete_range(prefix, prefix_end(prefix))
        self.model.apply([("delete", prefix, prefix_end(prefix))])

    @rule(key=st.sampled_from(KEYS), version=st.integers(0, 3), success=txn_ops(),
          failure=txn_ops())
    def txn(self, key, version, success, failure):
        result = self.store.txn([Compare(key, "version", "=", version)], success, failure)
        holds = self.model.holds(key, version)
        self.model.apply(success if holds else failure)
        assert result.succeeded is holds
        assert result.revision == self.model.revision

    @rule(lease=st.sampled_from(LEASES), ttl=st.integers(-1, 100))
    def grant(self, lease, ttl):
        if lease in self.model.leases:
            with pytest.raises(AlreadyExistsError, match="lease already exists"):
                self.store.lessor.grant(ttl, lease)
            return
        assert self.store.lessor.grant(ttl, lease).ttl == max(ttl, 2)
        self.model.leases.append(lease)

    @rule(lease=st.sampled_from(LEASES))
    def revoke(self, lease):
        if lease not in self.model.leases:
            with pytest.raises(NotFoundError):
                self.store.lessor.revoke(lease)
            return
        revision = self.store.lessor.revoke(lease)
        self.model.revoke(lease)
        assert revision == self.model.revision

    @rule(revision=st.integers(-1, 40))
    def compact(self, revision):
        if revision <= self.model.compact_revision:
            with pytest.raises(GoneError):
                self.store.compact(revision)
        elif revision > self.model.revision:
            with pytest.raises(BadRequestError):
                self.store.compact(revision)
        else:
            self.store.compact(revision)
            self.model.compact_revision = revision

    @invariant()
    def same_revision_and_keys(self):
        assert self.store.revision == self.model.revision
        kvs, count = self.store.range("/", "\x7f")
        assert count == len(self.model.keys)
        assert as_model(kvs) == self.model.keys
        assert [kv.key for kv in kvs] == sorted(self.model.keys)

    @invariant()
    def reads_in_the_past_match_the_state_at_that_revision(self):
        oldest = max(self.model.compact_revision, 1)
        for revision in range(oldest, self.model.revision + 1):
            kvs, _ = self.store.range("/", "\x7f", revision=revision)
            assert as_model(kvs) == self.model.states[revision]
        if oldest > 1:
            with pytest.raises(GoneError):
                self.store.range("/a", revision=oldest - 1)

    @invariant()
    def history_replays_to_the_current_state(self):
        oldest = max(self.store.compact_revision, 1)
        replayed = {kv.key: kv for kv in self.store.range("/", "\x7f", revision=oldest)[0]}
        for event in self.store.events_since(oldest + 1, "/", "\x7f"):
            if event.type == "PUT":
                replayed[event.kv.key] = event.kv
            else:
                replayed.pop(event.kv.key, None)
        assert replayed == {kv.key: kv for kv in self.store.dump()}

    @invariant()
    def each_lease_holds_exactly_the_keys_put_with_it(self):
        assert sorted(self.store.lessor.leases()) == sorted(self.model.leases)
        for lease in self.model.leases:
            attached = self.store.lessor.time_to_live(lease, 0.0, keys=True).keys
            assert attached == tuple(k for k in sorted(self.model.keys)
                                     if self.model.keys[k][4] == lease)


StoreMatchesModel.TestCase.settings = settings(max_examples=150, stateful_step_count=30,
                                               deadline=None)
test_store_matches_the_reference_model = StoreMatchesModel.TestCase

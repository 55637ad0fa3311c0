"""The key-value store against etcd v3's data model (docs v3.6 data_model.md and api.md).

Revision starts at 1 and grows by exactly one per write request; each key keeps
create_revision, mod_revision and version; history can be compacted, and a read at a revision
sees the store as it was then. Errors carry etcd's words (rpctypes).
"""

import pytest

from k8slab.errors import K8sLabError
from k8slab.etcd.client import op_delete, op_get, op_put
from k8slab.etcd.errors import (
    CompactedError,
    DuplicateKeyError,
    EmptyKeyError,
    FutureRevisionError,
    InvalidArgumentError,
    LeaseNotFoundError,
    TooManyOpsError,
)
from k8slab.etcd.kvstore import MAX_TXN_OPS, KVStore
from k8slab.etcd.wire import (
    Compare,
    DeleteRangeRequest,
    DeleteRangeResponse,
    KeyValue,
    PutRequest,
    PutResponse,
    RangeRequest,
    ResponseHeader,
    in_range,
    prefix_end,
)

COMPACTED = "^etcdserver: mvcc: required revision has been compacted$"
FUTURE = "^etcdserver: mvcc: required revision is a future revision$"

# -- revisions and per-key versions ------------------------------------------------------------


def test_a_new_store_is_at_revision_one():
    store = KVStore()
    assert store.revision == 1
    assert store.range("/a", "/b") == ([], 0)


def test_each_put_is_one_revision_and_versions_count_puts():
    store = KVStore()
    assert store.put("/a", "1") == (2, None)
    rev, prev = store.put("/a", "1")  # the same value again still counts
    assert rev == 3 and prev == KeyValue("/a", "1", 2, 2, 1)
    store.put("/b", "x")
    assert store.get("/a") == KeyValue("/a", "1", create_revision=2, mod_revision=3, version=2)
    assert store.get("/b") == KeyValue("/b", "x", 4, 4, 1)
    assert store.revision == 4


def test_delete_of_nothing_is_no_revision_and_delete_resets_the_generation():
    store = KVStore()
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
    store = KVStore()
    result = store.txn([], [op_put("/a", "1"), op_put("/b", "2"), op_delete("/none")], [])
    assert (result.succeeded, result.revision) == (True, 2)
    assert store.get("/a").mod_revision == store.get("/b").mod_revision == 2
    assert store.txn([], [op_get("/a")], []).revision == 2  # a read-only txn writes nothing


def test_lease_is_kept_on_the_key():
    store = KVStore()
    lease = store.lessor.grant(60, 7)
    store.put("/lock", "me", lease=lease.id)
    assert store.get("/lock").lease == 7


# -- range -------------------------------------------------------------------------------------


@pytest.fixture
def filled() -> KVStore:
    store = KVStore()
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
    store = KVStore()
    for attempt in (lambda: store.range(""), lambda: store.put("", "v"),
                    lambda: store.delete_range(""),
                    lambda: store.txn([Compare("", "version", "=", 0)], [], []),
                    lambda: store.txn([], [op_get("")], [])):
        with pytest.raises(EmptyKeyError, match="^etcdserver: key is not provided$"):
            attempt()
    assert store.revision == 1


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


# -- txn compares ------------------------------------------------------------------------------


@pytest.fixture
def one_key() -> KVStore:
    store = KVStore()
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
    result = one_key.txn([Compare("/k", target, op, value)], [op_put("/yes", "1")],
                         [op_put("/no", "1")])
    assert result.succeeded is holds
    assert one_key.get("/yes" if holds else "/no") is not None
    assert result.revision == 5


@pytest.mark.parametrize(("target", "op", "value", "holds"), [
    ("version", "=", 0, True), ("create", "=", 0, True), ("mod", "=", 0, True),
    ("mod", ">", 0, False), ("value", "=", "", False), ("value", "!=", "x", False),
])
def test_a_missing_key_compares_as_zero_and_its_value_compare_is_false(target, op, value, holds):
    store = KVStore()
    assert store.txn([Compare("/absent", target, op, value)], [], []).succeeded is holds


def test_all_compares_must_hold(one_key):
    compares = [Compare("/k", "version", "=", 2), Compare("/other", "version", "=", 5)]
    result = one_key.txn(compares, [op_put("/a", "1")], [op_get("/k")])
    assert not result.succeeded
    assert [r.kvs for r in result.responses] == [[one_key.get("/k")]]
    assert result.revision == 4


def test_create_if_absent_is_a_create_revision_compare():
    store = KVStore()
    create = [Compare("/lock", "create", "=", 0)]
    assert store.txn(create, [op_put("/lock", "a")], [op_get("/lock")]).succeeded
    second = store.txn(create, [op_put("/lock", "b")], [op_get("/lock")])
    assert not second.succeeded and second.responses[0].kvs[0].value == "a"


def test_a_range_inside_a_txn_sees_the_txns_own_writes():
    store = KVStore()
    result = store.txn([], [op_put("/a", "1"), op_get("/a")], [])
    assert result.responses[1].kvs == [KeyValue("/a", "1", 2, 2, 1)]


@pytest.mark.parametrize("ops", [
    [op_put("/a", "1"), op_put("/a", "2")],
    [op_put("/a", "1"), op_delete("/a")],
    [op_delete("/", range_end="/z"), op_put("/a", "1")],
])
def test_writing_a_key_twice_in_one_txn_is_refused(ops):
    store = KVStore()
    with pytest.raises(DuplicateKeyError,
                       match="^etcdserver: duplicate key given in txn request$"):
        store.txn([], ops, [])
    assert store.revision == 1 and store.get("/a") is None


def test_both_branches_are_checked_whichever_runs():
    store = KVStore()
    with pytest.raises(InvalidArgumentError, match="duplicate key"):
        store.txn([], [op_put("/ok", "1")], [op_put("/a", "1"), op_put("/a", "2")])
    with pytest.raises(InvalidArgumentError, match="key is not provided"):
        store.txn([], [op_put("/ok", "1")], [op_delete("")])
    assert store.revision == 1


def test_the_same_key_in_both_branches_is_fine():
    store = KVStore()
    assert store.txn([], [op_put("/a", "1")], [op_put("/a", "2")]).succeeded


def test_a_txn_may_hold_at_most_max_txn_ops_in_each_part():
    # v3rpc/key.go checkTxnRequest: compares, success and failure each count against the limit.
    store = KVStore()
    puts = [op_put(f"/k{i}", "v") for i in range(MAX_TXN_OPS)]
    assert store.txn([], puts, puts).succeeded
    for too_many in (([Compare("/a", "version", "=", 0)] * (MAX_TXN_OPS + 1), [], []),
                     ([], [], puts + [op_put("/last", "v")])):
        with pytest.raises(TooManyOpsError,
                           match="^etcdserver: too many operations in txn request$"):
            store.txn(*too_many)
    assert store.revision == 2


def test_unknown_targets_operators_and_operations_are_named():
    store = KVStore()
    with pytest.raises(InvalidArgumentError,
                       match="unknown compare target 'size'; use version, crea"):
        store.txn([Compare("/a", "size", "=", 0)], [], [])
    with pytest.raises(InvalidArgumentError, match="unknown compare operator '>='"):
        store.txn([Compare("/a", "version", ">=", 0)], [], [])
    with pytest.raises(InvalidArgumentError, match=r"unknown txn operation Compare\(key='/a'"):
        store.txn([], [Compare("/a", "version", "=", 0)], [])


# -- compaction and reading the past -----------------------------------------------------------


@pytest.fixture
def history(write_history) -> KVStore:
    return write_history(KVStore())


@pytest.mark.parametrize("revision", [4, 3])
def test_compacting_at_or_below_the_compact_revision_is_refused(history, revision):
    history.compact(4)
    with pytest.raises(CompactedError, match=COMPACTED):
        history.compact(revision)


def test_compacting_a_future_revision_is_refused(history):
    with pytest.raises(FutureRevisionError, match=FUTURE):
        history.compact(7)
    history.compact(6)


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
    with pytest.raises(FutureRevisionError, match=FUTURE):
        history.range("/a", revision=7)


def test_reads_at_or_after_the_compact_revision_stay_exact(history):
    before = {rev: history.range("/", "0", revision=rev) for rev in (4, 5, 6)}
    history.compact(4)
    assert {rev: history.range("/", "0", revision=rev) for rev in (4, 5, 6)} == before
    with pytest.raises(CompactedError, match=COMPACTED):
        history.range("/a", revision=3)


def test_compaction_keeps_a_key_that_has_not_changed_for_a_long_time():
    store = KVStore()
    store.put("/old", "x")  # 2
    for i in range(5):
        store.put("/busy", str(i))  # 3..7
    store.compact(7)
    assert state(store.range("/", "0", revision=7)[0]) == [
        ("/busy", "4", 3, 7, 5), ("/old", "x", 2, 2, 1)]


def test_the_compact_revision_starts_below_zero_so_a_new_store_can_compact_at_zero_or_one():
    store = KVStore()
    assert store.compact_revision == -1  # kvstore.go compactMainRev: -1
    store.compact(0)
    with pytest.raises(CompactedError):
        store.compact(0)
    store.compact(1)
    assert store.compact_revision == 1


def test_compacting_the_current_revision_then_writing_on(history):
    history.compact(6)
    assert history.range("/", "0", revision=6) == history.range("/", "0")
    history.put("/a", "3")
    assert history.range("/a", revision=6)[0][0].value == "2"
    assert history.range("/a")[0][0].value == "3"


# -- put and delete options --------------------------------------------------------------------


def test_put_returns_the_previous_kv_only_when_asked():
    store = KVStore()
    store.put("/a", "1")
    assert store.put("/a", "2", prev_kv=False) == (3, None)
    response = store.request(PutRequest("/a", "3", prev_kv=True))
    assert response == PutResponse(ResponseHeader(revision=4), KeyValue("/a", "2", 2, 3, 2))
    created = store.request(PutRequest("/b", "1", prev_kv=True))
    assert created == PutResponse(ResponseHeader(revision=5), None)


def test_ignore_value_and_ignore_lease_keep_what_the_key_has():
    store = KVStore()
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
    store = KVStore()
    store.lessor.grant(60, 1)
    store.put("/a", "1")
    with pytest.raises(K8sLabError, match=message):
        store.request(request_)
    with pytest.raises(K8sLabError, match=message):
        store.txn([], [request_], [])
    assert store.revision == 2 and store.get("/missing") is None


def test_a_put_with_an_unknown_lease_is_not_found():
    with pytest.raises(LeaseNotFoundError):
        KVStore().put("/a", "1", lease=5)


def test_delete_range_counts_and_returns_prev_kvs_only_when_asked(filled):
    prefix = "/registry/pods/"
    plain = filled.request(DeleteRangeRequest(prefix, "/registry/pods/dev/"))
    assert plain == DeleteRangeResponse(ResponseHeader(revision=7), 2, [])
    asked = filled.request(DeleteRangeRequest(prefix, prefix_end(prefix), prev_kv=True))
    assert (asked.revision, asked.deleted) == (8, 1)
    assert asked.prev_kvs == [KeyValue("/registry/pods/dev/c", "c", 4, 4, 1)]
    assert filled.request(DeleteRangeRequest(prefix, prefix_end(prefix))) == \
        DeleteRangeResponse(ResponseHeader(revision=8), 0, [])


# -- txn with requests -------------------------------------------------------------------------


def test_a_txn_of_requests_answers_with_responses():
    store = KVStore()
    store.put("/a", "1")
    result = store.txn([Compare("/a", "version", "=", 1)],
                       [PutRequest("/a", "2", prev_kv=True), DeleteRangeRequest("/none"),
                        RangeRequest("/a"), RangeRequest("/a", revision=2)], [])
    assert result.revision == 3
    put, delete, now, before = result.responses
    assert put == PutResponse(ResponseHeader(revision=3), KeyValue("/a", "1", 2, 2, 1))
    assert delete == DeleteRangeResponse(ResponseHeader(revision=3), 0, [])
    assert (state(now.kvs), now.revision) == ([("/a", "2", 2, 3, 2)], 3)
    assert state(before.kvs) == [("/a", "1", 2, 2, 1)]


def test_only_the_branch_that_runs_is_checked_against_the_store():
    store = KVStore()
    bad_range = RangeRequest("/a", revision=99)
    assert store.txn([], [PutRequest("/a", "1")], [bad_range]).succeeded
    with pytest.raises(FutureRevisionError, match="future revision"):
        store.txn([], [PutRequest("/b", "1"), bad_range], [])
    assert store.revision == 2 and store.get("/b") is None


def test_lease_compares_and_range_compares():
    store = KVStore()
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
    with pytest.raises(InvalidArgumentError, match="compare needs a"):
        KVStore().txn([compare], [], [])


# -- snapshots ---------------------------------------------------------------------------------


def test_a_snapshot_carries_keys_leases_and_the_next_lease_id():
    store = KVStore()
    lease = store.lessor.grant(30, now=0.0)
    store.put("/a", "1", lease=lease.id)
    store.put("/b", "1")
    copy = KVStore()
    copy.restore_snapshot(store.snapshot())
    assert copy.dump() == store.dump() and copy.revision == store.revision
    assert copy.lessor.time_to_live(lease.id, 0.0, keys=True).keys == ("/a",)
    assert copy.lessor.grant(30).id == store.lessor.grant(30).id == 2
    copy.lessor.revoke(lease.id)
    assert [kv.key for kv in copy.dump()] == ["/b"]


# -- range options (etcdserver/txn/txn.go executeRange) -------------------------------------------


def _options_store() -> KVStore:
    """/a (version 2, created 2, modified 5, "1"), /b (1, 3, 3, "1"), /c (1, 4, 4, "2")."""
    store = KVStore()
    store.put("/a", "3")  # 2
    store.put("/b", "1")  # 3
    store.put("/c", "2")  # 4
    store.put("/a", "1")  # 5
    return store


@pytest.mark.parametrize(("options", "keys", "count", "more"), [
    ({"limit": 2}, ["/a", "/b"], 3, True),
    ({"limit": 3}, ["/a", "/b", "/c"], 3, False),
    ({"limit": 5}, ["/a", "/b", "/c"], 3, False),
    ({"count_only": True}, [], 3, False),
    ({"count_only": True, "limit": 1}, [], 3, False),
    ({"sort_target": "MOD", "sort_order": "DESCEND"}, ["/a", "/c", "/b"], 3, False),
    ({"sort_target": "VERSION"}, ["/b", "/c", "/a"], 3, False),
    ({"sort_target": "VERSION", "sort_order": "DESCEND"}, ["/a", "/b", "/c"], 3, False),
    ({"sort_target": "VALUE", "sort_order": "DESCEND"}, ["/c", "/a", "/b"], 3, False),
    ({"sort_target": "KEY", "sort_order": "DESCEND"}, ["/c", "/b", "/a"], 3, False),
    ({"sort_target": "CREATE", "sort_order": "DESCEND", "limit": 1}, ["/c"], 3, True),
    ({"min_mod_revision": 4}, ["/a", "/c"], 3, False),
    ({"max_mod_revision": 4}, ["/b", "/c"], 3, False),
    ({"min_create_revision": 3}, ["/b", "/c"], 3, False),
    ({"max_create_revision": 3}, ["/a", "/b"], 3, False),
    ({"min_mod_revision": 4, "limit": 1}, ["/a"], 3, True),
    ({"min_mod_revision": 4, "limit": 2}, ["/a", "/c"], 3, False),
], ids=["limit-cuts", "limit-equal", "limit-above", "count-only", "count-only-ignores-limit",
        "sort-mod-descend", "sort-version-defaults-to-ascend", "sort-version-descend-ties-by-key",
        "sort-value-descend", "sort-key-descend", "sort-create-descend-limit",
        "min-mod", "max-mod", "min-create", "max-create", "filter-then-limit-cuts",
        "filter-then-limit-fits"])
def test_range_options_filter_sort_then_limit_and_count_every_key(options, keys, count, more):
    response = _options_store().request(RangeRequest("/", prefix_end("/"), **options))
    assert ([kv.key for kv in response.kvs], response.count, response.more) == (keys, count, more)
    assert response.revision == 5


def test_range_keys_only_drops_values_and_revision_reads_the_past():
    store = _options_store()
    keys_only = store.request(RangeRequest("/a", keys_only=True))
    assert keys_only.kvs == [KeyValue("/a", "", 2, 5, 2)]
    past = store.request(RangeRequest("/", prefix_end("/"), revision=4))
    assert [(kv.key, kv.value, kv.mod_revision) for kv in past.kvs] == [
        ("/a", "3", 2), ("/b", "1", 3), ("/c", "2", 4)]
    assert past.revision == 5  # the header has the store's revision, not the one read at


@pytest.mark.parametrize(("field", "value", "accepted"), [
    ("sort_order", "UP", "NONE, ASCEND, DESCEND"),
    ("sort_target", "NAME", "KEY, VERSION, CREATE, MOD, VALUE"),
], ids=["sort-order", "sort-target"])
def test_an_unknown_sort_option_is_refused_naming_what_is_accepted(field, value, accepted):
    store = _options_store()
    with pytest.raises(InvalidArgumentError, match=f"{value!r}; use {accepted}$"):
        store.request(RangeRequest("/a", **{field: value}))
    assert store.revision == 5


@pytest.mark.parametrize(("prefix", "end"), [
    ("/registry/", "/registry0"),
    ("a\U0010ffff", "b"),
    ("\U0010ffff", "\0"),
    ("", "\0"),
], ids=["slash", "last-char-carries", "nothing-can-grow", "empty"])
def test_prefix_end_grows_the_last_character_that_can_grow(prefix, end):
    assert prefix_end(prefix) == end

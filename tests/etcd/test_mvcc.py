"""The MVCC store against etcd v3's data model (docs v3.6 data_model.md and api.md).

Revision starts at 1 and grows by exactly one per write request; each key keeps
create_revision, mod_revision and version; history can be compacted and replayed to watchers.
"""

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from k8slab.errors import BadRequestError, GoneError
from k8slab.etcd.mvcc import MVCC, Compare, Event, KeyValue, in_range, prefix_end

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
    store.put("/lock", "me", lease=7)
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
    with pytest.raises(BadRequestError, match="unknown compare target 'lease'"):
        store.txn([Compare("/a", "lease", "=", 0)], [], [])
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


# -- the store against a reference model ---------------------------------------------------------

KEYS = ["/a", "/a/x", "/b", "/c"]


class Model:
    """etcd's rules, plainly: a dict of key -> (value, create, mod, version) and a counter."""

    def __init__(self) -> None:
        self.revision = 1
        self.keys: dict[str, tuple[str, int, int, int]] = {}

    def apply(self, ops: list[tuple]) -> None:
        rev = self.revision + 1
        changed = False
        for op in ops:
            if op[0] == "put":
                _, create, _, version = self.keys.get(op[1], ("", rev, 0, 0))
                self.keys[op[1]] = (op[2], create, rev, version + 1)
                changed = True
            else:
                end = op[2] if len(op) > 2 else ""
                for key in [k for k in self.keys if in_range(k, op[1], end)]:
                    del self.keys[key]
                    changed = True
        if changed:
            self.revision = rev

    def holds(self, key: str, version: int) -> bool:
        return self.keys.get(key, ("", 0, 0, 0))[3] == version


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

    @rule(key=st.sampled_from(KEYS), value=st.text("xyz", max_size=2))
    def put(self, key, value):
        self.store.put(key, value)
        self.model.apply([("put", key, value)])

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

    @invariant()
    def same_revision_and_keys(self):
        assert self.store.revision == self.model.revision
        kvs, count = self.store.range("/", "\x7f")
        assert count == len(self.model.keys)
        assert {kv.key: (kv.value, kv.create_revision, kv.mod_revision, kv.version)
                for kv in kvs} == self.model.keys
        assert [kv.key for kv in kvs] == sorted(self.model.keys)

    @invariant()
    def history_replays_to_the_current_state(self):
        replayed: dict[str, KeyValue] = {}
        for event in self.store.events_since(1, "/", "\x7f"):
            if event.type == "PUT":
                replayed[event.kv.key] = event.kv
            else:
                replayed.pop(event.kv.key, None)
        assert replayed == {kv.key: kv for kv in self.store.dump()}


StoreMatchesModel.TestCase.settings = settings(max_examples=150, stateful_step_count=30,
                                               deadline=None)
test_store_matches_the_reference_model = StoreMatchesModel.TestCase

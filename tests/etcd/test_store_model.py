"""The whole store (keys, leases, compaction, history) against a plain reference model.

Hypothesis drives random puts, deletes, txns, lease grants and revocations and compactions
into both; after every step they must agree on the revision, the keys, every read in the past,
the replayed history and each lease's keys.
"""

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from k8slab.etcd.client import op_delete, op_put
from k8slab.etcd.errors import (
    CompactedError,
    FutureRevisionError,
    LeaseExistsError,
    LeaseNotFoundError,
)
from k8slab.etcd.watchable_store import WatchableStore
from k8slab.etcd.wire import (
    Compare,
    DeleteRangeRequest,
    KeyValue,
    PutRequest,
    in_range,
    prefix_end,
)

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


def as_request(op: tuple) -> PutRequest | DeleteRangeRequest:
    """The request a model op stands for: ("put", key, value) or ("delete", key)."""
    return op_put(op[1], op[2]) if op[0] == "put" else op_delete(op[1])


def txn_ops():
    """A list of writes touching each key at most once (so etcd accepts it)."""
    one = st.sampled_from(KEYS).flatmap(lambda key: st.one_of(
        st.tuples(st.just("put"), st.just(key), st.text("xyz", max_size=2)),
        st.tuples(st.just("delete"), st.just(key))))
    return st.lists(one, max_size=3, unique_by=lambda op: op[1])


class StoreMatchesModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.store = WatchableStore()
        self.model = Model()

    @rule(key=st.sampled_from(KEYS), value=st.text("xyz", max_size=2),
          lease=st.sampled_from([0, *LEASES]))
    def put(self, key, value, lease):
        if lease and lease not in self.model.leases:
            with pytest.raises(LeaseNotFoundError, match="requested lease not found"):
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
        result = self.store.txn([Compare(key, "version", "=", version)],
                                [as_request(op) for op in success],
                                [as_request(op) for op in failure])
        holds = self.model.holds(key, version)
        self.model.apply(success if holds else failure)
        assert result.succeeded is holds
        assert result.revision == self.model.revision

    @rule(lease=st.sampled_from(LEASES), ttl=st.integers(-1, 100))
    def grant(self, lease, ttl):
        if lease in self.model.leases:
            with pytest.raises(LeaseExistsError, match="lease already exists"):
                self.store.lessor.grant(ttl, lease)
            return
        assert self.store.lessor.grant(ttl, lease).ttl == max(ttl, 2)
        self.model.leases.append(lease)

    @rule(lease=st.sampled_from(LEASES))
    def revoke(self, lease):
        if lease not in self.model.leases:
            with pytest.raises(LeaseNotFoundError):
                self.store.lessor.revoke(lease)
            return
        revision = self.store.lessor.revoke(lease)
        self.model.revoke(lease)
        assert revision == self.model.revision

    @rule(revision=st.integers(-1, 40))
    def compact(self, revision):
        if revision <= self.model.compact_revision:
            with pytest.raises(CompactedError):
                self.store.compact(revision)
        elif revision > self.model.revision:
            with pytest.raises(FutureRevisionError):
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
            with pytest.raises(CompactedError):
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

"""etcd v3's multi-version key-value store: one revision counter for the store, per-key history.

Revision starts at 1 and grows by one per write request (a transaction is one revision, a delete
of nothing is none). Each key keeps create_revision, mod_revision and version (docs v3.6
data_model.md).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field

from k8slab.errors import BadRequestError, GoneError

# Error texts as etcd words them (server/storage/mvcc/kvstore.go, etcdserver/api/v3rpc/rpctypes).
ERR_COMPACTED = "mvcc: required revision has been compacted"
ERR_FUTURE_REV = "mvcc: required revision is a future revision"
ERR_EMPTY_KEY = "etcdserver: key is not provided"
ERR_DUPLICATE_KEY = "etcdserver: duplicate key given in txn request"
# A range_end of "\0" means every key >= key (etcd api.md, RangeRequest.range_end).
ALL_FROM_KEY = "\0"


@dataclass(frozen=True, slots=True)
class KeyValue:
    """One version of a key, as etcd's `mvccpb.KeyValue`."""

    key: str
    value: str
    create_revision: int
    mod_revision: int
    version: int
    lease: int = 0


@dataclass(frozen=True, slots=True)
class Event:
    """A change seen by watchers: PUT (kv.version == 1 is a creation) or DELETE."""

    type: str
    kv: KeyValue
    prev_kv: KeyValue | None = None


@dataclass(frozen=True, slots=True)
class Compare:
    """One condition of a Txn: `target` (version, create, mod, value) of `key` `op` `value`."""

    key: str
    target: str
    op: str
    value: int | str


@dataclass
class TxnResult:
    """The answer to a Txn: which branch ran, the store revision, and the branch's results."""

    succeeded: bool
    revision: int
    results: list = field(default_factory=list)


def prefix_end(prefix: str) -> str:
    """The range_end that makes [prefix, range_end) cover every key starting with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class MVCC:
    """The store of one etcd member: current keys, history of events, compaction, watchers."""

    def __init__(self) -> None:
        self.revision = 1  # "When the store is created, the initial revision is 1."
        self.compact_revision = 0
        self._keys: list[str] = []
        self._current: dict[str, KeyValue] = {}
        self._history: list[tuple[int, list[Event]]] = []
        self._watchers: list[Callable[[int, list[Event]], None]] = []

    # -- reads ----------------------------------------------------------------------------

    def get(self, key: str) -> KeyValue | None:
        """The current version of one key, or None."""
        return self._current.get(key)

    def range(self, key: str, range_end: str = "", limit: int = 0) -> tuple[list[KeyValue], int]:
        """Keys in [key, range_end) (just `key` when range_end is empty): (kvs, count)."""
        if not key:
            raise BadRequestError(ERR_EMPTY_KEY)
        if not range_end:
            kv = self._current.get(key)
            return ([kv] if kv else []), (1 if kv else 0)
        lo = bisect.bisect_left(self._keys, key)
        hi = len(self._keys) if range_end == ALL_FROM_KEY else bisect.bisect_left(self._keys,
                                                                                  range_end)
        keys = self._keys[lo:hi]
        count = len(keys)
        if limit > 0:
            keys = keys[:limit]
        return [self._current[k] for k in keys], count

    # -- writes ---------------------------------------------------------------------------

    def put(self, key: str, value: str, lease: int = 0) -> tuple[int, KeyValue | None]:
        """Write one key in its own revision; returns (revision, previous kv)."""
        result = self.txn([], [("put", key, value, lease)], [])
        return result.revision, result.results[0]

    def delete_range(self, key: str, range_end: str = "") -> tuple[int, list[KeyValue]]:
        """Delete keys in [key, range_end); returns (revision, deleted kvs)."""
        result = self.txn([], [("delete", key, range_end)], [])
        return result.revision, result.results[0]

    def txn(self, compares: list[Compare], success: list[tuple], failure: list[tuple]) -> TxnResult:
        """If every compare holds run `success`, else `failure`; all writes share one revision.

        Operations are tuples: ("put", key, value[, lease]), ("delete", key[, range_end]),
        ("range", key[, range_end]).
        """
        for compare in compares:
            if not compare.key:
                raise BadRequestError(ERR_EMPTY_KEY)
        # etcd checks both branches before running either (v3rpc/key.go Txn).
        self._check_ops(success)
        self._check_ops(failure)
        ok = all(self._holds(c) for c in compares)
        ops = success if ok else failure
        rev = self.revision + 1
        events: list[Event] = []
        results: list = []
        for op in ops:
            if op[0] == "range":
                results.append(self.range(op[1], op[2] if len(op) > 2 else "")[0])
            elif op[0] == "put":
                results.append(self._put(op[1], op[2], op[3] if len(op) > 3 else 0, rev, events))
            else:
                results.append(self._delete(op[1], op[2] if len(op) > 2 else "", rev, events))
        if events:
            self.revision = rev
            self._history.append((rev, events))
            for watcher in list(self._watchers):
                watcher(rev, events)
        return TxnResult(ok, self.revision, results)

    def _check_ops(self, ops: list[tuple]) -> None:
        # v3rpc/key.go checkIntervals: a put may not meet another put or a delete of the txn.
        deleted = [(op[1], op[2] if len(op) > 2 else "") for op in ops if op[0] == "delete"]
        written: list[str] = []
        for op in ops:
            if op[0] not in ("put", "delete", "range"):
                raise BadRequestError(f"unknown txn operation {op[0]!r}; use put, delete or range")
            if not op[1]:
                raise BadRequestError(ERR_EMPTY_KEY)
            if op[0] == "put":
                if op[1] in written or any(in_range(op[1], k, end) for k, end in deleted):
                    raise BadRequestError(ERR_DUPLICATE_KEY)
                written.append(op[1])

    def _holds(self, c: Compare) -> bool:
        kv = self._current.get(c.key)
        if c.target == "value":
            if kv is None:
                return False  # etcdserver/txn: a value compare on a missing key is false
            actual: int | str = kv.value
        elif c.target in ("version", "create", "mod"):
            attr = {"version": "version", "create": "create_revision", "mod": "mod_revision"}
            actual = getattr(kv, attr[c.target]) if kv else 0
        else:
            raise BadRequestError(
                f"unknown compare target {c.target!r}; use version, create, mod or value"
            )
        ops = {"=": actual == c.value, "!=": actual != c.value}
        if c.op in ops:
            return ops[c.op]
        if c.op == ">":
            return actual > c.value
        if c.op == "<":
            return actual < c.value
        raise BadRequestError(f"unknown compare operator {c.op!r}; use =, !=, > or <")

    def _put(self, key: str, value: str, lease: int, rev: int, events: list) -> KeyValue | None:
        prev = self._current.get(key)
        if prev is None:
            bisect.insort(self._keys, key)
            kv = KeyValue(key, value, rev, rev, 1, lease)
        else:
            kv = KeyValue(key, value, prev.create_revision, rev, prev.version + 1, lease)
        self._current[key] = kv
        events.append(Event("PUT", kv, prev))
        return prev

    def _delete(self, key: str, range_end: str, rev: int, events: list) -> list[KeyValue]:
        gone, _ = self.range(key, range_end)
        for prev in gone:
            del self._current[prev.key]
            self._keys.remove(prev.key)
            tombstone = KeyValue(prev.key, "", 0, rev, 0, 0)
            events.append(Event("DELETE", tombstone, prev))
        return gone

    def dump(self) -> list[KeyValue]:
        """Every current key-value, in key order (what a snapshot saves)."""
        return [self._current[k] for k in self._keys]

    def restore(self, kvs: list[KeyValue], revision: int) -> None:
        """Load a snapshot: the keys and the revision; history before it is gone."""
        self._current = {kv.key: kv for kv in kvs}
        self._keys = sorted(self._current)
        self.revision = revision
        self.compact_revision = revision
        self._history = []

    # -- history and watch ----------------------------------------------------------------

    def compact(self, revision: int) -> None:
        """Forget the history before `revision` (etcd's Compact)."""
        if revision <= self.compact_revision:
            raise GoneError(ERR_COMPACTED)
        if revision > self.revision:
            raise BadRequestError(ERR_FUTURE_REV)
        self.compact_revision = revision
        cut = bisect.bisect_left([rev for rev, _ in self._history], revision)
        del self._history[:cut]

    def events_since(self, start_revision: int, key: str, range_end: str = "") -> list[Event]:
        """Events on [key, range_end) at revisions >= start_revision (a watch's replay)."""
        if 0 < start_revision < self.compact_revision:
            raise GoneError(ERR_COMPACTED)
        first = bisect.bisect_left([rev for rev, _ in self._history], start_revision)
        return [
            event
            for _, events in self._history[first:]
            for event in events
            if in_range(event.kv.key, key, range_end)
        ]

    def subscribe(self, watcher: Callable[[int, list[Event]], None]) -> None:
        """Call `watcher(revision, events)` after every write."""
        self._watchers.append(watcher)

    def unsubscribe(self, watcher: Callable[[int, list[Event]], None]) -> None:
        """Stop calling `watcher`."""
        if watcher in self._watchers:
            self._watchers.remove(watcher)


def in_range(candidate: str, key: str, range_end: str) -> bool:
    """True if `candidate` is `key` (no range_end) or lies in [key, range_end)."""
    if not range_end:
        return candidate == key
    return key <= candidate and (range_end == ALL_FROM_KEY or candidate < range_end)

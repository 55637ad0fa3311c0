"""etcd v3's multi-version key-value store: one revision counter for the store, per-key history.

Revision starts at 1 and grows by one per write request (a transaction is one revision, a delete
of nothing is none). Each key keeps create_revision, mod_revision and version, and every version
since the last compaction, so a read can ask for the store as it was at an earlier revision
(docs v3.6 data_model.md; code server/storage/mvcc/). Leases live beside the keys (lease.py).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from k8slab.errors import BadRequestError, GoneError, NotFoundError
from k8slab.etcd.lease import ERR_LEASE_NOT_FOUND, MIN_LEASE_TTL, NO_LEASE, Lessor

# The store's own error texts (server/storage/mvcc/kvstore.go); over gRPC etcd prefixes them with
# "etcdserver: " (api/v3rpc/rpctypes/error.go ErrGRPCCompacted, ErrGRPCFutureRev).
ERR_COMPACTED = "mvcc: required revision has been compacted"
ERR_FUTURE_REV = "mvcc: required revision is a future revision"
# Request errors as etcd's gRPC layer words them (api/v3rpc/rpctypes/error.go).
ERR_EMPTY_KEY = "etcdserver: key is not provided"
ERR_DUPLICATE_KEY = "etcdserver: duplicate key given in txn request"
ERR_KEY_NOT_FOUND = "etcdserver: key not found"
ERR_VALUE_PROVIDED = "etcdserver: value is provided"
ERR_LEASE_PROVIDED = "etcdserver: lease is provided"
# A range_end of "\0" means every key >= key (etcd api.md, RangeRequest.range_end).
ALL_FROM_KEY = "\0"
# Watch filters (rpc.proto WatchCreateRequest.FilterType): drop PUT or DELETE events.
NOPUT, NODELETE = "NOPUT", "NODELETE"
# Compare targets and the KeyValue field each reads (rpc.proto Compare.CompareTarget).
COMPARE_TARGETS = {"version": "version", "create": "create_revision", "mod": "mod_revision",
                   "value": "value", "lease": "lease"}
COMPARE_OPS = ("=", "!=", ">", "<")


@dataclass(frozen=True, slots=True)
class KeyValue:
    """One version of a key, as etcd's `mvccpb.KeyValue` (a tombstone has version 0)."""

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
    """One condition of a Txn: `target` of `key` (every key of [key, range_end)) `op` `value`.

    Targets: version, create, mod, value, lease; ops: =, !=, >, <.
    """

    key: str
    target: str
    op: str
    value: int | str
    range_end: str = ""


@dataclass
class TxnResult:
    """The answer to a Txn: which branch ran, the store revision, and the branch's results."""

    succeeded: bool
    revision: int
    results: list = field(default_factory=list)


# -- requests and responses, named and shaped as etcdserverpb's --------------------------------


@dataclass(frozen=True, slots=True)
class RangeRequest:
    """Read [key, range_end) as of `revision` (0: latest); `limit` 0 means no limit."""

    key: str
    range_end: str = ""
    limit: int = 0
    revision: int = 0
    count_only: bool = False
    keys_only: bool = False


@dataclass(frozen=True, slots=True)
class PutRequest:
    """Write one key; ignore_value / ignore_lease keep the key's current value / lease."""

    key: str
    value: str = ""
    lease: int = NO_LEASE
    prev_kv: bool = False
    ignore_value: bool = False
    ignore_lease: bool = False


@dataclass(frozen=True, slots=True)
class DeleteRangeRequest:
    """Delete every key in [key, range_end)."""

    key: str
    range_end: str = ""
    prev_kv: bool = False


@dataclass
class RangeResponse:
    """kvs (cut to the limit), count (ignores the limit), more (the limit cut some) and revision."""

    kvs: list[KeyValue]
    count: int
    more: bool = False
    revision: int = 0


@dataclass
class PutResponse:
    """The revision of the write, and the previous version if prev_kv was asked."""

    revision: int
    prev_kv: KeyValue | None = None


@dataclass
class DeleteRangeResponse:
    """The revision, how many keys were deleted, and their last versions if prev_kv was asked."""

    revision: int
    deleted: int
    prev_kvs: list[KeyValue] = field(default_factory=list)


Request = RangeRequest | PutRequest | DeleteRangeRequest
Response = RangeResponse | PutResponse | DeleteRangeResponse


@dataclass(frozen=True, slots=True)
class WatchResponse:
    """What a watcher receives: events at `revision`, or a cancellation after compaction."""

    watch_id: int
    revision: int
    events: list[Event] = field(default_factory=list)
    compact_revision: int = 0
    canceled: bool = False


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a member saves to restart from: current keys, revision, leases (id, TTL)."""

    kvs: list[KeyValue]
    revision: int
    leases: list[tuple[int, int]] = field(default_factory=list)
    next_lease_id: int = 1


def prefix_end(prefix: str) -> str:
    """The range_end that makes [prefix, range_end) cover every key starting with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def in_range(candidate: str, key: str, range_end: str) -> bool:
    """True if `candidate` is `key` (no range_end) or lies in [key, range_end)."""
    if not range_end:
        return candidate == key
    return key <= candidate and (range_end == ALL_FROM_KEY or candidate < range_end)


@dataclass
class _Watcher:
    id: int
    key: str
    range_end: str
    min_revision: int
    callback: Callable[[WatchResponse], None]
    prev_kv: bool
    filters: tuple[str, ...]

    def send(self, revision: int, events: list[Event]) -> None:
        # mvcc/watcher.go send: filters drop events; if none are left, nothing is sent.
        dropped = {NOPUT: "PUT", NODELETE: "DELETE"}
        kept = [e for e in events if all(dropped[f] != e.type for f in self.filters)]
        if not self.prev_kv:
            kept = [replace(e, prev_kv=None) for e in kept]
        if kept:
            self.callback(WatchResponse(self.id, revision, kept))


class MVCC:
    """The store of one etcd member: keys with their history, leases, compaction, watchers."""

    def __init__(self, min_lease_ttl: int = MIN_LEASE_TTL) -> None:
        self.revision = 1  # "When the store is created, the initial revision is 1."
        self.compact_revision = -1  # kvstore.go NewStore: compactMainRev: -1
        self._keys: list[str] = []  # live keys, sorted
        self._current: dict[str, KeyValue] = {}
        self._versions: dict[str, list[KeyValue]] = {}  # kept versions and tombstones, oldest first
        self._indexed: list[str] = []  # keys of _versions, sorted
        self._history: list[tuple[int, list[Event]]] = []
        self._subscribers: list[Callable[[int, list[Event]], None]] = []
        self._watchers: dict[int, _Watcher] = {}
        self._next_watch_id = 0
        self.lessor = Lessor(self._delete_leased_keys, min_lease_ttl)

    # -- reads ----------------------------------------------------------------------------

    def get(self, key: str) -> KeyValue | None:
        """The current version of one key, or None."""
        return self._current.get(key)

    def range(self, key: str, range_end: str = "", limit: int = 0, revision: int = 0,
              count_only: bool = False, keys_only: bool = False) -> tuple[list[KeyValue], int]:
        """Keys in [key, range_end) (just `key` when range_end is empty) as of `revision`
        (0: latest): (kvs, count)."""
        response = self.request(RangeRequest(key, range_end, limit, revision, count_only,
                                             keys_only))
        return response.kvs, response.count

    def request(self, request: Request) -> Response:
        """Serve one Range, Put or DeleteRange as etcd's KV service does; a write is one Txn."""
        _check_request(request)
        if isinstance(request, RangeRequest):
            self._check_revision(request.revision)
            return self._range(request, self.revision)
        if isinstance(request, PutRequest):
            self._check_lease(request.lease)  # txn.go Put looks the lease up first
        return self.txn([], [request], []).results[0]

    def _check_revision(self, revision: int) -> None:
        # kvstore_txn.go rangeKeys; reading exactly at the compact revision is allowed.
        if revision > self.revision:
            raise BadRequestError(ERR_FUTURE_REV)
        if 0 < revision < self.compact_revision:
            raise GoneError(ERR_COMPACTED)

    def _range(self, request: RangeRequest, latest: int) -> RangeResponse:
        kvs = self._kvs_at(request.key, request.range_end, request.revision, latest)
        count = len(kvs)
        if request.count_only:
            return RangeResponse([], count, False, latest)
        more = 0 < request.limit < count
        if request.limit > 0:
            kvs = kvs[:request.limit]
        if request.keys_only:
            kvs = [replace(kv, value="") for kv in kvs]
        return RangeResponse(kvs, count, more, latest)

    def _kvs_at(self, key: str, range_end: str, revision: int, latest: int) -> list[KeyValue]:
        if revision <= 0 or revision >= latest:
            if not range_end:
                return [self._current[key]] if key in self._current else []
            return [self._current[k] for k in _slice(self._keys, key, range_end)]
        keys = [key] if not range_end else _slice(self._indexed, key, range_end)
        found = (_version_at(self._versions.get(k, []), revision) for k in keys)
        return [kv for kv in found if kv is not None]

    # -- writes ---------------------------------------------------------------------------

    def put(self, key: str, value: str, lease: int = NO_LEASE, *, prev_kv: bool = True,
            ignore_value: bool = False, ignore_lease: bool = False) -> tuple[int, KeyValue | None]:
        """Write one key in its own revision; returns (revision, previous kv).

        With ignore_value / ignore_lease the key must exist and keeps its value / lease
        (pass value "" / lease 0 then). prev_kv=False leaves the previous kv out.
        """
        response = self.request(PutRequest(key, value, lease, prev_kv, ignore_value, ignore_lease))
        return response.revision, response.prev_kv

    def delete_range(self, key: str, range_end: str = "") -> tuple[int, list[KeyValue]]:
        """Delete keys in [key, range_end); returns (revision, deleted kvs)."""
        response = self.request(DeleteRangeRequest(key, range_end, prev_kv=True))
        return response.revision, response.prev_kvs

    def txn(self, compares: list[Compare], success: list, failure: list) -> TxnResult:
        """If every compare holds run `success`, else `failure`; all writes share one revision.

        Operations are RangeRequest / PutRequest / DeleteRangeRequest (results: the matching
        responses) or tuples: ("put", key, value[, lease]) -> previous kv, ("delete", key[,
        range_end]) -> deleted kvs, ("range", key[, range_end]) -> kvs.
        """
        # v3rpc/key.go checks compares and both branches before anything runs.
        for compare in compares:
            _check_compare(compare)
        branches = ([_as_request(op) for op in success], [_as_request(op) for op in failure])
        for branch in branches:
            for request in branch:
                _check_request(request)
        for branch in branches:
            _check_intervals(branch)
        ok = all(self._holds(c) for c in compares)
        ops, requests = (success, branches[0]) if ok else (failure, branches[1])
        self._check_applicable(requests)
        rev = self.revision + 1
        events: list[Event] = []
        responses = [self._execute(request, rev, events) for request in requests]
        if events:
            self._commit(rev, events)
        results = [_legacy_result(r) if isinstance(op, tuple) else r
                   for op, r in zip(ops, responses, strict=True)]
        return TxnResult(ok, self.revision, results)

    def _holds(self, c: Compare) -> bool:
        # etcdserver/txn/txn.go applyCompare: every key in the range must satisfy the compare;
        # with no key, version/create/mod/lease compare as 0 and a value compare is false.
        kvs = self._kvs_at(c.key, c.range_end, 0, self.revision)
        if not kvs:
            if c.target == "value":
                return False
            kvs = [KeyValue(c.key, "", 0, 0, 0, 0)]
        return all(_compare(getattr(kv, COMPARE_TARGETS[c.target]), c.op, c.value) for kv in kvs)

    def _check_applicable(self, requests: list[Request]) -> None:
        # etcdserver/txn/txn.go checkTxn: the branch that runs is checked against the store.
        for request in requests:
            if isinstance(request, RangeRequest):
                self._check_revision(request.revision)
            elif isinstance(request, PutRequest):
                if (request.ignore_value or request.ignore_lease) and request.key not in \
                        self._current:
                    raise BadRequestError(ERR_KEY_NOT_FOUND)
                self._check_lease(request.lease)

    def _check_lease(self, lease: int) -> None:
        if lease != NO_LEASE and self.lessor.lookup(lease) is None:
            raise NotFoundError(ERR_LEASE_NOT_FOUND)

    def _execute(self, request: Request, rev: int, events: list[Event]) -> Response:
        if isinstance(request, RangeRequest):
            return self._range(request, rev if events else self.revision)
        if isinstance(request, PutRequest):
            return self._put(request, rev, events)
        return self._delete(request, rev, events)

    def _put(self, request: PutRequest, rev: int, events: list[Event]) -> PutResponse:
        prev = self._current.get(request.key)
        value = prev.value if request.ignore_value else request.value
        lease = prev.lease if request.ignore_lease else request.lease
        if prev is None:
            bisect.insort(self._keys, request.key)
            kv = KeyValue(request.key, value, rev, rev, 1, lease)
        else:
            kv = KeyValue(request.key, value, prev.create_revision, rev, prev.version + 1, lease)
        self._current[request.key] = kv
        self._keep_version(kv)
        # kvstore_txn.go put: a key has at most one lease; a new put moves or drops it.
        old_lease = prev.lease if prev else NO_LEASE
        if old_lease != lease:
            if old_lease != NO_LEASE:
                self.lessor.detach(old_lease, request.key)
            if lease != NO_LEASE:
                self.lessor.attach(lease, request.key)
        events.append(Event("PUT", kv, prev))
        return PutResponse(rev, prev if request.prev_kv else None)

    def _delete(self, request: DeleteRangeRequest, rev: int,
                events: list[Event]) -> DeleteRangeResponse:
        gone = self._kvs_at(request.key, request.range_end, 0, self.revision)
        for prev in gone:
            del self._current[prev.key]
            del self._keys[bisect.bisect_left(self._keys, prev.key)]
            tombstone = KeyValue(prev.key, "", 0, rev, 0, 0)
            self._keep_version(tombstone)
            if prev.lease != NO_LEASE:
                self.lessor.detach(prev.lease, prev.key)
            events.append(Event("DELETE", tombstone, prev))
        # kvstore_txn.go DeleteRange: the revision only moves if the txn changed something.
        revision = rev if events else self.revision
        return DeleteRangeResponse(revision, len(gone), gone if request.prev_kv else [])

    def _keep_version(self, kv: KeyValue) -> None:
        if kv.key not in self._versions:
            self._versions[kv.key] = []
            bisect.insort(self._indexed, kv.key)
        self._versions[kv.key].append(kv)

    def _delete_leased_keys(self, keys: list[str]) -> int:
        rev = self.revision + 1
        events: list[Event] = []
        for key in keys:
            self._delete(DeleteRangeRequest(key), rev, events)
        if events:
            self._commit(rev, events)
        return self.revision

    def _commit(self, rev: int, events: list[Event]) -> None:
        self.revision = rev
        self._history.append((rev, events))
        for subscriber in list(self._subscribers):
            subscriber(rev, events)
        for watcher in list(self._watchers.values()):
            if watcher.id in self._watchers and rev >= watcher.min_revision:
                watcher.send(rev, [e for e in events
                                   if in_range(e.kv.key, watcher.key, watcher.range_end)])

    # -- compaction and snapshots ---------------------------------------------------------

    def compact(self, revision: int) -> None:
        """Forget the versions superseded at `revision` and the events before it (etcd's Compact).

        Each key keeps its newest version at or before `revision`, unless that is a deletion
        (key_index.go compact), so reads at `revision` or later still answer exactly.
        """
        if revision <= self.compact_revision:  # kvstore.go updateCompactRev
            raise GoneError(ERR_COMPACTED)
        if revision > self.revision:
            raise BadRequestError(ERR_FUTURE_REV)
        self.compact_revision = revision
        kept_keys = []
        for key in self._indexed:
            versions = self._versions[key]
            newest = bisect.bisect_right(versions, revision, key=_mod_revision) - 1
            if newest >= 0:
                del versions[:newest + (1 if versions[newest].version == 0 else 0)]
            if versions:
                kept_keys.append(key)
            else:
                del self._versions[key]
        self._indexed = kept_keys
        del self._history[:bisect.bisect_left(self._history, revision, key=_first)]
        if self._history and self._history[0][0] == revision:  # its tombstones are gone
            puts = [e for e in self._history[0][1] if e.type == "PUT"]
            self._history[:1] = [(revision, puts)] if puts else []

    def dump(self) -> list[KeyValue]:
        """Every current key-value, in key order (what a snapshot saves)."""
        return [self._current[k] for k in self._keys]

    def restore(self, kvs: list[KeyValue], revision: int) -> None:
        """Load a snapshot of keys only: the keys and the revision; history before it is gone."""
        self.restore_snapshot(Snapshot(list(kvs), revision))

    def snapshot(self) -> Snapshot:
        """Keys, revision and leases: everything a restarted member needs besides the WAL."""
        return Snapshot(self.dump(), self.revision, self.lessor.dump(), self.lessor.next_id)

    def restore_snapshot(self, snapshot: Snapshot) -> None:
        """Load a snapshot; history before it is gone, and leases wait for `lessor.promote`."""
        self.lessor.restore(snapshot.leases, snapshot.next_lease_id)
        self._current = {kv.key: kv for kv in snapshot.kvs}
        self._keys = sorted(self._current)
        self._versions = {kv.key: [kv] for kv in snapshot.kvs}
        self._indexed = list(self._keys)
        self.revision = snapshot.revision
        self.compact_revision = snapshot.revision
        self._history = []
        for kv in snapshot.kvs:  # kvstore.go restore re-attaches keys to their leases
            if kv.lease != NO_LEASE and self.lessor.lookup(kv.lease) is not None:
                self.lessor.attach(kv.lease, kv.key)

    # -- history and watch ----------------------------------------------------------------

    def events_since(self, start_revision: int, key: str, range_end: str = "") -> list[Event]:
        """Events on [key, range_end) at revisions >= start_revision (a watch's replay).

        Start 0 means "from now on": no past events. Events carry prev_kv as a prev_kv watch
        sees them.
        """
        if 0 < start_revision < self.compact_revision:
            raise GoneError(ERR_COMPACTED)
        return self._replay(start_revision, key, range_end) if start_revision > 0 else []

    def _replay(self, start: int, key: str, range_end: str) -> list[Event]:
        first = bisect.bisect_left(self._history, start, key=_first)
        events = [e for _, events in self._history[first:] for e in events
                  if in_range(e.kv.key, key, range_end)]
        # v3rpc/watch.go reads prev_kv at mod_revision - 1, which is compacted for an event at
        # the compact revision: such an event comes without prev_kv.
        return [replace(e, prev_kv=None) if e.kv.mod_revision <= self.compact_revision else e
                for e in events]

    def watch(self, key: str, range_end: str = "", start_revision: int = 0, *,
              callback: Callable[[WatchResponse], None], prev_kv: bool = False,
              filters: tuple[str, ...] = ()) -> int:
        """Call `callback` with the events on [key, range_end) from `start_revision` (inclusive;
        0: from now on); returns the watch ID.

        Past events arrive at once in one response. A start before the compact revision gets one
        canceled response carrying the compact revision (watcher_group.go chooseAll), and no more.
        """
        if start_revision < 0:
            raise BadRequestError(f"watch start_revision must be >= 0, got {start_revision}")
        for name in filters:
            if name not in (NOPUT, NODELETE):
                raise BadRequestError(f"unknown watch filter {name!r}; use NOPUT or NODELETE")
        key = key or "\0"  # v3rpc/watch.go: an empty key is the smallest key, "\x00"
        watch_id = self._next_watch_id
        self._next_watch_id += 1
        if 0 < start_revision < self.compact_revision:
            callback(WatchResponse(watch_id, 0, [], self.compact_revision, canceled=True))
            return watch_id
        # watchable_store.go watch: a watcher from now (or a future revision) is synced at once.
        synced = start_revision == 0 or start_revision > self.revision
        watcher = _Watcher(watch_id, key, range_end, max(self.revision + 1, start_revision),
                           callback, prev_kv, tuple(filters))
        self._watchers[watch_id] = watcher
        if not synced:
            watcher.send(self.revision, self._replay(start_revision, key, range_end))
        return watch_id

    def cancel_watch(self, watch_id: int) -> bool:
        """Stop a watch; False if there was no such watch."""
        return self._watchers.pop(watch_id, None) is not None

    def subscribe(self, watcher: Callable[[int, list[Event]], None]) -> None:
        """Call `watcher(revision, events)` after every write (events carry prev_kv)."""
        self._subscribers.append(watcher)

    def unsubscribe(self, watcher: Callable[[int, list[Event]], None]) -> None:
        """Stop calling `watcher`."""
        if watcher in self._subscribers:
            self._subscribers.remove(watcher)


# -- helpers --------------------------------------------------------------------------------


def _slice(keys: list[str], key: str, range_end: str) -> list[str]:
    lo = bisect.bisect_left(keys, key)
    hi = len(keys) if range_end == ALL_FROM_KEY else bisect.bisect_left(keys, range_end)
    return keys[lo:hi]


def _version_at(versions: list[KeyValue], revision: int) -> KeyValue | None:
    i = bisect.bisect_right(versions, revision, key=_mod_revision) - 1
    return versions[i] if i >= 0 and versions[i].version > 0 else None


def _mod_revision(kv: KeyValue) -> int:
    return kv.mod_revision


def _first(item: tuple[int, list[Event]]) -> int:
    return item[0]


def _compare(actual: int | str, op: str, expected: int | str) -> bool:
    if op == "=":
        return actual == expected
    if op == "!=":
        return actual != expected
    return actual > expected if op == ">" else actual < expected


def _check_compare(c: Compare) -> None:
    if not c.key:
        raise BadRequestError(ERR_EMPTY_KEY)
    if c.target not in COMPARE_TARGETS:
        raise BadRequestError(f"unknown compare target {c.target!r}; "
                              f"use {', '.join(COMPARE_TARGETS)}")
    if c.op not in COMPARE_OPS:
        raise BadRequestError(f"unknown compare operator {c.op!r}; use =, !=, > or <")
    wanted = str if c.target == "value" else int
    if not isinstance(c.value, wanted) or isinstance(c.value, bool):
        raise BadRequestError(f"a {c.target} compare needs a {wanted.__name__} value, "
                              f"got {c.value!r}")


def _check_request(request: Request) -> None:
    # v3rpc/key.go checkRangeRequest, checkPutRequest, checkDeleteRequest.
    if not request.key:
        raise BadRequestError(ERR_EMPTY_KEY)
    if isinstance(request, PutRequest):
        if request.ignore_value and request.value:
            raise BadRequestError(ERR_VALUE_PROVIDED)
        if request.ignore_lease and request.lease != NO_LEASE:
            raise BadRequestError(ERR_LEASE_PROVIDED)


def _check_intervals(requests: list[Request]) -> None:
    # v3rpc/key.go checkIntervals: a put may not meet another put or a delete of the same txn.
    deleted = [(r.key, r.range_end) for r in requests if isinstance(r, DeleteRangeRequest)]
    written: set[str] = set()
    for request in requests:
        if isinstance(request, PutRequest):
            if request.key in written or any(in_range(request.key, k, end) for k, end in deleted):
                raise BadRequestError(ERR_DUPLICATE_KEY)
            written.add(request.key)


_TUPLE_OPS = {"put": PutRequest, "delete": DeleteRangeRequest, "range": RangeRequest}


def _as_request(op: object) -> Request:
    if isinstance(op, RangeRequest | PutRequest | DeleteRangeRequest):
        return op
    if not isinstance(op, tuple) or not op or op[0] not in _TUPLE_OPS:
        name = op[0] if isinstance(op, tuple) and op else op
        raise BadRequestError(f"unknown txn operation {name!r}; use put, delete or range "
                              "(or a RangeRequest, PutRequest, DeleteRangeRequest)")
    kind, *args = op
    shapes = {"put": "(put, key, value[, lease])", "delete": "(delete, key[, range_end])",
              "range": "(range, key[, range_end])"}
    fewest = 2 if kind == "put" else 1
    if not fewest <= len(args) <= fewest + 1:
        raise BadRequestError(f"txn operation {op!r} has the wrong shape; use {shapes[kind]}")
    if kind == "range":
        return RangeRequest(*args)
    return _TUPLE_OPS[kind](*args, prev_kv=True)


def _legacy_result(response: Response) -> object:
    if isinstance(response, RangeResponse):
        return response.kvs
    if isinstance(response, PutResponse):
        return response.prev_kv
    return response.prev_kvs

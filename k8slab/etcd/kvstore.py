"""etcd v3's multi-version key-value store: one revision counter for the store, per-key history.

Revision starts at 1 and grows by one per write request (a transaction is one revision, a delete
of nothing is none). Each key keeps create_revision, mod_revision and version, and every version
since the last compaction, so a read can ask for the store as it was at an earlier revision
(docs v3.6 data_model.md; code server/storage/mvcc/kvstore.go). Leases live beside the keys
(lease.py); watchers are added on top (watchable_store.py).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from k8slab.etcd.errors import (
    CompactedError,
    DuplicateKeyError,
    EmptyKeyError,
    FutureRevisionError,
    InvalidArgumentError,
    KeyNotFoundError,
    LeaseNotFoundError,
    LeaseProvidedError,
    TooManyOpsError,
    ValueProvidedError,
)
from k8slab.etcd.lease import MIN_LEASE_TTL, Lessor
from k8slab.etcd.wire import (
    ALL_FROM_KEY,
    COMPARE_OPS,
    COMPARE_TARGETS,
    NO_LEASE,
    SORT_ORDERS,
    SORT_TARGETS,
    Compare,
    DeleteRangeRequest,
    DeleteRangeResponse,
    Event,
    KeyValue,
    PutRequest,
    PutResponse,
    RangeRequest,
    RangeResponse,
    RequestOp,
    ResponseHeader,
    ResponseOp,
    TxnResponse,
    in_range,
)

MAX_TXN_OPS = 128  # --max-txn-ops default (server/embed/config.go DefaultMaxTxnOps)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a member saves to restart from: current keys, revision, leases (id, TTL), and the
    versions kept since the last compaction (none: the keys alone, compacted at `revision`)."""

    kvs: list[KeyValue]
    revision: int
    leases: list[tuple[int, int]] = field(default_factory=list)
    next_lease_id: int = 1
    history: tuple[KeyValue, ...] = ()
    compact_revision: int | None = None


class KVStore:
    """The keys of one etcd member with their history, their leases, and compaction."""

    def __init__(self, min_lease_ttl: int = MIN_LEASE_TTL) -> None:
        self.revision = 1  # "When the store is created, the initial revision is 1."
        self.compact_revision = -1  # kvstore.go NewStore: compactMainRev: -1
        self._keys: list[str] = []  # live keys, sorted
        self._current: dict[str, KeyValue] = {}
        self._versions: dict[str, list[KeyValue]] = {}  # kept versions and tombstones, oldest first
        self._indexed: list[str] = []  # keys of _versions, sorted
        self.lessor = Lessor(self._delete_leased_keys, min_lease_ttl)

    # -- reads ----------------------------------------------------------------------------

    def get(self, key: str) -> KeyValue | None:
        """The current version of one key, or None."""
        return self._current.get(key)

    def range(self, key: str, range_end: str = "", limit: int = 0, revision: int = 0,
              count_only: bool = False, keys_only: bool = False) -> tuple[list[KeyValue], int]:
        """Keys in [key, range_end) (just `key` when range_end is empty) as of `revision`
        (0: latest): (kvs, count)."""
        response = self.request(RangeRequest(key, range_end, limit, revision,
                                             keys_only=keys_only, count_only=count_only))
        return response.kvs, response.count

    def request(self, request: RequestOp) -> ResponseOp:
        """Serve one Range, Put or DeleteRange as etcd's KV service does; a write is one Txn."""
        _check_request(request)
        if isinstance(request, RangeRequest):
            self._check_revision(request.revision)
            return self._range(request, self.revision)
        if isinstance(request, PutRequest):
            self._check_lease(request.lease)  # txn.go Put looks the lease up first
        return self.txn([], [request], []).responses[0]

    def _check_revision(self, revision: int) -> None:
        # kvstore_txn.go rangeKeys; reading exactly at the compact revision is allowed.
        if revision > self.revision:
            raise FutureRevisionError()
        if 0 < revision < self.compact_revision:
            raise CompactedError()

    def _range(self, request: RangeRequest, latest: int) -> RangeResponse:
        # etcdserver/txn/txn.go executeRange (v3.6): count is every key in the range; the revision
        # filters, then the sort, then the limit apply to the kvs, and `more` says the limit cut.
        kvs = self._kvs_at(request.key, request.range_end, request.revision, latest)
        header = ResponseHeader(revision=latest)
        if request.count_only:
            return RangeResponse(header, [], len(kvs))
        count = len(kvs)
        kvs = _sorted(_filtered(kvs, request), request)
        more = 0 < request.limit < len(kvs)
        if request.limit > 0:
            kvs = kvs[:request.limit]
        if request.keys_only:
            kvs = [replace(kv, value="") for kv in kvs]
        return RangeResponse(header, kvs, count, more)

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

    def txn(self, compares: Sequence[Compare], success: Sequence[RequestOp],
            failure: Sequence[RequestOp]) -> TxnResponse:
        """If every compare holds run `success`, else `failure`; all writes share one revision.

        Operations are RangeRequest, PutRequest and DeleteRangeRequest; the response holds the
        matching RangeResponse, PutResponse and DeleteRangeResponse, in order.
        """
        # v3rpc/key.go checkTxnRequest checks compares and both branches before anything runs.
        if max(len(compares), len(success), len(failure)) > MAX_TXN_OPS:
            raise TooManyOpsError()
        for compare in compares:
            _check_compare(compare)
        for branch in (success, failure):
            for request in branch:
                _check_request(request)
        for branch in (success, failure):
            _check_intervals(branch)
        ok = all(self._holds(c) for c in compares)
        requests = success if ok else failure
        self._check_applicable(requests)
        rev = self.revision + 1
        events: list[Event] = []
        responses = [self._execute(request, rev, events) for request in requests]
        if events:
            self._commit(rev, events)
        return TxnResponse(ResponseHeader(revision=self.revision), ok, responses)

    def _holds(self, c: Compare) -> bool:
        # etcdserver/txn/txn.go applyCompare: every key in the range must satisfy the compare;
        # with no key, version/create/mod/lease compare as 0 and a value compare is false.
        kvs = self._kvs_at(c.key, c.range_end, 0, self.revision)
        if not kvs:
            if c.target == "value":
                return False
            kvs = [KeyValue(c.key, "", 0, 0, 0, 0)]
        return all(_compare(getattr(kv, COMPARE_TARGETS[c.target]), c.op, c.value) for kv in kvs)

    def _check_applicable(self, requests: Sequence[RequestOp]) -> None:
        # etcdserver/txn/txn.go checkTxn: the branch that runs is checked against the store.
        for request in requests:
            if isinstance(request, RangeRequest):
                self._check_revision(request.revision)
            elif isinstance(request, PutRequest):
                if (request.ignore_value or request.ignore_lease) and request.key not in \
                        self._current:
                    raise KeyNotFoundError()
                self._check_lease(request.lease)

    def _check_lease(self, lease: int) -> None:
        if lease != NO_LEASE and self.lessor.lookup(lease) is None:
            raise LeaseNotFoundError()

    def _execute(self, request: RequestOp, rev: int, events: list[Event]) -> ResponseOp:
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
        return PutResponse(ResponseHeader(revision=rev), prev if request.prev_kv else None)

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
        return DeleteRangeResponse(ResponseHeader(revision=revision), len(gone),
                                   gone if request.prev_kv else [])

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
        """Make the write at `rev` the store's revision (a watchable store also tells watchers)."""
        self.revision = rev

    # -- compaction and snapshots ---------------------------------------------------------

    def compact(self, revision: int) -> None:
        """Forget the versions superseded at `revision` (etcd's Compact).

        Each key keeps its newest version at or before `revision`, unless that is a deletion
        (key_index.go compact), so reads at `revision` or later still answer exactly.
        """
        if revision <= self.compact_revision:  # kvstore.go updateCompactRev
            raise CompactedError()
        if revision > self.revision:
            raise FutureRevisionError()
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

    def dump(self) -> list[KeyValue]:
        """Every current key-value, in key order (what a snapshot saves)."""
        return [self._current[k] for k in self._keys]

    def restore(self, kvs: list[KeyValue], revision: int) -> None:
        """Load a snapshot of keys only: the keys and the revision; history before it is gone."""
        self.restore_snapshot(Snapshot(list(kvs), revision))

    def history(self) -> tuple[KeyValue, ...]:
        """Every kept version and tombstone, by revision then key (a db file's `key` bucket)."""
        kept = (kv for key in self._indexed for kv in self._versions[key])
        return tuple(sorted(kept, key=lambda kv: (kv.mod_revision, kv.key)))

    def snapshot(self) -> Snapshot:
        """Keys, revision and leases: everything a restarted member needs besides the WAL."""
        return Snapshot(self.dump(), self.revision, self.lessor.dump(), self.lessor.next_id)

    def restore_snapshot(self, snapshot: Snapshot) -> None:
        """Load a snapshot; history before it is gone, and leases wait for `lessor.promote`."""
        self.lessor.restore(snapshot.leases, snapshot.next_lease_id)
        self._current = {kv.key: kv for kv in snapshot.kvs}
        self._keys = sorted(self._current)
        self._versions = {kv.key: [kv] for kv in snapshot.kvs}
        if snapshot.history:
            self._versions = {}
            for kv in snapshot.history:
                self._versions.setdefault(kv.key, []).append(kv)
        self._indexed = sorted(self._versions)
        self.revision = snapshot.revision
        self.compact_revision = (snapshot.revision if snapshot.compact_revision is None
                                 else snapshot.compact_revision)
        for kv in snapshot.kvs:  # kvstore.go restore re-attaches keys to their leases
            if kv.lease != NO_LEASE and self.lessor.lookup(kv.lease) is not None:
                self.lessor.attach(kv.lease, kv.key)


# -- helpers --------------------------------------------------------------------------------


def _slice(keys: list[str], key: str, range_end: str) -> list[str]:
    lo = bisect.bisect_left(keys, key)
    hi = len(keys) if range_end == ALL_FROM_KEY else bisect.bisect_left(keys, range_end)
    return keys[lo:hi]


def _filtered(kvs: list[KeyValue], request: RangeRequest) -> list[KeyValue]:
    """The kvs the min/max mod and create revision filters keep (0: no filter)."""
    bounds = ((request.min_mod_revision, request.max_mod_revision, _mod_revision),
              (request.min_create_revision, request.max_create_revision, _create_revision))
    for low, high, of in bounds:
        kvs = [kv for kv in kvs if (not low or of(kv) >= low) and (not high or of(kv) <= high)]
    return kvs


def _sorted(kvs: list[KeyValue], request: RangeRequest) -> list[KeyValue]:
    """The kvs in the order asked; a target other than KEY with order NONE sorts ascending.

    The store's order is by key, so KEY ascending changes nothing. Ties keep key order, as
    Go's sort.Sort does for the short lists it sorts by insertion (it leaves longer ones'
    ties unspecified).
    """
    order = request.sort_order
    if request.sort_target != "KEY" and order == "NONE":
        order = "ASCEND"
    if order == "NONE":
        return kvs
    field_of = {"KEY": "key", "VERSION": "version", "CREATE": "create_revision",
                "MOD": "mod_revision", "VALUE": "value"}[request.sort_target]
    return sorted(kvs, key=lambda kv: getattr(kv, field_of), reverse=order == "DESCEND")


def _version_at(versions: list[KeyValue], revision: int) -> KeyValue | None:
    i = bisect.bisect_right(versions, revision, key=_mod_revision) - 1
    return versions[i] if i >= 0 and versions[i].version > 0 else None


def _mod_revision(kv: KeyValue) -> int:
    return kv.mod_revision


def _create_revision(kv: KeyValue) -> int:
    return kv.create_revision


def _compare(actual: int | str, op: str, expected: int | str) -> bool:
    if op == "=":
        return actual == expected
    if op == "!=":
        return actual != expected
    return actual > expected if op == ">" else actual < expected


def _check_compare(c: Compare) -> None:
    if not c.key:
        raise EmptyKeyError()
    if c.target not in COMPARE_TARGETS:
        raise InvalidArgumentError(f"unknown compare target {c.target!r}; "
                                   f"use {', '.join(COMPARE_TARGETS)}")
    if c.op not in COMPARE_OPS:
        raise InvalidArgumentError(f"unknown compare operator {c.op!r}; use =, !=, > or <")
    wanted = str if c.target == "value" else int
    if not isinstance(c.value, wanted) or isinstance(c.value, bool):
        raise InvalidArgumentError(f"a {c.target} compare needs a {wanted.__name__} value, "
                                   f"got {c.value!r}")


def _check_request(request: RequestOp) -> None:
    # v3rpc/key.go checkRangeRequest, checkPutRequest, checkDeleteRequest.
    if not isinstance(request, RangeRequest | PutRequest | DeleteRangeRequest):
        raise InvalidArgumentError(f"unknown txn operation {request!r}; use a RangeRequest, "
                                   "PutRequest or DeleteRangeRequest")
    if not request.key:
        raise EmptyKeyError()
    if isinstance(request, RangeRequest):
        if request.sort_order not in SORT_ORDERS:
            raise InvalidArgumentError(f"unknown sort order {request.sort_order!r}; "
                                       f"use {', '.join(SORT_ORDERS)}")
        if request.sort_target not in SORT_TARGETS:
            raise InvalidArgumentError(f"unknown sort target {request.sort_target!r}; "
                                       f"use {', '.join(SORT_TARGETS)}")
    if isinstance(request, PutRequest):
        if request.ignore_value and request.value:
            raise ValueProvidedError()
        if request.ignore_lease and request.lease != NO_LEASE:
            raise LeaseProvidedError()


def _check_intervals(requests: Sequence[RequestOp]) -> None:
    # v3rpc/key.go checkIntervals: a put may not meet another put or a delete of the same txn.
    deleted = [(r.key, r.range_end) for r in requests if isinstance(r, DeleteRangeRequest)]
    written: set[str] = set()
    for request in requests:
        if isinstance(request, PutRequest):
            if request.key in written or any(in_range(request.key, k, end) for k, end in deleted):
                raise DuplicateKeyError()
            written.add(request.key)

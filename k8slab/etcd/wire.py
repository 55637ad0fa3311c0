"""What travels between an etcd client and a member: requests, responses, keys and events.

The names and fields are etcd's (api/etcdserverpb/rpc.proto, api/mvccpb/kv.proto), so a reader
can hold them next to the proto files; a response's header is reduced to the store `revision`.
Key ranges follow etcd's API: [key, range_end), an empty range_end for one key, "\\0" for every
key from `key` on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

NO_LEASE = 0  # lease.NoLease: a key without a lease
# A range_end of "\0" means every key >= key (etcd api.md, RangeRequest.range_end).
ALL_FROM_KEY = "\0"
# Watch filters (rpc.proto WatchCreateRequest.FilterType): drop PUT or DELETE events.
NOPUT, NODELETE = "NOPUT", "NODELETE"
# Compare targets and the KeyValue field each reads (rpc.proto Compare.CompareTarget).
COMPARE_TARGETS = {"version": "version", "create": "create_revision", "mod": "mod_revision",
                   "value": "value", "lease": "lease"}
COMPARE_OPS = ("=", "!=", ">", "<")


def prefix_end(prefix: str) -> str:
    """The range_end that makes [prefix, range_end) cover every key starting with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def in_range(candidate: str, key: str, range_end: str) -> bool:
    """True if `candidate` is `key` (no range_end) or lies in [key, range_end)."""
    if not range_end:
        return candidate == key
    return key <= candidate and (range_end == ALL_FROM_KEY or candidate < range_end)


# -- keys and events (mvccpb) -------------------------------------------------------------------


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


# -- the KV service: Range, Put, DeleteRange, Txn, Compact ---------------------------------------


@dataclass(frozen=True, slots=True)
class RangeRequest:
    """Read [key, range_end) as of `revision` (0: latest); `limit` 0 means no limit.

    A serializable read is answered from the member's own store, without asking the leader.
    """

    verb: ClassVar[str] = "range"
    key: str
    range_end: str = ""
    limit: int = 0
    revision: int = 0
    count_only: bool = False
    keys_only: bool = False
    serializable: bool = False


@dataclass(frozen=True, slots=True)
class PutRequest:
    """Write one key; ignore_value / ignore_lease keep the key's current value / lease."""

    verb: ClassVar[str] = "put"
    key: str
    value: str = ""
    lease: int = NO_LEASE
    prev_kv: bool = False
    ignore_value: bool = False
    ignore_lease: bool = False


@dataclass(frozen=True, slots=True)
class DeleteRangeRequest:
    """Delete every key in [key, range_end)."""

    verb: ClassVar[str] = "delete"
    key: str
    range_end: str = ""
    prev_kv: bool = False


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


RequestOp = RangeRequest | PutRequest | DeleteRangeRequest


@dataclass(frozen=True, slots=True)
class TxnRequest:
    """If every compare holds run `success`, else `failure`: all writes share one revision."""

    verb: ClassVar[str] = "txn"
    compare: tuple[Compare, ...] = ()
    success: tuple[RequestOp, ...] = ()
    failure: tuple[RequestOp, ...] = ()


@dataclass(frozen=True, slots=True)
class CompactionRequest:
    """Forget the history before `revision`."""

    verb: ClassVar[str] = "compact"
    revision: int


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


ResponseOp = RangeResponse | PutResponse | DeleteRangeResponse


@dataclass
class TxnResponse:
    """The answer to a Txn: which branch ran, the store revision, one response per operation."""

    succeeded: bool
    revision: int
    responses: list[ResponseOp] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CompactionResponse:
    """The store revision when the compaction was applied."""

    revision: int


# -- the Lease service ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LeaseGrantRequest:
    """A lease of `ttl` seconds; ID 0 lets the member choose one."""

    verb: ClassVar[str] = "lease_grant"
    ttl: int
    id: int = NO_LEASE


@dataclass(frozen=True, slots=True)
class LeaseGrantResponse:
    """The lease granted: its ID and TTL (raised to the minimum TTL if asked for less)."""

    id: int
    ttl: int


@dataclass(frozen=True, slots=True)
class LeaseRevokeRequest:
    """End a lease and delete the keys attached to it."""

    verb: ClassVar[str] = "lease_revoke"
    id: int


@dataclass(frozen=True, slots=True)
class LeaseRevokeResponse:
    """The store revision after the lease's keys were deleted."""

    revision: int


@dataclass(frozen=True, slots=True)
class LeaseKeepAliveRequest:
    """Restart a lease's countdown; only the leader keeps the lease clocks."""

    verb: ClassVar[str] = "lease_keepalive"
    id: int


@dataclass(frozen=True, slots=True)
class LeaseKeepAliveResponse:
    """The lease renewed and its TTL."""

    id: int
    ttl: int


# -- the Maintenance and Watch services ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatusRequest:
    """What `etcdctl endpoint status` asks a member."""

    verb: ClassVar[str] = "status"


@dataclass(frozen=True, slots=True)
class StatusResponse:
    """One member's view: its name, its leader, role and term, its Raft indexes, its revision."""

    member: str
    leader: str | None
    role: str
    term: int
    raft_index: int
    raft_applied_index: int
    revision: int


@dataclass(frozen=True, slots=True)
class WatchCreateRequest:
    """Watch [key, range_end) from `start_revision` (inclusive; 0: from now on)."""

    key: str
    range_end: str = ""
    start_revision: int = 0


@dataclass(frozen=True, slots=True)
class WatchResponse:
    """What a watcher receives: events at `revision`, or a cancellation after compaction."""

    watch_id: int
    revision: int
    events: list[Event] = field(default_factory=list)
    compact_revision: int = 0
    canceled: bool = False


# The requests that change replicated state: a member proposes them to Raft.
WriteRequest = (PutRequest | DeleteRangeRequest | TxnRequest | CompactionRequest
                | LeaseGrantRequest | LeaseRevokeRequest)
# Every request a member answers on its client port (a watch opens a stream instead).
Request = WriteRequest | RangeRequest | LeaseKeepAliveRequest | StatusRequest


@dataclass(frozen=True, slots=True)
class InternalRaftRequest:
    """A write as it sits in a Raft log entry: a unique ID, the request, and the leader's clock.

    `now` is the time a lease is granted from, so every member applies the same expiry.
    """

    id: str
    request: WriteRequest
    now: float = 0.0

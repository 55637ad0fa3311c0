"""What travels between an etcd client and a member: requests, responses, keys and events.

The names and fields are etcd's (api/etcdserverpb/rpc.proto, api/mvccpb/kv.proto), so a reader
can hold them next to the proto files; every response carries etcd's ResponseHeader. Key ranges
follow etcd's API: [key, range_end), an empty range_end for one key, "\\0" for every key from
`key` on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from k8slab.etcd.errors import CompactedError, FutureRevisionError

NO_LEASE = 0  # lease.NoLease: a key without a lease
# A range_end of "\0" means every key >= key (etcd api.md, RangeRequest.range_end).
ALL_FROM_KEY = "\0"
# Watch filters (rpc.proto WatchCreateRequest.FilterType): drop PUT or DELETE events.
NOPUT, NODELETE = "NOPUT", "NODELETE"
# Compare targets and the KeyValue field each reads (rpc.proto Compare.CompareTarget).
COMPARE_TARGETS = {"version": "version", "create": "create_revision", "mod": "mod_revision",
                   "value": "value", "lease": "lease"}
COMPARE_OPS = ("=", "!=", ">", "<")
# RangeRequest.SortOrder and RangeRequest.SortTarget (rpc.proto), by their enum names.
SORT_ORDERS = ("NONE", "ASCEND", "DESCEND")
SORT_TARGETS = ("KEY", "VERSION", "CREATE", "MOD", "VALUE")
_LAST_CHAR = chr(0x10FFFF)  # a str key's largest character (etcd's keys are bytes: 0xff)


def prefix_end(prefix: str) -> str:
    """The range_end that makes [prefix, range_end) cover every key starting with `prefix`.

    As clientv3's getPrefix: the last character that can grow grows by one and what follows it
    is cut; a prefix with none ("" or only largest characters) covers every key from it on.
    """
    stripped = prefix.rstrip(_LAST_CHAR)
    if not stripped:
        return ALL_FROM_KEY
    return stripped[:-1] + chr(ord(stripped[-1]) + 1)


def in_range(candidate: str, key: str, range_end: str) -> bool:
    """True if `candidate` is `key` (no range_end) or lies in [key, range_end)."""
    if not range_end:
        return candidate == key
    return key <= candidate and (range_end == ALL_FROM_KEY or candidate < range_end)


@dataclass(frozen=True, slots=True)
class ResponseHeader:
    """What every answer starts with (etcdserverpb.ResponseHeader): the cluster and the member
    that answered, the store revision, and the member's Raft term when it answered.

    The store fills in the revision; the member fills in the rest as it answers (v3rpc
    header.go fill), so a response built by the store alone has zeros there.
    """

    cluster_id: int = 0
    member_id: int = 0
    revision: int = 0
    raft_term: int = 0


class _Headed:
    """A response with a header; `revision` reads header.revision (clientv3's
    resp.Header.Revision), the field nearly every caller wants."""

    __slots__ = ()
    header: ResponseHeader

    @property
    def revision(self) -> int:
        """The store revision the response was answered at."""
        return self.header.revision


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


# -- members (etcdserverpb.Member) and their changes in the Raft log (raftpb.ConfChange) ---------


@dataclass(frozen=True, slots=True)
class Member:
    """One member as etcd's membership.Member: ID, name, peer URLs, client URLs, learner."""

    id: int
    name: str
    peer_urls: tuple[str, ...]
    client_urls: tuple[str, ...] = ()
    is_learner: bool = False


@dataclass(frozen=True, slots=True)
class ConfChange:
    """A membership change in the Raft log (raftpb.ConfChange); the context names the member."""

    type: str
    node_id: int
    context: Member


# -- the KV service: Range, Put, DeleteRange, Txn, Compact ---------------------------------------


@dataclass(frozen=True, slots=True)
class RangeRequest:
    """Read [key, range_end) as of `revision` (0: latest), in rpc.proto's field order.

    `limit` 0 means no limit; sort_order / sort_target as SORT_ORDERS / SORT_TARGETS; the
    min/max revision filters (0: none) drop keys outside them. A serializable read is answered
    from the member's own store, without asking the leader.
    """

    verb: ClassVar[str] = "range"
    key: str
    range_end: str = ""
    limit: int = 0
    revision: int = 0
    sort_order: str = "NONE"
    sort_target: str = "KEY"
    serializable: bool = False
    keys_only: bool = False
    count_only: bool = False
    min_mod_revision: int = 0
    max_mod_revision: int = 0
    min_create_revision: int = 0
    max_create_revision: int = 0


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
class RangeResponse(_Headed):
    """kvs (cut to the limit), count (every key in the range, whatever the limit and filters)
    and more (the limit cut some off), as etcd's applier Range answers."""

    header: ResponseHeader
    kvs: list[KeyValue]
    count: int
    more: bool = False


@dataclass
class PutResponse(_Headed):
    """The revision of the write, and the previous version if prev_kv was asked."""

    header: ResponseHeader
    prev_kv: KeyValue | None = None


@dataclass
class DeleteRangeResponse(_Headed):
    """The revision, how many keys were deleted, and their last versions if prev_kv was asked."""

    header: ResponseHeader
    deleted: int
    prev_kvs: list[KeyValue] = field(default_factory=list)


ResponseOp = RangeResponse | PutResponse | DeleteRangeResponse


@dataclass
class TxnResponse(_Headed):
    """The answer to a Txn: which branch ran, the store revision, one response per operation."""

    header: ResponseHeader
    succeeded: bool
    responses: list[ResponseOp] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CompactionResponse(_Headed):
    """The store revision when the compaction was applied."""

    header: ResponseHeader


# -- the Lease service ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LeaseGrantRequest:
    """A lease of `ttl` seconds; ID 0 lets the member choose one."""

    verb: ClassVar[str] = "lease_grant"
    ttl: int
    id: int = NO_LEASE


@dataclass(frozen=True, slots=True)
class LeaseGrantResponse(_Headed):
    """The lease granted: its ID and TTL (raised to the minimum TTL if asked for less)."""

    header: ResponseHeader
    id: int
    ttl: int


@dataclass(frozen=True, slots=True)
class LeaseRevokeRequest:
    """End a lease and delete the keys attached to it."""

    verb: ClassVar[str] = "lease_revoke"
    id: int


@dataclass(frozen=True, slots=True)
class LeaseRevokeResponse(_Headed):
    """The store revision after the lease's keys were deleted."""

    header: ResponseHeader


@dataclass(frozen=True, slots=True)
class LeaseKeepAliveRequest:
    """Restart a lease's countdown; only the leader keeps the lease clocks."""

    verb: ClassVar[str] = "lease_keepalive"
    id: int


@dataclass(frozen=True, slots=True)
class LeaseKeepAliveResponse(_Headed):
    """The lease renewed and its TTL."""

    header: ResponseHeader
    id: int
    ttl: int


@dataclass(frozen=True, slots=True)
class LeaseTimeToLiveRequest:
    """How long a lease has left; with `keys`, the keys attached to it too."""

    verb: ClassVar[str] = "lease_timetolive"
    id: int
    keys: bool = False


@dataclass(frozen=True, slots=True)
class LeaseTimeToLiveResponse(_Headed):
    """Whole seconds left (-1: no such lease), the TTL granted, and the keys if asked."""

    header: ResponseHeader
    id: int
    ttl: int
    granted_ttl: int = 0
    keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LeaseLeasesRequest:
    """Every lease the member knows (`etcdctl lease list`)."""

    verb: ClassVar[str] = "lease_leases"


@dataclass(frozen=True, slots=True)
class LeaseStatus:
    """One lease in a LeaseLeasesResponse: just its ID."""

    id: int


@dataclass(frozen=True, slots=True)
class LeaseLeasesResponse(_Headed):
    """The leases, soonest expiry first (lessor.go Leases sorts them so)."""

    header: ResponseHeader
    leases: tuple[LeaseStatus, ...] = ()


# -- the Maintenance and Watch services ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatusRequest:
    """What `etcdctl endpoint status` asks a member."""

    verb: ClassVar[str] = "status"


@dataclass(frozen=True, slots=True)
class StatusResponse(_Headed):
    """One member's view: its name, its leader, role and term, its Raft indexes, its revision.

    `leader_id` is the leader's member ID (0: none known), as etcd's StatusResponse.leader.
    """

    header: ResponseHeader
    member: str
    leader: str | None
    leader_id: int
    role: str
    term: int
    raft_index: int
    raft_applied_index: int


@dataclass(frozen=True, slots=True)
class MemberListRequest:
    """What `etcdctl member list` asks a member (the Cluster service's MemberList)."""

    verb: ClassVar[str] = "member_list"


@dataclass(frozen=True, slots=True)
class MemberListResponse(_Headed):
    """Every member: ID, name, peer and client URLs, learner or not, by member ID."""

    header: ResponseHeader
    members: tuple[Member, ...] = ()


@dataclass(frozen=True, slots=True)
class SnapshotRequest:
    """What `etcdctl snapshot save` asks one member (the Maintenance service's Snapshot)."""

    verb: ClassVar[str] = "snapshot"


@dataclass(frozen=True, slots=True)
class SnapshotResponse(_Headed):
    """The member's db file with its SHA-256 after it. etcd streams it in 32 KiB chunks, the
    header in the first; here it comes whole in one response."""

    header: ResponseHeader
    blob: bytes = b""


@dataclass(frozen=True, slots=True)
class WatchCreateRequest:
    """Watch [key, range_end) from `start_revision` (inclusive; 0: from now on); events carry
    the key's previous version only if `prev_kv` asks for it."""

    key: str
    range_end: str = ""
    start_revision: int = 0
    prev_kv: bool = False


@dataclass(frozen=True, slots=True)
class WatchResponse(_Headed):
    """What a watcher receives: events, or a cancellation.

    A watch cancelled by compaction carries the compact revision; clientv3 reports it as
    etcd's ErrCompacted (`err()`), which is what `etcdctl watch` prints.
    """

    header: ResponseHeader
    watch_id: int
    events: list[Event] = field(default_factory=list)
    compact_revision: int = 0
    canceled: bool = False
    cancel_reason: str = ""

    def err(self) -> str:
        """The error clientv3's WatchResponse.Err() gives ("" for none), in etcd's words."""
        if self.compact_revision != 0:
            return CompactedError.text
        if self.canceled:
            return self.cancel_reason or FutureRevisionError.text
        return ""


# The requests that change replicated state: a member proposes them to Raft.
WriteRequest = (PutRequest | DeleteRangeRequest | TxnRequest | CompactionRequest
                | LeaseGrantRequest | LeaseRevokeRequest)
# Every request a member answers on its client port (a watch opens a stream instead).
Request = (WriteRequest | RangeRequest | LeaseKeepAliveRequest | LeaseTimeToLiveRequest
           | LeaseLeasesRequest | StatusRequest | MemberListRequest | SnapshotRequest)


@dataclass(frozen=True, slots=True)
class InternalRaftRequest:
    """A write as it sits in a Raft log entry: a unique ID, the request, and the leader's clock.

    `now` is the time a lease is granted from, so every member applies the same expiry.
    """

    id: str
    request: WriteRequest
    now: float = 0.0

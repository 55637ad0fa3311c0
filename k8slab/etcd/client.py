"""The etcd client (clientv3's role): requests over the network to members' port 2379.

It knows several endpoints. A request goes to the endpoint that last answered; when that member
cannot be reached, the client tries the next one, so it follows the cluster through crashes and
leader changes. Reads are linearizable unless asked to be serializable. A write that got no answer
is not retried: it may have been applied, and applying it twice would not be the same.

Requests are built as clientv3 builds them (op.go): `op_get`, `op_put`, `op_delete` make the
operations a `txn` runs, and `get`, `put`, `delete` send one of them on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from typing import Any

from k8slab.etcd.errors import EtcdError
from k8slab.etcd.member import CLIENT_PORT, REQUEST_TIMEOUT
from k8slab.etcd.wire import (
    ALL_FROM_KEY,
    NO_LEASE,
    CompactionRequest,
    Compare,
    DeleteRangeRequest,
    LeaseGrantRequest,
    LeaseKeepAliveRequest,
    LeaseLeasesRequest,
    LeaseRevokeRequest,
    LeaseTimeToLiveRequest,
    MemberListRequest,
    PutRequest,
    RangeRequest,
    Request,
    RequestOp,
    SnapshotRequest,
    StatusRequest,
    TxnRequest,
    WatchCreateRequest,
    WatchResponse,
    prefix_end,
)
from k8slab.sim.errors import RefusedError, TimedOutError, UnreachableError
from k8slab.sim.host import ProcessGroup
from k8slab.sim.network import Stream

# A client waits a little longer than the server's own request timeout before giving up.
CLIENT_TIMEOUT = REQUEST_TIMEOUT + 1.0


def _key_range(key: str, prefix: bool, from_key: bool, range_end: str) -> tuple[str, str]:
    """(key, range_end) as clientv3's WithPrefix, WithFromKey and WithRange set them: an empty
    key with a prefix or from-key becomes "\\0", the smallest key, so it covers every key."""
    if sum((prefix, from_key, bool(range_end))) > 1:
        raise ValueError("give at most one of prefix, from_key and range_end")
    if prefix:
        return (key, prefix_end(key)) if key else (ALL_FROM_KEY, ALL_FROM_KEY)
    if from_key:
        return key or ALL_FROM_KEY, ALL_FROM_KEY
    return key, range_end


def op_get(key: str, *, prefix: bool = False, from_key: bool = False, range_end: str = "",
           limit: int = 0, revision: int = 0, sort_order: str = "NONE",
           sort_target: str = "KEY", serializable: bool = False, keys_only: bool = False,
           count_only: bool = False, min_mod_revision: int = 0, max_mod_revision: int = 0,
           min_create_revision: int = 0, max_create_revision: int = 0) -> RangeRequest:
    """A read of `key`, of every key under it (`prefix`), from it on (`from_key`), or of
    [key, range_end), with clientv3's options (WithLimit, WithRev, WithSort, WithMinModRev...)."""
    key, end = _key_range(key, prefix, from_key, range_end)
    return RangeRequest(key, end, limit, revision, sort_order, sort_target, serializable,
                        keys_only, count_only, min_mod_revision, max_mod_revision,
                        min_create_revision, max_create_revision)


def op_put(key: str, value: str, *, lease: int = NO_LEASE, prev_kv: bool = False,
           ignore_value: bool = False, ignore_lease: bool = False) -> PutRequest:
    """A write of one key, attached to `lease` (0: none)."""
    return PutRequest(key, value, lease, prev_kv, ignore_value, ignore_lease)


def op_delete(key: str, *, prefix: bool = False, from_key: bool = False, range_end: str = "",
              prev_kv: bool = False) -> DeleteRangeRequest:
    """A deletion of `key`, of every key under it (`prefix`), from it on (`from_key`), or of
    [key, range_end)."""
    key, end = _key_range(key, prefix, from_key, range_end)
    return DeleteRangeRequest(key, end, prev_kv)


class EtcdClient:
    """Talks to the etcd members on `endpoints` (host names) on behalf of one process group."""

    def __init__(self, group: ProcessGroup, endpoints: str | Sequence[str]) -> None:
        self.group = group
        self.endpoints = [endpoints] if isinstance(endpoints, str) else list(endpoints)
        if not self.endpoints:
            raise ValueError("an etcd client needs at least one endpoint")
        self._current = 0
        self._network = group.host.network

    @property
    def endpoint(self) -> str:
        """The endpoint requests go to now."""
        return self.endpoints[self._current]

    def _call(self, request: Request, *, retry: bool,
              timeout: float = CLIENT_TIMEOUT) -> Generator:
        """Send to the current endpoint; on an unreachable member move to the next one.

        With `retry`, a request that got no answer, or an Unavailable one (a member that timed
        out), is tried on the next endpoint too (safe for reads, as clientv3's retry interceptor
        does); otherwise only a refused connection (nothing was sent) moves on. `timeout` is
        the whole request's deadline, retries included, as a clientv3 context's.
        """
        deadline = self.group.sim.now + timeout
        last_error: UnreachableError | EtcdError | None = None
        for _ in range(len(self.endpoints)):
            left = deadline - self.group.sim.now
            if left <= 0:
                break
            try:
                return (yield from self._network.rpc(self.group.host.name, self.endpoint,
                                                     CLIENT_PORT, request, timeout=left))
            except (UnreachableError, EtcdError) as error:
                unavailable = (isinstance(error, UnreachableError)
                               or error.grpc_code == "Unavailable")
                if not (isinstance(error, RefusedError) or (retry and unavailable)):
                    raise
                last_error = error
                self._current = (self._current + 1) % len(self.endpoints)
        raise last_error or TimedOutError(f"etcd request to {self.endpoint} timed out "
                                          f"after {timeout:g}s")

    def get(self, key: str, **options: Any) -> Generator:
        """Read as `op_get` says (same options); returns a RangeResponse."""
        return (yield from self._call(op_get(key, **options), retry=True))

    def put(self, key: str, value: str, *, lease: int = NO_LEASE, prev_kv: bool = False,
            ignore_value: bool = False, ignore_lease: bool = False) -> Generator:
        """Write one key as `op_put` says; returns a PutResponse."""
        request = op_put(key, value, lease=lease, prev_kv=prev_kv, ignore_value=ignore_value,
                         ignore_lease=ignore_lease)
        return (yield from self._call(request, retry=False))

    def delete(self, key: str, *, prefix: bool = False, from_key: bool = False,
               range_end: str = "", prev_kv: bool = False) -> Generator:
        """Delete as `op_delete` says; returns a DeleteRangeResponse."""
        request = op_delete(key, prefix=prefix, from_key=from_key, range_end=range_end,
                            prev_kv=prev_kv)
        return (yield from self._call(request, retry=False))

    def txn(self, compare: Sequence[Compare], success: Sequence[RequestOp],
            failure: Sequence[RequestOp] = ()) -> Generator:
        """If every compare holds run `success`, else `failure`, through Raft (clientv3's
        Txn().If().Then().Else().Commit()); returns a TxnResponse."""
        request = TxnRequest(tuple(compare), tuple(success), tuple(failure))
        return (yield from self._call(request, retry=False))

    def compact(self, revision: int) -> Generator:
        """Compact history before `revision`; returns a CompactionResponse."""
        return (yield from self._call(CompactionRequest(revision), retry=False))

    def lease_grant(self, ttl: int, lease_id: int = NO_LEASE) -> Generator:
        """Grant a lease of `ttl` seconds; returns a LeaseGrantResponse (header, ID, TTL)."""
        return (yield from self._call(LeaseGrantRequest(ttl, lease_id), retry=False))

    def lease_revoke(self, lease_id: int) -> Generator:
        """Revoke a lease and delete its keys; returns a LeaseRevokeResponse."""
        return (yield from self._call(LeaseRevokeRequest(lease_id), retry=False))

    def lease_keep_alive(self, lease_id: int) -> Generator:
        """Refresh a lease once (served by the leader; clientv3's KeepAliveOnce); returns a
        LeaseKeepAliveResponse."""
        return (yield from self._call(LeaseKeepAliveRequest(lease_id), retry=True))

    def lease_time_to_live(self, lease_id: int, keys: bool = False) -> Generator:
        """Seconds a lease has left, its granted TTL and, with `keys`, its keys (answered by
        the leader); returns a LeaseTimeToLiveResponse, TTL -1 for an unknown lease."""
        return (yield from self._call(LeaseTimeToLiveRequest(lease_id, keys), retry=True))

    def leases(self) -> Generator:
        """Every lease the current endpoint knows; returns a LeaseLeasesResponse."""
        return (yield from self._call(LeaseLeasesRequest(), retry=True))

    def member_list(self) -> Generator:
        """Every member of the cluster (`etcdctl member list`); returns a MemberListResponse."""
        return (yield from self._call(MemberListRequest(), retry=True))

    def status(self, timeout: float = CLIENT_TIMEOUT) -> Generator:
        """`etcdctl endpoint status` of the current endpoint; returns a StatusResponse."""
        return (yield from self._network.rpc(self.group.host.name, self.endpoint, CLIENT_PORT,
                                             StatusRequest(), timeout=timeout))

    def snapshot(self, timeout: float = CLIENT_TIMEOUT) -> Generator:
        """The current endpoint's db file and its SHA-256 (Maintenance.Snapshot); returns a
        SnapshotResponse."""
        return (yield from self._network.rpc(self.group.host.name, self.endpoint, CLIENT_PORT,
                                             SnapshotRequest(), timeout=timeout))

    def watch(
        self,
        key: str,
        start_revision: int,
        on_message: Callable[[WatchResponse], None],
        on_close: Callable[[str], None],
        *,
        prefix: bool = False,
        from_key: bool = False,
        range_end: str = "",
        prev_kv: bool = False,
    ) -> Stream:
        """Watch `key` (or every key under it, from it on, or up to range_end, as `op_get`)
        from `start_revision` (inclusive; 0: from now on); events carry prev_kv if asked."""
        key, end = _key_range(key, prefix, from_key, range_end)
        request = WatchCreateRequest(key, end, start_revision, prev_kv)
        return self._network.open_stream(
            self.group.host.name, self.endpoint, CLIENT_PORT, request, on_message, on_close
        )

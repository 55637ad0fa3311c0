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

from k8slab.etcd.errors import EtcdError
from k8slab.etcd.member import CLIENT_PORT, REQUEST_TIMEOUT
from k8slab.etcd.wire import (
    NO_LEASE,
    CompactionRequest,
    Compare,
    DeleteRangeRequest,
    LeaseGrantRequest,
    LeaseKeepAliveRequest,
    LeaseRevokeRequest,
    PutRequest,
    RangeRequest,
    Request,
    RequestOp,
    StatusRequest,
    TxnRequest,
    WatchCreateRequest,
    WatchResponse,
    prefix_end,
)
from k8slab.sim.errors import RefusedError, UnreachableError
from k8slab.sim.host import ProcessGroup
from k8slab.sim.network import Stream

# A client waits a little longer than the server's own request timeout before giving up.
CLIENT_TIMEOUT = REQUEST_TIMEOUT + 1.0


def _range_end(key: str, prefix: bool, range_end: str) -> str:
    return prefix_end(key) if prefix else range_end


def op_get(key: str, *, prefix: bool = False, range_end: str = "", limit: int = 0,
           revision: int = 0, serializable: bool = False, keys_only: bool = False,
           count_only: bool = False) -> RangeRequest:
    """A read of `key`, of every key under it (`prefix`), or of [key, range_end)."""
    return RangeRequest(key, _range_end(key, prefix, range_end), limit, revision, count_only,
                        keys_only, serializable)


def op_put(key: str, value: str, *, lease: int = NO_LEASE, prev_kv: bool = False,
           ignore_value: bool = False, ignore_lease: bool = False) -> PutRequest:
    """A write of one key, attached to `lease` (0: none)."""
    return PutRequest(key, value, lease, prev_kv, ignore_value, ignore_lease)


def op_delete(key: str, *, prefix: bool = False, range_end: str = "",
              prev_kv: bool = False) -> DeleteRangeRequest:
    """A deletion of `key`, of every key under it (`prefix`), or of [key, range_end)."""
    return DeleteRangeRequest(key, _range_end(key, prefix, range_end), prev_kv)


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

    def _call(self, request: Request, *, retry: bool) -> Generator:
        """Send to the current endpoint; on an unreachable member move to the next one.

        With `retry`, a request that got no answer, or an Unavailable one (a member that timed
        out), is tried on the next endpoint too (safe for reads, as clientv3's retry interceptor
        does); otherwise only a refused connection (nothing was sent) moves on.
        """
        last_error: UnreachableError | EtcdError | None = None
        for _ in range(len(self.endpoints)):
            try:
                return (yield from self._network.rpc(self.group.host.name, self.endpoint,
                                                     CLIENT_PORT, request,
                                                     timeout=CLIENT_TIMEOUT))
            except (UnreachableError, EtcdError) as error:
                unavailable = (isinstance(error, UnreachableError)
                               or error.grpc_code == "Unavailable")
                if not (isinstance(error, RefusedError) or (retry and unavailable)):
                    raise
                last_error = error
                self._current = (self._current + 1) % len(self.endpoints)
        raise last_error

    def get(self, key: str, *, prefix: bool = False, range_end: str = "", limit: int = 0,
            revision: int = 0, serializable: bool = False, keys_only: bool = False) -> Generator:
        """Read as `op_get` says; returns a RangeResponse."""
        request = op_get(key, prefix=prefix, range_end=range_end, limit=limit, revision=revision,
                         serializable=serializable, keys_only=keys_only)
        return (yield from self._call(request, retry=True))

    def put(self, key: str, value: str, *, lease: int = NO_LEASE) -> Generator:
        """Write one key; returns a PutResponse."""
        return (yield from self._call(op_put(key, value, lease=lease), retry=False))

    def delete(self, key: str, *, prefix: bool = False, range_end: str = "") -> Generator:
        """Delete as `op_delete` says; returns a DeleteRangeResponse."""
        request = op_delete(key, prefix=prefix, range_end=range_end)
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
        """Grant a lease of `ttl` seconds; returns a LeaseGrantResponse."""
        return (yield from self._call(LeaseGrantRequest(ttl, lease_id), retry=False))

    def lease_revoke(self, lease_id: int) -> Generator:
        """Revoke a lease and delete its keys; returns a LeaseRevokeResponse."""
        return (yield from self._call(LeaseRevokeRequest(lease_id), retry=False))

    def lease_keep_alive(self, lease_id: int) -> Generator:
        """Refresh a lease (served by the leader); returns a LeaseKeepAliveResponse."""
        return (yield from self._call(LeaseKeepAliveRequest(lease_id), retry=True))

    def status(self, timeout: float = CLIENT_TIMEOUT) -> Generator:
        """`etcdctl endpoint status` of the current endpoint; returns a StatusResponse."""
        return (yield from self._network.rpc(self.group.host.name, self.endpoint, CLIENT_PORT,
                                             StatusRequest(), timeout=timeout))

    def watch(
        self,
        prefix: str,
        start_revision: int,
        on_message: Callable[[WatchResponse], None],
        on_close: Callable[[str], None],
    ) -> Stream:
        """Watch every key under `prefix` from `start_revision` (inclusive)."""
        request = WatchCreateRequest(prefix, prefix_end(prefix), start_revision)
        return self._network.open_stream(
            self.group.host.name, self.endpoint, CLIENT_PORT, request, on_message, on_close
        )

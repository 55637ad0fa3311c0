"""The etcd client (clientv3's role): requests over the network to members' port 2379.

It knows several endpoints. A request goes to the endpoint that last answered; when that member
cannot be reached, the client tries the next one, so it follows the cluster through crashes and
leader changes. Reads are linearizable unless asked to be serializable. A write that got no answer
is not retried: it may have been applied, and applying it twice would not be the same.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from typing import Any

from k8slab.errors import UnavailableError
from k8slab.etcd.member import CLIENT_PORT, REQUEST_TIMEOUT
from k8slab.etcd.mvcc import Compare, TxnResult, prefix_end
from k8slab.sim.host import ProcessGroup
from k8slab.sim.network import Stream

# A client waits a little longer than the server's own request timeout before giving up.
CLIENT_TIMEOUT = REQUEST_TIMEOUT + 1.0


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

    def _call(self, request: dict, *, retry: bool) -> Generator:
        """Send to the current endpoint; on an unreachable member move to the next one.

        With `retry`, a request that got no answer at all is tried on the next endpoint too
        (safe for reads); otherwise only a refused connection (nothing was sent) moves on.
        """
        last_error: UnavailableError | None = None
        for _ in range(len(self.endpoints)):
            try:
                return (yield from self._network.rpc(self.group.host.name, self.endpoint,
                                                     CLIENT_PORT, request,
                                                     timeout=CLIENT_TIMEOUT))
            except UnavailableError as error:
                last_error = error
                refused = "connection refused" in error.message
                if not (refused or retry):
                    raise
                self._current = (self._current + 1) % len(self.endpoints)
        raise last_error

    def range(self, key: str, range_end: str = "", limit: int = 0, *,
              serializable: bool = False, revision: int = 0) -> Generator:
        """Read keys in [key, range_end): returns {"kvs", "count", "revision", "member"}."""
        request = {"op": "range", "key": key, "range_end": range_end, "limit": limit,
                   "serializable": serializable, "revision": revision}
        return (yield from self._call(request, retry=True))

    def range_prefix(self, prefix: str, *, serializable: bool = False) -> Generator:
        """Read every key starting with `prefix`."""
        return (yield from self.range(prefix, prefix_end(prefix), serializable=serializable))

    def txn(
        self,
        compares: list[Compare],
        success: list,
        failure: list | None = None,
        trace_key: str = "",
    ) -> Generator:
        """Run a transaction through Raft; returns a TxnResult."""
        request = {
            "op": "txn",
            "compares": [(c.key, c.target, c.op, c.value) for c in compares],
            "success": success,
            "failure": failure or [],
            "trace_key": trace_key,
        }
        result: TxnResult = yield from self._call(request, retry=False)
        return result

    def put(self, key: str, value: str, lease: int = 0) -> Generator:
        """Put one key (a Txn with no compares); returns the TxnResult."""
        return (yield from self.txn([], [("put", key, value, lease)], trace_key=key))

    def delete(self, key: str, range_end: str = "") -> Generator:
        """Delete [key, range_end); returns the TxnResult."""
        return (yield from self.txn([], [("delete", key, range_end)], trace_key=key))

    def compact(self, revision: int) -> Generator:
        """Compact history before `revision`."""
        return (yield from self._call({"op": "compact", "revision": revision}, retry=False))

    def lease_grant(self, ttl: int, lease_id: int = 0) -> Generator:
        """Grant a lease of `ttl` seconds; returns the Lease."""
        request = {"op": "lease_grant", "ttl": ttl, "lease_id": lease_id}
        return (yield from self._call(request, retry=False))

    def lease_revoke(self, lease_id: int) -> Generator:
        """Revoke a lease and delete its keys."""
        return (yield from self._call({"op": "lease_revoke", "lease_id": lease_id}, retry=False))

    def lease_keep_alive(self, lease_id: int) -> Generator:
        """Refresh a lease (served by the leader); returns its TTL."""
        request = {"op": "lease_keepalive", "lease_id": lease_id}
        return (yield from self._call(request, retry=True))

    def status(self, timeout: float = CLIENT_TIMEOUT) -> Generator:
        """`etcdctl endpoint status` of the current endpoint."""
        return (yield from self._network.rpc(self.group.host.name, self.endpoint, CLIENT_PORT,
                                             {"op": "status"}, timeout=timeout))

    def watch(
        self,
        prefix: str,
        start_revision: int,
        on_message: Callable[[Any], None],
        on_close: Callable[[str], None],
    ) -> Stream:
        """Watch every key under `prefix` from `start_revision` (inclusive)."""
        request = {
            "op": "watch",
            "key": prefix,
            "range_end": prefix_end(prefix),
            "start_revision": start_revision,
        }
        return self._network.open_stream(
            self.group.host.name, self.endpoint, CLIENT_PORT, request, on_message, on_close
        )

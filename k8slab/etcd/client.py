"""The etcd client the API server uses: requests over the network to a member's port 2379."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from k8slab.etcd.member import CLIENT_PORT
from k8slab.etcd.mvcc import Compare, TxnResult, prefix_end
from k8slab.sim.host import ProcessGroup
from k8slab.sim.network import Stream


class EtcdClient:
    """Talks to the etcd member on `endpoint` (a host name) on behalf of one process group."""

    def __init__(self, group: ProcessGroup, endpoint: str) -> None:
        self.group = group
        self.endpoint = endpoint
        self._network = group.host.network

    def _call(self, request: dict) -> Generator:
        return (
            yield from self._network.rpc(self.group.host.name, self.endpoint, CLIENT_PORT, request)
        )

    def range(self, key: str, range_end: str = "", limit: int = 0) -> Generator:
        """Read keys in [key, range_end): returns {"kvs", "count", "revision"}."""
        return (
            yield from self._call(
                {"op": "range", "key": key, "range_end": range_end, "limit": limit}
            )
        )

    def range_prefix(self, prefix: str) -> Generator:
        """Read every key starting with `prefix`."""
        return (yield from self.range(prefix, prefix_end(prefix)))

    def txn(
        self,
        compares: list[Compare],
        success: list[tuple],
        failure: list[tuple] | None = None,
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
        result: TxnResult = yield from self._call(request)
        return result

    def compact(self, revision: int) -> Generator:
        """Compact history before `revision`."""
        return (yield from self._call({"op": "compact", "revision": revision}))

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

"""The load balancer in front of the API servers of a highly available control plane.

kubeadm's HA set-up puts a TCP load balancer (HAProxy in its docs) at the control-plane endpoint.
It sends each connection to a healthy API server, and checks each server's /healthz regularly:
a server that fails `fall` checks in a row is taken out, one that passes `rise` checks comes back.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

from k8slab.errors import K8sLabError
from k8slab.sim.errors import RefusedError, UnreachableError
from k8slab.sim.host import ProcessGroup
from k8slab.sim.network import Stream

PORT = 6443
# kubeadm docs (ha-considerations.md) HAProxy example: check every 10 s, every 5 s while down,
# 2 failures to mark a server down, 2 successes to bring it back.
CHECK_INTERVAL, DOWN_INTERVAL, FALL, RISE = 10.0, 5.0, 2, 2
# The same example: `timeout connect 5s`, `retries 1` with `option redispatch`: a connection
# that cannot be made in 5 s is tried once more, on another server.
CONNECT_TIMEOUT, RETRIES = 5.0, 1
CHECK_TIMEOUT = 2.0  # a simplification: how long one health check waits
BACKEND = "apiserverbackend"  # the backend's name in kubeadm's example haproxy.cfg


@dataclass(frozen=True, slots=True)
class ServerStats:
    """One server's row of HAProxy's stats (`show stat`): proxy, server, and check status.

    `status` is "UP" or "DOWN", or while checks are moving it, "UP 1/2" (one more failed check
    takes it down) or "DOWN 1/2" (one passed check of the two that bring it back): HAProxy's
    src/stats.c srv_hlt_st.
    """

    proxy: str  # pxname
    server: str  # svname
    status: str

    @property
    def up(self) -> bool:
        """The server receives connections (UP, even while going down)."""
        return self.status.startswith("UP")


class LoadBalancer:
    """Round-robin over the API servers on `backends` that pass their health checks."""

    def __init__(self, group: ProcessGroup, backends: list[str]) -> None:
        if not backends:
            raise ValueError("a load balancer needs at least one backend")
        self.group = group
        self.sim = group.sim
        self.backends = list(backends)
        self.healthy = {b: True for b in self.backends}
        self._streak = {b: 0 for b in self.backends}
        self._next = 0
        self._network = group.host.network

    def start(self) -> None:
        """Listen on 6443 and start one health checker per backend."""
        self.group.listen(PORT, self)
        for backend in self.backends:
            self.group.spawn(self._check(backend))

    def _check(self, backend: str) -> Generator:
        while True:
            yield self.group.env.timeout(CHECK_INTERVAL if self.healthy[backend] else DOWN_INTERVAL)
            try:
                yield from self._network.rpc(self.group.host.name, backend, PORT,
                                             {"verb": "healthz", "resource": ""},
                                             timeout=CHECK_TIMEOUT)
                passed = True
            except K8sLabError:
                passed = False
            self._observe(backend, passed)

    def _observe(self, backend: str, passed: bool) -> None:
        if passed == self.healthy[backend]:
            self._streak[backend] = 0
            return
        self._streak[backend] += 1
        if self._streak[backend] >= (RISE if passed else FALL):
            self.healthy[backend] = passed
            self._streak[backend] = 0
            self.sim.record(self.group.host.name, "loadbalancer", "up" if passed else "down",
                            backend)

    def stats(self) -> tuple[ServerStats, ...]:
        """A row per backend API server with its health, as HAProxy's stats page reports it."""
        rows = []
        for backend in self.backends:
            streak = self._streak[backend]
            if self.healthy[backend]:
                status = f"UP {FALL - streak}/{FALL}" if streak else "UP"
            else:
                status = f"DOWN {streak}/{RISE}" if streak else "DOWN"
            rows.append(ServerStats(BACKEND, backend, status))
        return tuple(rows)

    def _pick(self) -> list[str]:
        """Backends in the order to try: healthy ones round-robin, starting after the last."""
        up = [b for b in self.backends if self.healthy[b]]
        if not up:
            return []
        start = self._next % len(up)
        self._next += 1
        return up[start:] + up[:start]

    def serve(self, request: dict) -> Generator:
        """Forward one request; a connection that fails is redispatched once to another server."""
        me = self.group.host.name
        for backend in self._pick()[: 1 + RETRIES]:
            if not self._network.reachable(me, backend):
                yield self.group.env.timeout(CONNECT_TIMEOUT)  # the connect never completes
                continue
            try:
                return (yield from self._network.rpc(me, backend, PORT, request))
            except RefusedError:
                continue
        raise UnreachableError("no API server is available behind the load balancer")

    def accept(self, request: dict, stream: Stream) -> None:
        """Pipe a watch through to a healthy API server; either side closing closes both."""
        me = self.group.host.name
        order = [b for b in self._pick() if self._network.reachable(me, b)]
        if not order:
            stream.close("no API server is available behind the load balancer")
            return
        backend: list[Stream] = []

        def forward(message: object) -> None:
            if not stream.send(message) and backend:
                backend[0].close("client went away")

        backend.append(self._network.open_stream(self.group.host.name, order[0], PORT, request,
                                                 forward, stream.close, owner=self.group))

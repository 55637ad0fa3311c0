"""The network between hosts: a networkx graph whose links have latency and loss, plus partitions.

Requests travel as messages (`rpc`): a lost message or a cut link means no answer, and the caller
times out. Watches ride on streams: when a stream cannot deliver, both ends see it close, as a
broken TCP connection would be noticed, and the client re-lists.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Sequence
from typing import Any

import networkx as nx

from k8slab.errors import K8sLabError
from k8slab.sim.errors import NoLinkError, RefusedError, TimedOutError, UnknownHostError
from k8slab.sim.host import Host, ProcessGroup
from k8slab.sim.kernel import Simulation

SWITCH = "switch"
# One-way latency of a host's link to the switch: 0.25 ms, so 0.5 ms host to host (a LAN).
DEFAULT_LINK_LATENCY = 0.00025
# How long a client waits for an answer before giving up (a simplification: one timeout for all).
REQUEST_TIMEOUT = 10.0


class Stream:
    """A long-lived server-to-client channel (a watch); closes when it cannot deliver."""

    def __init__(
        self,
        network: Network,
        client: str,
        server: str,
        on_message: Callable[[Any], None],
        on_close: Callable[[str], None],
    ) -> None:
        self.network = network
        self.client = client
        self.server = server
        self.open = True
        self._told_closed = False
        self._on_message = on_message
        self._on_close = on_close

    def send(self, message: Any) -> bool:
        """Deliver `message` to the client in order; on failure close the stream."""
        if not self.open:
            return False
        if not self.network.deliver(self.server, self.client, self._arrive, message):
            self.close("connection lost")
            return False
        return True

    def _arrive(self, message: Any) -> None:
        if not self._told_closed:
            self._on_message(message)

    def close(self, reason: str) -> None:
        """Close the stream; the client is told (if its host is still up).

        Like data before a TCP FIN, what was sent before the close still arrives first.
        """
        if not self.open:
            return
        self.open = False
        self.network.forget(self)
        if self.network.host(self.client).up:
            delay = (self.network.latency(self.server, self.client)
                     if self.network.reachable(self.server, self.client) else 0)
            self.network.sim.env.process(self._tell_client(reason, delay))

    def _tell_client(self, reason: str, delay: float) -> Generator:
        yield self.network.sim.env.timeout(delay)
        self._told_closed = True
        self._on_close(reason)


class Network:
    """Hosts joined by links on a networkx graph (a star around one switch by default)."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.graph = nx.Graph()
        self.graph.add_node(SWITCH)
        self._hosts: dict[str, Host] = {}
        self._blocked: set[tuple[str, str]] = set()
        self._streams: dict[int, Stream] = {}
        self._latency_cache: dict[tuple[str, str], float | None] = {}
        self._rng = sim.rng("network")
        self._lossy = False
        self._duplicate = 0.0
        self._jitter = 0.0

    # -- topology -------------------------------------------------------------------------

    def add_host(self, name: str, latency: float = DEFAULT_LINK_LATENCY) -> Host:
        """Create a host and cable it to the switch."""
        if name in self._hosts or name == SWITCH:
            raise ValueError(f"host name {name!r} is already taken")
        host = Host(self, name)
        self._hosts[name] = host
        self.graph.add_edge(name, SWITCH, latency=latency, loss=0.0)
        self._latency_cache.clear()
        return host

    def host(self, name: str) -> Host:
        """The host called `name`; a clear error names the hosts that exist."""
        if name not in self._hosts:
            known = ", ".join(self._hosts)
            raise UnknownHostError(f'no host named "{name}"; hosts are: {known}')
        return self._hosts[name]

    def hosts(self) -> list[Host]:
        """Every host, in the order they were added."""
        return list(self._hosts.values())

    def set_link(self, a: str, b: str, *, latency: float | None = None, loss: float | None = None):
        """Change the latency (seconds) or loss probability (0..1) of the link a-b."""
        if not self.graph.has_edge(a, b):
            raise NoLinkError(f"no link between {a!r} and {b!r}")
        if latency is not None and not 0 <= latency < math.inf:  # NaN fails both
            raise ValueError(f"latency must be a finite number >= 0 seconds, got {latency}")
        if loss is not None and not 0.0 <= loss <= 1.0:
            raise ValueError(f"loss must be a probability between 0 and 1, got {loss}")
        if latency is not None:
            self.graph.edges[a, b]["latency"] = latency
        if loss is not None:
            self.graph.edges[a, b]["loss"] = loss
            self._lossy = any(data["loss"] for _, _, data in self.graph.edges(data=True))
        self._latency_cache.clear()
        self.sim.record(a, "network", "link", f"{a}<->{b}", latency=latency, loss=loss)

    # -- faults ---------------------------------------------------------------------------

    def partition(self, *groups: Sequence[str]) -> None:
        """Cut every pair of hosts that sit in different groups; unlisted hosts are unaffected."""
        for group in groups:
            for name in group:
                self.host(name)
        for i, group in enumerate(groups):
            for other in groups[i + 1 :]:
                for a in group:
                    for b in other:
                        if a != b:
                            self._blocked.add((min(a, b), max(a, b)))
        self.sim.record("", "network", "partition", "", groups=[list(g) for g in groups])
        for stream in list(self._streams.values()):
            if not self.reachable(stream.server, stream.client):
                stream.close("network partition")

    def heal(self) -> None:
        """Remove every partition."""
        self._blocked.clear()
        self.sim.record("", "network", "heal", "")

    def crash(self, name: str) -> None:
        """Crash host `name`: its processes end, its streams break, its disk stays."""
        host = self.host(name)
        host.crash()
        for stream in list(self._streams.values()):
            if name in (stream.client, stream.server):
                stream.close("host crashed")

    def restart(self, name: str) -> None:
        """Power host `name` back on; it boots and runs its services again."""
        self.host(name).start()

    # -- delivery -------------------------------------------------------------------------

    def reachable(self, src: str, dst: str) -> bool:
        """True if both hosts are up and no partition or cut link separates them."""
        if not (self.host(src).up and self.host(dst).up):
            return False
        if src == dst:
            return True
        if (min(src, dst), max(src, dst)) in self._blocked:
            return False
        return self.latency(src, dst) is not None

    def latency(self, src: str, dst: str) -> float | None:
        """One-way latency along the fastest path, or None if no path exists."""
        if src == dst:
            return 0.0
        key = (src, dst)
        if key not in self._latency_cache:
            try:
                self._latency_cache[key] = nx.shortest_path_length(
                    self.graph, src, dst, weight="latency"
                )
            except nx.NetworkXNoPath:
                self._latency_cache[key] = None
        return self._latency_cache[key]

    def _loss(self, src: str, dst: str) -> float:
        if src == dst:
            return 0.0
        path = nx.shortest_path(self.graph, src, dst, weight="latency")
        survive = 1.0
        for a, b in zip(path, path[1:], strict=False):
            survive *= 1.0 - self.graph.edges[a, b]["loss"]
        return 1.0 - survive

    def deliver(
        self, src: str, dst: str, arrive: Callable[..., None], *args: Any, extra: float = 0.0
    ) -> bool:
        """Send a message: call `arrive(*args)` on `dst` after the latency (plus `extra` seconds).

        Returns False if the message is lost (no route, or the link's loss).
        """
        if not self.reachable(src, dst):
            return False
        loss = self._loss(src, dst) if self._lossy else 0.0
        if loss and self._rng.random() < loss:
            self.sim.record(src, "network", "drop", dst)
            return False
        delay = self.latency(src, dst) + extra
        event = self.sim.env.timeout(delay)
        event.callbacks.append(lambda _: self._arrive(dst, arrive, args))
        return True

    def _arrive(self, dst: str, arrive: Callable[..., None], args: tuple) -> None:
        if self._hosts[dst].up:
            arrive(*args)

    def set_faults(self, *, duplicate: float = 0.0, jitter: float = 0.0) -> None:
        """Faults for one-way peer messages (`send`): a chance of delivering a message twice,
        and a random extra delay of up to `jitter` seconds, which reorders messages."""
        if not 0.0 <= duplicate <= 1.0:
            raise ValueError(f"duplicate must be a probability between 0 and 1, got {duplicate}")
        if not 0 <= jitter < math.inf:
            raise ValueError(f"jitter must be >= 0 seconds, got {jitter}")
        self._duplicate, self._jitter = duplicate, jitter
        self.sim.record("", "network", "faults", "", duplicate=duplicate, jitter=jitter)

    def send(self, src: str, dst: str, port: int, message: Any) -> None:
        """A one-way message to the server on `dst:port`, which gets `server.receive(message)`.

        Like a datagram: it may be lost, and with `set_faults` delayed, reordered or duplicated.
        """
        copies = 2 if self._duplicate and self._rng.random() < self._duplicate else 1
        for _ in range(copies):
            extra = self._rng.uniform(0.0, self._jitter) if self._jitter else 0.0
            self.deliver(src, dst, self._receive, dst, port, message, extra=extra)

    def _receive(self, dst: str, port: int, message: Any) -> None:
        server = self._hosts[dst].server_on(port)
        if server is not None:
            server.group.guarded(server.receive)(message)

    def rpc(
        self, src: str, dst: str, port: int, request: Any, timeout: float = REQUEST_TIMEOUT
    ) -> Generator:
        """Send `request` to the server on `dst:port` and return its answer (a process step).

        The server is an object with a `group` (its ProcessGroup) and a generator `serve(request)`.

        Raises RefusedError when nothing listens on the port and TimedOutError when no answer
        comes in `timeout`; an error raised by the server comes back as the same exception.
        """
        env = self.sim.env
        reply = env.event()

        def answer(outcome: tuple) -> None:
            if not reply.triggered:
                reply.succeed(outcome)

        def at_server() -> None:
            server = self._hosts[dst].server_on(port)
            if server is None:
                refused = RefusedError(f"dial tcp {dst}:{port}: connect: connection refused")
                self.deliver(dst, src, answer, ("error", refused))
                return
            server.group.spawn(self._serve(server, request, src, dst, answer))

        self.deliver(src, dst, at_server)
        timer = env.timeout(timeout)
        timer.callbacks.append(lambda _: answer(("timeout", None)))
        status, value = yield reply
        if status == "timeout":
            raise TimedOutError(f"request to {dst}:{port} timed out after {timeout:g}s")
        if status == "error":
            raise value
        return value

    def _serve(self, server: Any, request: Any, src: str, dst: str, answer: Callable) -> Generator:
        try:
            value = yield from server.serve(request)
            outcome = ("ok", value)
        except K8sLabError as error:
            outcome = ("error", error)
        if self._hosts[dst].up:
            self.deliver(dst, src, answer, outcome)

    def open_stream(
        self,
        src: str,
        dst: str,
        port: int,
        request: Any,
        on_message: Callable[[Any], None],
        on_close: Callable[[str], None],
        owner: ProcessGroup | None = None,
    ) -> Stream:
        """Open a stream from client `src` to the server on `dst:port` (a watch request).

        With `owner`, the client's process group, an error in `on_message` or `on_close`
        crashes that group, as it would crash the client program.
        """
        if owner is not None:
            on_message, on_close = owner.guarded(on_message), owner.guarded(on_close)
        stream = Stream(self, src, dst, on_message, on_close)
        self._streams[id(stream)] = stream

        def at_server() -> None:
            server = self._hosts[dst].server_on(port)
            if server is None:
                stream.close("connection refused")
            else:
                server.group.serve_stream(stream)
                server.group.guarded(server.accept)(request, stream)

        if not self.deliver(src, dst, at_server):
            stream.close("connection failed")
        return stream

    def forget(self, stream: Stream) -> None:
        """Drop a closed stream from the bookkeeping."""
        self._streams.pop(id(stream), None)

"""The node's routing view of the pod network, and the path a connection takes through it.

Flannel-like (host-gw backend): each node learns every other node's `spec.podCIDR` from the
Node objects and routes it via that node's InternalIP; its own podCIDR sits on cni0. No NAT
between pods (the Kubernetes network model). `connect` carries a request from a source address
on this node to a destination pod or node over the simulated network (its latency, loss and
partitions) and hands it to whatever listens on that port in the destination's namespace.

Failures in Go's words: nothing listening is `connect: connection refused` (the RST comes back);
a cut path, a crashed node or an address nobody holds is silence: `i/o timeout`.
Simplified: a connection is one request and one answer; no TCP handshake timing, no MTU.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Generator
from dataclasses import dataclass

from k8slab.node.cni.host_net import HostNet
from k8slab.sim.errors import RefusedError, TimedOutError
from k8slab.sim.host import ProcessGroup

# An ICMP echo request: the kernel of the namespace holding the address answers it, with the
# TTL left after the routers on the way (64 from Linux; each node on the path takes one off).
ECHO = {"protocol": "icmp", "type": "echo-request"}


class ResetError(RefusedError):
    """The server's program failed mid-request and the connection was reset."""


@dataclass(frozen=True)
class Route:
    """`ip route` line: `<dst> via <via> dev <dev>` — here also the host that owns `dst`."""

    dst: str
    via: str
    host: str
    dev: str = "eth0"

    def __str__(self) -> str:
        return f"{self.dst} via {self.via} dev {self.dev}"


def routes_from_nodes(nodes: list[dict], own_name: str) -> list[Route]:
    """Flannel host-gw's routes: other nodes' podCIDRs via their InternalIP, by node name."""
    routes = []
    for node in sorted(nodes, key=lambda n: n["metadata"]["name"]):
        name = node["metadata"]["name"]
        cidr = node.get("spec", {}).get("podCIDR")
        address = next((a["address"] for a in node.get("status", {}).get("addresses", [])
                        if a.get("type") == "InternalIP"), None)
        if name != own_name and cidr and address:
            routes.append(Route(cidr, address, name))
    return routes


class PodNetwork:
    """One node's routing table and its side of every connection to or from its pods."""

    def __init__(self, group: ProcessGroup, host_net: HostNet, pod_cidr: str) -> None:
        self.group = group
        self.sim = group.sim
        self.host = group.host.name
        self.network = group.host.network
        self.host_net = host_net
        self.pod_cidr = ipaddress.ip_network(pod_cidr)
        self.routes: list[Route] = []
        self._networks: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, Route]] = []
        host_net.dial = self.connect

    def _record(self, kind: str, ref: str, **details) -> None:
        self.sim.record(self.host, "network", kind, ref, **details)

    def learn(self, routes: list[Route]) -> None:
        """Replace the routes to other nodes (a trace record when they change)."""
        if routes != self.routes:
            self.routes = list(routes)
            self._networks = [(ipaddress.ip_network(r.dst), r) for r in routes]
            self._record("routes", self.host, routes=[str(r) for r in routes])

    def ip_route(self) -> str:
        """This node's routes to pods as `ip route` prints them: its own podCIDR on cni0 (once
        the bridge plugin made it), the other nodes' via their addresses, in address order."""
        lines = [(network, str(route)) for network, route in self._networks]
        for name, address in self.host_net.bridges.items():
            interface = ipaddress.ip_interface(address)
            lines.append((interface.network, f"{interface.network} dev {name} proto kernel "
                                              f"scope link src {interface.ip}"))
        return "".join(line + "\n" for _, line in sorted(lines))

    def owner(self, ip: str) -> str | None:
        """The host an address lives on: this node for its own podCIDR and address, another
        node by route (its pod CIDR or its InternalIP), None if no route knows it."""
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return None
        if ip == self.host_net.node_ip or address in self.pod_cidr:
            return self.host
        for network, route in self._networks:
            if ip == route.via or address in network:
                return route.host
        return None

    def connect(self, src_ip: str, dst_ip: str, port: int, request: object,
                timeout: float) -> Generator:
        """Carry `request` from `src_ip` (on this node) to `dst_ip:port` and return the
        listener's answer. `request` None only opens the connection (a TCP dial) and returns
        True. Raises RefusedError or TimedOutError in Go's words."""
        env = self.sim.env
        reply = env.event()
        ref = f"{src_ip}->{dst_ip}:{port}"

        def answer(outcome: tuple) -> None:
            if not reply.triggered:
                reply.succeed(outcome)

        dst_host = self.owner(dst_ip)
        self._record("send", ref, to=dst_host or "default route")
        if dst_host is not None and not self.network.deliver(
                self.host, dst_host, self._at_destination, dst_host, src_ip, dst_ip, port,
                request, answer):
            self._record("lost", ref, to=dst_host)  # a cut path, a down node, or loss
        timer = env.timeout(timeout)
        timer.callbacks.append(lambda _: answer(("timeout", None)))
        status, value = yield reply
        if status == "ok":
            return value
        self._record(status, ref)
        if status == "refused":
            raise RefusedError(f"dial tcp {dst_ip}:{port}: connect: connection refused")
        if status == "reset":
            raise ResetError(f"read tcp {src_ip}->{dst_ip}:{port}: read: connection reset by "
                             "peer")
        raise TimedOutError(f"dial tcp {dst_ip}:{port}: i/o timeout")

    def _at_destination(self, dst_host: str, src_ip: str, dst_ip: str, port: int,
                        request: object, answer: Callable[[tuple], None]) -> None:
        # Runs on the destination node: its stack finds the namespace holding dst_ip.
        there = self.network.host(dst_host).memory.get("pod_network")
        if there is None:
            return  # no network stack up there yet: the packet is dropped
        there.accept(self.host, src_ip, dst_ip, port, request, answer)

    def accept(self, src_host: str, src_ip: str, dst_ip: str, port: int, request: object,
               answer: Callable[[tuple], None]) -> None:
        """A connection arrives for `dst_ip:port` on this node: hand it to the listener."""
        ref = f"{src_ip}->{dst_ip}:{port}"
        namespace = self.host_net.namespace_of(dst_ip)
        if namespace is None:
            self._record("unreachable", ref)  # no such pod here (gone): nobody answers ARP
            return
        mapped = self.host_net.host_ports.get((port, "tcp")) if dst_ip == self.host_net.node_ip \
            else None
        if mapped is not None and namespace.connect(port) is None:
            dst_ip, port = mapped[0], mapped[1]
            namespace = self.host_net.namespace_of(dst_ip) or namespace
        if request == ECHO:
            self._record("deliver", ref, icmp="echo")
            ttl = 64 if src_host == self.host else 62
            self.network.deliver(self.host, src_host, answer, ("ok", {"ttl": ttl}))
            return
        handler = namespace.connect(port)
        self._record("deliver", ref, listening=handler is not None)
        if handler is None:
            self.network.deliver(self.host, src_host, answer, ("refused", None))
            return
        if request is None:
            self.network.deliver(self.host, src_host, answer, ("ok", True))
            return
        if isinstance(request, dict):
            request = dict(request, remote_addr=src_ip)
        self.group.spawn(self._serve(handler, request, src_host, answer))

    def _serve(self, handler: Callable, request: object, src_host: str,
               answer: Callable[[tuple], None]) -> Generator:
        try:
            value = yield from handler(request)
            outcome = ("ok", value)
        except Exception:  # noqa: BLE001 - the server program failed: the connection drops
            outcome = ("reset", None)
        self.network.deliver(self.host, src_host, answer, outcome)

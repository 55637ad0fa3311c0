"""The node's routing view of the pod network, and the path a connection takes through it.

Flannel-like (host-gw backend): each node learns every other node's `spec.podCIDR` from the
Node objects and routes it via that node's InternalIP; its own podCIDR sits on cni0. No NAT
between pods (the Kubernetes network model). `connect` carries a request from a source address
on this node to a destination over the simulated network (its latency, loss and partitions):
first through this node's netfilter (service_path: conntrack, then kube-proxy's rules, which
may DNAT a ClusterIP to an endpoint), then to whatever listens on the port in the
destination's namespace. A packet for a node's own address (a NodePort) is translated by that
node's rules when it arrives, and forwarded to the endpoint, on another node if need be.

Failures in Go's words: nothing listening is `connect: connection refused` (the RST comes back);
a cut path, a crashed node or an address nobody holds is silence: `i/o timeout`.
Simplified: a connection is one request and one answer; no TCP handshake timing, no MTU. A
listener takes TCP and UDP alike on its port (a program binds a port, not a protocol).
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable, Generator
from dataclasses import dataclass

from k8slab.node.cni.host_net import HostNet
from k8slab.node.service_path import (
    Flow,
    Netfilter,
    check_protocol,
    dial_error,
    ephemeral_port,
)
from k8slab.sim.host import ProcessGroup

# An ICMP echo request: the kernel of the namespace holding the address answers it, with the
# TTL left after the routers on the way (64 from Linux; each node on the path takes one off).
ECHO = {"protocol": "icmp", "type": "echo-request"}


@dataclass(frozen=True)
class Route:
    """`ip route` line: `<dst> via <via> dev <dev>` — here also the host that owns `dst`."""

    dst: str
    via: str
    host: str
    dev: str = "eth0"

    def __str__(self) -> str:
        return f"{self.dst} via {self.via} dev {self.dev}"


@functools.lru_cache(maxsize=1 << 14)
def _network(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    # Every node learns every other node's podCIDR: parse each CIDR once, not once per node.
    return ipaddress.ip_network(cidr)


def route_fields(node: dict) -> tuple[str | None, tuple[str, ...]]:
    """What of a Node its route depends on: its podCIDR and its InternalIP addresses."""
    return (node.get("spec", {}).get("podCIDR"),
            tuple(a.get("address", "") for a in node.get("status", {}).get("addresses", [])
                  if a.get("type") == "InternalIP"))


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
        self._owners: dict[str, str | None] = {}  # the route lookup's answers (a route cache)
        self.netfilter = Netfilter(group.host)
        # kube-proxy reads the node's addresses from here (cmd/node.py may have set them).
        group.host.memory.setdefault("node-addresses", (host_net.node_ip,))
        host_net.dial = self.connect

    def _record(self, kind: str, ref: str, **details) -> None:
        self.sim.record(self.host, "network", kind, ref, **details)

    def learn(self, routes: list[Route]) -> None:
        """Replace the routes to other nodes (a trace record of what changed, when it did)."""
        if routes != self.routes:
            before, after = set(self.routes), set(routes)
            added = [str(r) for r in routes if r not in before]
            removed = [str(r) for r in self.routes if r not in after]
            self.routes = list(routes)
            self._networks = [(_network(r.dst), r) for r in routes]
            self._owners.clear()
            self._record("routes", self.host, added=added, removed=removed, count=len(routes))

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
        if ip in self._owners:
            return self._owners[ip]
        if len(self._owners) > 65536:
            self._owners.clear()
        self._owners[ip] = found = self._route_lookup(ip)
        return found

    def _route_lookup(self, ip: str) -> str | None:
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
                timeout: float, *, protocol: str = "tcp",
                peer: list[str] | None = None) -> Generator:
        """Carry `request` from `src_ip` (on this node) to `dst_ip:port` and return the
        listener's answer. `request` None only opens the connection (a TCP dial) and returns
        True. Raises RefusedError or TimedOutError in Go's words. `peer`, if given, receives
        the `ip:port` that answered (after DNAT), as `conntrack -L` shows a flow's reply."""
        proto = "icmp" if request == ECHO else check_protocol(protocol)
        env = self.sim.env
        reply = env.event()
        flow = Flow(proto, src_ip, 0 if proto == "icmp" else ephemeral_port(self.group.host),
                    dst_ip, port)

        def answer(outcome: tuple) -> None:
            if not reply.triggered:
                reply.succeed(outcome)

        done = None if proto == "icmp" else self.netfilter.translate(flow)
        if done is not None and done.verdict == "REJECT":
            answer(("refused", None))  # the node's own filter answers: ICMP port unreachable
        elif done is None or done.verdict != "DROP":
            self._send(flow, done, request, answer)
        timer = env.timeout(timeout)
        timer.callbacks.append(lambda _: answer(("timeout", None)))
        outcome = yield reply
        if done is not None:
            self.netfilter.close(flow)
        status, value = outcome[0], outcome[1]
        if status == "ok":
            if peer is not None:
                peer.append(outcome[2])
            return value
        self._record(status, flow.ref)
        raise dial_error(status, flow)

    def _send(self, flow: Flow, done: object, request: object,
              answer: Callable[[tuple], None]) -> None:
        # POSTROUTING: the DNATed destination, and the node's address if masqueraded.
        if done is not None and done.endpoint is not None:
            src = self.host_net.node_ip if done.masquerade else flow.src_ip
            flow = Flow(flow.protocol, src, flow.src_port, *done.endpoint)
        dst_host = self.owner(flow.dst_ip)
        self._record("send", flow.ref, to=dst_host or "default route")
        if dst_host is not None and not self.network.deliver(
                self.host, dst_host, self._at_destination, dst_host, flow, request, answer):
            self._record("lost", flow.ref, to=dst_host)  # a cut path, a down node, or loss

    def _at_destination(self, dst_host: str, flow: Flow, request: object,
                        answer: Callable[[tuple], None]) -> None:
        # Runs on the destination node: its stack finds the namespace holding the address.
        there = self.network.host(dst_host).memory.get("pod_network")
        if there is None:
            return  # no network stack up there yet: the packet is dropped
        there.accept(self.host, flow, request, answer)

    def accept(self, src_host: str, flow: Flow, request: object,
               answer: Callable[[tuple], None]) -> None:
        """A connection arrives for `flow`'s destination on this node: translated by this
        node's rules first if it is for the node's own address from elsewhere (a NodePort),
        then handed to the listener."""
        if (flow.dst_ip == self.host_net.node_ip and src_host != self.host
                and flow.protocol != "icmp"):
            done = self.netfilter.translate(flow)
            if done is not None and done.verdict == "REJECT":
                self.network.deliver(self.host, src_host, answer, ("refused", None))
                return
            if done is not None and done.verdict == "DROP":
                return
            if done is not None and done.endpoint is not None:
                self._forward(src_host, flow, done, request, answer)
                return
        self._deliver(src_host, flow, request, answer)

    def _forward(self, src_host: str, flow: Flow, done: object, request: object,
                 answer: Callable[[tuple], None]) -> None:
        # The reply comes back through this node (conntrack un-NATs it), then to the client.
        def back(outcome: tuple) -> None:
            self.netfilter.close(flow)
            self.network.deliver(self.host, src_host, answer, outcome)
        self._send(flow, done, request, back)

    def _deliver(self, src_host: str, flow: Flow, request: object,
                 answer: Callable[[tuple], None]) -> None:
        ref, dst_ip, port = flow.ref, flow.dst_ip, flow.dst_port
        served = f"{dst_ip}:{port}"
        namespace = self.host_net.namespace_of(dst_ip)
        if namespace is None:
            self._record("unreachable", ref)  # no such pod here (gone): nobody answers ARP
            return
        mapped = self.host_net.host_ports.get((port, flow.protocol)) \
            if dst_ip == self.host_net.node_ip else None
        if mapped is not None and namespace.connect(port) is None:
            dst_ip, port = mapped[0], mapped[1]
            namespace = self.host_net.namespace_of(dst_ip) or namespace
        if request == ECHO:
            self._record("deliver", ref, icmp="echo")
            ttl = 64 if src_host == self.host else 62
            self.network.deliver(self.host, src_host, answer, ("ok", {"ttl": ttl}, served))
            return
        handler = namespace.connect(port)
        self._record("deliver", ref, listening=handler is not None)
        if handler is None:
            self.network.deliver(self.host, src_host, answer, ("refused", None))
            return
        if request is None:
            self.network.deliver(self.host, src_host, answer, ("ok", True, served))
            return
        if isinstance(request, dict):
            request = dict(request, remote_addr=flow.src_ip)
        self._serve(handler, request, src_host, answer, f"{dst_ip}:{port}")

    def _serve(self, handler: Callable, request: object, src_host: str,
               answer: Callable[[tuple], None], served: str) -> None:
        # Most handlers answer at once: run them inline; one that waits gets a process.
        steps = handler(request)
        try:
            pending = steps.send(None)
        except StopIteration as done:
            self.network.deliver(self.host, src_host, answer, ("ok", done.value, served))
            return
        except Exception:  # noqa: BLE001 - the server program failed: the connection drops
            self.network.deliver(self.host, src_host, answer, ("reset", None))
            return
        self.group.spawn(self._resume(steps, pending, src_host, answer, served))

    def _resume(self, steps: Generator, pending: object, src_host: str,
                answer: Callable[[tuple], None], served: str) -> Generator:
        try:
            while True:
                try:
                    value = yield pending
                except Exception as error:  # noqa: BLE001 - the program sees what its wait raised
                    pending = steps.throw(error)
                else:
                    pending = steps.send(value)
        except StopIteration as done:
            outcome = ("ok", done.value, served)
        except Exception:  # noqa: BLE001 - the server program failed: the connection drops
            outcome = ("reset", None)
        self.network.deliver(self.host, src_host, answer, outcome)

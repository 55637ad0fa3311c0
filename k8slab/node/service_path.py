"""A node's netfilter on a connection's way: conntrack first, then the rules kube-proxy wrote.

Each new connection leaves from a fresh ephemeral source port (Linux's ip_local_port_range,
32768-60999, handed out in turn per node), so it is a new flow and is balanced anew; conntrack
keeps its translation until the flow closes (TCP) or times out (UDP, 30 s). The packet a rule
rejects gets `connect: connection refused` back at once; one it drops gets silence. With no
kube-proxy on the node there are no rules, and every packet goes on unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass

from k8slab.node.kube_proxy.conntrack import Conntrack
from k8slab.node.kube_proxy.datapath import Translation
from k8slab.sim.errors import RefusedError, TimedOutError
from k8slab.sim.host import Host

# net.ipv4.ip_local_port_range's default (Documentation/networking/ip-sysctl.rst).
EPHEMERAL_PORTS = (32768, 60999)
EXPIRE_EVERY = 4096  # new flows between two sweeps of expired conntrack entries
PROTOCOLS = ("tcp", "udp", "sctp")


class ResetError(RefusedError):
    """The server's program failed mid-request and the connection was reset."""


def ephemeral_port(host: Host) -> int:
    """The next source port of `host` (the kernel's counter lives in its memory)."""
    low, high = EPHEMERAL_PORTS
    port = host.memory.get("ephemeral-port", low)
    host.memory["ephemeral-port"] = low if port >= high else port + 1
    return port


@dataclass(frozen=True)
class Flow:
    """One connection's 5-tuple as its client opened it (protocol in lower case)."""

    protocol: str
    src_ip: str
    src_port: int
    dst_ip: str
    dst_port: int

    @property
    def ref(self) -> str:
        """How the trace names it: `src->dst:port`."""
        return f"{self.src_ip}->{self.dst_ip}:{self.dst_port}"


class Netfilter:
    """One node's conntrack table and the rules kube-proxy left in its memory."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.conntrack = Conntrack()
        host.memory["conntrack"] = self.conntrack
        self.rng = host.sim.rng(f"netfilter/{host.name}")
        self._new_flows = 0

    def rules(self) -> object | None:
        """The table of the mode kube-proxy runs in (None: no kube-proxy, or no sync yet)."""
        proxier = self.host.memory.get("kube-proxy")
        return None if proxier is None else self.host.memory.get(proxier.config.mode)

    def translate(self, flow: Flow) -> Translation | None:
        """What this node does to `flow`'s packet: None when no rules exist; a "dnat" record
        in the trace when it is rewritten (state NEW or ESTABLISHED, as conntrack says)."""
        rules = self.rules()
        if rules is None:
            return None
        now = self.host.sim.now
        done, new = self.conntrack.track(rules, flow.protocol, flow.src_ip, flow.src_port,
                                         flow.dst_ip, flow.dst_port, self.rng, now)
        if new:
            self._new_flows += 1
            if self._new_flows % EXPIRE_EVERY == 0:
                self.conntrack.expire(now)
        if done.endpoint is not None:
            ip, port = done.endpoint
            details = {"masquerade": True} if done.masquerade else {}
            self.host.sim.record(self.host.name, "network", "dnat", flow.ref,
                                 endpoint=f"{ip}:{port}", state="NEW" if new else "ESTABLISHED",
                                 **details)
        elif done.verdict in ("REJECT", "DROP"):
            self.host.sim.record(self.host.name, "network", done.verdict.lower(), flow.ref)
        return done

    def close(self, flow: Flow) -> None:
        """The connection ended (FIN seen): forget its TCP entry; UDP entries time out."""
        if flow.protocol != "udp":
            self.conntrack.close(flow.protocol, flow.src_ip, flow.src_port, flow.dst_ip,
                                 flow.dst_port)


def dial_error(status: str, flow: Flow) -> Exception:
    """The error a Go client reports for a failed connection, in its words."""
    where = f"{flow.dst_ip}:{flow.dst_port}"
    if flow.protocol == "udp":  # UDP never fails to dial; the read learns it (ICMP or silence)
        local = f"read udp {flow.src_ip}:{flow.src_port}->{where}"
        if status == "timeout":
            return TimedOutError(f"{local}: i/o timeout")
        return RefusedError(f"{local}: read: connection refused")
    if status == "refused":
        return RefusedError(f"dial tcp {where}: connect: connection refused")
    if status == "reset":
        return ResetError(f"read tcp {flow.src_ip}->{where}: read: connection reset by peer")
    return TimedOutError(f"dial tcp {where}: i/o timeout")


def check_protocol(protocol: str) -> str:
    """`protocol` in lower case; anything but TCP, UDP or SCTP is a ValueError naming them."""
    lowered = protocol.lower() if isinstance(protocol, str) else ""
    if lowered not in PROTOCOLS:
        raise ValueError(f'unknown protocol {protocol!r}: accepted are "tcp", "udp", "sctp"')
    return lowered


def node_holding(hosts: list[Host], ip: str) -> Host | None:
    """The node whose address is `ip` (the LAN's hosts answer ARP for their own address)."""
    for host in hosts:
        network = host.memory.get("pod_network") if host.up else None
        if network is not None and network.host_net.node_ip == ip:
            return host
    return None


def connect_from_outside(host: Host, src_ip: str, dst_ip: str, port: int, request: object,
                         timeout: float, *, protocol: str = "tcp",
                         peer: list[str] | None = None) -> Generator:
    """A machine outside the cluster (no pod network, no kube-proxy) connects to a node's
    address, e.g. a NodePort: the node's own rules translate it on arrival."""
    proto = check_protocol(protocol)
    env = host.sim.env
    reply = env.event()
    flow = Flow(proto, src_ip, ephemeral_port(host), dst_ip, port)

    def answer(outcome: tuple) -> None:
        if not reply.triggered:
            reply.succeed(outcome)

    node = node_holding(host.network.hosts(), dst_ip)
    host.sim.record(host.name, "network", "send", flow.ref, to=node.name if node else None)
    if node is not None:
        host.network.deliver(host.name, node.name, _arrive, node, host.name, flow, request,
                             answer)
    timer = env.timeout(timeout)
    timer.callbacks.append(lambda _: answer(("timeout", None)))
    outcome = yield reply
    status, value = outcome[0], outcome[1]
    if status == "ok":
        if peer is not None:
            peer.append(outcome[2])
        return value
    host.sim.record(host.name, "network", status, flow.ref)
    raise dial_error(status, flow)


def _arrive(node: Host, src_host: str, flow: Flow, request: object,
            answer: Callable[[tuple], None]) -> None:
    network = node.memory.get("pod_network")
    if network is not None:
        network.accept(src_host, flow, request, answer)

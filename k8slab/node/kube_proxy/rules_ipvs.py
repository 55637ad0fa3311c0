"""ipvs mode: one virtual server per service address and port, its endpoints as real servers.

As pkg/proxy/ipvs/proxier.go: ClusterIPs (bound to the kube-ipvs0 dummy device) and NodePorts
on each node address, scheduler `rr` by default, ClientIP affinity as ipvs persistence. The
ipset and iptables rules ipvs mode also writes (masquerade, KUBE-CLUSTER-IP) are not modelled.
ipvs mode is deprecated in v1.35 (KEP-5495).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from k8slab.node.kube_proxy.service_ports import Endpoint, ServicePort, categorize

# ipvsadm's banner for the kernel's IP_VS_VERSION_CODE and default connection table size.
IPVS_BANNER = "IP Virtual Server version 1.2.1 (size=4096)"


@dataclass
class VirtualServer:
    """An ipvs service: address, port, scheduler, persistence, real servers; plus the kernel's
    state for it (the rr cursor and persistence templates: client IP → real server, expiry)."""

    protocol: str
    address: str
    port: int
    scheduler: str
    persistent: int
    reals: list[tuple[str, int]]
    comment: str = ""
    cursor: int = -1
    templates: dict[str, tuple[tuple[str, int], float]] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, int]:
        """(protocol, address, port), as ipvs looks a packet's destination up."""
        return (self.protocol, self.address, self.port)


@dataclass
class IpvsTable:
    """A node's ipvs services, keyed by (protocol, address, port)."""

    services: dict[tuple[str, str, int], VirtualServer]


def build_ipvs_table(services: list[tuple[ServicePort, list[Endpoint]]], *,
                     node_addresses: tuple[str, ...] = (), scheduler: str = "rr",
                     previous: IpvsTable | None = None) -> IpvsTable:
    """The virtual servers for these ports; a server whose address, port and real servers
    did not change keeps its kernel state (rr cursor, persistence) from `previous`."""
    table: dict[tuple[str, str, int], VirtualServer] = {}
    for port, endpoints in sorted(services, key=lambda item: (item[0].name_string,
                                                              item[0].protocol)):
        cat = categorize(endpoints, port)
        internal = cat.local if port.internal_local else cat.cluster
        external = cat.local if port.external_policy_local() else cat.cluster
        persistent = port.sticky_seconds if port.session_affinity == "ClientIP" else 0
        addresses = [(port.cluster_ip, port.port, internal)]
        addresses += [(ip, port.port, external) for ip in port.external_ips]
        addresses += [(ip, port.port, external) for ip in port.load_balancer_ips]
        if port.node_port:
            addresses += [(ip, port.node_port, external) for ip in node_addresses]
        for address, number, eps in addresses:
            reals = [(ep.ip, ep.port) for ep in eps]
            vs = VirtualServer(port.protocol, address, number, scheduler, persistent, reals,
                               port.name_string)
            old = previous.services.get(vs.key) if previous else None
            if old is not None and old.reals == reals and old.persistent == persistent:
                vs.cursor, vs.templates = old.cursor, old.templates
            table[vs.key] = vs
    return IpvsTable(table)


def ipvsadm_ln(table: IpvsTable) -> str:
    """`ipvsadm -Ln`: the banner, the two header lines, each service and its real servers
    in ipvsadm's printf columns (Forward Masq, weight 1, no connections counted)."""
    lines = [IPVS_BANNER, "Prot LocalAddress:Port Scheduler Flags",
             "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn"]
    for key in sorted(table.services, key=lambda k: (k[1], k[2], k[0])):
        vs = table.services[key]
        flags = f" persistent {vs.persistent}" if vs.persistent else ""
        lines.append(f"{vs.protocol}  {vs.address}:{vs.port} {vs.scheduler}{flags}")
        for ip, port in vs.reals:
            lines.append(f"  -> {f'{ip}:{port}':<28} {'Masq':<7} {1:<6d} {0:<10d} {0:<10d}")
    return "\n".join(lines) + "\n"

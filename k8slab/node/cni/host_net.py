"""A node kernel's network state as the CNI plugins change it: the named network namespaces
under /var/run/netns, the cni0 bridge, the veth pairs, the masquerade rules and host ports.

Held in the host's memory: like the kernel's, it is gone after a reboot (the IPAM files on disk
are not). Simplified: no ARP, MTU or netfilter tables; addresses and links only.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass

from k8slab.node.process import NetNamespace
from k8slab.sim.errors import UnreachableError

NETNS_DIR = "/var/run/netns"

# How a namespace's packets leave it: dial(src_ip, dst_ip, port, request, timeout,
# protocol="tcp"), which is pod_network.PodNetwork.connect.
Dialer = Callable[..., Generator]


@dataclass
class Veth:
    """One veth pair: `host_side` on the bridge, `ifname` inside the pod's namespace."""

    host_side: str
    container_id: str
    netns: str
    ifname: str
    ip: str
    mac: str


class HostNet:
    """The links, addresses and rules of one node's network stack."""

    def __init__(self, node_ip: str) -> None:
        self.node_ip = node_ip
        self.root = NetNamespace(node_ip)  # the host's own namespace (hostNetwork pods share it)
        self.namespaces: dict[str, NetNamespace] = {}
        self.bridges: dict[str, str] = {}  # bridge name -> its address, e.g. "10.244.1.1/24"
        self.veths: dict[str, Veth] = {}  # by host-side name
        self.masquerade: list[str] = []  # source subnets ipMasq NATs when leaving the cluster
        self.host_ports: dict[tuple[int, str], tuple[str, int, str]] = {}  # -> ip, port, id
        self.dial: Dialer | None = None  # the node's routing; pod_network.PodNetwork sets it
        self.root.route = self.route_out(node_ip)

    def add_namespace(self, name: str) -> tuple[str, NetNamespace]:
        """`ip netns add NAME`: a new empty namespace; returns its path and itself."""
        path = f"{NETNS_DIR}/{name}"
        self.namespaces[path] = NetNamespace("")
        return path, self.namespaces[path]

    def delete_namespace(self, path: str) -> None:
        """`ip netns delete`: the namespace and whatever is left inside it go."""
        self.namespaces.pop(path, None)

    def namespace_of(self, ip: str) -> NetNamespace | None:
        """The namespace holding `ip` on this node (the root one for the node's own address)."""
        if ip == self.node_ip:
            return self.root
        for veth in self.veths.values():
            if veth.ip == ip:
                return self.namespaces.get(veth.netns)
        return None

    def route_out(self, src_ip: str) -> Callable[..., Generator]:
        """The default route of a pod's namespace: through its veth to this node's stack,
        as `route(dst_ip, port, request, timeout, protocol="tcp")` (`peer=` as connect's)."""
        def dial(dst_ip: str, port: int, request: object, timeout: float,
                 protocol: str = "tcp", **options: object) -> Generator:
            if self.dial is None:
                raise NetworkUnreachable(f"dial {protocol.lower()} {dst_ip}:{port}: connect: "
                                         "network is unreachable")
            return (yield from self.dial(src_ip, dst_ip, port, request, timeout,
                                         protocol=protocol, **options))
        return dial


class NetworkUnreachable(UnreachableError):
    """No route: the node has no pod network to send the packet through (ENETUNREACH)."""

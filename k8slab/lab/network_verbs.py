"""What an admin reads on a node to see where Service traffic goes: `iptables-save -t nat`,
`ipvsadm -Ln`, `nft list table ip kube-proxy` and `ip route`, each printed from the node's
kernel tables as kube-proxy and the pod network left them; and traffic to try them with, from a
pod (`traffic`) or from a machine outside the cluster (`curl_from_outside`).

kube-proxy writes the tables; it is not in the data path. A node holds only its mode's table,
so asking for another mode's says which mode runs there instead of printing nothing.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import TYPE_CHECKING

from k8slab.api.timestamps import EPOCH
from k8slab.errors import K8sLabError
from k8slab.lab import arguments, components
from k8slab.lab.traffic import TrafficReport, send_traffic
from k8slab.node.image_store import REGISTRY
from k8slab.node.kube_proxy.rules_iptables import iptables_save as print_iptables
from k8slab.node.kube_proxy.rules_ipvs import ipvsadm_ln
from k8slab.node.kube_proxy.rules_nft import nft_list_table
from k8slab.node.service_path import connect_from_outside

if TYPE_CHECKING:
    from k8slab.sim.kernel import Simulation
    from k8slab.sim.network import Network

IPTABLES_TABLES = ("nat",)  # the one table the model keeps (filter's REJECTs are not printed)
OUTSIDE_IP = "192.168.1.50"  # the registry host's address: a machine off the cluster's networks


class NetworkVerbError(K8sLabError):
    """A node's network table that cannot be shown: the node is down, or has no such table."""


class NetworkVerbs:
    """Cluster methods that print a node's kernel networking tables (mixed into Cluster)."""

    # Cluster provides these.
    network: Network
    sim: Simulation
    hosts: list[str]
    control_planes: list[str]
    endpoint: str

    def _node(self, node: object) -> str:
        # Every host but the load balancer in front of several control planes is a node.
        nodes = [h for h in self.hosts if h != self.endpoint or h in self.control_planes]
        name = arguments.host(node, nodes, "node")
        if not self.network.host(name).up:
            raise NetworkVerbError(f"{name} is down: its kernel tables went with it")
        return name

    def _rules(self, node: object, mode: str) -> object:
        name = self._node(node)
        table = components.kernel_rules(self.network, name, mode)
        if table is not None:
            return table
        running = components.kube_proxy_mode(self.network, name)
        if running is None:
            raise NetworkVerbError(f"no kube-proxy runs on {name}: it has no {mode} rules")
        if running != mode:
            raise NetworkVerbError(f"kube-proxy on {name} runs in {running} mode; no {mode} "
                                   "table")
        raise NetworkVerbError(f"kube-proxy on {name} has not synced its {mode} rules yet")

    def iptables_save(self, node: str, table: str = "nat") -> str:
        """`iptables-save -t nat` on `node`: KUBE-SERVICES, KUBE-SVC-*, KUBE-SEP-*... as
        kube-proxy's iptables mode wrote them."""
        chosen = arguments.text(table, "table", "nat")
        if chosen not in IPTABLES_TABLES:
            raise NetworkVerbError(f'table "{chosen}" is not modelled; accepted: nat')
        rules = self._rules(node, "iptables")
        when = (EPOCH + timedelta(seconds=int(self.sim.now))).strftime("%a %b %e %H:%M:%S %Y")
        return print_iptables(rules, when)

    def ipvsadm(self, node: str) -> str:
        """`ipvsadm -Ln` on `node`: each virtual server (ClusterIP:port) and its real servers."""
        return ipvsadm_ln(self._rules(node, "ipvs"))

    def nft(self, node: str) -> str:
        """`nft list table ip kube-proxy` on `node`: the nftables mode's chains and maps."""
        return nft_list_table(self._rules(node, "nftables"))

    def ip_route(self, node: str) -> str:
        """`ip route` on `node`: its own podCIDR on cni0, other nodes' podCIDRs via them."""
        name = self._node(node)
        routes = components.pod_routes(self.network, name)
        if routes is None:
            raise NetworkVerbError(f"{name} has no pod network running")
        return routes

    def traffic(self, from_pod: str, url: str, *, rps: float = 100, seconds: float = 10,
                timeout: float = 1.0, namespace: str = "default") -> TrafficReport:
        """`rps` HTTP GETs a second for `seconds` from inside pod `from_pod`, each a new
        connection; runs the cluster meanwhile and reports who answered, how fast, what failed.

        The endpoint of each request comes from its flow's translation, as `conntrack -L` shows
        it; a name in `url` is looked up once per run, through the pod's resolv.conf."""
        return send_traffic(self, from_pod, url, rps=rps, seconds=seconds, timeout=timeout,
                            namespace=namespace)

    def curl_from_outside(self, node: str, port: int, path: str = "/",
                          timeout: float = 2.0) -> str:
        """`curl -m TIMEOUT http://NODE:PORT/PATH` from the registry host, a machine outside the
        cluster: what the server answered, e.g. through a NodePort; curl's error if nothing did.

        `node` is a node's name or its IP; nothing outside reaches a ClusterIP or a pod IP."""
        name = arguments.text(node, "node", 'a node\'s name such as "worker-1" or its IP')
        if not arguments.is_whole(port) or not 1 <= port <= 65535:
            raise NetworkVerbError(f"port must be a whole number from 1 to 65535, got "
                                   f"{arguments.shown(port)}")
        path = arguments.text(path, "path", 'a URL path such as "/"')
        timeout = arguments.number(timeout, "timeout", low=1e-3, high=3600, unit=" seconds")
        if not path.startswith("/"):
            raise NetworkVerbError(f'path must start with "/", got {arguments.shown(path)}')
        address = self._node_address(name)
        registry = self.network.host(REGISTRY)
        request = {"protocol": "http", "method": "GET", "path": path,
                   "headers": {"Host": f"{address}:{port}", "User-Agent": "curl/8.5.0"}}
        start = self.sim.now
        group = registry.group("curl")
        try:
            answer = self.sim.run_process(group.spawn(connect_from_outside(
                registry, OUTSIDE_IP, address, port, request, timeout)), timeout + 1)
        except K8sLabError as error:
            spent = round((self.sim.now - start) * 1000)
            # curl 8's words (lib/connect.c, lib/multi.c): exit 7 refused, exit 28 timed out.
            if "refused" in str(error) or "reset" in str(error):
                raise NetworkVerbError(f"curl: (7) Failed to connect to {address} port {port} "
                                       f"after {spent} ms: Couldn't connect to server") from None
            raise NetworkVerbError(f"curl: (28) Connection timed out after {spent} "
                                   "milliseconds") from None
        finally:
            group.stop()
        return str(answer.get("body", "")) if isinstance(answer, dict) else str(answer)

    def _node_address(self, node: str) -> str:
        # A node's name stands for its address on the LAN; an IP is taken as it is.
        if node in self.hosts and node != REGISTRY:
            address = components.node_address(self.network, node)
            if address is None:
                raise NetworkVerbError(f"{node} is down or has no network: nothing answers "
                                       "at its address")
            return address
        try:
            return str(ipaddress.IPv4Address(node))
        except ValueError:
            raise NetworkVerbError(f'node must be a node\'s name ({", ".join(self.hosts)}) or '
                                   f"an IPv4 address, got {arguments.shown(node)}") from None

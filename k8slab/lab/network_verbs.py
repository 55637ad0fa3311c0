"""What an admin reads on a node to see where Service traffic goes: `iptables-save -t nat`,
`ipvsadm -Ln`, `nft list table ip kube-proxy` and `ip route`, each printed from the node's
kernel tables as kube-proxy and the pod network left them.

kube-proxy writes the tables; it is not in the data path. A node holds only its mode's table,
so asking for another mode's says which mode runs there instead of printing nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from k8slab.api.timestamps import EPOCH
from k8slab.errors import K8sLabError
from k8slab.lab import arguments, components
from k8slab.node.kube_proxy.rules_iptables import iptables_save as print_iptables
from k8slab.node.kube_proxy.rules_ipvs import ipvsadm_ln
from k8slab.node.kube_proxy.rules_nft import nft_list_table

if TYPE_CHECKING:
    from k8slab.sim.kernel import Simulation
    from k8slab.sim.network import Network

IPTABLES_TABLES = ("nat",)  # the one table the model keeps (filter's REJECTs are not printed)


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

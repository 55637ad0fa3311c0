"""A node's network without the rest of the node: for tests and notebooks that build a lone
containerd (cmd/node.py does the same for a real node)."""

from __future__ import annotations

from k8slab.node.cni import conflist
from k8slab.node.cni.host_net import HostNet
from k8slab.sim.host import Host


def pod_network_for(host: Host, node_ip: str, pod_cidr: str) -> HostNet:
    """Write the conflist for `pod_cidr` on `host`'s disk and return a fresh network stack."""
    conflist.install(host.disk, pod_cidr)
    return HostNet(node_ip)

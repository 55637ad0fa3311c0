"""The bridge plugin: a veth pair per pod, one end in the pod's namespace, the other on the
node's cni0 bridge, which is the pods' gateway; the address comes from the IPAM plugin.

Upstream: containernetworking/plugins plugins/main/bridge. Simplified: MACs are derived from
the address or the container id rather than drawn by the kernel, and the NAT rule ipMasq writes
is kept as a note of the subnet, not as iptables chains.
"""

from __future__ import annotations

import hashlib

from k8slab.node.cni.contract import CNI_VERSION, INVALID_CONFIG, CniError, Invocation
from k8slab.node.cni.host_local import HostLocal
from k8slab.node.cni.host_net import HostNet, Veth


def _mac(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return ":".join(f"{b:02x}" for b in (0x0A, 0x58, *digest[:4]))


def _ipam(conf: dict, disk: dict) -> HostLocal:
    ipam = conf.get("ipam") or {}
    if ipam.get("type") != "host-local":
        raise CniError(f'failed to find plugin "{ipam.get("type", "")}" in path [/opt/cni/bin]',
                       INVALID_CONFIG)
    return HostLocal(disk, conf["name"], ipam)


def _veth_name(container_id: str) -> str:
    return "veth" + hashlib.sha256(container_id.encode()).hexdigest()[:8]


def bridge(call: Invocation, conf: dict, host: HostNet, disk: dict) -> dict | None:
    """Run the bridge plugin for `call`; ADD returns the CNI result."""
    name = conf.get("bridge", "cni0")
    ipam = _ipam(conf, disk)
    host_side = _veth_name(call.container_id)
    if call.command == "DEL":
        ipam.release(call)
        veth = host.veths.pop(host_side, None)
        namespace = host.namespaces.get(call.netns)
        if veth is not None and namespace is not None:
            namespace.ip = ""
        return None
    namespace = host.namespaces.get(call.netns)
    if namespace is None:
        raise CniError(f'failed to open netns "{call.netns}": failed to Statfs '
                       f'"{call.netns}": no such file or directory')
    if call.command == "CHECK":
        ipam.check(call)
        veth = host.veths.get(host_side)
        if veth is None or namespace.ip != veth.ip:
            raise CniError(f'interface {call.ifname} in netns "{call.netns}" does not hold the '
                           "address host-local gave it")
        return None
    if host_side in host.veths:
        raise CniError(f'failed to create veth: container veth name "{call.ifname}" peer '
                       f'"{host_side}" already exists')
    result = ipam.allocate(call)
    ip, prefix = result["ips"][0]["address"].split("/")
    gateway = result["ips"][0]["gateway"]
    routes = result["routes"]
    if conf.get("isGateway", False):
        host.bridges[name] = f"{gateway}/{prefix}"
    if conf.get("isDefaultGateway", False):
        routes = [*routes, {"dst": "0.0.0.0/0", "gw": gateway}]
    if conf.get("ipMasq", False) and str(ipam.subnet) not in host.masquerade:
        host.masquerade.append(str(ipam.subnet))
    mac = _mac(ip)
    host.veths[host_side] = Veth(host_side, call.container_id, call.netns, call.ifname, ip, mac)
    namespace.ip = ip
    namespace.route = host.route_out(ip)
    return {
        "cniVersion": CNI_VERSION,
        "interfaces": [{"name": name, "mac": _mac(name + host.node_ip)},
                       {"name": host_side, "mac": _mac(host_side)},
                       {"name": call.ifname, "mac": mac, "sandbox": call.netns}],
        "ips": [{"address": f"{ip}/{prefix}", "gateway": gateway, "interface": 2}],
        "routes": routes,
        "dns": {},
    }

"""The portmap plugin: a pod's hostPorts. Traffic to the node's address on a host port is
forwarded to the pod (upstream writes CNI-HOSTPORT-DNAT rules; we keep the table they encode).

It is a chained plugin: ADD takes the previous plugin's result (prevResult) and passes it on.
"""

from __future__ import annotations

from k8slab.node.cni.contract import INVALID_CONFIG, CniError, Invocation
from k8slab.node.cni.host_net import HostNet


def portmap(call: Invocation, conf: dict, host: HostNet, disk: dict) -> dict | None:
    """Run the portmap plugin for `call`; ADD returns prevResult unchanged."""
    mappings = (conf.get("runtimeConfig") or {}).get("portMappings") or []
    if call.command == "DEL":
        for key in [k for k, (_, _, owner) in host.host_ports.items()
                    if owner == call.container_id]:
            del host.host_ports[key]
        return None
    previous = conf.get("prevResult")
    if previous is None:
        raise CniError("must be called as chained plugin", INVALID_CONFIG)
    if call.command == "CHECK":
        return None
    pod_ip = previous["ips"][0]["address"].split("/")[0]
    for mapping in mappings:
        key = (int(mapping["hostPort"]), mapping.get("protocol", "tcp").lower())
        if key in host.host_ports and host.host_ports[key][2] != call.container_id:
            raise CniError(f"hostPort {key[0]}/{key[1]} is already mapped on this node")
        host.host_ports[key] = (pod_ip, int(mapping["containerPort"]), call.container_id)
    return previous

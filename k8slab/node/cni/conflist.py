"""The network configuration list in /etc/cni/net.d/, which containerd's CRI plugin loads.

We write what flannel's CNI plugin delegates to, spelled out: a `bridge` on cni0 (the pods'
gateway, with IP masquerade and hairpin), `host-local` IPAM over this node's podCIDR with a
route to the whole cluster CIDR, then `portmap` for hostPorts (flannel's kube-flannel.yml
installs `10-flannel.conflist` naming the network `cbr0`). libcni loads the lexically first
`.conflist`/`.conf`/`.json` file of the directory.
"""

from __future__ import annotations

import ipaddress
import json

from k8slab.node.cni.contract import CNI_VERSION, INVALID_CONFIG, CniError

CONF_DIR = "/etc/cni/net.d"
CONF_FILE = f"{CONF_DIR}/10-flannel.conflist"
NETWORK = "cbr0"
BRIDGE = "cni0"
# kubeadm + flannel's cluster CIDR (flannel's net-conf.json "Network": "10.244.0.0/16").
CLUSTER_CIDR = "10.244.0.0/16"
EXTENSIONS = (".conflist", ".conf", ".json")


def flannel_conflist(pod_cidr: str, cluster_cidr: str = CLUSTER_CIDR) -> dict:
    """The configuration list for a node whose Node object has `spec.podCIDR = pod_cidr`."""
    subnet = ipaddress.ip_network(pod_cidr)
    return {
        "name": NETWORK,
        "cniVersion": CNI_VERSION,
        "plugins": [
            {"type": "bridge", "bridge": BRIDGE, "isGateway": True, "isDefaultGateway": True,
             "ipMasq": True, "hairpinMode": True, "mtu": 1450,
             "ipam": {"type": "host-local",
                      "ranges": [[{"subnet": str(subnet),
                                   "gateway": str(subnet.network_address + 1)}]],
                      "routes": [{"dst": cluster_cidr}]}},
            {"type": "portmap", "capabilities": {"portMappings": True}},
        ],
    }


def install(disk: dict, pod_cidr: str, cluster_cidr: str = CLUSTER_CIDR) -> str:
    """Write the conflist onto the node's disk (flannel's install-cni step); returns its path."""
    disk[CONF_FILE] = json.dumps(flannel_conflist(pod_cidr, cluster_cidr), indent=2)
    return CONF_FILE


def load(disk: dict) -> dict:
    """The configuration list libcni would use, or CniError when there is none or it is bad."""
    names = sorted(path for path in disk
                   if path.startswith(CONF_DIR + "/") and path.endswith(EXTENSIONS))
    if not names:
        raise CniError(f"no network config found in {CONF_DIR}: cni plugin not initialized",
                       INVALID_CONFIG)
    path = names[0]
    try:
        conf = json.loads(disk[path])
    except (TypeError, ValueError) as error:
        raise CniError(f"error parsing configuration list: {error}", INVALID_CONFIG) from None
    if not isinstance(conf, dict):
        raise CniError(f"error parsing configuration list: {path} is not a JSON object",
                       INVALID_CONFIG)
    if path.endswith(".conflist"):
        if not conf.get("name"):
            raise CniError("error parsing configuration list: no name", INVALID_CONFIG)
        if not isinstance(conf.get("plugins"), list) or not conf["plugins"]:
            raise CniError('error parsing configuration list: no plugins in list',
                           INVALID_CONFIG)
        return conf
    # A single .conf holds one plugin; libcni wraps it into a list of one.
    return {"name": conf.get("name", ""), "cniVersion": conf.get("cniVersion", CNI_VERSION),
            "plugins": [conf]}

"""What systemd starts on every node, as the distribution's packages install it: containerd,
with containerd-shim-runc-v2 and runc beside it, and the kubelet that talks to containerd.

kubeadm only writes the kubelet's kubeconfig and the control plane's manifests; the services
themselves come with the host, so they start on every boot, before and after kubeadm ran.

The pod network comes up with them: the CNI conflist for the node's podCIDR in /etc/cni/net.d/
(in a real cluster flannel's DaemonSet writes it; here the node's boot does) and the node's
routing, which learns the other nodes' podCIDRs from the Node objects as flanneld does.
Simplified: no flannel pods; the route learner runs as a host service.
"""

from __future__ import annotations

from k8slab.api.kubeconfig import ANONYMOUS_CREDENTIALS, Credentials, read_kubeconfig
from k8slab.client.informer import Informer
from k8slab.client.rest import Client
from k8slab.node.cni import conflist
from k8slab.node.cni.host_net import HostNet
from k8slab.node.containerd import PAUSE_IMAGE, Containerd
from k8slab.node.image_catalogue import Image, normalize, split
from k8slab.node.image_store import ImageStore
from k8slab.node.kubelet import Kubelet, NodeConfig
from k8slab.node.pod_network import PodNetwork, route_fields, routes_from_nodes
from k8slab.node.programs.catalogue import CATALOGUE
from k8slab.node.runc import Runc
from k8slab.node.shim import ShimBinary
from k8slab.sim.host import Host

# The lab's stand-in for flannel's ServiceAccount token: a kubeconfig with a certificate for
# its ServiceAccount's user name, written by kubeadm's phase on every node.
FLANNEL_CONF = "/etc/kubernetes/flannel.conf"


def start_node_services(host: Host, config: NodeConfig, api_server: str,
                        credentials: Credentials = ANONYMOUS_CREDENTIALS) -> None:
    """Start containerd and the kubelet on `host`; the kubelet reaches `api_server` on 6443
    with `credentials` (its kubelet.conf's)."""
    runc = Runc(host)
    host_net = HostNet(config.ip)
    conflist.install(host.disk, config.pod_cidr)
    pod_network = start_pod_network(host, host_net, config.pod_cidr, api_server)
    containerd = Containerd(host.group("containerd"), ShimBinary(runc), host_net,
                            lambda reference: local_image(host, reference))
    kubelet = Kubelet(host.group("kubelet"), containerd, config, api_server, credentials)
    host.memory.update(runc=runc, containerd=containerd, kubelet=kubelet,
                       pod_network=pod_network, **{"node-addresses": (config.ip,)})
    kubelet.start()


def start_pod_network(host: Host, host_net: HostNet, pod_cidr: str,
                      api_server: str) -> PodNetwork:
    """The node's routing and its route learner, which watches the Node objects through its
    own API client (as flanneld does) and routes each other node's podCIDR via its address."""
    group = host.group("pod-network")
    network = PodNetwork(group, host_net, pod_cidr)
    flannel = host.disk.get(FLANNEL_CONF)
    credentials = read_kubeconfig(flannel)[1] if flannel else ANONYMOUS_CREDENTIALS
    # Simplified: it caches the Nodes without their managedFields, which it never reads (one
    # copy of every Node on every node would otherwise carry them).
    nodes = Informer(Client(group, credentials, api_server), "nodes", strip_managed_fields=True)

    def relearn(*_: dict) -> None:
        network.learn(routes_from_nodes(nodes.list(), host.name))

    def changed(old: dict, new: dict) -> None:
        # Most updates are status heartbeats: only a new podCIDR or address moves a route.
        if route_fields(old) != route_fields(new):
            relearn()

    nodes.on_add.append(relearn)
    nodes.on_update.append(changed)
    nodes.on_delete.append(relearn)
    nodes.start()
    return network


def local_image(host: Host, reference: str) -> Image | None:
    """An image built on the host itself, whose program a test installed (`host.programs`):
    present without a pull, weighing nothing. An image the registry holds is pulled instead."""
    repository, tag = split(normalize(reference))
    if repository in CATALOGUE.images:
        return None
    for name in host.programs:
        if split(normalize(name))[0] == repository:
            return Image(repository, (tag,), (0,))
    return None


def preload_images(host: Host, images: list[str]) -> None:
    """Put `images` (and the pause image) in containerd's image store on the host's disk, as
    `kubeadm config images pull` leaves them."""
    store = ImageStore(host.group("ctr"), lambda reference: None)
    for reference in [PAUSE_IMAGE, *images]:
        store.preload(reference, CATALOGUE.find(reference))
    store.group.stop()

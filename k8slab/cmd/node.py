"""What systemd starts on every node, as the distribution's packages install it: containerd,
with containerd-shim-runc-v2 and runc beside it, and the kubelet that talks to containerd.

kubeadm only writes the kubelet's kubeconfig and the control plane's manifests; the services
themselves come with the host, so they start on every boot, before and after kubeadm ran.
"""

from __future__ import annotations

from k8slab.node.containerd import PAUSE_IMAGE, Containerd
from k8slab.node.image_catalogue import Image, normalize, split
from k8slab.node.image_store import ImageStore
from k8slab.node.kubelet import Kubelet, NodeConfig
from k8slab.node.programs.catalogue import CATALOGUE
from k8slab.node.runc import Runc
from k8slab.node.shim import ShimBinary
from k8slab.sim.host import Host


def start_node_services(host: Host, config: NodeConfig, api_server: str) -> None:
    """Start containerd and the kubelet on `host`; the kubelet reaches `api_server` on 6443."""
    runc = Runc(host)
    containerd = Containerd(host.group("containerd"), ShimBinary(runc), config.pod_cidr,
                            lambda reference: local_image(host, reference))
    kubelet = Kubelet(host.group("kubelet"), containerd, config, api_server)
    host.memory.update(runc=runc, containerd=containerd, kubelet=kubelet)
    kubelet.start()


def local_image(host: Host, reference: str) -> Image | None:
    """An image built on the host itself, whose program a test installed (`host.programs`):
    present without a pull, weighing nothing."""
    repository, tag = split(normalize(reference))
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

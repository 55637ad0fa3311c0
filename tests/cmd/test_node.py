"""What systemd starts on every node: containerd (with its shim and runc) and the kubelet."""

from k8slab.cmd.node import preload_images, start_node_services
from k8slab.node.containerd import PAUSE_IMAGE
from k8slab.node.image_store import IMAGES
from k8slab.node.kubelet import NodeConfig


def test_the_services_start_as_one_chain_kubelet_containerd_shim_runc(host):
    start_node_services(host, NodeConfig(host.name, "10.0.0.10", "10.244.0.0/24"), "lb")
    kubelet, containerd, runc = (host.memory[n] for n in ("kubelet", "containerd", "runc"))
    assert kubelet.containerd is containerd
    assert containerd.shim_binary.runc is runc
    assert kubelet.client.server == "lb"
    assert [r.obj for r in host.sim.trace.where(component="kubelet", kind="start")] == [
        f"node/{host.name}"]


def test_preloaded_images_sit_beside_the_pause_image(host):
    preload_images(host, ["registry.k8s.io/etcd:3.6.6-0"])
    tags = [tag for stored in host.disk[IMAGES].values() for tag in stored.repo_tags]
    assert tags == [PAUSE_IMAGE, "registry.k8s.io/etcd:3.6.6-0"]
    assert all(stored.image.size > 0 for stored in host.disk[IMAGES].values())

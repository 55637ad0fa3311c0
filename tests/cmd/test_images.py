"""Every image kubeadm deploys (the control plane and its kube-proxy and CoreDNS addons) has the
entrypoint runc will run for it."""

from k8slab.cmd import coredns
from k8slab.cmd.images import (
    APISERVER_IMAGE,
    CONTROLLER_MANAGER_IMAGE,
    ETCD_IMAGE,
    PROGRAMS,
    PROXY_IMAGE,
    SCHEDULER_IMAGE,
)
from k8slab.node.runc import image_repository


def test_each_image_kubeadm_deploys_has_its_program() -> None:
    assert sorted(PROGRAMS) == [
        "registry.k8s.io/coredns/coredns",
        "registry.k8s.io/etcd",
        "registry.k8s.io/kube-apiserver",
        "registry.k8s.io/kube-controller-manager",
        "registry.k8s.io/kube-proxy",
        "registry.k8s.io/kube-scheduler",
    ]
    images = (ETCD_IMAGE, APISERVER_IMAGE, CONTROLLER_MANAGER_IMAGE, SCHEDULER_IMAGE, PROXY_IMAGE,
              coredns.IMAGE)
    assert sorted(image_repository(image) for image in images) == sorted(PROGRAMS)

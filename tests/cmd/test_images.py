"""Every control-plane image kubeadm deploys has the entrypoint runc will run for it."""

from k8slab.cmd.images import (
    APISERVER_IMAGE,
    CONTROLLER_MANAGER_IMAGE,
    ETCD_IMAGE,
    PROGRAMS,
    SCHEDULER_IMAGE,
)
from k8slab.node.runc import image_repository


def test_each_control_plane_image_has_its_program() -> None:
    assert sorted(PROGRAMS) == [
        "registry.k8s.io/etcd",
        "registry.k8s.io/kube-apiserver",
        "registry.k8s.io/kube-controller-manager",
        "registry.k8s.io/kube-scheduler",
    ]
    for image in (ETCD_IMAGE, APISERVER_IMAGE, CONTROLLER_MANAGER_IMAGE, SCHEDULER_IMAGE):
        assert image_repository(image) in PROGRAMS

"""Interim catalogue (replaced by the programs branch): the images kubeadm needs."""

from __future__ import annotations

from collections.abc import Generator

from k8slab.node.image_catalogue import Catalogue, Image


def _pause(process) -> Generator:
    yield process.env.event()


CATALOGUE = Catalogue([
    Image("registry.k8s.io/pause", ("3.10.1",), (320_000,), ("/pause",), (), {"pause": _pause}),
    Image("registry.k8s.io/etcd", ("3.6.6-0",), (22_000_000,)),
    Image("registry.k8s.io/kube-apiserver", ("v1.35.0",), (27_000_000,)),
    Image("registry.k8s.io/kube-controller-manager", ("v1.35.0",), (25_000_000,)),
    Image("registry.k8s.io/kube-scheduler", ("v1.35.0",), (19_000_000,)),
    Image("docker.io/library/nginx", ("latest", "1.27", "1.28", "1.29"), (72_000_000,),
          (), ("nginx",), {"nginx": _pause}),
    Image("docker.io/library/busybox", ("latest", "1.28", "1.36"), (2_200_000,),
          (), ("sh",), {"sh": _pause, "sleep": _pause}),
])

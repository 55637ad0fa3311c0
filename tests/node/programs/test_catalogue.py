"""The image catalogue: every image pullable by its short name, each default argv runnable."""

from __future__ import annotations

import pytest

from k8slab.node.image_catalogue import ImageNotFoundError, argv
from k8slab.node.programs.catalogue import CATALOGUE


@pytest.mark.parametrize("reference, repository", [
    ("nginx", "docker.io/library/nginx"),
    ("nginx:1.14.2", "docker.io/library/nginx"),
    ("busybox:1.28", "docker.io/library/busybox"),
    ("registry.k8s.io/busybox", "registry.k8s.io/busybox"),
    ("polinux/stress", "docker.io/polinux/stress"),
    ("vish/stress", "docker.io/vish/stress"),
    ("registry.k8s.io/e2e-test-images/agnhost:2.40", "registry.k8s.io/e2e-test-images/agnhost"),
    ("registry.k8s.io/goproxy:0.1", "registry.k8s.io/goproxy"),
    ("registry.k8s.io/pause:3.10.1", "registry.k8s.io/pause"),
    ("registry.k8s.io/etcd:3.6.6-0", "registry.k8s.io/etcd"),
    ("registry.k8s.io/kube-apiserver:v1.35.0", "registry.k8s.io/kube-apiserver"),
])
def test_the_docs_references_resolve(reference: str, repository: str) -> None:
    assert CATALOGUE.find(reference).repository == repository


def test_an_unknown_tag_fails_as_the_registry_says() -> None:
    with pytest.raises(ImageNotFoundError, match='"docker.io/library/nginx:9.9": .*not found'):
        CATALOGUE.find("nginx:9.9")


@pytest.mark.parametrize("repository", sorted(CATALOGUE.images))
def test_every_image_has_a_positive_size_and_runs_its_default_argv(repository: str) -> None:
    image = CATALOGUE.images[repository]
    assert image.size == sum(image.layers) > 0
    default = argv(image, [], [])
    assert default, repository
    if image.binaries:
        assert image.binary(default[0]) is not None, default


def test_the_docs_commands_find_their_programs() -> None:
    busybox = CATALOGUE.find("busybox")
    assert busybox.binary("/bin/sh") is busybox.binary("sh")
    assert argv(busybox, ["sh", "-c", "sleep 1"], []) == ["sh", "-c", "sleep 1"]
    agnhost = CATALOGUE.find("registry.k8s.io/e2e-test-images/agnhost:2.40")
    assert argv(agnhost, [], ["liveness"]) == ["/agnhost", "liveness"]
    assert CATALOGUE.find("polinux/stress").binary("stress") is not None
    assert CATALOGUE.find("registry.k8s.io/pause:3.10.1").binary("sh") is None
    assert not CATALOGUE.find("registry.k8s.io/etcd:3.6.6-0").binaries

"""containerd's image store: the images on a node's disk, and pulling more from the registry.

A pull asks the registry for the image's manifest, then downloads each layer the node lacks; a
layer takes its size over the link's bandwidth. The registry is a host on the simulated network,
so a partition that cuts a node off from it fails the pull, as a real `dial tcp: i/o timeout`.
Simplified: layers are not shared between images, and nothing is unpacked (no snapshotter).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass

from k8slab.errors import K8sLabError
from k8slab.node.cri import ImageInfo, PullError
from k8slab.node.image_catalogue import Image, ImageNotFoundError, image_id, normalize, split
from k8slab.sim.host import ProcessGroup

IMAGES = "/var/lib/containerd/images"
REGISTRY = "registry"  # the registry's host on the simulated network
REGISTRY_PORT = 443
# A node downloads from the registry at 50 MB/s (a simplification: a cloud VM's pull from a
# nearby mirror; no upstream default exists, real pulls vary with the registry and the link).
BANDWIDTH = 50_000_000
MANIFEST_TIMEOUT = 30.0  # seconds a registry request may take before it is given up


@dataclass
class StoredImage:
    """One image on disk: its record, its tags here, and when it was last used."""

    image: Image
    id: str
    repo_tags: list[str]
    last_used: float
    pinned: bool = False


def pull_failed(reference: str, cause: str) -> str:
    """containerd's words for a failed pull, as the kubelet quotes them."""
    return f'failed to pull and unpack image "{reference}": {cause}'


class ImageStore:
    """The images a node holds (kept on its disk, so they survive a reboot)."""

    def __init__(self, group: ProcessGroup, local: Callable[[str], Image | None]) -> None:
        self.group = group
        self.sim = group.sim
        self.host = group.host.name
        self._local = local  # an image built on the host itself (`ctr images import`)
        self.images: dict[str, StoredImage] = group.host.disk.setdefault(IMAGES, {})

    def find(self, reference: str) -> StoredImage | None:
        """ImageStatus: the stored image a reference (or an image id) names, or None."""
        if reference in self.images:
            return self.images[reference]
        normalized = normalize(reference)
        for stored in self.images.values():
            if normalized in stored.repo_tags or normalized == stored.id:
                return stored
        image = self._local(normalized)
        if image is not None:
            return self._store(normalized, image, pinned=True)
        return None

    def _store(self, reference: str, image: Image, *, pinned: bool = False) -> StoredImage:
        ident = image_id(reference)
        stored = self.images.get(ident)
        if stored is None:
            stored = self.images[ident] = StoredImage(image, ident, [], self.sim.now, pinned)
        if reference not in stored.repo_tags:
            stored.repo_tags.append(reference)
        return stored

    def preload(self, reference: str, image: Image) -> None:
        """An image put on disk before the node ran (`kubeadm config images pull`)."""
        self._store(normalize(reference), image, pinned=reference.endswith("pause:3.10.1"))

    def pull(self, reference: str, manifest_only: bool = False) -> Generator:
        """PullImage: fetch the manifest, then each layer; returns the StoredImage.

        Raises PullError with containerd's words when the registry has no such image or
        cannot be reached."""
        normalized = normalize(reference)
        network = self.group.host.network
        try:
            image = yield from network.rpc(self.host, REGISTRY, REGISTRY_PORT,
                                           {"manifest": normalized}, timeout=MANIFEST_TIMEOUT)
            for index, size in enumerate(() if manifest_only else image.layers):
                yield from network.rpc(self.host, REGISTRY, REGISTRY_PORT,
                                       {"blob": normalized, "layer": index},
                                       timeout=MANIFEST_TIMEOUT + size / BANDWIDTH)
        except ImageNotFoundError as error:
            raise PullError(pull_failed(normalized, str(error)), code="NotFound") from None
        except K8sLabError:
            repository, tag = split(normalized)
            registry, _, path = repository.partition("/")
            host = "registry-1.docker.io" if registry == "docker.io" else registry
            cause = (f'failed to resolve reference "{normalized}": failed to do request: Head '
                     f'"https://{host}/v2/{path}/manifests/{tag}": dial tcp: i/o timeout')
            raise PullError(pull_failed(normalized, cause)) from None
        return self._store(normalized, image)

    def remove(self, reference: str) -> bool:
        """RemoveImage: delete an image and all its tags; False if it was not here."""
        stored = self.find(reference)
        if stored is None:
            return False
        del self.images[stored.id]
        return True

    def list(self) -> list[ImageInfo]:
        """ListImages, in the order they came to the node."""
        return [ImageInfo(s.id, tuple(s.repo_tags), s.image.size, s.pinned)
                for s in self.images.values()]

    def used_bytes(self) -> int:
        """What the images take on the image filesystem."""
        return sum(s.image.size for s in self.images.values())

"""The images the simulated registry holds: what each weighs, its layers, and what it runs.

An image reference is normalized as containerd's CRI plugin does (docker/reference
ParseNormalizedNamed): `nginx` is `docker.io/library/nginx:latest`, `polinux/stress` is
`docker.io/polinux/stress:latest`. A container's argv follows the OCI rules Kubernetes documents
(kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/): `command`
replaces the image's ENTRYPOINT, `args` its CMD, and a `command` without `args` drops the CMD.
The images themselves are listed in `k8slab.node.programs.catalogue`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field

from k8slab.errors import K8sLabError

DEFAULT_REGISTRY = "docker.io"
DEFAULT_TAG = "latest"

Program = Callable[..., Generator]


class ImageNotFoundError(K8sLabError):
    """The registry has no such repository or tag (the pull's `not found`)."""


@dataclass(frozen=True)
class Image:
    """One repository of the registry: its tags, layer sizes, default argv and programs.

    `binaries` maps each command on the image's PATH (by base name) to the program it runs;
    `files` are the files its layers hold (path -> text), copied into each container."""

    repository: str
    tags: tuple[str, ...]
    layers: tuple[int, ...]
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    binaries: Mapping[str, Program] = field(default_factory=dict)
    files: Mapping[str, str] = field(default_factory=dict)
    about: str = ""

    @property
    def size(self) -> int:
        """Bytes to download: the sum of its compressed layers."""
        return sum(self.layers)

    def binary(self, command: str) -> Program | None:
        """The program `command` (a name or a path) runs in this image, or None: not on PATH."""
        return self.binaries.get(command.rsplit("/", 1)[-1])


def normalize(reference: str) -> str:
    """`nginx` -> `docker.io/library/nginx:latest`; a reference with a digest keeps it."""
    name, at, digest = reference.partition("@")
    first, slash, _ = name.partition("/")
    if not slash or ("." not in first and ":" not in first and first != "localhost"):
        name = f"{DEFAULT_REGISTRY}/{name}"
        if name.count("/") == 1:
            name = f"{DEFAULT_REGISTRY}/library/{name[len(DEFAULT_REGISTRY) + 1:]}"
    last = name.rsplit("/", 1)[-1]
    if ":" not in last and not at:
        name = f"{name}:{DEFAULT_TAG}"
    return f"{name}{at}{digest}"


def split(reference: str) -> tuple[str, str]:
    """(repository, tag) of a normalized reference (the tag is the digest for `@sha256:`)."""
    if "@" in reference:
        repository, digest = reference.split("@", 1)
        return repository.rsplit(":", 1)[0] if ":" in repository.rsplit("/", 1)[-1] \
            else repository, digest
    repository, _, tag = reference.rpartition(":")
    return repository, tag


def image_id(reference: str) -> str:
    """The image's id (its config digest), fixed per repository and tag."""
    return "sha256:" + hashlib.sha256(normalize(reference).encode()).hexdigest()


def argv(image: Image, command: list[str], args: list[str]) -> list[str]:
    """The process's argv: the container's command and args over the image's defaults."""
    if command:
        return [*command, *args]
    return [*image.entrypoint, *(args or image.cmd)]


class Catalogue:
    """The registry's contents, by normalized repository."""

    def __init__(self, images: list[Image]) -> None:
        self.images = {image.repository: image for image in images}

    def find(self, reference: str) -> Image:
        """The image a reference names; ImageNotFoundError with the registry's words if none."""
        normalized = normalize(reference)
        repository, tag = split(normalized)
        image = self.images.get(repository)
        if image is None or (not tag.startswith("sha256:") and tag not in image.tags):
            raise ImageNotFoundError(
                f'failed to resolve reference "{normalized}": {normalized}: not found')
        return image

"""The container registry: a host outside the cluster that serves image manifests and layers.

One host stands for every registry the images name (docker.io, registry.k8s.io): a node asks it
for a manifest, then for each layer, and a layer's answer takes its size over the bandwidth.
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.node.image_catalogue import Catalogue
from k8slab.node.image_store import BANDWIDTH, REGISTRY_PORT
from k8slab.sim.host import Host, ProcessGroup


class Registry:
    """The registry's server: `{"manifest": ref}` -> the Image; `{"blob": ref, "layer": i}` ->
    the layer's size in bytes, after the time it takes to send."""

    def __init__(self, group: ProcessGroup, catalogue: Catalogue) -> None:
        self.group = group
        self.catalogue = catalogue

    def serve(self, request: dict) -> Generator:
        """Answer one request (a generator, as the network's rpc runs it)."""
        image = self.catalogue.find(request.get("manifest") or request["blob"])
        if "manifest" in request:
            yield self.group.env.timeout(0)
            return image
        size = image.layers[request["layer"]]
        yield self.group.env.timeout(size / BANDWIDTH)
        return size


def registry_boot(catalogue: Catalogue):
    """The registry host's boot function: serve `catalogue` on port 443."""

    def boot(host: Host) -> None:
        group = host.group("registry")
        group.listen(REGISTRY_PORT, Registry(group, catalogue))

    return boot

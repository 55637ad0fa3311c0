"""The custom kinds one API server serves: its CRDs, read from its own watch cache.

Upstream's crdHandler keeps a storage per CRD and serves `/apis/<group>/<version>/<plural>`
once the CRD is Established. Here the registry follows the CRD objects as the watch cache
applies them from etcd, so every API server of a cluster (and no other cluster) serves the
same custom kinds; the built-in kinds stay in k8slab.api.kinds and are looked up first.
"""

from __future__ import annotations

from collections.abc import Callable

from k8slab.api.custom_kinds import crd_kinds
from k8slab.api.kinds import CUSTOM_RESOURCE_DEFINITION, Kind, registry_prefix, resource_info
from k8slab.errors import K8sLabError

CRD_PREFIX = registry_prefix(CUSTOM_RESOURCE_DEFINITION)


def condition_true(crd: dict, kind: str) -> bool:
    """True when the CRD's status has condition `kind` (Established, NamesAccepted) True."""
    return any(c.get("type") == kind and c.get("status") == "True"
               for c in (crd.get("status") or {}).get("conditions") or [])


class CustomResourceRegistry:
    """The CRDs the watch cache holds, and the kinds of the Established ones."""

    def __init__(self) -> None:
        self.definitions: dict[str, dict] = {}  # CRD name -> CRD object
        self.kinds: tuple[Kind, ...] = ()
        self._crd_of: dict[Kind, dict] = {}
        self.on_change: list[Callable[[str], None]] = []

    def reset(self, objects: dict[str, dict]) -> None:
        """Take the CRDs from a freshly filled cache (etcd key -> object)."""
        self.definitions = {obj["metadata"]["name"]: obj for key, obj in sorted(objects.items())
                            if key.startswith(CRD_PREFIX)}
        self._rebuild()
        for name in sorted(self.definitions):
            self._changed(name)

    def apply(self, key: str, obj: dict | None) -> None:
        """Follow one change the cache applied; other kinds' keys are ignored."""
        if not key.startswith(CRD_PREFIX):
            return
        name = key[len(CRD_PREFIX):]
        if obj is None:
            self.definitions.pop(name, None)
        else:
            self.definitions[name] = obj
        self._rebuild()
        self._changed(name)

    def _changed(self, name: str) -> None:
        for callback in self.on_change:
            callback(name)

    def _rebuild(self) -> None:
        kinds: list[Kind] = []
        self._crd_of = {}
        for name in sorted(self.definitions):
            crd = self.definitions[name]
            if not condition_true(crd, "Established"):
                continue
            for kind in crd_kinds(crd):
                kinds.append(kind)
                self._crd_of[kind] = crd
        self.kinds = tuple(kinds)

    def resolve(self, resource: str) -> Kind:
        """The Kind a request's resource names, built-in first, then the served custom kinds
        (`webapps`, `webapps.example.com`, `webapps.v1beta1.example.com`, `webapp.example.com`).
        An unknown name raises the built-in registry's error."""
        try:
            return resource_info(resource)
        except K8sLabError:
            if not self.kinds:
                raise
        return resource_info(resource, self.kinds)

    def crd_for(self, kind: Kind) -> dict | None:
        """The CRD that defines `kind`, or None for a built-in kind."""
        return self._crd_of.get(kind)

"""What the LimitRanger and ResourceQuota plugins read: a namespace's LimitRanges or quotas.

Upstream's plugins list them from informers and, when those hold nothing yet, ask the API
directly (a "live lookup"). Here the informer is the API server's own watch cache, and the live
lookup a read from etcd.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Generator

from k8slab.api.kinds import REGISTRY_ROOT, Kind, registry_prefix
from k8slab.apiserver.storage import Storage

# A lister answers the objects of a kind in a namespace from the API server's watch cache, or
# None while the cache is not filled (then the plugin reads etcd, as upstream's live lookup).
Lister = Callable[[Kind, str], list[dict] | None]


def list_namespaced(storage: Storage, lister: Lister | None, kind: Kind,
                    namespace: str) -> Generator:
    """The objects of `kind` in `namespace`: from the cache when it can answer, else etcd."""
    cached = lister(kind, namespace) if lister is not None else None
    if cached is not None:
        return cached
    items, _ = yield from storage.list(kind, namespace)
    return items


class KindIndex:
    """The objects of a few kinds (LimitRanges, ResourceQuotas), fed from the same etcd watch
    as the watch cache, so a plugin's lookup reads a handful of objects, not every key."""

    def __init__(self, kinds: tuple[Kind, ...]) -> None:
        self._stores: dict[str, dict[str, dict]] = {registry_prefix(kind): {} for kind in kinds}

    def _store(self, key: str) -> dict[str, dict] | None:
        end = key.find("/", len(REGISTRY_ROOT) + 1)
        return self._stores.get(key[:end + 1]) if end >= 0 else None

    def reset(self, objects: dict[str, dict]) -> None:
        """Start again from a full list (the cache's re-list), keeping the indexed kinds."""
        for store in self._stores.values():
            store.clear()
        for key, obj in objects.items():
            self.apply(key, obj)

    def apply(self, key: str, obj: dict | None) -> None:
        """One change from etcd: the object now at `key`, or None once it is deleted."""
        store = self._store(key)
        if store is None:
            return
        if obj is None:
            store.pop(key, None)
        else:
            store[key] = obj

    def list(self, kind: Kind, namespace: str) -> list[dict]:
        """Copies of the indexed objects of `kind` in `namespace`, by key."""
        store = self._stores[registry_prefix(kind)]
        prefix = registry_prefix(kind, namespace)
        return [copy.deepcopy(store[key]) for key in sorted(store) if key.startswith(prefix)]

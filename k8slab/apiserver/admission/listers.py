"""What admission plugins read: the objects upstream's plugins get from informers' listers.

Upstream's Priority and PodSecurity plugins read PriorityClasses and Namespaces from the API
server's own informers, never from etcd per request. Here they read the watch cache (the same
objects, already in memory); before the cache is first filled they ask etcd, where upstream's
plugins would instead wait for their informers to sync.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Generator

from k8slab.api.kinds import Kind, registry_key, registry_prefix
from k8slab.apiserver.storage import Storage
from k8slab.apiserver.watch import WatchCache
from k8slab.errors import NotFoundError


class Lister:
    """Reads objects for admission: from `cache` while `ready()` says it is filled, else from
    `storage` (etcd). Answers are copies, sorted by etcd key."""

    def __init__(self, storage: Storage, cache: WatchCache | None = None,
                 ready: Callable[[], bool] = lambda: False) -> None:
        self.storage = storage
        self.cache = cache
        self.ready = ready

    def _cached(self) -> bool:
        return self.cache is not None and self.ready()

    def list(self, kind: Kind, namespace: str | None = None) -> Generator:
        """Every object of `kind` (in `namespace`, or all), in key order."""
        if self._cached():
            prefix = registry_prefix(kind, namespace)
            found = [(key, obj) for key, obj in self.cache.objects.items()
                     if key.startswith(prefix)]
            return [copy.deepcopy(obj) for _, obj in sorted(found, key=lambda item: item[0])]
        items, _ = yield from self.storage.list(kind, namespace, from_cache=True)
        return items

    def get(self, kind: Kind, namespace: str | None, name: str, *,
            live_on_miss: bool = False) -> Generator:
        """One object, or None when there is none by that name. `live_on_miss`: an object the
        cache has not seen yet is read from etcd (PodSecurity's namespace getter does this)."""
        if self._cached():
            obj = self.cache.objects.get(registry_key(kind, namespace, name))
            if obj is not None or not live_on_miss:
                return copy.deepcopy(obj) if obj is not None else None
        try:
            return (yield from self.storage.get(kind, namespace, name))
        except NotFoundError:
            return None

"""What the LimitRanger and ResourceQuota plugins read: a namespace's LimitRanges or quotas.

Upstream's plugins list them from informers and, when those hold nothing yet, ask the API
directly (a "live lookup"). Here the informer is the API server's own watch cache, and the live
lookup a read from etcd.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

from k8slab.api.kinds import Kind
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

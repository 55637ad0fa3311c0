"""Informers, as client-go's tools/cache has them: a local, watched copy of one resource.

An informer lists a resource, then watches it from the list's resourceVersion, keeping a local
cache and calling handlers on add, update and delete. When the watch breaks (a 410 Gone for a
resourceVersion the server no longer has, or a closed connection) it lists again. Its watch
allows bookmarks, as client-go's reflector asks: they only move its resourceVersion on.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

from k8slab.client.rest import Client
from k8slab.errors import K8sLabError

# client-go reflector back-off: 800 ms initial, doubling, capped at 30 s (tools/cache/reflector.go).
BACKOFF_INITIAL = 0.8
BACKOFF_MAX = 30.0


def cache_key(obj: dict) -> str:
    """`namespace/name` for namespaced objects, `name` otherwise (client-go's MetaNamespaceKey)."""
    meta = obj["metadata"]
    return f"{meta['namespace']}/{meta['name']}" if meta.get("namespace") else meta["name"]


class Informer:
    """A local, watched copy of one resource; handlers run on every change."""

    def __init__(
        self,
        client: Client,
        resource: str,
        *,
        namespace: str | None = None,
        field_selector: str = "",
        strip_managed_fields: bool = False,
    ) -> None:
        self.client = client
        # A transform that drops metadata.managedFields from what is cached, as
        # kube-controller-manager's informers do to save memory (its "trim" transform).
        self.strip_managed_fields = strip_managed_fields
        self.resource = resource
        self.namespace = namespace
        self.field_selector = field_selector
        self.cache: dict[str, dict] = {}
        self.synced = False
        self.resource_version = ""  # client-go's LastSyncResourceVersion: a list's, an event's
        self.on_add: list[Callable[[dict], None]] = []
        self.on_update: list[Callable[[dict, dict], None]] = []
        self.on_delete: list[Callable[[dict], None]] = []
        self._index_funcs: dict[str, Callable[[dict], list[str]]] = {}
        self._indexes: dict[str, dict[str, dict[str, dict]]] = {}
        self.started = False
        self._rng = client.group.sim.rng(
            f"informer/{client.group.host.name}/{client.user}/{resource}"
        )

    def start(self) -> None:
        """Run the list-and-watch loop in the client's process group (once)."""
        if not self.started:
            self.started = True
            self.client.group.spawn(self._run())

    def add_index(self, name: str, index: Callable[[dict], list[str]]) -> None:
        """Keep the cache indexed by `index(obj)`'s values (client-go's Indexers), so a
        controller finds "the pods this ReplicaSet owns" without scanning every pod."""
        self._index_funcs[name] = index
        self._indexes[name] = {}
        for key, obj in self.cache.items():
            self._index(name, key, None, obj)

    def by_index(self, name: str, value: str) -> list[dict]:
        """The cached objects whose index `name` includes `value`, sorted by key."""
        found = self._indexes[name].get(value, {})
        return [found[k] for k in sorted(found)]

    def get(self, key: str) -> dict | None:
        """The cached object with this `namespace/name` (or `name`) key, if any."""
        return self.cache.get(key)

    def _index(self, name: str, key: str, old: dict | None, new: dict | None) -> None:
        index = self._indexes[name]
        for value in self._index_funcs[name](old) if old is not None else []:
            index.get(value, {}).pop(key, None)
            if value in index and not index[value]:
                del index[value]
        for value in self._index_funcs[name](new) if new is not None else []:
            index.setdefault(value, {})[key] = new

    def _store(self, key: str, old: dict | None, new: dict | None) -> None:
        if new is None:
            self.cache.pop(key, None)
        else:
            self.cache[key] = new
        for name in self._indexes:
            self._index(name, key, old, new)

    def _run(self) -> Generator:
        env = self.client.group.env
        backoff = BACKOFF_INITIAL
        while True:
            try:
                # client-go's reflector lists at resourceVersion "0": the API server's cache.
                items, rv = yield from self.client.list(
                    self.resource, self.namespace, self.field_selector, resource_version="0",
                    read_only=True)
            except K8sLabError:
                yield env.timeout(backoff * (1 + self._rng.random()))
                backoff = min(backoff * 2, BACKOFF_MAX)
                continue
            backoff = BACKOFF_INITIAL
            self._replace(items)
            self.resource_version = rv
            self.synced = True
            closed = env.event()
            self.client.watch(
                self.resource,
                rv,
                self._on_event,
                lambda reason, done=closed: done.succeed(reason),
                self.namespace,
                self.field_selector,
                allow_watch_bookmarks=True,
            )
            yield closed
            yield env.timeout(BACKOFF_INITIAL * (1 + self._rng.random()))

    def _transformed(self, obj: dict) -> dict:
        meta = obj.get("metadata")
        if not self.strip_managed_fields or "managedFields" not in meta:
            return obj
        return dict(obj, metadata={k: v for k, v in meta.items() if k != "managedFields"})

    def _replace(self, items: list[dict]) -> None:
        fresh = {cache_key(obj): self._transformed(obj) for obj in items}
        for key in [k for k in self.cache if k not in fresh]:
            old = self.cache[key]
            self._store(key, old, None)
            self._emit_delete(old)
        for key, obj in fresh.items():
            old = self.cache.get(key)
            if old is None:
                self._store(key, None, obj)
                self._emit_add(obj)
            elif old["metadata"].get("resourceVersion") != obj["metadata"].get("resourceVersion"):
                self._store(key, old, obj)
                self._emit_update(old, obj)

    def _on_event(self, event: dict) -> None:
        kind = event["type"]
        if kind == "ERROR":
            return  # the server closes the stream right after; the loop re-lists
        self.resource_version = event["object"]["metadata"].get("resourceVersion",
                                                                self.resource_version)
        if kind == "BOOKMARK":
            return  # nothing changed: the watch has reached this resourceVersion
        obj = self._transformed(event["object"])
        key = cache_key(obj)
        old = self.cache.get(key)
        if kind == "DELETED":
            if old is not None:
                self._store(key, old, None)
                self._emit_delete(obj)
        elif old is None:
            self._store(key, None, obj)
            self._emit_add(obj)
        else:
            self._store(key, old, obj)
            self._emit_update(old, obj)

    def _emit_add(self, obj: dict) -> None:
        for handler in self.on_add:
            handler(obj)

    def _emit_update(self, old: dict, new: dict) -> None:
        for handler in self.on_update:
            handler(old, new)

    def _emit_delete(self, obj: dict) -> None:
        for handler in self.on_delete:
            handler(obj)

    def list(self) -> list[dict]:
        """Every cached object, sorted by key."""
        return [self.cache[k] for k in sorted(self.cache)]


class SharedInformerFactory:
    """One informer per (resource, namespace, field selector), shared by every controller of a
    process, as client-go's SharedInformerFactory: one list and one watch however many use it."""

    def __init__(self, client: Client, *, strip_managed_fields: bool = False) -> None:
        self.client = client
        self.strip_managed_fields = strip_managed_fields
        self._informers: dict[tuple[str, str, str], Informer] = {}

    def informer(self, resource: str, namespace: str | None = None,
                 field_selector: str = "") -> Informer:
        """The shared informer for `resource` (made on first use, started by `start`)."""
        key = (resource, namespace or "", field_selector)
        if key not in self._informers:
            self._informers[key] = Informer(self.client, resource, namespace=namespace,
                                            field_selector=field_selector,
                                            strip_managed_fields=self.strip_managed_fields)
        return self._informers[key]

    def start(self) -> None:
        """Start every informer asked for so far (starting one twice does nothing)."""
        for informer in self._informers.values():
            informer.start()

    def synced(self) -> bool:
        """True once every informer has listed at least once (WaitForCacheSync)."""
        return all(informer.synced for informer in self._informers.values())

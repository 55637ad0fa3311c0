"""Informers, as client-go's tools/cache has them: a local, watched copy of one resource.

An informer lists a resource, then watches it from the list's resourceVersion, keeping a local
cache and calling handlers on add, update and delete. When the watch breaks it lists again.
"""

from __future__ import annotations

import copy
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
    ) -> None:
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.field_selector = field_selector
        self.cache: dict[str, dict] = {}
        self.synced = False
        self.on_add: list[Callable[[dict], None]] = []
        self.on_update: list[Callable[[dict, dict], None]] = []
        self.on_delete: list[Callable[[dict], None]] = []
        self._rng = client.group.sim.rng(
            f"informer/{client.group.host.name}/{client.user}/{resource}"
        )

    def start(self) -> None:
        """Run the list-and-watch loop in the client's process group."""
        self.client.group.spawn(self._run())

    def _run(self) -> Generator:
        env = self.client.group.env
        backoff = BACKOFF_INITIAL
        while True:
            try:
                # client-go's reflector lists at resourceVersion "0": the API server's cache.
                items, rv = yield from self.client.list(
                    self.resource, self.namespace, self.field_selector, resource_version="0"
                )
            except K8sLabError:
                yield env.timeout(backoff * (1 + self._rng.random()))
                backoff = min(backoff * 2, BACKOFF_MAX)
                continue
            backoff = BACKOFF_INITIAL
            self._replace(items)
            self.synced = True
            closed = env.event()
            self.client.watch(
                self.resource,
                rv,
                self._on_event,
                lambda reason, done=closed: done.succeed(reason),
                self.namespace,
                self.field_selector,
            )
            yield closed
            yield env.timeout(BACKOFF_INITIAL * (1 + self._rng.random()))

    def _replace(self, items: list[dict]) -> None:
        fresh = {cache_key(obj): obj for obj in items}
        for key in [k for k in self.cache if k not in fresh]:
            self._emit_delete(self.cache.pop(key))
        for key, obj in fresh.items():
            old = self.cache.get(key)
            if old is None:
                self.cache[key] = obj
                self._emit_add(obj)
            elif old["metadata"].get("resourceVersion") != obj["metadata"].get("resourceVersion"):
                self.cache[key] = obj
                self._emit_update(old, obj)

    def _on_event(self, event: dict) -> None:
        kind = event["type"]
        if kind == "ERROR":
            return  # the server closes the stream right after; the loop re-lists
        obj = copy.deepcopy(event["object"])
        key = cache_key(obj)
        old = self.cache.get(key)
        if kind == "DELETED":
            if old is not None:
                del self.cache[key]
                self._emit_delete(obj)
        elif old is None:
            self.cache[key] = obj
            self._emit_add(obj)
        else:
            self.cache[key] = obj
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

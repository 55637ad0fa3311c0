"""The API server's watch cache: every object decoded once, a window of recent events, and watches.

etcd's watch feeds it; it serves watches from a resourceVersion (events newer than it are
replayed from the window; one older than the window gets 410 Gone, "too old resource version",
and the client re-lists) and the lists `cacher.py` answers. Simplified: one cache holds every
resource, where upstream runs one cacher per resource.
"""

from __future__ import annotations

import heapq
import marshal
from collections.abc import Callable
from dataclasses import dataclass, field

from k8slab.api.kinds import KINDS, REGISTRY_ROOT
from k8slab.apiserver.event_window import (
    EVENT_FRESH_SECONDS,
    LOWER_BOUND_CAPACITY,
    CachedEvent,
    EventWindow,
)
from k8slab.apiserver.label_selectors import Requirement, labels_match
from k8slab.apiserver.object_copy import json_copy
from k8slab.apiserver.selectors import matches
from k8slab.sim.network import Stream

__all__ = ["EVENT_FRESH_SECONDS", "LOWER_BOUND_CAPACITY", "CachedEvent", "WatchCache", "Watcher"]

# cacher.go bookmarkFrequency: a watch that allows bookmarks gets one about every minute.
BOOKMARK_SECONDS = 60.0
INITIAL_EVENTS_END = "k8s.io/initial-events-end"  # metav1.InitialEventsAnnotationKey
# Storage prefixes longest first, so "/registry/services/specs/..." is a Service's key.
_STORAGE_PREFIXES = sorted({info.storage_prefix for info in KINDS}, key=len, reverse=True)


def storage_prefix_of(key: str) -> str:
    """The storage prefix of an etcd key: "pods" for /registry/pods/default/web, and
    "services/specs" (upstream's historic prefix, two segments) for a Service's key. A custom
    resource lives under its group, which has a dot: "example.com/webapps"."""
    rest = key.removeprefix(f"{REGISTRY_ROOT}/")
    found = next((p for p in _STORAGE_PREFIXES if rest.startswith(f"{p}/")), None)
    if found is not None:
        return found
    parts = rest.split("/")
    return "/".join(parts[:2]) if "." in parts[0] else parts[0]


@dataclass(eq=False)
class Watcher:
    """One client watch: which objects it wants, how it shows them (`present`: the requested
    version's form), the stream that carries them, and the revision it has seen (`after`: it
    is sent only later events, as upstream's cacheWatcher drops older ones)."""

    prefix: str
    namespace: str | None
    selector: dict
    stream: Stream
    labels: tuple[Requirement, ...] = ()
    present: Callable[[dict], dict] | None = None
    after: int = 0
    bookmarks: bool = False
    type_meta: dict = field(default_factory=dict)

    def wants(self, obj: dict | None) -> bool:
        """True if `obj` is in this watch's namespace and matches its field and label
        selectors."""
        if obj is None:
            return False
        if self.namespace and obj["metadata"].get("namespace") != self.namespace:
            return False
        return matches(obj, self.selector) and labels_match(obj, self.labels)

    def offer(self, event: CachedEvent, shared: dict[str, dict] | None = None, *,
              initial: bool = False) -> None:
        """Send the event as this watcher sees it (ADDED when an object enters its selector).

        The object sent is a copy, made once per event and `shared` (a dict per event, by
        event type) by every watcher of it (upstream serializes an event once for all its
        watchers), so no client holds the cache's own object; a live change's copy is the
        cache's `shared_copy`. `initial` events (a watch's synthetic ADDED) all share one
        revision."""
        if event.rv <= self.after and not initial:
            return
        now, before = self.wants(event.obj), self.wants(event.prev)
        if now:
            kind = event.type if before else "ADDED"
        elif before:
            kind = "DELETED"
        else:
            return
        shared = {} if shared is None else shared
        if kind not in shared:
            shared[kind] = _sent_form(event, kind)
        obj = shared[kind]
        if self.present is not None:
            obj = self.present(obj)
        self.after = event.rv
        self.stream.send({"type": kind, "object": obj})

    def bookmark(self, revision: int, annotations: dict | None = None) -> None:
        """A BOOKMARK event: only the revision the watch has reached, so a client that restarts
        it need not go back further."""
        meta: dict = {"resourceVersion": str(revision)}
        if annotations:
            meta["annotations"] = annotations
        self.after = max(self.after, revision)
        self.stream.send({"type": "BOOKMARK", "object": {**self.type_meta, "metadata": meta}})


def _sent_form(event: CachedEvent, kind: str) -> dict:
    """A copy of what a watcher is sent: the object, or for one that left its selector the
    last version it saw, at the event's revision."""
    if kind != "DELETED":
        return json_copy(event.obj)
    obj = json_copy(event.prev)
    obj["metadata"]["resourceVersion"] = str(event.rv)
    return obj


class WatchCache:
    """Current objects by etcd key, a window of recent events, and the open watches."""

    def __init__(self) -> None:
        self.objects: dict[str, dict] = {}
        self.revision = 0
        self.compacted = 0  # the revision etcd was last compacted at (the cache's snapshots too)
        self.undecodable: dict[str, str] = {}  # etcd key -> the decoder's error
        self.window = EventWindow(0)
        self._watchers: dict[str, list[Watcher]] = {}
        self._by_node: dict[tuple[str, str], list[Watcher]] = {}
        self._bookmarks: list[tuple[float, int, Watcher]] = []
        self._waiting: list[tuple[int, int, Callable[[], None]]] = []
        self._sequence = 0
        self._frozen: dict[str, bytes] = {}  # etcd key -> the current object, marshalled
        self._shared: dict[str, dict] = {}  # etcd key -> the current object's read-only copy

    def served_copy(self, key: str, obj: dict) -> dict:
        """A copy of `obj` (stored at `key`) for a client: from the object's marshalled form,
        made once per version as upstream caches an object's serialization, when `obj` is the
        current version; by json_copy for an older one (an exact list's)."""
        if self.objects.get(key) is not obj:
            return json_copy(obj)
        frozen = self._frozen.get(key)
        if frozen is None:
            frozen = self._frozen[key] = marshal.dumps(obj)
        return marshal.loads(frozen)

    def shared_copy(self, key: str, obj: dict) -> dict:
        """The one copy of `obj` (stored at `key`) every read-only reader shares: made once per
        version, handed to every informer's list and to every watcher of the change.

        A simulation shortcut: in a cluster each process decodes its own copy, and client-go
        asks informers' users never to change a cached object; here every process lives in one
        Python heap, so a thousand nodes' informers hold one copy of each Node, not a thousand.
        """
        if self.objects.get(key) is not obj:
            return json_copy(obj)
        shared = self._shared.get(key)
        if shared is None:
            shared = self._shared[key] = json_copy(obj)
        return shared

    def changed_shared_copies(self) -> list[str]:
        """The keys whose shared read-only copy a reader changed (it no longer equals the
        cached object); [] when every reader kept its promise."""
        return [key for key, shared in sorted(self._shared.items())
                if shared != self.objects.get(key)]

    def reset(self, objects: dict[str, dict], revision: int,
              undecodable: dict[str, str] | None = None) -> None:
        """Fill the cache from a fresh list of etcd at `revision`; every open watch is closed."""
        self.objects = objects
        self.revision = revision
        self._frozen.clear()
        self._shared.clear()
        self.undecodable = dict(undecodable or {})
        self.window = EventWindow(revision)
        for watcher in self._all_watchers():
            watcher.stream.close("watch cache re-initialized")
        self._watchers.clear()
        self._by_node.clear()
        self._bookmarks.clear()
        self._wake()

    def apply(self, key: str, obj: dict | None, rv: int, now: float,
              error: str | None = None) -> None:
        """Record one change from etcd (obj None = deleted, or not decodable: `error`) and fan
        it out to the watchers."""
        if error is None:
            self.undecodable.pop(key, None)
        else:
            self.undecodable[key] = error
        prev = self.objects.get(key)
        self._frozen.pop(key, None)
        self._shared.pop(key, None)
        if obj is None:
            self.objects.pop(key, None)
            kind = "DELETED"
        else:
            self.objects[key] = obj
            kind = "ADDED" if prev is None else "MODIFIED"
        self.revision = rv
        event = CachedEvent(rv, now, key, storage_prefix_of(key), kind, obj, prev)
        self.window.append(event)
        watchers = self._interested(event)
        shared: dict[str, dict] = {}
        if watchers and obj is not None:
            shared["ADDED"] = shared["MODIFIED"] = self.shared_copy(key, obj)
        for watcher in watchers:
            watcher.offer(event, shared)
        self._wake()

    def compact(self, revision: int) -> None:
        """etcd was compacted at `revision`: no list at an exact revision before it is served
        from here any more (upstream's watchCache.Compact drops the older snapshots)."""
        self.compacted = max(self.compacted, revision)

    @property
    def oldest_snapshot(self) -> int:
        """The oldest revision an exact list is answered at: the window's, or the compaction's."""
        return max(self.window.oldest_snapshot, self.compacted)

    def snapshot(self, prefix: str, rv: int) -> dict[str, dict]:
        """The objects under etcd `prefix` at revision `rv` (between oldest_snapshot and now)."""
        if rv >= self.revision:
            return {k: o for k, o in self.objects.items() if k.startswith(prefix)}
        return self.window.rewind(self.objects, prefix, rv)

    def when_fresh(self, rv: int, callback: Callable[[], None]) -> None:
        """Call `callback` once the cache has reached revision `rv` (now, if it has)."""
        if self.revision >= rv:
            callback()
            return
        self._sequence += 1
        heapq.heappush(self._waiting, (rv, self._sequence, callback))

    def _wake(self) -> None:
        while self._waiting and self._waiting[0][0] <= self.revision:
            heapq.heappop(self._waiting)[2]()

    def _interested(self, event: CachedEvent) -> list[Watcher]:
        watchers = list(self._watchers.get(event.prefix, []))
        nodes = [o["spec"].get("nodeName") for o in (event.prev, event.obj) if o and "spec" in o]
        for node in dict.fromkeys(n for n in nodes if n):
            watchers.extend(self._by_node.get((event.prefix, node), []))
        return [w for w in watchers if w.stream.open]

    def watch(self, watcher: Watcher, resource_version: int | None, now: float = 0.0) -> str | None:
        """Register `watcher`, replay events after `resource_version`; error text if too old.

        With no resourceVersion (None), the watch starts with the current objects as ADDED.
        """
        if resource_version is None:
            self.send_state(watcher)
        elif resource_version < self.window.oldest_watchable:
            # watch_cache.go getAllEventsSinceLocked: "too old resource version: %d (%d)".
            return f"too old resource version: {resource_version} ({self.window.oldest_watchable})"
        else:
            watcher.after = resource_version
            for event in self.window.since(resource_version):
                if event.prefix == watcher.prefix:
                    watcher.offer(event)
            watcher.after = max(watcher.after, resource_version)
        self.register(watcher, now)
        return None

    def send_state(self, watcher: Watcher) -> None:
        """The synthetic ADDED events of a watch without a resourceVersion: every object it
        selects, as of the cache's revision."""
        watcher.after = 0
        prefix = f"{REGISTRY_ROOT}/{watcher.prefix}/"
        for key in sorted(k for k in self.objects if k.startswith(prefix)):
            obj = self.objects[key]
            if storage_prefix_of(key) == watcher.prefix:
                watcher.offer(CachedEvent(self.revision, 0.0, key, watcher.prefix, "ADDED", obj,
                                          None), initial=True)
        watcher.after = self.revision

    def register(self, watcher: Watcher, now: float) -> None:
        """Follow the cache from now on; a watch that allows bookmarks gets its first in a
        minute."""
        node = watcher.selector.get("spec.nodeName")
        if node:
            self._by_node.setdefault((watcher.prefix, node), []).append(watcher)
        else:
            self._watchers.setdefault(watcher.prefix, []).append(watcher)
        if watcher.bookmarks:
            self._sequence += 1
            heapq.heappush(self._bookmarks, (now + BOOKMARK_SECONDS, self._sequence, watcher))
        self._drop_closed()

    def send_bookmarks(self, now: float) -> None:
        """Send a BOOKMARK at the cache's revision to every watch whose minute has come."""
        while self._bookmarks and self._bookmarks[0][0] <= now:
            _, _, watcher = heapq.heappop(self._bookmarks)
            if not watcher.stream.open:
                continue
            watcher.bookmark(self.revision)
            self._sequence += 1
            heapq.heappush(self._bookmarks, (now + BOOKMARK_SECONDS, self._sequence, watcher))

    def _all_watchers(self) -> list[Watcher]:
        return [w for ws in self._watchers.values() for w in ws] + [
            w for ws in self._by_node.values() for w in ws
        ]

    def _drop_closed(self) -> None:
        for table in (self._watchers, self._by_node):
            for key in list(table):
                table[key] = [w for w in table[key] if w.stream.open]

"""The API server's watch cache: the latest objects and a window of recent events, fed by etcd.

Clients watch from a resourceVersion. Events newer than it are replayed from the window; a version
older than the window gets 410 Gone ("too old resource version"), and the client must re-list.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from k8slab.api.kinds import KINDS, REGISTRY_ROOT
from k8slab.apiserver.label_selectors import Requirement, labels_match
from k8slab.apiserver.selectors import matches
from k8slab.sim.network import Stream

# The cache keeps at least 75 s of history (upstream cacher eventFreshDuration) and 100 events
# (the historic default watch cache size); older events are forgotten.
EVENT_FRESH_SECONDS = 75.0
MIN_EVENTS = 100
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


@dataclass(frozen=True, slots=True)
class CachedEvent:
    """One change of one object, at etcd revision `rv` and simulated time `time`."""

    rv: int
    time: float
    prefix: str
    type: str
    obj: dict | None
    prev: dict | None


@dataclass(eq=False)
class Watcher:
    """One client watch: which objects it wants, how it shows them (`present`: the requested
    version's form) and the stream that carries them."""

    prefix: str
    namespace: str | None
    selector: dict
    stream: Stream
    labels: tuple[Requirement, ...] = ()
    present: Callable[[dict], dict] | None = None

    def wants(self, obj: dict | None) -> bool:
        """True if `obj` is in this watch's namespace and matches its field and label
        selectors."""
        if obj is None:
            return False
        if self.namespace and obj["metadata"].get("namespace") != self.namespace:
            return False
        return matches(obj, self.selector) and labels_match(obj, self.labels)

    def offer(self, event: CachedEvent) -> None:
        """Send the event as this watcher sees it (ADDED when an object enters its selector)."""
        now, before = self.wants(event.obj), self.wants(event.prev)
        if now and before:
            kind, obj = event.type, event.obj
        elif now:
            kind, obj = "ADDED", event.obj
        elif before:
            kind, obj = (
                "DELETED",
                dict(
                    event.prev, metadata=dict(event.prev["metadata"], resourceVersion=str(event.rv))
                ),
            )
        else:
            return
        if self.present is not None:
            obj = self.present(obj)
        self.stream.send({"type": kind, "object": obj})


class WatchCache:
    """Current objects by etcd key, a window of recent events, and the open watches."""

    def __init__(self) -> None:
        self.objects: dict[str, dict] = {}
        self.revision = 0
        self._events: deque[CachedEvent] = deque()
        self._window_start = 0
        self._watchers: dict[str, list[Watcher]] = {}
        self._by_node: dict[tuple[str, str], list[Watcher]] = {}

    def reset(self, objects: dict[str, dict], revision: int) -> None:
        """Fill the cache from a fresh list of etcd at `revision`; every open watch is closed."""
        self.objects = objects
        self.revision = revision
        self._events.clear()
        self._window_start = revision
        for watcher in self._all_watchers():
            watcher.stream.close("watch cache re-initialized")
        self._watchers.clear()
        self._by_node.clear()

    def apply(self, key: str, obj: dict | None, rv: int, now: float) -> None:
        """Record one change from etcd (obj None = deleted) and fan it out to the watchers."""
        prefix = storage_prefix_of(key)
        prev = self.objects.get(key)
        if obj is None:
            self.objects.pop(key, None)
            kind = "DELETED"
        else:
            self.objects[key] = obj
            kind = "ADDED" if prev is None else "MODIFIED"
        self.revision = rv
        event = CachedEvent(rv, now, prefix, kind, obj, prev)
        self._events.append(event)
        self._prune(now)
        for watcher in self._interested(event):
            watcher.offer(event)

    def _interested(self, event: CachedEvent) -> list[Watcher]:
        watchers = list(self._watchers.get(event.prefix, []))
        nodes = [o["spec"].get("nodeName") for o in (event.prev, event.obj) if o and "spec" in o]
        for node in dict.fromkeys(n for n in nodes if n):
            watchers.extend(self._by_node.get((event.prefix, node), []))
        return [w for w in watchers if w.stream.open]

    def _prune(self, now: float) -> None:
        while len(self._events) > MIN_EVENTS and now - self._events[0].time > EVENT_FRESH_SECONDS:
            self._window_start = self._events.popleft().rv

    def watch(self, watcher: Watcher, resource_version: int | None) -> str | None:
        """Register `watcher`, replay events after `resource_version`; error text if too old.

        With no resourceVersion ("0" or ""), the watch starts with the current objects as ADDED.
        """
        if resource_version is None:
            for key in sorted(self.objects):
                obj = self.objects[key]
                if storage_prefix_of(key) == watcher.prefix:
                    watcher.offer(CachedEvent(self.revision, 0.0, watcher.prefix, "ADDED", obj,
                                              None))
        elif resource_version < self._window_start:
            # watch_cache.go: "too old resource version: %d (%d)" with the oldest usable one.
            return f"too old resource version: {resource_version} ({self._window_start})"
        else:
            for event in self._events:
                if event.rv > resource_version and event.prefix == watcher.prefix:
                    watcher.offer(event)
        node = watcher.selector.get("spec.nodeName")
        if node:
            self._by_node.setdefault((watcher.prefix, node), []).append(watcher)
        else:
            self._watchers.setdefault(watcher.prefix, []).append(watcher)
        self._drop_closed()
        return None

    def _all_watchers(self) -> list[Watcher]:
        return [w for ws in self._watchers.values() for w in ws] + [
            w for ws in self._by_node.values() for w in ws
        ]

    def _drop_closed(self) -> None:
        for table in (self._watchers, self._by_node):
            for key in list(table):
                table[key] = [w for w in table[key] if w.stream.open]

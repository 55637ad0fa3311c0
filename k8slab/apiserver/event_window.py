"""The watch cache's history: a ring of recent events that grows while they are fresh.

Upstream's watchCache keeps events in a ring buffer whose capacity starts at 100 and doubles (up to
102,400) while its oldest event is younger than 75 s, and halves when even its newest quarter is
older than that; a full ring forgets its oldest event. The window answers two questions: which
events follow a resourceVersion (a watch's replay), and what the objects were at one (a list
at an exact resourceVersion, upstream's cache snapshots).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

# apiserver pkg/storage/cacher/watch_cache.go: defaultLowerBoundCapacity, defaultUpperBoundCapacity
# and eventFreshDuration (75 s: the bookmark frequency of 60 s plus 15 s).
LOWER_BOUND_CAPACITY = 100
UPPER_BOUND_CAPACITY = 100 * 1024
EVENT_FRESH_SECONDS = 75.0


@dataclass(frozen=True, slots=True)
class CachedEvent:
    """One change of the object at etcd `key`, at revision `rv` and simulated time `time`;
    `obj` is None for a deletion, `prev` None for a creation."""

    rv: int
    time: float
    key: str
    prefix: str
    type: str
    obj: dict | None
    prev: dict | None


class EventWindow:
    """The recent events after the list the cache started from, in revision order."""

    def __init__(self, list_revision: int) -> None:
        self.events: deque[CachedEvent] = deque()
        self.capacity = LOWER_BOUND_CAPACITY
        self.list_revision = list_revision
        self.last_dropped = 0  # the revision of the newest event forgotten; 0 while none is

    def append(self, event: CachedEvent) -> None:
        """Add the newest event, resizing as upstream's resizeCacheLocked does, then dropping
        the oldest if the ring is full."""
        self._resize(event.time)
        if len(self.events) >= self.capacity:
            self.last_dropped = self.events.popleft().rv
        self.events.append(event)

    def _resize(self, now: float) -> None:
        if len(self.events) < self.capacity:
            return
        if now - self.events[0].time < EVENT_FRESH_SECONDS:
            self.capacity = min(self.capacity * 2, UPPER_BOUND_CAPACITY)
        elif now - self.events[len(self.events) - self.capacity // 4].time > EVENT_FRESH_SECONDS:
            self.capacity = max(self.capacity // 2, LOWER_BOUND_CAPACITY)
            while len(self.events) > self.capacity:
                self.last_dropped = self.events.popleft().rv

    @property
    def oldest_watchable(self) -> int:
        """The oldest resourceVersion a watch may start from: the list's while no event has been
        forgotten, else just before the oldest event kept (upstream's `oldest - 1`)."""
        if not self.last_dropped:
            return self.list_revision
        return self.events[0].rv - 1  # an event is appended whenever one is dropped

    @property
    def oldest_snapshot(self) -> int:
        """The oldest resourceVersion whose state the window can rebuild: every event after it
        is still here (upstream keeps a snapshot per event and removes those it forgets)."""
        return self.last_dropped or self.list_revision

    def since(self, rv: int) -> list[CachedEvent]:
        """The events after `rv`, oldest first (read from the newest end: watches start
        near now)."""
        newer: list[CachedEvent] = []
        for event in reversed(self.events):
            if event.rv <= rv:
                break
            newer.append(event)
        newer.reverse()
        return newer

    def rewind(self, objects: dict[str, dict], prefix: str, rv: int) -> dict[str, dict]:
        """The objects under etcd `prefix` as they were at `rv`: today's, with every later event
        undone, newest first. `rv` must be at least `oldest_snapshot`."""
        state = {key: obj for key, obj in objects.items() if key.startswith(prefix)}
        for event in reversed(self.since(rv)):
            if not event.key.startswith(prefix):
                continue
            if event.prev is None:
                state.pop(event.key, None)
            else:
                state[event.key] = event.prev
        return state

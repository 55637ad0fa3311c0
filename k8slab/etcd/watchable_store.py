"""The key-value store with watchers: every write is kept as events, replayed and streamed.

A watcher names a key range and a start revision. Events since then that compaction kept arrive
at once, later ones as they are written; a start before the compact revision cancels the watch
(server/storage/mvcc/watchable_store.go, watcher.go).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, replace

from k8slab.etcd.errors import CompactedError, InvalidArgumentError
from k8slab.etcd.kvstore import KVStore, Snapshot
from k8slab.etcd.lease import MIN_LEASE_TTL
from k8slab.etcd.wire import NODELETE, NOPUT, Event, ResponseHeader, WatchResponse, in_range


@dataclass
class _Watcher:
    id: int
    key: str
    range_end: str
    min_revision: int
    callback: Callable[[WatchResponse], None]
    prev_kv: bool
    filters: tuple[str, ...]

    def send(self, revision: int, events: list[Event]) -> None:
        # mvcc/watcher.go send: filters drop events; if none are left, nothing is sent.
        dropped = {NOPUT: "PUT", NODELETE: "DELETE"}
        kept = [e for e in events if all(dropped[f] != e.type for f in self.filters)]
        if not self.prev_kv:
            kept = [replace(e, prev_kv=None) for e in kept]
        if kept:
            self.callback(WatchResponse(ResponseHeader(revision=revision), self.id, kept))


class WatchableStore(KVStore):
    """The store of one etcd member: keys, leases and compaction, plus history and watchers."""

    def __init__(self, min_lease_ttl: int = MIN_LEASE_TTL) -> None:
        super().__init__(min_lease_ttl)
        self._history: list[tuple[int, list[Event]]] = []
        self._subscribers: list[Callable[[int, list[Event]], None]] = []
        self._watchers: dict[int, _Watcher] = {}
        self._next_watch_id = 0

    def _commit(self, rev: int, events: list[Event]) -> None:
        super()._commit(rev, events)
        self._history.append((rev, events))
        for subscriber in list(self._subscribers):
            subscriber(rev, events)
        for watcher in list(self._watchers.values()):
            if watcher.id in self._watchers and rev >= watcher.min_revision:
                watcher.send(rev, [e for e in events
                                   if in_range(e.kv.key, watcher.key, watcher.range_end)])

    def compact(self, revision: int) -> None:
        """Compact the keys (KVStore.compact), and forget the events before `revision`."""
        super().compact(revision)
        del self._history[:bisect.bisect_left(self._history, revision, key=_first)]
        if self._history and self._history[0][0] == revision:  # its tombstones are gone
            puts = [e for e in self._history[0][1] if e.type == "PUT"]
            self._history[:1] = [(revision, puts)] if puts else []

    def restore_snapshot(self, snapshot: Snapshot) -> None:
        """Load a snapshot (KVStore.restore_snapshot); no event before it can be replayed."""
        super().restore_snapshot(snapshot)
        self._history = []

    # -- history ----------------------------------------------------------------------------

    def events_since(self, start_revision: int, key: str, range_end: str = "") -> list[Event]:
        """Events on [key, range_end) at revisions >= start_revision (a watch's replay).

        Start 0 means "from now on": no past events. Events carry prev_kv as a prev_kv watch
        sees them.
        """
        if 0 < start_revision < self.compact_revision:
            raise CompactedError()
        return self._replay(start_revision, key, range_end) if start_revision > 0 else []

    def _replay(self, start: int, key: str, range_end: str) -> list[Event]:
        first = bisect.bisect_left(self._history, start, key=_first)
        events = [e for _, events in self._history[first:] for e in events
                  if in_range(e.kv.key, key, range_end)]
        # v3rpc/watch.go reads prev_kv at mod_revision - 1, which is compacted for an event at
        # the compact revision: such an event comes without prev_kv.
        return [replace(e, prev_kv=None) if e.kv.mod_revision <= self.compact_revision else e
                for e in events]

    # -- watchers ---------------------------------------------------------------------------

    def watch(self, key: str, range_end: str = "", start_revision: int = 0, *,
              callback: Callable[[WatchResponse], None], prev_kv: bool = False,
              filters: tuple[str, ...] = ()) -> int:
        """Call `callback` with the events on [key, range_end) from `start_revision` (inclusive;
        0: from now on); returns the watch ID.

        Past events arrive at once in one response. A start before the compact revision gets one
        canceled response carrying the compact revision (watcher_group.go chooseAll), and no more.
        """
        if start_revision < 0:
            raise InvalidArgumentError(f"watch start_revision must be >= 0, got {start_revision}")
        for name in filters:
            if name not in (NOPUT, NODELETE):
                raise InvalidArgumentError(f"unknown watch filter {name!r}; use NOPUT or NODELETE")
        key = key or "\0"  # v3rpc/watch.go: an empty key is the smallest key, "\x00"
        watch_id = self._next_watch_id
        self._next_watch_id += 1
        if 0 < start_revision < self.compact_revision:
            callback(WatchResponse(ResponseHeader(), watch_id, [], self.compact_revision,
                                   canceled=True))
            return watch_id
        # watchable_store.go watch: a watcher from now (or a future revision) is synced at once.
        synced = start_revision == 0 or start_revision > self.revision
        watcher = _Watcher(watch_id, key, range_end, max(self.revision + 1, start_revision),
                           callback, prev_kv, tuple(filters))
        self._watchers[watch_id] = watcher
        if not synced:
            watcher.send(self.revision, self._replay(start_revision, key, range_end))
        return watch_id

    def cancel_watch(self, watch_id: int) -> bool:
        """Stop a watch; False if there was no such watch."""
        return self._watchers.pop(watch_id, None) is not None

    def subscribe(self, watcher: Callable[[int, list[Event]], None]) -> None:
        """Call `watcher(revision, events)` after every write (events carry prev_kv)."""
        self._subscribers.append(watcher)

    def unsubscribe(self, watcher: Callable[[int, list[Event]], None]) -> None:
        """Stop calling `watcher`."""
        if watcher in self._subscribers:
            self._subscribers.remove(watcher)


def _first(item: tuple[int, list[Event]]) -> int:
    return item[0]

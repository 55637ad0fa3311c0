"""Lists and watches served from the watch cache, at upstream's resourceVersion semantics.

apiserver pkg/storage/cacher in one page. A list with no resourceVersion is a consistent read:
the cacher asks etcd for its current revision (a count-only range) and waits until the cache has
caught up to it, then answers from memory (ConsistentListFromCache, GA in 1.34). "0" takes the
cache as it is; "<n>" waits for the cache to reach n (504 after 3 s); an exact resourceVersion,
and every page after the first, is answered from the cache's history (ListFromCacheSnapshot), or
by etcd when the cache's window has moved past it. Watches start from the cache too.
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.api.kinds import Kind, registry_prefix
from k8slab.apiserver.label_selectors import Requirement, labels_match
from k8slab.apiserver.list_options import EXACT, ListOptions, list_options
from k8slab.apiserver.pagination import (
    LATEST,
    ExpiredContinueError,
    decode_continue,
    encode_continue,
    page,
)
from k8slab.apiserver.selectors import matches
from k8slab.apiserver.storage import Storage
from k8slab.apiserver.strategy import served_form
from k8slab.apiserver.watch import INITIAL_EVENTS_END, WatchCache, Watcher
from k8slab.errors import BadRequestError, GoneError, ServerTimeoutError
from k8slab.sim.host import ProcessGroup

# watch_cache.go blockTimeout: how long a read waits for the cache to reach its resourceVersion.
FRESH_WAIT_SECONDS = 3.0
BOOKMARK_TICK_SECONDS = 1.0  # cacher.go dispatches due bookmarks on a timer of about a second
REGISTRY_PREFIX = "/registry/"
# storage/etcd3/errors.go: a continue token whose revision etcd has compacted.
INCONSISTENT_CONTINUE = (
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this response "
    "to retrieve the remainder of the results. Continuing with the provided token results in an "
    "inconsistent list - objects that were created, modified, or deleted between the time the "
    "first chunk was returned and now may show up in the list.")


class Selection:
    """The objects a request selects: its kind, namespace and field and label selectors."""

    def __init__(self, kind: Kind, namespace: str | None, fields: dict,
                 labels: tuple[Requirement, ...]) -> None:
        self.kind, self.namespace, self.fields, self.labels = kind, namespace, fields, labels
        self.prefix = registry_prefix(kind, namespace)

    def chosen(self, pairs: list[tuple[str, dict]], start: str) -> list[tuple[str, dict]]:
        """The (key, object) pairs from key `start` on that the selectors select, by key."""
        ordered = sorted(pairs, key=_first)
        if self.everything:
            return [(key, obj) for key, obj in ordered if key >= start]
        return [(key, obj) for key, obj in ordered
                if key >= start and matches(obj, self.fields) and labels_match(obj, self.labels)]

    @property
    def everything(self) -> bool:
        """No selector: upstream then counts the items a page leaves (remainingItemCount)."""
        return not self.fields and not self.labels


class Cacher:
    """Answers lists and opens watches for one API server, from its `cache` where it can."""

    def __init__(self, cache: WatchCache, storage: Storage, group: ProcessGroup) -> None:
        self.cache = cache
        self.storage = storage
        self.group = group
        self.ready = False  # the cache holds a full list and follows etcd
        self.enabled = True  # kube-apiserver --watch-cache (false: every list reads etcd)

    # -- lists ------------------------------------------------------------------------------

    def list(self, selection: Selection, request: dict) -> Generator:
        """A list as upstream answers it: items, resourceVersion, and for a page that is not
        the last, `continue` (and `remainingItemCount` when nothing is selected out)."""
        options = list_options(request, watch=False)
        start, rv, exact = selection.prefix, 0, False
        if options.continue_token:
            if options.resource_version not in ("", "0"):
                # storage.ValidateListOptions (etcd3 and cacher alike).
                raise BadRequestError("specifying resource version is not allowed when using "
                                      "continue")
            token = decode_continue(options.continue_token, selection.prefix)
            start, rv, exact = token.start, max(token.rv, 0), token.rv != LATEST
        elif options.resource_version and options.resource_version != "0":
            rv = options.revision
            exact = options.match == EXACT or (not options.match and options.limit > 0)
        pairs, revision = yield from self._read(selection, options, rv, exact)
        chosen = selection.chosen(pairs, start)
        shown = page(chosen, selection.prefix, revision, options.limit, selection.everything)
        copy = (_own if isinstance(pairs, _Decoded) else
                self.cache.shared_copy if request.get("read_only") else self.cache.served_copy)
        answer: dict = {"items": [served_form(selection.kind, copy(key, obj))
                                  for key, obj in shown.items],
                        "resourceVersion": str(revision)}
        if shown.continue_token:
            answer["continue"] = shown.continue_token
            if shown.remaining is not None:
                answer["remainingItemCount"] = shown.remaining
        return answer

    def _read(self, selection: Selection, options: ListOptions, rv: int,
              exact: bool) -> Generator:
        """(key, object) pairs under the selection's prefix and the revision they are at."""
        any_version = options.resource_version == "0" and not options.continue_token
        if not self.enabled or not self.ready or (
                not any_version and self._holds_undecodable(selection.prefix)):
            return (yield from self._from_etcd(selection, options, rv if exact else 0))
        if any_version:
            return list(self.cache.snapshot(selection.prefix, self.cache.revision).items()), \
                self.cache.revision
        if not rv:  # the most recent: a consistent read, then from memory
            wanted = yield from self.storage.current_revision(REGISTRY_PREFIX)
            if not (yield from self._fresh(wanted)):
                # cacher/delegator.go: a consistent read the cache cannot reach falls back to
                # etcd (Simplified: our etcd sends no progress notifications, so a write
                # outside /registry/ leaves the cache short of etcd's revision).
                return (yield from self._from_etcd(selection, options, 0))
            rv = self.cache.revision
        elif not (yield from self._fresh(rv)):
            raise ServerTimeoutError(f"Timeout: Too large resource version: {rv}, "
                                     f"current: {self.cache.revision}")
        if not exact:
            return list(self.cache.snapshot(selection.prefix, self.cache.revision).items()), \
                self.cache.revision
        if rv < self.cache.oldest_snapshot:
            # The cache answers "too old resource version: <rv>" (410); the delegator then
            # asks etcd, which still has it unless compacted.
            return (yield from self._from_etcd(selection, options, rv))
        return list(self.cache.snapshot(selection.prefix, rv).items()), rv

    def _holds_undecodable(self, prefix: str) -> bool:
        # Simplified: upstream's cacher cannot initialize around a value it cannot decode and
        # sends reads to etcd, which answers the decoder's 500; "0" lists keep being served.
        return any(key.startswith(prefix) for key in self.cache.undecodable)

    def _from_etcd(self, selection: Selection, options: ListOptions, rv: int) -> Generator:
        if options.resource_version == "0" and not options.continue_token:
            items, revision = yield from self.storage.list(selection.kind, selection.namespace,
                                                           from_cache=True)
            return _Decoded((_key(selection, o), o) for o in items), int(revision)
        try:
            pairs, revision = yield from self.storage.list_from(selection.prefix,
                                                                selection.prefix, rv)
            return _Decoded(pairs), revision
        except GoneError:
            if not options.continue_token:
                raise
            token = decode_continue(options.continue_token, selection.prefix)
            raise ExpiredContinueError(
                INCONSISTENT_CONTINUE, encode_continue(token.start, selection.prefix, LATEST)
            ) from None

    def _fresh(self, rv: int) -> Generator:
        """Wait (at most 3 s) until the cache has reached revision `rv`; True if it has."""
        if self.cache.revision >= rv:
            return True
        env = self.group.env
        reached = env.event()
        self.cache.when_fresh(rv, lambda: None if reached.triggered else reached.succeed())
        yield env.any_of([reached, env.timeout(FRESH_WAIT_SECONDS)])
        return reached.triggered

    # -- watches ----------------------------------------------------------------------------

    def waits(self, options: ListOptions) -> bool:
        """True if starting a watch with these options must wait: for etcd's revision (no
        resourceVersion) or for the cache to reach the one asked (initial events)."""
        return not options.resource_version or bool(
            options.send_initial_events and options.revision > self.cache.revision)

    def watch(self, watcher: Watcher, options: ListOptions) -> Generator:
        """Start `watcher` as its options ask: initial events or not, from which revision;
        returns the error text of a 410 (too old), else None. It yields only if `waits`."""
        watcher.bookmarks = options.allow_bookmarks
        now = self.group.sim.now
        if options.resource_version not in ("", "0") and not options.send_initial_events:
            return self.cache.watch(watcher, options.revision, now)
        wanted = options.revision
        if not options.resource_version:  # the most recent state: consistent, as lists
            wanted = yield from self.storage.current_revision(REGISTRY_PREFIX)
        if wanted and not (yield from self._fresh(wanted)):
            raise ServerTimeoutError(f"Timeout: Too large resource version: {wanted}, "
                                     f"current: {self.cache.revision}")
        if options.send_initial_events is False:
            watcher.after = self.cache.revision
        else:
            self.cache.send_state(watcher)
            if options.send_initial_events and options.allow_bookmarks:
                watcher.bookmark(self.cache.revision, {INITIAL_EVENTS_END: "true"})
        self.cache.register(watcher, now)
        return None

    def bookmarks(self) -> Generator:
        """Every second, send the bookmarks that are due."""
        while True:
            yield self.group.env.timeout(BOOKMARK_TICK_SECONDS)
            self.cache.send_bookmarks(self.group.sim.now)


def _first(pair: tuple[str, dict]) -> str:
    return pair[0]


class _Decoded(list):
    """(key, object) pairs decoded from etcd for this request alone: served without a copy."""


def _own(_key: str, obj: dict) -> dict:
    return obj


def _key(selection: Selection, obj: dict) -> str:
    meta = obj["metadata"]
    return registry_prefix(selection.kind, meta.get("namespace")) + meta["name"]

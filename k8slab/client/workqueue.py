"""A work queue of object keys, as client-go's util/workqueue: the heart of every controller.

Handlers add keys ("default/web"); workers take one key at a time and reconcile it. A key is
held once however often it is added (ten pod changes make one sync), and never by two workers
at once: a key added while it is being processed waits until `done`. A failed sync comes back
later through `add_rate_limited`, after a delay that grows per key.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

import simpy

from k8slab.errors import K8sLabError
from k8slab.sim.host import ProcessGroup

# client-go DefaultControllerRateLimiter: per-key exponential back-off from 5 ms doubling to
# 1000 s, together with an overall token bucket of 10 adds per second, bursting to 100.
BACKOFF_BASE = 0.005
BACKOFF_MAX = 1000.0
MAX_DOUBLINGS = 20  # 5 ms x 2^20 is past the cap already; bounding it keeps the float finite
BUCKET_QPS = 10.0
BUCKET_BURST = 100


class WorkQueue:
    """Keys waiting for a worker: deduplicated, one worker per key, delayed re-adds."""

    def __init__(self, group: ProcessGroup, name: str) -> None:
        self.group = group
        self.name = name
        self._queue: list[str] = []
        self._dirty: set[str] = set()  # waiting in the queue (or to re-enter it when done)
        self._processing: set[str] = set()
        self._waiting_workers: list[simpy.Event] = []
        self._failures: dict[str, int] = {}
        self._bucket_tokens = float(BUCKET_BURST)
        self._bucket_time = 0.0

    def __len__(self) -> int:
        return len(self._queue)

    def add(self, key: str) -> None:
        """Queue `key` unless it is already waiting; a key being processed re-enters at done."""
        if key in self._dirty:
            return
        self._dirty.add(key)
        if key in self._processing:
            return
        self._queue.append(key)
        self._wake_one()

    def add_after(self, key: str, delay: float) -> None:
        """Queue `key` once `delay` simulated seconds have passed."""
        if delay <= 0:
            self.add(key)
            return
        timer = self.group.env.timeout(delay)
        timer.callbacks.append(lambda _event: self.add(key))

    def add_rate_limited(self, key: str) -> None:
        """Queue `key` again after its back-off: 5 ms, 10 ms, 20 ms... or the bucket's wait."""
        failures = self._failures.get(key, 0)
        self._failures[key] = failures + 1
        backoff = BACKOFF_BASE * 2 ** min(failures, MAX_DOUBLINGS)
        self.add_after(key, max(min(backoff, BACKOFF_MAX), self._bucket_wait()))

    def forget(self, key: str) -> None:
        """The key synced: its back-off starts again from 5 ms."""
        self._failures.pop(key, None)

    def requeues(self, key: str) -> int:
        """How many times `key` has been re-added since it last synced."""
        return self._failures.get(key, 0)

    def get(self) -> Generator:
        """Wait for a key and take it; the caller must call `done(key)` when finished."""
        while not self._queue:
            wake = self.group.env.event()
            self._waiting_workers.append(wake)
            yield wake
        key = self._queue.pop(0)
        self._processing.add(key)
        self._dirty.discard(key)
        return key

    def done(self, key: str) -> None:
        """The worker finished `key`; if it was added meanwhile, it is queued again now."""
        self._processing.discard(key)
        if key in self._dirty:
            self._queue.append(key)
            self._wake_one()

    def _wake_one(self) -> None:
        while self._waiting_workers:
            wake = self._waiting_workers.pop(0)
            if not wake.triggered:
                wake.succeed()
                return

    def _bucket_wait(self) -> float:
        # The token bucket refills at BUCKET_QPS; taking a token when none is left waits.
        now = self.group.sim.now
        self._bucket_tokens = min(float(BUCKET_BURST),
                                  self._bucket_tokens + (now - self._bucket_time) * BUCKET_QPS)
        self._bucket_time = now
        self._bucket_tokens -= 1
        return 0.0 if self._bucket_tokens >= 0 else -self._bucket_tokens / BUCKET_QPS


def run_workers(queue: WorkQueue, sync: Callable[[str], Generator], workers: int,
                on_error: Callable[[str, K8sLabError], None] | None = None) -> None:
    """Start `workers` processes that take keys from `queue` and run `sync(key)` on each.

    A sync that raises an API error is retried with back-off (client-go's processNextWorkItem);
    any other exception is a bug and crashes the component, as a Go panic would.
    """
    def worker() -> Generator:
        while True:
            key = yield from queue.get()
            try:
                yield from sync(key)
                queue.forget(key)
            except K8sLabError as error:
                if on_error is not None:
                    on_error(key, error)
                queue.add_rate_limited(key)
            finally:
                queue.done(key)

    for _ in range(workers):
        queue.group.spawn(worker())

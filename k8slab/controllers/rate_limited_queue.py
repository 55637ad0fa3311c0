"""The node lifecycle controller's per-zone tainting queue (kk pkg/controller/nodelifecycle/
scheduler/rate_limited_queue.go): node names waiting for their NoExecute taint, let through no
faster than a token bucket allows.

This is how `--node-eviction-rate` works since taint-based eviction: it limits how fast nodes of
one zone get their NoExecute taint, and so how fast their pods are evicted. A node stays known to
the queue after it was tainted, so it is not tainted twice, until `remove` (Ready again).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass

# rate_limited_queue.go: EvictionRateLimiterBurst = 1; the tainting pass runs every 100 ms.
EVICTION_BURST = 1
NODE_EVICTION_PERIOD = 0.1
# A failed try is retried after its wait plus one nanosecond (`now.Add(wait + 1)`).
ONE_NANOSECOND = 1e-9


class TokenBucket:
    """flowcontrol's token bucket: `qps` tokens a second, at most `burst` saved, full at first;
    qps 0 is the never-accepting limiter (FakeNeverRateLimiter)."""

    def __init__(self, qps: float, now: float, burst: int = EVICTION_BURST) -> None:
        self.qps = qps
        self.burst = burst
        self.tokens = float(burst)
        self.at = now

    def try_accept(self, now: float) -> bool:
        """Take a token if one is there."""
        if self.qps <= 0:
            return False
        self.tokens = min(float(self.burst), self.tokens + (now - self.at) * self.qps)
        self.at = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass
class TimedValue:
    """A node name, when it was queued and when it may next be tried."""

    value: str
    uid: str
    added_at: float
    process_at: float


class RateLimitedTimedQueue:
    """Unique node names, tried in order of process_at, each try costing a token."""

    def __init__(self, limiter: TokenBucket) -> None:
        self.limiter = limiter
        self._queue: list[TimedValue] = []
        self._known: set[str] = set()  # queued, or processed and not yet removed

    def __len__(self) -> int:
        return len(self._queue)

    def add(self, value: str, uid: str, now: float) -> bool:
        """Queue `value` unless it is known already; True if it was added."""
        if value in self._known:
            return False
        self._known.add(value)
        self._queue.append(TimedValue(value, uid, now, now))
        return True

    def remove(self, value: str) -> bool:
        """Forget `value` (the node is Ready again): it may be queued anew later."""
        if value not in self._known:
            return False
        self._known.discard(value)
        self._queue = [v for v in self._queue if v.value != value]
        return True

    def _head(self) -> TimedValue | None:
        # The lowest process_at first; among equals the one queued first (the heap's order).
        return min(self._queue, key=lambda v: v.process_at) if self._queue else None

    def try_each(self, clock: Callable[[], float],
                 action: Callable[[TimedValue], Generator]) -> Generator:
        """RateLimitedTimedQueue.Try: while a token is there and the head is due, run `action`;
        an action (a generator returning (done, wait)) that fails comes back after `wait`; one
        that succeeds leaves the queue but stays known."""
        head = self._head()
        while head is not None:
            now = clock()
            if not self.limiter.try_accept(now):
                break
            if now < head.process_at:
                break
            done, wait = yield from action(head)
            if done:
                self._queue = [v for v in self._queue if v is not head]
            else:
                head.process_at = now + wait + ONE_NANOSECOND
            head = self._head()

    def swap_limiter(self, qps: float, now: float) -> None:
        """Use a new rate; a bucket that was empty leaves the new one empty too (SwapLimiter)."""
        if self.limiter.qps == qps:
            return
        fresh = TokenBucket(qps, now)
        if qps > 0 and not self.limiter.try_accept(now):
            fresh.try_accept(now)
        self.limiter = fresh

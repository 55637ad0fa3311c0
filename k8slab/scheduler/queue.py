"""The scheduling queue: activeQ, backoffQ and the unschedulable pods, driven by the caller's clock.

A pure structure (no SimPy, no wall clock): every call that depends on time takes `now`.
- activeQ holds pods ready to schedule, ordered by the QueueSort plugin (PrioritySort: priority,
  then the time the pod was queued); `pop` takes the head and counts an attempt.
- A pod that failed goes to the unschedulable pods, or to backoffQ if a cluster event arrived
  while it was being scheduled. A cluster event (`move_all_to_active_or_backoff`) moves the
  unschedulable pods back: to backoffQ while their backoff runs, else to activeQ.
- Backoff is podInitialBackoffSeconds (1) doubled per attempt, at most podMaxBackoffSeconds (10),
  counted from the failure. The caller flushes completed backoffs every second and moves pods
  unschedulable for longer than podMaxInUnschedulablePodsDuration (5 min) every 30 s.
Upstream: kk pkg/scheduler/backend/queue/scheduling_queue.go (formerly pkg/scheduler/internal/
queue), simplified: no queueing hints (every event moves every unschedulable pod), no PreEnqueue.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass

from k8slab.errors import K8sLabError
from k8slab.scheduler.node_info import pod_key
from k8slab.scheduler.plugins.priority_sort import PrioritySort

# kk pkg/scheduler/apis/config/v1/defaults.go and scheduling_queue.go.
POD_INITIAL_BACKOFF_SECONDS = 1.0
POD_MAX_BACKOFF_SECONDS = 10.0
POD_MAX_IN_UNSCHEDULABLE_PODS_DURATION = 300.0
BACKOFF_FLUSH_INTERVAL = 1.0
UNSCHEDULABLE_FLUSH_INTERVAL = 30.0

ACTIVE, BACKOFF, UNSCHEDULABLE, IN_FLIGHT = "activeQ", "backoffQ", "unschedulable", "in flight"


@dataclass
class QueuedPodInfo:
    """A pod in the queue: when it was (re)queued, how often it was tried, and why it failed."""

    pod: dict
    key: str
    timestamp: float
    attempts: int = 0
    initial_attempt_timestamp: float | None = None
    unschedulable_plugins: tuple[str, ...] = ()
    scheduling_cycle: int = 0


def node_scheduling_properties_changed(old: dict, new: dict) -> bool:
    """True if a node update changed what may make an unschedulable pod fit (upstream's
    nodeSchedulingPropertiesChange, in eventhandlers.go); a heartbeat alone changes none of it."""

    def properties(node: dict) -> tuple:
        meta, spec, status = node["metadata"], node.get("spec", {}), node.get("status", {})
        conditions = [(c["type"], c["status"]) for c in status.get("conditions", [])]
        return (
            spec.get("unschedulable"),
            status.get("allocatable"),
            meta.get("labels"),
            spec.get("taints"),
            conditions,
            meta.get("annotations"),
        )

    return properties(old) != properties(new)


def pod_updated(old: dict, new: dict) -> bool:
    """True if the pod changed beyond metadata.resourceVersion, generation and status.

    As isPodUpdated (kk pkg/scheduler/backend/queue/scheduling_queue.go): the scheduler's own
    status writes (the PodScheduled condition, a nomination) must not make a pod retry.
    """

    def stripped(pod: dict) -> dict:
        meta = {
            k: v
            for k, v in (pod.get("metadata") or {}).items()
            if k not in ("resourceVersion", "generation")
        }
        return {**{k: v for k, v in pod.items() if k != "status"}, "metadata": meta}

    return stripped(old) != stripped(new)


class _ActiveEntry:
    """A heap entry ordered by the QueueSort `less`, then by insertion (deterministic ties)."""

    __slots__ = ("info", "sequence", "less")

    def __init__(self, info: QueuedPodInfo, sequence: int, less: Callable) -> None:
        self.info, self.sequence, self.less = info, sequence, less

    def __lt__(self, other: _ActiveEntry) -> bool:
        if self.less(self.info, other.info):
            return True
        if self.less(other.info, self.info):
            return False
        return self.sequence < other.sequence


class SchedulingQueue:
    """activeQ + backoffQ + unschedulable pods (see the module docstring), plus nominations.

    `less(a, b)` is the QueueSort order (default PrioritySort). Heaps are cleaned lazily: an entry
    whose pod has since moved is skipped when it surfaces.
    """

    def __init__(
        self,
        less: Callable[[QueuedPodInfo, QueuedPodInfo], bool] | None = None,
        *,
        initial_backoff: float = POD_INITIAL_BACKOFF_SECONDS,
        max_backoff: float = POD_MAX_BACKOFF_SECONDS,
        max_in_unschedulable: float = POD_MAX_IN_UNSCHEDULABLE_PODS_DURATION,
    ) -> None:
        if initial_backoff <= 0:
            raise K8sLabError(
                f"podInitialBackoffSeconds must be greater than 0, got {initial_backoff}"
            )
        if max_backoff < initial_backoff:
            raise K8sLabError(
                f"podMaxBackoffSeconds ({max_backoff}) must be greater than or equal to "
                f"podInitialBackoffSeconds ({initial_backoff})"
            )
        self.less = less or PrioritySort().less
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.max_in_unschedulable = max_in_unschedulable
        self.scheduling_cycle = 0
        self.move_request_cycle = -1
        self._infos: dict[str, QueuedPodInfo] = {}
        self._where: dict[str, str] = {}
        self._sequence = 0
        self._latest: dict[str, int] = {}
        self._active: list[_ActiveEntry] = []
        self._backoff: list[tuple[float, int, str]] = []
        self._unschedulable: dict[str, QueuedPodInfo] = {}
        self._nominated: dict[str, str] = {}

    # -- what is where ---------------------------------------------------------------------------

    def where(self, pod: dict) -> str | None:
        """activeQ, backoffQ, unschedulable, in flight, or None if the queue does not hold it."""
        return self._where.get(pod_key(pod))

    def pending(self) -> dict[str, list[str]]:
        """The pod keys in each part of the queue (activeQ in pop order)."""
        active = [
            e.info.key for e in sorted(self._active) if self._live(e.info.key, ACTIVE, e.sequence)
        ]
        backoff = [k for _, n, k in sorted(self._backoff) if self._live(k, BACKOFF, n)]
        return {ACTIVE: active, BACKOFF: backoff, UNSCHEDULABLE: list(self._unschedulable)}

    def __len__(self) -> int:
        return sum(1 for where in self._where.values() if where != IN_FLIGHT)

    def backoff_duration(self, attempts: int) -> float:
        """The initial backoff doubled for each attempt after the first, capped at the maximum."""
        duration = self.initial_backoff
        for _ in range(1, attempts):
            if duration > self.max_backoff - duration:
                return self.max_backoff
            duration += duration
        return duration

    def backoff_expiry(self, info: QueuedPodInfo) -> float:
        """When the pod's backoff ends: its (failure) timestamp + backoff_duration(attempts)."""
        return info.timestamp + self.backoff_duration(info.attempts)

    def next_backoff_expiry(self) -> float | None:
        """The earliest backoff end among pods in backoffQ, or None."""
        self._drop_stale_backoff()
        return self._backoff[0][0] if self._backoff else None

    # -- pods coming and going -------------------------------------------------------------------

    def add(self, pod: dict, now: float) -> None:
        """A new pending pod: straight into activeQ (an already known pod is updated instead)."""
        key = pod_key(pod)
        if key in self._where:
            self.update(pod, now)
            return
        info = QueuedPodInfo(pod, key, now)
        self._infos[key] = info
        self._push_active(info)

    def update(self, pod: dict, now: float) -> None:
        """The pod object changed: keep the newest; an unschedulable pod gets another chance,
        unless only its status or resourceVersion changed (upstream isPodUpdated)."""
        key = pod_key(pod)
        info = self._infos.get(key)
        if info is None:
            self.add(pod, now)
            return
        updated = pod_updated(info.pod, pod)
        info.pod = pod
        where = self._where[key]
        if where == ACTIVE:
            self._push_active(info)
        elif where == UNSCHEDULABLE and updated:
            del self._unschedulable[key]
            self._requeue(info, now)

    def delete(self, pod: dict) -> None:
        """The pod is gone (deleted, or bound by someone else): forget it everywhere."""
        key = pod_key(pod)
        self._infos.pop(key, None)
        self._where.pop(key, None)
        self._latest.pop(key, None)
        self._unschedulable.pop(key, None)
        self._nominated.pop(key, None)

    def pop(self, now: float) -> QueuedPodInfo | None:
        """The head of activeQ, now in flight (one more attempt, a new scheduling cycle)."""
        while self._active:
            entry = heapq.heappop(self._active)
            info = entry.info
            if not self._live(info.key, ACTIVE, entry.sequence):
                continue
            self.scheduling_cycle += 1
            info.attempts += 1
            info.scheduling_cycle = self.scheduling_cycle
            if info.initial_attempt_timestamp is None:
                info.initial_attempt_timestamp = now
            self._where[info.key] = IN_FLIGHT
            return info
        return None

    def done(self, info: QueuedPodInfo) -> None:
        """The pod's cycle succeeded and it was bound (or assumed): the queue lets it go."""
        if self._where.get(info.key) == IN_FLIGHT:
            del self._where[info.key]
            self._infos.pop(info.key, None)

    def add_unschedulable(
        self, info: QueuedPodInfo, now: float, plugins: tuple[str, ...] = (), error: bool = False
    ) -> None:
        """A popped pod failed (AddUnschedulableIfNotPresent).

        It waits with the unschedulable pods, unless an event asked for a move during its cycle
        or it failed with an error rather than a rejection: then it goes to backoffQ.
        """
        if self._where.get(info.key) != IN_FLIGHT:
            raise K8sLabError(f"pod {info.key} is not being scheduled; pop it first")
        info.timestamp = now
        info.unschedulable_plugins = tuple(plugins)
        if error or self.move_request_cycle >= info.scheduling_cycle:
            self._push_backoff(info)
        else:
            self._unschedulable[info.key] = info
            self._where[info.key] = UNSCHEDULABLE

    # -- moving pods along -----------------------------------------------------------------------

    def move_all_to_active_or_backoff(self, now: float) -> list[str]:
        """A cluster event (node added, pod deleted, ...): retry every unschedulable pod."""
        moved = list(self._unschedulable)
        for key in moved:
            self._requeue(self._unschedulable.pop(key), now)
        self.move_request_cycle = self.scheduling_cycle
        return moved

    def flush_backoff_completed(self, now: float) -> list[str]:
        """Move pods whose backoff has ended (expiry <= now) to activeQ."""
        moved = []
        self._drop_stale_backoff()
        while self._backoff and self._backoff[0][0] <= now:
            _, _, key = heapq.heappop(self._backoff)
            self._push_active(self._infos[key])
            moved.append(key)
            self._drop_stale_backoff()
        return moved

    def flush_unschedulable_leftover(self, now: float) -> list[str]:
        """Retry pods unschedulable for longer than max_in_unschedulable (5 minutes)."""
        stale = [
            key
            for key, info in self._unschedulable.items()
            if now - info.timestamp > self.max_in_unschedulable
        ]
        for key in stale:
            self._requeue(self._unschedulable.pop(key), now)
        return stale

    # -- nominations (the PodNominator) ----------------------------------------------------------

    def nominate(self, pod: dict, node: str | None) -> None:
        """Record (or, with None, clear) the node the pod was nominated to by preemption."""
        key = pod_key(pod)
        if node:
            self._nominated[key] = node
        else:
            self._nominated.pop(key, None)

    def nominated_pods(self) -> dict[str, list[dict]]:
        """node name -> the pods nominated to it, for a scheduling cycle's nominated_pods."""
        by_node: dict[str, list[dict]] = {}
        for key, node in self._nominated.items():
            info = self._infos.get(key)
            if info is not None:
                by_node.setdefault(node, []).append(info.pod)
        return by_node

    # -- internals -------------------------------------------------------------------------------

    def _push_active(self, info: QueuedPodInfo) -> None:
        self._sequence += 1
        self._latest[info.key] = self._sequence
        heapq.heappush(self._active, _ActiveEntry(info, self._sequence, self.less))
        self._where[info.key] = ACTIVE

    def _push_backoff(self, info: QueuedPodInfo) -> None:
        self._sequence += 1
        self._latest[info.key] = self._sequence
        heapq.heappush(self._backoff, (self.backoff_expiry(info), self._sequence, info.key))
        self._where[info.key] = BACKOFF

    def _requeue(self, info: QueuedPodInfo, now: float) -> None:
        if self.backoff_expiry(info) > now:
            self._push_backoff(info)
        else:
            self._push_active(info)

    def _live(self, key: str, where: str, sequence: int) -> bool:
        """True if a heap entry is the pod's latest and the pod is still in that heap."""
        return self._where.get(key) == where and self._latest.get(key) == sequence

    def _drop_stale_backoff(self) -> None:
        while self._backoff and not self._live(self._backoff[0][2], BACKOFF, self._backoff[0][1]):
            heapq.heappop(self._backoff)

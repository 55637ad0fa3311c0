"""The kubelet's eviction manager and image garbage collector: every 10 s it measures the node's
memory, raises MemoryPressure when memory.available falls below 100Mi and evicts one pod, ranked
as upstream ranks them; every 5 min the image GC frees disk past 85 % (down to 80 %).

Upstream: kk pkg/kubelet/eviction/eviction_manager.go (synchronize: evictionMonitoringPeriod
10 s, one pod per pass, a hard threshold kills with a 1 s grace), images/image_gc_manager.go
(every 5 min). Rules and messages are in eviction_policy.py and image_gc_policy.py.
Simplified: memory.available counts the containers' working sets only (no system daemons or
page cache), and disk pressure is not modelled (only the image filesystem, for the GC).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

from k8slab.api.quantity import memory_bytes
from k8slab.api.timestamps import to_time
from k8slab.client.informer import cache_key
from k8slab.node import cri, eviction_policy, image_gc_policy
from k8slab.node.termination import terminated_status

if TYPE_CHECKING:
    from k8slab.node.kubelet import Kubelet
    from k8slab.node.pod_status import RunningPod

MONITORING_PERIOD = 10.0  # evictionMonitoringPeriod
IMAGE_GC_PERIOD = 300.0  # ImageGCPeriod, kubelet.go
HARD_EVICTION_GRACE = 1  # immediateEvictionGracePeriodSeconds
IMAGE_FS_BYTES = 100 * 2**30  # the node's image filesystem (a simplification: 100 GiB)


class EvictionManager:
    """Watches one node's memory and image disk; evicts pods and deletes images."""

    def __init__(self, kubelet: Kubelet) -> None:
        self.kubelet = kubelet
        self.thresholds = eviction_policy.parse_thresholds()
        self.last_observed: dict[str, float] = {}
        self.pressure: list[str] = []  # the node conditions now true
        self.pending: dict[str, str] = {}  # pod key -> eviction message, for its pod worker
        self.evicted: set[str] = set()
        self.memory_available = 0

    def start(self) -> None:
        """Start both loops on the kubelet's process group."""
        group = self.kubelet.group
        group.spawn(self._loop(MONITORING_PERIOD, self.synchronize))
        group.spawn(self._loop(IMAGE_GC_PERIOD, self.collect_images))

    def _loop(self, period: float, step) -> Generator:
        while True:
            yield self.kubelet.group.env.timeout(period)
            step()

    def pod_usage(self) -> dict[str, int]:
        """Each running pod's memory working set (the sum of its running containers')."""
        containerd = self.kubelet.containerd
        live = {c.id for c in containerd.list_containers() if c.state == cri.RUNNING}
        return {key: sum(containerd.container_stats(cid).memory_working_set
                         for cid in running.containers.values() if cid in live)
                for key, running in self.kubelet.running.items()}

    def synchronize(self) -> None:
        """One pass: observe, update the pressure conditions, evict at most one pod."""
        kubelet = self.kubelet
        capacity = memory_bytes(kubelet.config.memory)
        usage = self.pod_usage()
        self.memory_available = capacity - sum(usage.values())
        met = eviction_policy.thresholds_met(
            self.thresholds, {eviction_policy.MEMORY_AVAILABLE: (self.memory_available, capacity)})
        now = kubelet.sim.now
        for condition in eviction_policy.node_conditions(met):
            self.last_observed[condition] = now
        pressure = eviction_policy.conditions_in_transition(self.last_observed, now)
        if pressure != self.pressure:
            kubelet._record("NodePressure", f"node/{kubelet.config.name}", conditions=pressure)
            self.pressure = pressure
        if not met:
            return
        candidates = [(kubelet.pods[key], usage[key]) for key in usage
                      if key in kubelet.pods and key not in self.pending
                      and not eviction_policy.is_critical(kubelet.pods[key])]
        if not candidates:
            return
        pod, _ = eviction_policy.rank_memory_pressure(candidates)[0]
        key = cache_key(pod)
        running = kubelet.running[key]
        per_container = {name: kubelet.containerd.container_stats(cid).memory_working_set
                         for name, cid in running.containers.items()}
        threshold = next(t for t in met if t.signal == eviction_policy.MEMORY_AVAILABLE)
        message = eviction_policy.eviction_message(
            "memory", pod, per_container, threshold.value(capacity), self.memory_available)
        self.pending[key] = message
        kubelet._record("EvictionChosen", f"pod/{key}", available=self.memory_available)
        kubelet._enqueue(key)

    def evict(self, key: str, pod: dict, running: RunningPod) -> Generator:
        """Kill the pod's containers (1 s grace) and mark it Failed, reason Evicted."""
        kubelet = self.kubelet
        message = self.pending.pop(key)
        self.evicted.add(key)
        del kubelet.running[key]
        kubelet.forget_containers(running)
        kubelet.event(pod, "Warning", eviction_policy.EVICTED, message)
        exits = yield from kubelet.kill_pod(running, HARD_EVICTION_GRACE)
        kubelet._admitted.pop(key, None)
        status = terminated_status(pod, running, exits, kubelet.config.ip, kubelet.sim.now)
        evicted = eviction_policy.evicted_status(message, to_time(kubelet.sim.now))
        status.update(phase="Failed", reason=evicted["reason"], message=message,
                      conditions=[*evicted["conditions"], *status["conditions"]])
        kubelet._set_status(key, status)

    def collect_images(self) -> None:
        """One image GC pass: past 85 % of the image filesystem, delete unused images, least
        recently used first, until 80 %."""
        containerd = self.kubelet.containerd
        store = containerd.image_store
        in_use = {r.image.id for r in containerd.records.values()}
        records = [image_gc_policy.ImageRecord(s.id, s.image.size, s.last_used, s.last_used,
                                               s.id in in_use, s.pinned)
                   for s in store.images.values()]
        available = IMAGE_FS_BYTES - store.used_bytes()
        decision = image_gc_policy.garbage_collect(IMAGE_FS_BYTES, available, records,
                                                   self.kubelet.sim.now)
        for image_id in decision.delete:
            containerd.remove_image(image_id)
        if decision.delete or decision.error:
            self.kubelet._record("ImageGarbageCollected", f"node/{self.kubelet.config.name}",
                                 deleted=len(decision.delete), freed=decision.freed,
                                 error=decision.error)

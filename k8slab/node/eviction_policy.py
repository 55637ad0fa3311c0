"""Node-pressure eviction, as pure rules: thresholds, the conditions they raise, which pod goes.

The kubelet's eviction manager watches signals (memory.available, nodefs.available, ...); when one
falls below its hard threshold it sets a node condition (MemoryPressure, DiskPressure,
PIDPressure), keeps it for evictionPressureTransitionPeriod after the last breach, and evicts
pods in a fixed order. Sources: kubernetes pkg/kubelet/eviction/helpers.go (rankMemoryPressure,
evictionMessage, signalToNodeCondition), pkg/kubelet/eviction/api/types.go, and the docs page
node-pressure-eviction.md. The kubelet acts on one pod per pass; this module only ranks.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from fractions import Fraction

from k8slab.api.qos import ResourceQuantityError, quantity_value
from k8slab.api.quantity import format_memory
from k8slab.api.resources import pod_requests
from k8slab.errors import K8sLabError

MEMORY_AVAILABLE = "memory.available"
NODEFS_AVAILABLE, NODEFS_INODES_FREE = "nodefs.available", "nodefs.inodesFree"
IMAGEFS_AVAILABLE, IMAGEFS_INODES_FREE = "imagefs.available", "imagefs.inodesFree"
PID_AVAILABLE = "pid.available"

# eviction/api/types.go DefaultEvictionHard on Linux (kubelet config reference v1.35).
DEFAULT_EVICTION_HARD = {
    MEMORY_AVAILABLE: "100Mi",
    NODEFS_AVAILABLE: "10%",
    NODEFS_INODES_FREE: "5%",
    IMAGEFS_AVAILABLE: "15%",
    IMAGEFS_INODES_FREE: "5%",
}
# evictionPressureTransitionPeriod: a condition stays this long after the last breach.
PRESSURE_TRANSITION_PERIOD = 300.0

MEMORY_PRESSURE, DISK_PRESSURE, PID_PRESSURE = "MemoryPressure", "DiskPressure", "PIDPressure"
# helpers.go signalToNodeCondition and signalToResource.
SIGNAL_CONDITION = {
    MEMORY_AVAILABLE: MEMORY_PRESSURE,
    NODEFS_AVAILABLE: DISK_PRESSURE,
    NODEFS_INODES_FREE: DISK_PRESSURE,
    IMAGEFS_AVAILABLE: DISK_PRESSURE,
    IMAGEFS_INODES_FREE: DISK_PRESSURE,
    PID_AVAILABLE: PID_PRESSURE,
}
SIGNAL_RESOURCE = {
    MEMORY_AVAILABLE: "memory",
    NODEFS_AVAILABLE: "ephemeral-storage",
    NODEFS_INODES_FREE: "inodes",
    IMAGEFS_AVAILABLE: "ephemeral-storage",
    IMAGEFS_INODES_FREE: "inodes",
    PID_AVAILABLE: "pids",
}

# helpers.go: the Evicted status's reason and the parts of its message (trailing spaces kept).
EVICTED = "Evicted"
NODE_LOW_MESSAGE = "The node was low on resource: {}. "
THRESHOLD_MET_MESSAGE = "Threshold quantity: {}, available: {}. "
CONTAINER_MESSAGE = "Container {} was using {}, request is {}, has larger consumption of {}. "
# The condition the evicted pod gets (v1.PodReasonTerminationByKubelet).
DISRUPTION_TARGET, TERMINATION_BY_KUBELET = "DisruptionTarget", "TerminationByKubelet"

# pkg/kubelet/types: the annotations marking static and mirror pods; scheduling's
# SystemCriticalPriority.
CONFIG_SOURCE, CONFIG_MIRROR = "kubernetes.io/config.source", "kubernetes.io/config.mirror"
SYSTEM_CRITICAL_PRIORITY = 2_000_000_000

_PERCENT = re.compile(r"^([0-9]+(?:\.[0-9]+)?)%$")


class EvictionConfigError(K8sLabError):
    """An evictionHard setting the kubelet would refuse (unknown signal, bad value)."""


@dataclass(frozen=True)
class Threshold:
    """One hard threshold: `signal` < quantity (an absolute amount) or < percentage of capacity."""

    signal: str
    quantity: Fraction | None = None
    percentage: Fraction | None = None

    def value(self, capacity: int) -> int:
        """The threshold in the signal's units for a resource of `capacity` (GetThresholdQuantity).

        Upstream keeps a percentage as a Go float32 and truncates capacity x percentage, so
        10% of 100Gi is a few bytes over 10Gi; we compute it the same way.
        """
        if self.quantity is not None:
            return int(self.quantity)
        return int(float(capacity) * _float32(float(self.percentage or 0)))


def _float32(value: float) -> float:
    """The nearest Go float32 to `value` (ParseFloat(s, 32), then float32(v) / 100)."""
    return struct.unpack("f", struct.pack("f", value))[0]


def parse_thresholds(settings: dict[str, str] | None = None) -> list[Threshold]:
    """evictionHard as the kubelet reads it ({"memory.available": "100Mi", ...}), in signal order.

    None gives the defaults. Percentages are of capacity ("10%"); quantities are absolute.
    """
    settings = DEFAULT_EVICTION_HARD if settings is None else settings
    thresholds = []
    for signal in sorted(settings):
        if signal not in SIGNAL_CONDITION:
            raise EvictionConfigError(
                f"unsupported eviction signal {signal}; the kubelet knows "
                + ", ".join(sorted(SIGNAL_CONDITION)))
        thresholds.append(_parse_value(signal, settings[signal]))
    return thresholds


def _parse_value(signal: str, text: str) -> Threshold:
    text = str(text)
    percent = _PERCENT.match(text)
    if percent:
        value = Fraction(_float32(_float32(float(percent.group(1))) / 100))
        if not 0 < value <= 1:
            raise EvictionConfigError(
                f"eviction percentage threshold {signal} must be positive and at most 100%: {text}")
        return Threshold(signal, percentage=value)
    try:
        amount = quantity_value(text, f"evictionHard[{signal}]")
    except ResourceQuantityError as error:
        raise EvictionConfigError(f"{error.message} or a percentage like \"10%\"") from None
    if amount < 0:
        raise EvictionConfigError(f"eviction threshold {signal} must be positive: {text}")
    return Threshold(signal, quantity=amount)


def thresholds_met(thresholds: list[Threshold],
                   observations: dict[str, tuple[int, int]]) -> list[Threshold]:
    """The thresholds breached now: observations map a signal to (available, capacity).

    A signal that was not observed is not met, as upstream's thresholdsMet skips it.
    """
    met = []
    for threshold in thresholds:
        if threshold.signal in observations:
            available, capacity = observations[threshold.signal]
            if threshold.value(capacity) > available:
                met.append(threshold)
    return met


def node_conditions(met: list[Threshold]) -> list[str]:
    """The pressure conditions the breached thresholds raise, sorted and without repeats."""
    return sorted({SIGNAL_CONDITION[threshold.signal] for threshold in met})


def conditions_in_transition(last_observed: dict[str, float], now: float,
                             period: float = PRESSURE_TRANSITION_PERIOD) -> list[str]:
    """The conditions still reported at `now`: each was last seen less than `period` ago.

    last_observed maps a condition to the last time a threshold raising it was met
    (nodeConditionsObservedSince); pressure is lifted only after a quiet period, so it does not
    flap when usage hovers around the threshold.
    """
    return sorted(c for c, seen in last_observed.items() if now - seen < period)


def _priority(pod: dict) -> int:
    return int((pod.get("spec") or {}).get("priority") or 0)


def _memory_request(pod: dict) -> int:
    try:
        return pod_requests(pod)["memory"]
    except ValueError as error:
        name = (pod.get("metadata") or {}).get("name", "?")
        raise ResourceQuantityError(f"pod {name}: a memory request is not a quantity ({error})"
                                    ) from None


def rank_memory_pressure(pods: list[tuple[dict, int | None]]) -> list[tuple[dict, int | None]]:
    """Pods in the order the kubelet evicts them under memory pressure (rankMemoryPressure).

    Each item is (pod, memory working set in bytes, or None when no stats). Pods without stats
    go first; then the pods using more than they request; then lower spec.priority; then the
    larger usage above request. QoS is never consulted: BestEffort pods simply request 0.
    Upstream's sort is not stable; ours keeps the input order among exact ties.
    """
    def key(item: tuple[dict, int | None]) -> tuple[bool, bool, int, int]:
        pod, usage = item
        if usage is None:
            return (False, False, _priority(pod), 0)
        request = _memory_request(pod)
        return (True, not usage > request, _priority(pod), -(usage - request))

    return sorted(pods, key=key)


def is_critical(pod: dict) -> bool:
    """A pod the eviction manager never evicts (kubelettypes.IsCriticalPod): a static pod, a
    mirror pod, or priority at least system-cluster-critical's 2000000000."""
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    source = annotations.get(CONFIG_SOURCE, "api")
    return (source != "api" or CONFIG_MIRROR in annotations
            or _priority(pod) >= SYSTEM_CRITICAL_PRIORITY)


def rank_by_priority(pods: list[dict]) -> list[dict]:
    """The order under PID or inode pressure: lower priority first (rankPIDPressure)."""
    return sorted(pods, key=_priority)


def eviction_message(resource: str, pod: dict, container_usage: dict[str, int],
                     threshold: int | None = None, available: int | None = None) -> str:
    """The Evicted status message (and event) for a pod, in upstream's words.

    `container_usage` maps container names to their usage of `resource`; each container using
    more than it requests is named. Memory amounts print as Kubernetes quantities ("100Mi").
    """
    message = NODE_LOW_MESSAGE.format(resource)
    if threshold is not None and available is not None:
        message += THRESHOLD_MET_MESSAGE.format(format_memory(threshold), format_memory(available))
    for container in (pod.get("spec") or {}).get("containers") or []:
        name = container.get("name")
        if name not in container_usage:
            continue
        text = ((container.get("resources") or {}).get("requests") or {}).get(resource, "0")
        request = quantity_value(text, f"container {name} requests.{resource}")
        usage = container_usage[name]
        if usage > request:
            message += CONTAINER_MESSAGE.format(name, format_memory(usage), text, resource)
    return message


def evicted_status(message: str, now_rfc3339: str) -> dict:
    """The pod status fields the kubelet writes on eviction: phase Failed, reason Evicted,
    and a DisruptionTarget condition (reason TerminationByKubelet)."""
    return {
        "phase": "Failed",
        "reason": EVICTED,
        "message": message,
        "conditions": [{
            "type": DISRUPTION_TARGET,
            "status": "True",
            "reason": TERMINATION_BY_KUBELET,
            "message": message,
            "lastTransitionTime": now_rfc3339,
        }],
    }

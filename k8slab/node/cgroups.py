"""From a container's resources to the cgroup v2 files its processes run under.

Two steps, two owners. The kubelet turns requests and limits into the CRI's
LinuxContainerResources (cpu shares, CFS quota and period, memory limit, oom_score_adj); the
OCI runtime (runc, under containerd) turns those into cgroup v2 files: cpu.weight, cpu.max,
memory.max. Formulas: kubernetes pkg/kubelet/kuberuntime/kuberuntime_container_linux.go
(calculateLinuxResources), pkg/kubelet/cm/helpers_linux.go (MilliCPUToShares), and
opencontainers/cgroups utils.go and fs2/ (the library runc >= 1.3.2 uses).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from k8slab.api.qos import (
    BEST_EFFORT,
    GUARANTEED,
    ResourceQuantityError,
    get_pod_qos,
    quantity_value,
)
from k8slab.api.resources import pod_requests
from k8slab.errors import K8sLabError

# cm/helpers_linux.go: shares per CPU and their bounds (the kernel's MIN_SHARES, MAX_SHARES).
MIN_SHARES, MAX_SHARES, SHARES_PER_CPU, MILLI_CPU_TO_CPU = 2, 262144, 1024, 1000
# kuberuntime helpers: the CFS period (cpuCFSQuotaPeriod 100ms) and the 1 ms floor on quota.
QUOTA_PERIOD, MIN_QUOTA_PERIOD = 100_000, 1000
# cgroup v2's cpu.weight range [1, 10000] (opencontainers/cgroups utils.go).
MIN_WEIGHT, MAX_WEIGHT = 1, 10000
# pkg/kubelet/qos/policy.go.
GUARANTEED_OOM_SCORE_ADJ, BEST_EFFORT_OOM_SCORE_ADJ = -997, 1000
KUBELET_OOM_SCORE_ADJ = KUBE_PROXY_OOM_SCORE_ADJ = -999
# pkg/kubelet/types/pod_update.go IsNodeCriticalPod: this priority class protects like Guaranteed.
SYSTEM_NODE_CRITICAL = "system-node-critical"


class NodeCapacityError(K8sLabError):
    """The node's memory capacity given to a formula is not a positive number of bytes."""


@dataclass(frozen=True)
class LinuxResources:
    """What the kubelet asks containerd for (CRI LinuxContainerResources).

    cpu_quota 0 means no limit; memory_limit_in_bytes 0 means none. `unified` holds raw cgroup
    v2 files: memory.oom.group 1, so an OOM kills the whole container (singleProcessOOMKill
    false, the kubelet's default on cgroup v2 since v1.32).
    """

    cpu_shares: int
    cpu_quota: int
    cpu_period: int
    memory_limit_in_bytes: int
    oom_score_adj: int
    unified: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CgroupV2Files:
    """The files runc writes in the container's cgroup: cpu.weight, cpu.max, memory.max."""

    cpu_weight: int
    cpu_max: str
    memory_max: str
    memory_oom_group: str


def milli_cpu_to_shares(milli_cpu: int) -> int:
    """cpu.shares for a CPU request: 1024 per CPU, at least 2 (no request), at most 262144."""
    if milli_cpu == 0:
        return MIN_SHARES
    shares = milli_cpu * SHARES_PER_CPU // MILLI_CPU_TO_CPU
    return max(MIN_SHARES, min(shares, MAX_SHARES))


def milli_cpu_to_quota(milli_cpu: int, period: int = QUOTA_PERIOD) -> int:
    """The CFS quota in µs per period for a CPU limit: 0 (unlimited) without one, at least 1 ms."""
    if milli_cpu == 0:
        return 0
    return max(milli_cpu * period // MILLI_CPU_TO_CPU, MIN_QUOTA_PERIOD)


def shares_to_weight(shares: int) -> int:
    """cgroup v2 cpu.weight from cgroup v1 cpu.shares, as runc >= 1.3.2 converts it.

    A quadratic in log2(shares) fitted so that 2 -> 1, 1024 (1 CPU) -> 100 (the v2 default)
    and 262144 -> 10000; 100m (102 shares) gets 17. Older runc used the linear
    1 + (shares - 2) * 9999 / 262142, which gave 1 CPU only 39 (opencontainers/cgroups #20).
    """
    if shares == 0:
        return 0
    if shares <= MIN_SHARES:
        return MIN_WEIGHT
    if shares >= MAX_SHARES:
        return MAX_WEIGHT
    level = math.log2(shares)
    return math.ceil(10 ** ((level * level + 125 * level) / 612.0 - 7.0 / 34.0))


def _amount(resources: dict, field_name: str, name: str, where: str) -> int | None:
    """Whole millicores (cpu) or bytes (memory) of one request or limit; None when absent."""
    block = resources.get(field_name) or {}
    if name not in block:
        return None
    path = f"{where}.{field_name}.{name}"
    value = quantity_value(block[name], path)
    if value < 0:
        # The API server's words (validation.ValidateNonnegativeQuantity).
        raise ResourceQuantityError(f"{path}: Invalid value: {block[name]!r}: "
                                    "must be greater than or equal to 0")
    return math.ceil(value * 1000 if name == "cpu" else value)


def _limit(pod: dict, resources: dict, name: str, where: str) -> int:
    """The container's limit, or the pod-level limit when the container sets none."""
    own = _amount(resources, "limits", name, where)
    if own:
        return own
    pod_resources = (pod.get("spec") or {}).get("resources") or {}
    return _amount(pod_resources, "limits", name, "spec.resources") or 0


def _container_where(pod: dict, container: dict) -> str:
    spec = pod.get("spec") or {}
    for field_name in ("initContainers", "containers"):
        for index, candidate in enumerate(spec.get(field_name) or []):
            if candidate is container or candidate.get("name") == container.get("name"):
                return f"spec.{field_name}[{index}].resources"
    return "resources"


def linux_resources(pod: dict, container: dict, memory_capacity: int) -> LinuxResources:
    """The LinuxContainerResources the kubelet sends for `container` of `pod`.

    Shares come from the CPU request (from the limit when only a limit is set); the quota from
    the CPU limit over a 100 ms period; the memory limit is copied in bytes. `memory_capacity`
    is the node's memory (machine capacity), which the Burstable oom_score_adj is scaled by.
    """
    where = _container_where(pod, container)
    resources = container.get("resources") or {}
    cpu_request = _amount(resources, "requests", "cpu", where)
    cpu_limit = _limit(pod, resources, "cpu", where)
    if cpu_request is None and cpu_limit:
        shares = milli_cpu_to_shares(cpu_limit)
    else:
        shares = milli_cpu_to_shares(cpu_request or 0)
    return LinuxResources(
        cpu_shares=shares,
        cpu_quota=milli_cpu_to_quota(cpu_limit),
        cpu_period=QUOTA_PERIOD,
        memory_limit_in_bytes=_limit(pod, resources, "memory", where),
        oom_score_adj=oom_score_adj(pod, container, memory_capacity),
        unified={"memory.oom.group": "1"},
    )


def cgroup_v2_files(resources: LinuxResources) -> CgroupV2Files:
    """What runc writes from the OCI spec: cpu.weight, cpu.max "<quota|max> <period>", memory.max.

    memory.max stays the kernel's "max" when no limit was given (fs2/memory.go, fs2/cpu.go).
    """
    quota = str(resources.cpu_quota) if resources.cpu_quota > 0 else "max"
    memory = resources.memory_limit_in_bytes
    return CgroupV2Files(
        cpu_weight=shares_to_weight(resources.cpu_shares),
        cpu_max=f"{quota} {resources.cpu_period or QUOTA_PERIOD}",
        memory_max=str(memory) if memory > 0 else "max",
        memory_oom_group=resources.unified.get("memory.oom.group", "0"),
    )


def oom_score_adj(pod: dict, container: dict, memory_capacity: int) -> int:
    """The container's /proc/<pid>/oom_score_adj (GetContainerOOMScoreAdjust).

    Node-critical and Guaranteed pods -997, BestEffort 1000. Burstable: 1000 - 1000 x request /
    node memory, kept within [3, 999] so Burstable stays between the other two; a sidecar gets
    no more than the pod's smallest regular container. Pod-level memory requests not given to
    any container are shared equally among them first (PodLevelResources, on since v1.34).
    """
    if memory_capacity <= 0:
        raise NodeCapacityError(
            f"memory_capacity must be a positive number of bytes, got {memory_capacity!r}")
    spec = pod.get("spec") or {}
    if spec.get("priorityClassName") == SYSTEM_NODE_CRITICAL:
        return GUARANTEED_OOM_SCORE_ADJ
    qos = get_pod_qos(pod)
    if qos == GUARANTEED:
        return GUARANTEED_OOM_SCORE_ADJ
    if qos == BEST_EFFORT:
        return BEST_EFFORT_OOM_SCORE_ADJ
    extra = _unassigned_pod_memory_per_container(pod)
    request = _memory_request(container, _container_where(pod, container)) + extra
    adjust = 1000 - (1000 * request) // memory_capacity
    if _is_sidecar(pod, container):
        regular = [_memory_request(c, f"spec.containers[{i}].resources")
                   for i, c in enumerate(spec.get("containers") or [])]
        smallest = min(regular, default=0) + extra
        adjust = min(adjust, 1000 - (1000 * smallest) // memory_capacity)
    if adjust < 1000 + GUARANTEED_OOM_SCORE_ADJ:
        return 1000 + GUARANTEED_OOM_SCORE_ADJ
    if adjust == BEST_EFFORT_OOM_SCORE_ADJ:
        return adjust - 1
    return adjust


def _memory_request(container: dict, where: str) -> int:
    return _amount(container.get("resources") or {}, "requests", "memory", where) or 0


def _is_sidecar(pod: dict, container: dict) -> bool:
    """An init container with restartPolicy Always (policy.go isSidecarContainer)."""
    if container.get("restartPolicy") != "Always":
        return False
    names = [c.get("name") for c in (pod.get("spec") or {}).get("initContainers") or []]
    return container.get("name") in names


def _unassigned_pod_memory_per_container(pod: dict) -> int:
    """(pod-level memory request - what the containers request) / number of containers."""
    spec = pod.get("spec") or {}
    pod_level = _amount(spec.get("resources") or {}, "requests", "memory", "spec.resources")
    if not pod_level:
        return 0
    containers = len(spec.get("containers") or []) + len(spec.get("initContainers") or [])
    # AggregateContainerRequests: the containers' own sums and init peaks, without the pod-level
    # override and without overhead.
    bare = {"spec": {k: v for k, v in spec.items() if k not in ("resources", "overhead")}}
    try:
        remaining = pod_level - pod_requests(bare)["memory"]
    except ValueError as error:
        raise ResourceQuantityError(
            f"spec: a container's requests are not quantities ({error})"
        ) from None
    if not containers:
        return 0
    share = abs(remaining) // containers  # Go's integer division truncates toward zero
    return share if remaining >= 0 else -share

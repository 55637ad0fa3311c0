"""Node allocatable: what the scheduler may hand out on a node, less than what the machine has.

allocatable = capacity - kube-reserved - system-reserved - hard eviction threshold, per resource,
never below zero. Only memory.available and nodefs.available hold anything back (from memory
and ephemeral-storage). kubeadm sets no kubeReserved or systemReserved, so on a kubeadm node
only the eviction thresholds are subtracted: 16Gi of memory gives 16284Mi allocatable.
Sources: kubernetes pkg/kubelet/cm/node_container_manager_linux.go (GetNodeAllocatableReservation,
hardEvictionReservation, getNodeAllocatableAbsoluteImpl) and pkg/kubelet/nodestatus/setters.go.
"""

from __future__ import annotations

from k8slab.api.qos import ResourceQuantityError
from k8slab.api.quantity import format_cpu, format_memory
from k8slab.api.resources import resource_list
from k8slab.node.eviction_policy import (
    MEMORY_AVAILABLE,
    NODEFS_AVAILABLE,
    parse_thresholds,
)

# hardEvictionReservation: the two signals that reserve part of a resource.
RESERVING_SIGNALS = {MEMORY_AVAILABLE: "memory", NODEFS_AVAILABLE: "ephemeral-storage"}


def _amounts(quantities: dict | None, what: str) -> dict[str, int]:
    try:
        amounts = resource_list(quantities)
    except ValueError as error:
        raise ResourceQuantityError(f"{what}: {error}") from None
    negative = sorted(name for name, amount in amounts.items() if amount < 0)
    if negative:
        raise ResourceQuantityError(f"{what}.{negative[0]}: must be greater than or equal to 0")
    return amounts


def hard_eviction_reservation(capacity: dict, eviction_hard: dict | None = None) -> dict[str, int]:
    """What the hard eviction thresholds hold back: memory for memory.available, ephemeral-storage
    for nodefs.available (a percentage is of that resource's capacity). None: the defaults."""
    amounts = _amounts(capacity, "capacity")
    reserved: dict[str, int] = {}
    for threshold in parse_thresholds(eviction_hard):
        resource = RESERVING_SIGNALS.get(threshold.signal)
        if resource is not None:
            reserved[resource] = threshold.value(amounts.get(resource, 0))
    return reserved


def allocatable_reservation(capacity: dict, kube_reserved: dict | None = None,
                            system_reserved: dict | None = None,
                            eviction_hard: dict | None = None) -> dict[str, int]:
    """kube-reserved + system-reserved + the hard eviction reservation, for each resource the
    node has (GetNodeAllocatableReservation); resources with nothing reserved are left out."""
    kube = _amounts(kube_reserved, "kubeReserved")
    system = _amounts(system_reserved, "systemReserved")
    eviction = hard_eviction_reservation(capacity, eviction_hard)
    reserved = {}
    for name in _amounts(capacity, "capacity"):
        total = kube.get(name, 0) + system.get(name, 0) + eviction.get(name, 0)
        if total:
            reserved[name] = total
    return reserved


def node_allocatable(capacity: dict, kube_reserved: dict | None = None,
                     system_reserved: dict | None = None,
                     eviction_hard: dict | None = None) -> dict[str, int]:
    """status.allocatable as whole numbers (millicores, bytes, counts): capacity less the
    reservation, floored at 0 (the MachineInfo node-status setter)."""
    reserved = allocatable_reservation(capacity, kube_reserved, system_reserved, eviction_hard)
    return {name: max(0, amount - reserved.get(name, 0))
            for name, amount in _amounts(capacity, "capacity").items()}


def allocatable_absolute(capacity: dict, kube_reserved: dict | None = None,
                         system_reserved: dict | None = None) -> dict[str, int]:
    """The size of the kubepods cgroup: capacity less kube- and system-reserved only.

    Eviction thresholds are not subtracted here: the kubelet enforces them by evicting, not with
    a cgroup limit (getNodeAllocatableAbsoluteImpl).
    """
    kube = _amounts(kube_reserved, "kubeReserved")
    system = _amounts(system_reserved, "systemReserved")
    return {name: max(0, amount - kube.get(name, 0) - system.get(name, 0))
            for name, amount in _amounts(capacity, "capacity").items()}


def as_quantities(amounts: dict[str, int]) -> dict[str, str]:
    """Whole numbers back to quantity text for a Node's status: cpu "3900m", memory "16284Mi"."""
    texts = {}
    for name, amount in amounts.items():
        if name == "cpu":
            texts[name] = format_cpu(amount)
        elif name in ("memory", "ephemeral-storage") or name.startswith("hugepages-"):
            texts[name] = format_memory(amount)
        else:
            texts[name] = str(amount)
    return texts

"""How much a pod asks for and how much a node offers, as whole numbers.

CPU is counted in millicores and memory in bytes; every other resource (pods,
ephemeral-storage, example.com/gpu) in whole units. The pod formula is upstream's PodRequests
(kubernetes staging/src/k8s.io/component-helpers/resource/helpers.go, formerly
pkg/api/v1/resource/helpers.go).
"""

from __future__ import annotations

from k8slab.api.quantity import cpu_millis, memory_bytes

# helpers.go IsSupportedPodLevelResource: the resources spec.resources may set for a whole pod.
POD_LEVEL_RESOURCES = ("cpu", "memory")


def resource_amount(name: str, quantity: str | int | float) -> int:
    """One resource quantity as a whole number: millicores for "cpu", units (bytes) otherwise."""
    if name == "cpu":
        return cpu_millis(quantity)
    return memory_bytes(quantity)


def resource_list(quantities: dict | None) -> dict[str, int]:
    """A Kubernetes ResourceList ({"cpu": "250m", "memory": "64Mi"}) as whole numbers."""
    return {name: resource_amount(name, value) for name, value in (quantities or {}).items()}


def _add(total: dict[str, int], more: dict[str, int]) -> None:
    for name, amount in more.items():
        total[name] = total.get(name, 0) + amount


def _take_max(total: dict[str, int], other: dict[str, int]) -> None:
    for name, amount in other.items():
        total[name] = max(total.get(name, 0), amount)


def _container_requests(container: dict) -> dict[str, int]:
    return resource_list((container.get("resources") or {}).get("requests"))


def pod_requests(pod: dict) -> dict[str, int]:
    """What a pod asks of its node: {"cpu": millicores, "memory": bytes, ...}.

    App containers run together, so their requests add up; init containers run one at a time
    before them, so only the largest counts (sidecars, i.e. init containers with restartPolicy
    Always, keep running and add up). The result is max(sum of containers, init peak) per
    resource, replaced by pod-level spec.resources.requests for cpu/memory when set, plus
    spec.overhead. Absent requests count 0 (the scheduler's non-zero scoring defaults live in
    the scheduler).
    """
    spec = pod.get("spec") or {}
    requests: dict[str, int] = {"cpu": 0, "memory": 0}
    for container in spec.get("containers") or []:
        _add(requests, _container_requests(container))

    init_peak: dict[str, int] = {}
    sidecars: dict[str, int] = {}
    for container in spec.get("initContainers") or []:
        own = _container_requests(container)
        if container.get("restartPolicy") == "Always":
            _add(requests, own)
            _add(sidecars, own)
            running = dict(sidecars)
        else:
            running = dict(own)
            _add(running, sidecars)
        _take_max(init_peak, running)
    _take_max(requests, init_peak)

    pod_level = resource_list((spec.get("resources") or {}).get("requests"))
    for name in POD_LEVEL_RESOURCES:
        if name in pod_level:
            requests[name] = pod_level[name]
    _add(requests, resource_list(spec.get("overhead")))
    return requests


def node_allocatable(node: dict) -> dict[str, int]:
    """What a node offers to pods, read from status.allocatable.

    {"cpu": millicores, "memory": bytes, "pods": count, ...}; the three are 0 when not reported.
    """
    allocatable = {"cpu": 0, "memory": 0, "pods": 0}
    allocatable.update(resource_list((node.get("status") or {}).get("allocatable")))
    return allocatable

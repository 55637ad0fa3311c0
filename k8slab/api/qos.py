"""A pod's quality-of-service class: Guaranteed, Burstable or BestEffort.

The API server writes it to status.qosClass when a pod is created; the kubelet reads it to place
the pod's cgroup and set its containers' oom_score_adj. The rules are upstream's ComputePodQOS
and resourceQOS (kubernetes pkg/apis/core/v1/helper/qos/qos.go, v1.35; docs: pod-qos.md).
"""

from __future__ import annotations

from fractions import Fraction

from k8slab.api.quantity import parse_quantity
from k8slab.errors import K8sLabError

GUARANTEED, BURSTABLE, BEST_EFFORT = "Guaranteed", "Burstable", "BestEffort"
# qos.go supportedQoSComputeResources: only cpu and memory decide the class.
QOS_RESOURCES = ("cpu", "memory")


class ResourceQuantityError(K8sLabError):
    """A resources block holds something that is not a quantity (e.g. cpu: "lots")."""


def quantity_value(value: object, where: str) -> Fraction:
    """The exact value of one quantity, or a ResourceQuantityError naming `where` it was."""
    try:
        return parse_quantity(value)  # type: ignore[arg-type]
    except ValueError as error:
        raise ResourceQuantityError(
            f"{where}: {value!r} is not a quantity ({error}); write one like \"250m\", "
            "\"1\", \"64Mi\" or \"1Gi\""
        ) from None


def _amounts(resources: dict, field: str, where: str) -> dict[str, Fraction]:
    block = resources.get(field) or {}
    if not isinstance(block, dict):
        raise ResourceQuantityError(
            f"{where}.{field} must be a mapping of resource name to quantity, got {block!r}"
        )
    return {name: quantity_value(value, f"{where}.{field}.{name}")
            for name, value in block.items()}


def resource_qos(resources: dict | None, where: str = "resources") -> str:
    """The class one resources block earns on its own (upstream's resourceQOS).

    Nothing requested or limited is BestEffort; cpu and memory each with request equal to a
    non-zero limit is Guaranteed; anything else (a request without an equal limit, only one of
    the two set) is Burstable.
    """
    resources = resources or {}
    requests = _amounts(resources, "requests", where)
    limits = _amounts(resources, "limits", where)
    if not requests and not limits:
        return BEST_EFFORT
    found = ""
    for name in QOS_RESOURCES:
        request, limit = requests.get(name, Fraction(0)), limits.get(name, Fraction(0))
        if request != limit:
            return BURSTABLE
        unset = request == 0
        if not found:
            found = BEST_EFFORT if unset else GUARANTEED
        elif unset != (found == BEST_EFFORT):
            return BURSTABLE
    return found


def pod_qos(pod: dict) -> str:
    """The pod's QoS class, computed from its spec as the API server does on create.

    Pod-level spec.resources, when present, decide alone (PodLevelResources, beta and on since
    v1.34). Otherwise init and app containers each get a class: one Burstable container, or a
    mix of Guaranteed and BestEffort, makes the pod Burstable. Pass the pod after defaulting,
    which copies each limit into a missing request (so limits alone give Guaranteed).
    """
    spec = pod.get("spec") or {}
    if spec.get("resources") is not None:
        return resource_qos(spec["resources"], "spec.resources")
    found = ""
    for field in ("initContainers", "containers"):
        for index, container in enumerate(spec.get(field) or []):
            where = f"spec.{field}[{index}].resources"
            own = resource_qos(container.get("resources"), where)
            if own == BURSTABLE:
                return BURSTABLE
            if not found:
                found = own
            elif found != own:
                return BURSTABLE
    return found or BEST_EFFORT


def get_pod_qos(pod: dict) -> str:
    """status.qosClass when set (it never changes after creation), else computed (GetPodQOS)."""
    return (pod.get("status") or {}).get("qosClass") or pod_qos(pod)

"""The kubelet's own admission of a pod bound to its node: does it fit what the node allocates?

The scheduler checks the same before binding, but a pod created with spec.nodeName set skips the
scheduler, so the kubelet checks again (kk pkg/kubelet/lifecycle/predicate.go, the
PredicateAdmitHandler running noderesources.Fits): first the pod count, then CPU, then memory,
against the requests of the pods it already admitted. A pod that does not fit is rejected: phase
Failed, reason OutOfcpu / OutOfmemory / OutOfpods. Simplified: ephemeral storage and extended
resources are not checked.
"""

from __future__ import annotations

from collections.abc import Iterable

from k8slab.api.resources import pod_requests

# predicate.go's reasons: "OutOf" + the resource's name (lifecycle.OutOfCPU is "OutOfcpu").
CHECKED = ("cpu", "memory")
# kubelet.go rejectPod: the status message is this prefix and the admission failure.
REJECTED = "Pod was rejected: "


def insufficient(resource: str, requested: int, used: int, capacity: int) -> str:
    """InsufficientResourceError's words (predicate.go)."""
    return (f"Node didn't have enough resource: {resource}, requested: {requested}, "
            f"used: {used}, capacity: {capacity}")


def admit(pod: dict, admitted: Iterable[dict], allocatable: dict[str, int]) -> tuple[str, str]:
    """("", "") if `pod` fits beside the pods already `admitted`, else (reason, message)."""
    admitted = list(admitted)
    if len(admitted) + 1 > allocatable["pods"]:
        return "OutOfpods", insufficient("pods", 1, len(admitted), allocatable["pods"])
    wanted = pod_requests(pod)
    used = {name: 0 for name in CHECKED}
    for other in admitted:
        requests = pod_requests(other)
        for name in CHECKED:
            used[name] += requests.get(name, 0)
    for name in CHECKED:
        want = wanted.get(name, 0)
        if want > 0 and want > allocatable[name] - used[name]:
            return f"OutOf{name}", insufficient(name, want, used[name], allocatable[name])
    return "", ""


def rejected_status(reason: str, message: str) -> dict:
    """The status the kubelet writes for a pod it rejects (kubelet.go rejectPod)."""
    return {"phase": "Failed", "reason": reason, "message": REJECTED + message}

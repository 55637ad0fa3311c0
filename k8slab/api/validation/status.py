"""What a controller may write to a workload's status: counts that are not negative and not
more than status.replicas, and a collisionCount that never goes down.

kubernetes pkg/apis/apps/validation ValidateDeploymentStatus, ValidateReplicaSetStatus,
validateDaemonSetStatus, ValidateStatefulSetStatus (and their *StatusUpdate for collisionCount),
core ValidateReplicationControllerStatus, and the counters of batch ValidateJobStatusUpdate.
"""

from __future__ import annotations

from k8slab.api.validation.core_template import nonnegative_errors
from k8slab.api.validation.field import FieldError, invalid

GREATER = "cannot be greater than status.replicas"
# (kind, counters that may not be negative, counters bounded by replicas, the message for
# availableReplicas above readyReplicas or None).
_RULES: dict[str, tuple[tuple[str, ...], tuple[str, ...], str | None]] = {
    "Deployment.apps": (
        ("observedGeneration", "replicas", "updatedReplicas", "readyReplicas",
         "availableReplicas", "unavailableReplicas", "collisionCount"),
        ("updatedReplicas", "readyReplicas", "availableReplicas"),
        "cannot be greater than readyReplicas"),
    "ReplicaSet.apps": (
        ("replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas",
         "observedGeneration"),
        ("fullyLabeledReplicas", "readyReplicas", "availableReplicas"),
        "cannot be greater than readyReplicas"),
    "ReplicationController": (
        ("replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas",
         "observedGeneration"),
        ("fullyLabeledReplicas", "readyReplicas", "availableReplicas"),
        "cannot be greater than readyReplicas"),
    "DaemonSet.apps": (
        ("currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady",
         "observedGeneration", "updatedNumberScheduled", "numberAvailable", "numberUnavailable",
         "collisionCount"),
        (), None),
    "StatefulSet.apps": (
        ("replicas", "readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas",
         "observedGeneration", "collisionCount"),
        ("readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas"),
        "cannot be greater than status.readyReplicas"),
    "Job.batch": (("active", "succeeded", "failed", "ready", "terminating"), (), None),
}


def status_errors(qualified_kind: str, old: dict, new: dict) -> list[FieldError]:
    """Every problem with `new`'s status as an update of `old`'s; [] for kinds without rules."""
    if qualified_kind not in _RULES:
        return []
    counters, bounded, above_ready = _RULES[qualified_kind]
    status = new.get("status") or {}
    errors: list[FieldError] = []
    for field in counters:
        errors += nonnegative_errors(status, field, "status")
    replicas = status.get("replicas", 0)
    for field in bounded:
        if status.get(field, 0) > replicas:
            errors.append(invalid(f"status.{field}", status.get(field, 0), GREATER))
    available, ready = status.get("availableReplicas", 0), status.get("readyReplicas", 0)
    if above_ready and available > ready:
        errors.append(invalid("status.availableReplicas", available, above_ready))
    before = (old.get("status") or {}).get("collisionCount")
    after = status.get("collisionCount")
    if before is not None and (after is None or after < before):
        errors.append(invalid("status.collisionCount", after or 0, "cannot be decremented"))
    return errors

"""A Deployment's conditions, Available and Progressing, as deployment_util.go sets them.

A condition changes only when its status or reason does (SetDeploymentCondition), and keeps its
lastTransitionTime while its status stays the same; Progressing is the one whose lastUpdateTime
moves on every sign of progress, which is what the progress deadline is measured from.
"""

from __future__ import annotations

from k8slab.api.timestamps import from_time, to_time
from k8slab.controllers.deployment.util import progress_deadline_seconds, replicas

AVAILABLE = "Available"
PROGRESSING = "Progressing"
REPLICA_FAILURE = "ReplicaFailure"
# Reasons (kk pkg/controller/deployment/util/deployment_util.go).
REPLICA_SET_UPDATED = "ReplicaSetUpdated"
FAILED_RS_CREATE = "ReplicaSetCreateError"
NEW_REPLICA_SET = "NewReplicaSetCreated"
FOUND_NEW_RS = "FoundNewReplicaSet"
NEW_RS_AVAILABLE = "NewReplicaSetAvailable"
TIMED_OUT = "ProgressDeadlineExceeded"
PAUSED = "DeploymentPaused"
RESUMED = "DeploymentResumed"
MINIMUM_REPLICAS_AVAILABLE = "MinimumReplicasAvailable"
MINIMUM_REPLICAS_UNAVAILABLE = "MinimumReplicasUnavailable"


def new_condition(kind: str, status: str, reason: str, message: str, now: float) -> dict:
    """NewDeploymentCondition: both times now."""
    stamp = to_time(now)
    return {"type": kind, "status": status, "lastUpdateTime": stamp,
            "lastTransitionTime": stamp, "reason": reason, "message": message}


def get_condition(status: dict, kind: str) -> dict | None:
    """The condition of this type in a Deployment status, if any."""
    for condition in status.get("conditions") or []:
        if condition["type"] == kind:
            return condition
    return None


def remove_condition(status: dict, kind: str) -> None:
    """RemoveDeploymentCondition."""
    status["conditions"] = [c for c in status.get("conditions") or [] if c["type"] != kind]


def set_condition(status: dict, condition: dict) -> None:
    """SetDeploymentCondition: no change for the same status and reason; the same status keeps
    its lastTransitionTime; the new condition goes last."""
    current = get_condition(status, condition["type"])
    if current is not None and (current["status"], current["reason"]) == (
            condition["status"], condition["reason"]):
        return
    condition = dict(condition)
    if current is not None and current["status"] == condition["status"]:
        condition["lastTransitionTime"] = current["lastTransitionTime"]
    remove_condition(status, condition["type"])
    status["conditions"].append(condition)


def deployment_complete(d: dict, status: dict) -> bool:
    """DeploymentComplete: every desired replica updated and available, no old pods left, and
    the current generation observed."""
    want = replicas(d)
    return (status.get("updatedReplicas", 0) == want and status.get("replicas", 0) == want
            and status.get("availableReplicas", 0) == want
            and status.get("observedGeneration", 0) >= d["metadata"].get("generation", 0))


def deployment_progressing(d: dict, status: dict) -> bool:
    """DeploymentProgressing: more updated, ready or available pods, or fewer old ones, than
    the status the controller last wrote."""
    old = d.get("status") or {}
    old_old = old.get("replicas", 0) - old.get("updatedReplicas", 0)
    new_old = status.get("replicas", 0) - status.get("updatedReplicas", 0)
    return (status.get("updatedReplicas", 0) > old.get("updatedReplicas", 0)
            or new_old < old_old
            or status.get("readyReplicas", 0) > old.get("readyReplicas", 0)
            or status.get("availableReplicas", 0) > old.get("availableReplicas", 0))


def deployment_timed_out(d: dict, status: dict, now: float) -> bool:
    """DeploymentTimedOut: no progress reported for longer than progressDeadlineSeconds."""
    deadline = progress_deadline_seconds(d)
    condition = get_condition(status, PROGRESSING)
    if deadline is None or condition is None or condition["reason"] == NEW_RS_AVAILABLE:
        return False
    if condition["reason"] == TIMED_OUT:
        return True
    return from_time(condition["lastUpdateTime"]) + deadline < now

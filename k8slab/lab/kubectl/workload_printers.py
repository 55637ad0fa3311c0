"""Rows of `kubectl get` for the workload kinds: Deployments, ReplicaSets, ReplicationControllers,
DaemonSets, StatefulSets and Jobs, cell for cell as kubernetes
pkg/printers/internalversion/printers.go (v1.35) computes them.

Each function returns every column, the `-o wide` ones included, as the API server's table
convertor does (it always generates the wide row; kubectl drops the priority-1 columns).
"""

from __future__ import annotations

from k8slab.errors import K8sLabError
from k8slab.lab.kubectl.durations import age, human_duration, parse_timestamp
from k8slab.lab.kubectl.printers import format_labels, name_of
from k8slab.lab.kubectl.selectors import format_label_selector, selector_string


def container_cells(template: dict | None) -> list[str]:
    """CONTAINERS and IMAGES of a pod template, each joined by commas (layoutContainerCells)."""
    containers = ((template or {}).get("spec") or {}).get("containers") or []
    return [
        ",".join(c.get("name", "") for c in containers),
        ",".join(c.get("image", "") for c in containers),
    ]


def deployment_cells(deployment: dict, now: float) -> list[str]:
    """NAME READY UP-TO-DATE AVAILABLE AGE | CONTAINERS IMAGES SELECTOR; READY is ready/desired."""
    spec, status = deployment.get("spec", {}), deployment.get("status", {})
    # printDeployment prints the selector's String() (an empty selector is an empty cell) and
    # `<invalid>` for one apimachinery cannot read.
    try:
        selector = selector_string(spec.get("selector"))
    except K8sLabError:
        selector = "<invalid>"
    return [
        name_of(deployment),
        f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 0)}",
        str(status.get("updatedReplicas", 0)),
        str(status.get("availableReplicas", 0)),
        _age(deployment, now),
        *container_cells(spec.get("template")),
        selector,
    ]


def replica_set_cells(replica_set: dict, now: float) -> list[str]:
    """NAME DESIRED CURRENT READY AGE | CONTAINERS IMAGES SELECTOR."""
    spec = replica_set.get("spec", {})
    return [
        *_replica_counts(replica_set, now),
        *container_cells(spec.get("template")),
        format_label_selector(spec.get("selector")),
    ]


def replication_controller_cells(controller: dict, now: float) -> list[str]:
    """As a ReplicaSet's row, but its selector is a plain label map (labels.FormatLabels)."""
    spec = controller.get("spec", {})
    return [
        *_replica_counts(controller, now),
        *container_cells(spec.get("template")),
        format_labels(spec.get("selector") or {}),
    ]


def _replica_counts(obj: dict, now: float) -> list[str]:
    spec, status = obj.get("spec", {}), obj.get("status", {})
    return [
        name_of(obj),
        str(spec.get("replicas", 0)),
        str(status.get("replicas", 0)),
        str(status.get("readyReplicas", 0)),
        _age(obj, now),
    ]


def daemon_set_cells(daemon_set: dict, now: float) -> list[str]:
    """NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE | CONTAINERS IMAGES
    SELECTOR, the counts as the DaemonSet controller writes them in its status."""
    spec, status = daemon_set.get("spec", {}), daemon_set.get("status", {})
    template = spec.get("template") or {}
    return [
        name_of(daemon_set),
        str(status.get("desiredNumberScheduled", 0)),
        str(status.get("currentNumberScheduled", 0)),
        str(status.get("numberReady", 0)),
        str(status.get("updatedNumberScheduled", 0)),
        str(status.get("numberAvailable", 0)),
        format_labels((template.get("spec") or {}).get("nodeSelector") or {}),
        _age(daemon_set, now),
        *container_cells(template),
        format_label_selector(spec.get("selector")),
    ]


def stateful_set_cells(stateful_set: dict, now: float) -> list[str]:
    """NAME READY AGE | CONTAINERS IMAGES; READY is readyReplicas/replicas."""
    spec, status = stateful_set.get("spec", {}), stateful_set.get("status", {})
    return [
        name_of(stateful_set),
        f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 0)}",
        _age(stateful_set, now),
        *container_cells(spec.get("template")),
    ]


def job_cells(job: dict, now: float) -> list[str]:
    """NAME STATUS COMPLETIONS DURATION AGE | CONTAINERS IMAGES SELECTOR (v1.35's columns)."""
    spec, status = job.get("spec", {}), job.get("status", {})
    succeeded = status.get("succeeded", 0)
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{spec['completions']}"
    elif (spec.get("parallelism") or 0) > 1:
        completions = f"{succeeded}/1 of {spec['parallelism']}"
    else:
        completions = f"{succeeded}/1"
    return [
        name_of(job),
        job_status(job),
        completions,
        _job_duration(status, now),
        _age(job, now),
        *container_cells(spec.get("template")),
        format_label_selector(spec.get("selector")),
    ]


def job_status(job: dict) -> str:
    """Complete, Failed, Terminating, Suspended, FailureTarget or Running, in printJob's order."""
    conditions = job.get("status", {}).get("conditions", [])
    if _condition_true(conditions, "Complete"):
        return "Complete"
    if _condition_true(conditions, "Failed"):
        return "Failed"
    if job.get("metadata", {}).get("deletionTimestamp"):
        return "Terminating"
    if _condition_true(conditions, "Suspended"):
        return "Suspended"
    if _condition_true(conditions, "FailureTarget"):
        return "FailureTarget"
    return "Running"


def _job_duration(status: dict, now: float) -> str:
    """Empty before the Job starts, the time since its start while it runs, else start to end."""
    if not status.get("startTime"):
        return ""
    start = parse_timestamp(status["startTime"], "status.startTime")
    end = now
    if status.get("completionTime"):
        end = parse_timestamp(status["completionTime"], "status.completionTime")
    return human_duration(end - start)


def _condition_true(conditions: list[dict], kind: str) -> bool:
    """hasJobCondition: the first condition of that type decides."""
    for condition in conditions:
        if condition.get("type") == kind:
            return condition.get("status") == "True"
    return False


def _age(obj: dict, now: float) -> str:
    return age(obj.get("metadata", {}).get("creationTimestamp"), now, "metadata.creationTimestamp")

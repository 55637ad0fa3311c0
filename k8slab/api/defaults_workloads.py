"""Upstream's defaults for the workload kinds: Deployment, ReplicaSet, DaemonSet, StatefulSet,
Job and ReplicationController, and the PodSpec defaults inside each one's pod template.

kubernetes pkg/apis/apps/v1/defaults.go (SetDefaults_Deployment, _DaemonSet, _StatefulSet,
_ReplicaSet), pkg/apis/batch/v1/defaults.go (SetDefaults_Job) and pkg/apis/core/v1/defaults.go
(SetDefaults_ReplicationController). Each function fills `obj` in place; present values stay.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from k8slab.api.defaults_pod import default_pod_spec, mapping

DEFAULT_REPLICAS = 1
DEFAULT_REVISION_HISTORY_LIMIT = 10
DEFAULT_PROGRESS_DEADLINE_SECONDS = 600
DEFAULT_MAX_SURGE = "25%"  # Deployment; a DaemonSet's surge is 0 and its maxUnavailable 1
DEFAULT_MAX_UNAVAILABLE = "25%"
DEFAULT_BACKOFF_LIMIT = 6
MAX_INT32 = 2**31 - 1
# batch/v1 types.go: the labels the API server's generated selector and template carry.
CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid"
JOB_NAME_LABEL = "batch.kubernetes.io/job-name"
LEGACY_CONTROLLER_UID_LABEL = "controller-uid"
LEGACY_JOB_NAME_LABEL = "job-name"


def _template_spec(spec: dict) -> None:
    template = mapping(spec, "template")
    pod_spec = mapping(template, "spec") if template is not None else None
    if pod_spec is not None:
        default_pod_spec(pod_spec, pod=False)


def _rolling_update(strategy: dict, max_unavailable: int | str, max_surge: int | str) -> None:
    rolling = mapping(strategy, "rollingUpdate")
    if rolling is not None:
        rolling.setdefault("maxUnavailable", max_unavailable)
        rolling.setdefault("maxSurge", max_surge)


def default_deployment(obj: dict, spec: dict) -> None:
    """Replicas 1, strategy RollingUpdate 25%/25%, revisionHistoryLimit 10, deadline 600 s."""
    spec.setdefault("replicas", DEFAULT_REPLICAS)
    strategy = mapping(spec, "strategy")
    if strategy is not None:
        strategy["type"] = strategy.get("type") or "RollingUpdate"
        if strategy["type"] == "RollingUpdate":
            _rolling_update(strategy, DEFAULT_MAX_UNAVAILABLE, DEFAULT_MAX_SURGE)
    spec.setdefault("revisionHistoryLimit", DEFAULT_REVISION_HISTORY_LIMIT)
    spec.setdefault("progressDeadlineSeconds", DEFAULT_PROGRESS_DEADLINE_SECONDS)
    _template_spec(spec)


def default_replica_set(obj: dict, spec: dict) -> None:
    """Replicas 1."""
    spec.setdefault("replicas", DEFAULT_REPLICAS)
    _template_spec(spec)


def default_daemon_set(obj: dict, spec: dict) -> None:
    """updateStrategy RollingUpdate with maxUnavailable 1 and maxSurge 0; history 10."""
    strategy = mapping(spec, "updateStrategy")
    if strategy is not None:
        strategy["type"] = strategy.get("type") or "RollingUpdate"
        if strategy["type"] == "RollingUpdate":
            _rolling_update(strategy, 1, 0)
    spec.setdefault("revisionHistoryLimit", DEFAULT_REVISION_HISTORY_LIMIT)
    _template_spec(spec)


def default_stateful_set(obj: dict, spec: dict) -> None:
    """OrderedReady, RollingUpdate with partition 0, PVC retention Retain/Retain, replicas 1."""
    spec["podManagementPolicy"] = spec.get("podManagementPolicy") or "OrderedReady"
    strategy = mapping(spec, "updateStrategy")
    if strategy is not None:
        if not strategy.get("type"):
            strategy["type"] = "RollingUpdate"
            mapping(strategy, "rollingUpdate")
        rolling = strategy.get("rollingUpdate")
        if strategy["type"] == "RollingUpdate" and isinstance(rolling, dict):
            rolling.setdefault("partition", 0)
    # StatefulSetAutoDeletePVC is GA (v1.32), so its defaults always apply.
    retention = mapping(spec, "persistentVolumeClaimRetentionPolicy")
    if retention is not None:
        for field in ("whenDeleted", "whenScaled"):
            retention[field] = retention.get(field) or "Retain"
    spec.setdefault("replicas", DEFAULT_REPLICAS)
    spec.setdefault("revisionHistoryLimit", DEFAULT_REVISION_HISTORY_LIMIT)
    _template_spec(spec)


def default_job(obj: dict, spec: dict) -> None:
    """completions and parallelism 1 when both unset, backoffLimit 6, NonIndexed, not suspended.

    Also labels from the template when the Job has none, and (JobPodReplacementPolicy, GA in
    v1.34 [K]) podReplacementPolicy TerminatingOrFailed, or Failed with a podFailurePolicy;
    backoffLimit is MaxInt32 when backoffLimitPerIndex is set (JobBackoffLimitPerIndex) [K].
    """
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
    spec.setdefault("parallelism", 1)
    if spec.get("backoffLimit") is None:
        per_index = spec.get("backoffLimitPerIndex") is not None
        spec["backoffLimit"] = MAX_INT32 if per_index else DEFAULT_BACKOFF_LIMIT
    _labels_from_template(obj, spec)
    spec["completionMode"] = spec.get("completionMode") or "NonIndexed"
    spec.setdefault("suspend", False)
    if not spec.get("podReplacementPolicy"):
        failure_policy = spec.get("podFailurePolicy") is not None
        spec["podReplacementPolicy"] = "Failed" if failure_policy else "TerminatingOrFailed"
    _template_spec(spec)


def default_replication_controller(obj: dict, spec: dict) -> None:
    """The selector and the labels default to the template's labels; replicas 1."""
    template = spec.get("template")
    labels = (template.get("metadata") or {}).get("labels") if isinstance(template, dict) else None
    if isinstance(labels, dict):
        if not spec.get("selector"):
            spec["selector"] = copy.deepcopy(labels)
        _labels_from_template(obj, spec)
    spec.setdefault("replicas", DEFAULT_REPLICAS)
    _template_spec(spec)


def _labels_from_template(obj: dict, spec: dict) -> None:
    template = spec.get("template")
    labels = (template.get("metadata") or {}).get("labels") if isinstance(template, dict) else None
    metadata = obj.get("metadata")
    if isinstance(labels, dict) and isinstance(metadata, dict) and not metadata.get("labels"):
        metadata["labels"] = copy.deepcopy(labels)


def generate_job_selector(job: dict) -> None:
    """What the Job strategy's PrepareForCreate does unless spec.manualSelector is true: label
    the template with the Job's uid and name, and select on batch.kubernetes.io/controller-uid.

    Labels already present are kept (validation then catches a wrong one). Changes `job`.
    """
    spec = job["spec"]
    if spec.get("manualSelector"):
        return
    meta = job["metadata"]
    template = spec.setdefault("template", {})
    labels = template.setdefault("metadata", {}).setdefault("labels", {})
    for key, value in ((LEGACY_CONTROLLER_UID_LABEL, meta["uid"]),
                       (LEGACY_JOB_NAME_LABEL, meta["name"]),
                       (CONTROLLER_UID_LABEL, meta["uid"]), (JOB_NAME_LABEL, meta["name"])):
        labels.setdefault(key, value)
    selector = spec.get("selector") or {}
    selector.setdefault("matchLabels", {}).setdefault(CONTROLLER_UID_LABEL, meta["uid"])
    spec["selector"] = selector


WORKLOAD_DEFAULTS: dict[str, Callable[[dict, dict], None]] = {
    "Deployment.apps": default_deployment,
    "ReplicaSet.apps": default_replica_set,
    "DaemonSet.apps": default_daemon_set,
    "StatefulSet.apps": default_stateful_set,
    "Job.batch": default_job,
    "ReplicationController": default_replication_controller,
}

"""What an update may not change: an apps/v1 selector, most of a StatefulSet's spec, a Job's
selector, template and completion settings, a Service's clusterIP, an immutable ConfigMap's data.

kubernetes pkg/registry/apps/*/strategy.go ValidateUpdate (selector immutable in apps/v1),
pkg/apis/apps/validation ValidateStatefulSetUpdate and pkg/apis/batch/validation
ValidateJobSpecUpdate. Values print as our JSON: upstream prints a changed Job template as Go's
%#v of its internal struct, which the lab does not reproduce.
"""

from __future__ import annotations

from collections.abc import Callable

from k8slab.api.validation.core_configmap import config_map_update_errors
from k8slab.api.validation.core_secret import secret_update_errors
from k8slab.api.validation.core_service import service_update_errors
from k8slab.api.validation.discovery import endpoint_slice_update_errors
from k8slab.api.validation.field import FieldError, forbidden, invalid
from k8slab.api.validation.scheduling import priority_class_update_errors

IMMUTABLE = "field is immutable"  # apimachinery validation FieldImmutableErrorMsg
# ValidateStatefulSetUpdate: the spec fields an update may change.
STATEFUL_SET_MUTABLE = ("replicas", "ordinals", "template", "updateStrategy",
                        "persistentVolumeClaimRetentionPolicy", "minReadySeconds")
STATEFUL_SET_FORBIDDEN = (
    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
    "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
)
# ValidateJobSpecUpdate: fields fixed once the Job exists (simplified: upstream lets a
# suspended Job that never started change its template's scheduling directives).
JOB_IMMUTABLE = ("completions", "selector", "template", "completionMode", "podFailurePolicy",
                 "backoffLimitPerIndex", "managedBy", "successPolicy")


def _immutable(old: dict, new: dict, fields: tuple[str, ...]) -> list[FieldError]:
    old_spec, new_spec = old.get("spec") or {}, new.get("spec") or {}
    return [invalid(f"spec.{field}", new_spec.get(field), IMMUTABLE)
            for field in fields if old_spec.get(field) != new_spec.get(field)]


def selector_update_errors(old: dict, new: dict) -> list[FieldError]:
    """apps/v1: `spec.selector: Invalid value: {...}: field is immutable`."""
    return _immutable(old, new, ("selector",))


def stateful_set_update_errors(old: dict, new: dict) -> list[FieldError]:
    """Only replicas, ordinals, template, updateStrategy, PVC retention, minReadySeconds change."""
    old_spec, new_spec = old.get("spec") or {}, new.get("spec") or {}
    fixed_old = {k: v for k, v in old_spec.items() if k not in STATEFUL_SET_MUTABLE}
    fixed_new = {k: v for k, v in new_spec.items() if k not in STATEFUL_SET_MUTABLE}
    return [forbidden("spec", STATEFUL_SET_FORBIDDEN)] if fixed_old != fixed_new else []


def job_update_errors(old: dict, new: dict) -> list[FieldError]:
    """A Job's completions, selector, template and failure settings are fixed at creation."""
    return _immutable(old, new, JOB_IMMUTABLE)


UPDATE_CHECKS: dict[str, Callable[[dict, dict], list[FieldError]]] = {
    "Deployment.apps": selector_update_errors,
    "ReplicaSet.apps": selector_update_errors,
    "DaemonSet.apps": selector_update_errors,
    "StatefulSet.apps": stateful_set_update_errors,
    "Job.batch": job_update_errors,
    "Service": service_update_errors,
    "ConfigMap": config_map_update_errors,
    "Secret": secret_update_errors,
    "EndpointSlice.discovery.k8s.io": endpoint_slice_update_errors,
    "PriorityClass.scheduling.k8s.io": priority_class_update_errors,
}

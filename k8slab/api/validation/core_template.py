"""Pod templates and the ReplicationController: the PodSpec every workload stamps out.

kubernetes pkg/apis/core/validation/validation.go ValidatePodTemplateSpec (labels, the PodSpec,
no ephemeral containers) and ValidateReplicationControllerSpec / ValidatePodTemplateSpecForRC;
the selector-versus-labels and restartPolicy checks the apps kinds share are here too.
"""

from __future__ import annotations

from collections.abc import Callable

from k8slab.api.validation.core_pod import pod_spec_errors
from k8slab.api.validation.field import FieldError, forbidden, invalid, not_supported, required
from k8slab.api.validation.labels import labels_errors

SELECTOR_MISMATCH = "`selector` does not match template `labels`"
NEGATIVE = "must be greater than or equal to 0"


def nonnegative_errors(spec: dict, field: str, path: str) -> list[FieldError]:
    """ValidateNonnegativeField: `<path>: Invalid value: -1: must be greater than or equal to 0`."""
    value = spec.get(field)
    return [invalid(f"{path}.{field}", value, NEGATIVE)] if value is not None and value < 0 else []


def template_errors(template: dict, path: str) -> list[FieldError]:
    """ValidatePodTemplateSpec: labels (at `<path>.labels`, as upstream names it) and the spec."""
    labels = (template.get("metadata") or {}).get("labels") or {}
    spec = template.get("spec") or {}
    errors = labels_errors(labels, f"{path}.labels")
    errors += pod_spec_errors(spec, f"{path}.spec")
    if spec.get("ephemeralContainers"):
        detail = "ephemeral containers not allowed in pod template"
        errors.append(forbidden(f"{path}.spec.ephemeralContainers", detail))
    return errors


def controller_template_errors(
    template: dict, path: str, owner: str, matches: Callable[[dict], bool] | None
) -> list[FieldError]:
    """A template a controller keeps running: its labels match the selector (when `matches` is
    given: the selector is not empty), it is a valid template, restartPolicy is Always and it
    has no activeDeadlineSeconds (ValidatePodTemplateSpecForReplicaSet and its kin)."""
    labels = (template.get("metadata") or {}).get("labels")
    errors = []
    if matches is not None and not matches(labels or {}):
        errors.append(invalid(f"{path}.metadata.labels", labels, SELECTOR_MISMATCH))
    errors += template_errors(template, path)
    spec = template.get("spec") or {}
    policy = spec.get("restartPolicy", "")
    if policy != "Always":
        errors.append(not_supported(f"{path}.spec.restartPolicy", policy, ["Always"]))
    if spec.get("activeDeadlineSeconds") is not None:
        detail = f"activeDeadlineSeconds in {owner} is not Supported"
        errors.append(forbidden(f"{path}.spec.activeDeadlineSeconds", detail))
    return errors


def replication_controller_errors(obj: dict) -> list[FieldError]:
    """ValidateReplicationControllerSpec: minReadySeconds, a non-empty selector, replicas and
    the template (whose labels the selector must match)."""
    spec = obj.get("spec") or {}
    selector = spec.get("selector") or {}
    errors = nonnegative_errors(spec, "minReadySeconds", "spec")
    if not selector:
        errors.append(required("spec.selector"))
    errors += nonnegative_errors(spec, "replicas", "spec")
    template = spec.get("template")
    if template is None:
        return errors + [required("spec.template")]

    def matches(labels: dict) -> bool:
        return all(labels.get(key) == value for key, value in selector.items())

    return errors + controller_template_errors(
        template, "spec.template", "ReplicationController", matches if selector else None)

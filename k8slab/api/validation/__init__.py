"""Validation of API objects by API group, with the API server's field paths and messages.

validate() is the entry point for a new object (the API server and manifests call it): it
checks the document's shape, that it is JSON and decodes into its kind's struct
(k8slab.api.decoding), then the metadata every kind has and the kind's own fields with its
group's checks, and gathers the FieldErrors into one InvalidError: `Pod "web" is invalid: ...`.
validate_update() adds what an update may not change (an apps/v1 selector, a Job's template),
validate_status_update() what a controller may write to a status.
Modules follow upstream's map: names, labels, objectmeta and field are apimachinery's; core_*
are pkg/apis/core/validation; apps, batch, coordination, discovery and events are those
groups'.
"""

from __future__ import annotations

from collections.abc import Callable

from k8slab.api.decoding import decode
from k8slab.api.json_values import to_json
from k8slab.api.kinds import kind_info
from k8slab.api.validation.admissionregistration import ADMISSIONREGISTRATION_CHECKS
from k8slab.api.validation.apiextensions import APIEXTENSIONS_CHECKS
from k8slab.api.validation.apps import APPS_CHECKS
from k8slab.api.validation.batch import BATCH_CHECKS
from k8slab.api.validation.coordination import COORDINATION_CHECKS
from k8slab.api.validation.core import CORE_CHECKS
from k8slab.api.validation.discovery import DISCOVERY_CHECKS
from k8slab.api.validation.events import EVENT_CHECKS
from k8slab.api.validation.field import FieldError, invalid_error
from k8slab.api.validation.objectmeta import object_meta_errors
from k8slab.api.validation.rbac import RBAC_CHECKS, RBAC_UPDATE_CHECKS
from k8slab.api.validation.scheduling import SCHEDULING_CHECKS
from k8slab.api.validation.shape import check_shape
from k8slab.api.validation.status import status_errors
from k8slab.api.validation.updates import UPDATE_CHECKS

# Keyed by Kind.qualified_kind: "Event" (core/v1) and "Event.events.k8s.io" differ.
_KIND_CHECKS: dict[str, Callable[[dict], list[FieldError]]] = {
    **CORE_CHECKS,
    **COORDINATION_CHECKS,
    **APPS_CHECKS,
    **BATCH_CHECKS,
    **EVENT_CHECKS,
    **DISCOVERY_CHECKS,
    **ADMISSIONREGISTRATION_CHECKS,
    **SCHEDULING_CHECKS,
    **RBAC_CHECKS,
    **APIEXTENSIONS_CHECKS,
}


def field_errors(obj: dict) -> list[FieldError]:
    """Every validation problem of a decoded object (decoding.decode), in the API server's order."""
    info = kind_info(obj["kind"], obj["apiVersion"])
    return object_meta_errors(obj.get("metadata") or {}, info) + _KIND_CHECKS[
        info.qualified_kind](obj)


def _checked(obj: dict) -> dict:
    check_shape(obj)
    to_json(obj, strict=True)
    kind_info(obj["kind"], obj["apiVersion"])
    return decode(obj)


def _raise(obj: dict, errors: list[FieldError]) -> None:
    if errors:
        name = (obj.get("metadata") or {}).get("name") or ""
        raise invalid_error(kind_info(obj["kind"], obj["apiVersion"]), str(name), errors)


def validate(obj: dict) -> None:
    """Raise unless obj is a valid object; obj is never changed.

    ManifestError for its shape, kind or a value that is not JSON, BadRequestError when it does
    not decode (a field of the wrong type, an unknown field), else InvalidError, e.g.
    `Pod "web" is invalid: spec.containers[0].image: Required value`.
    """
    _raise(obj, field_errors(_checked(obj)))


def validate_update(old: dict, new: dict) -> None:
    """Raise unless `new` is valid and a valid update of the stored `old`; neither is changed.

    As validate(), plus what the kind forbids changing, e.g. `Deployment.apps "web" is invalid:
    spec.selector: Invalid value: {"matchLabels":{"app":"x"}}: field is immutable`.
    """
    decoded = _checked(new)
    info = kind_info(new["kind"], new["apiVersion"])
    update_check = UPDATE_CHECKS.get(info.qualified_kind) or RBAC_UPDATE_CHECKS.get(
        info.qualified_kind)
    errors = field_errors(decoded)
    if update_check is not None:
        errors += update_check(old, decoded)
    _raise(new, errors)


def validate_status_update(old: dict, new: dict) -> None:
    """Raise InvalidError unless `new`'s status is a valid update of `old`'s (decoded objects),
    e.g. `ReplicaSet.apps "web" is invalid: status.readyReplicas: Invalid value: 4: cannot be
    greater than status.replicas`."""
    info = kind_info(new["kind"], new["apiVersion"])
    _raise(new, status_errors(info.qualified_kind, old, new))

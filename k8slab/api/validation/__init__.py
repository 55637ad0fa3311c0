"""Validation of API objects by API group, with the API server's field paths and messages.

validate() is the one entry point (the API server and manifests call it): it checks the
document's shape, that it is JSON and decodes into its kind's struct (k8slab.api.decoding), then
the metadata every kind has and the kind's own fields with its group's checks, and gathers the
FieldErrors into one InvalidError: `Pod "web" is invalid: ...`.
Modules follow upstream's map: names, labels, objectmeta and field are apimachinery's;
core_* are pkg/apis/core/validation; coordination is pkg/apis/coordination/validation.
"""

from __future__ import annotations

from collections.abc import Callable

from k8slab.api.decoding import decode
from k8slab.api.json_values import to_json
from k8slab.api.kinds import kind_info
from k8slab.api.validation.coordination import COORDINATION_CHECKS
from k8slab.api.validation.core import CORE_CHECKS
from k8slab.api.validation.field import FieldError, invalid_error
from k8slab.api.validation.objectmeta import object_meta_errors
from k8slab.api.validation.shape import check_shape

_KIND_CHECKS: dict[str, Callable[[dict], list[FieldError]]] = {
    **CORE_CHECKS,
    **COORDINATION_CHECKS,
}


def field_errors(obj: dict) -> list[FieldError]:
    """Every validation problem of a decoded object (decoding.decode), in the API server's order."""
    info = kind_info(obj["kind"], obj["apiVersion"])
    return object_meta_errors(obj.get("metadata") or {}, info) + _KIND_CHECKS[info.kind](obj)


def validate(obj: dict) -> None:
    """Raise unless obj is a valid object; obj is never changed.

    ManifestError for its shape, kind or a value that is not JSON, BadRequestError when it does
    not decode (a field of the wrong type, an unknown field), else InvalidError, e.g.
    `Pod "web" is invalid: spec.containers[0].image: Required value`.
    """
    check_shape(obj)
    to_json(obj, strict=True)
    kind_info(obj["kind"], obj["apiVersion"])
    errors = field_errors(decode(obj))
    if errors:
        name = (obj.get("metadata") or {}).get("name") or ""
        raise invalid_error(kind_info(obj["kind"]), str(name), errors)

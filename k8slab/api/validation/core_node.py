"""Node validation: taints, and the capacity and allocatable resource lists.

kubernetes pkg/apis/core/validation/validation.go ValidateNode: spec.taints through
validateNodeTaints (core_taints), status.capacity and status.allocatable as ResourceLists.
"""

from __future__ import annotations

from k8slab.api.validation.core_resources import resource_list_errors
from k8slab.api.validation.core_taints import taints_errors
from k8slab.api.validation.field import FieldError


def node_errors(obj: dict) -> list[FieldError]:
    """Every problem with a Node's spec and status, in the API server's order."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    errors = taints_errors(spec.get("taints") or [], "spec.taints")
    for field in ("capacity", "allocatable"):
        errors += resource_list_errors(status.get(field), f"status.{field}", keyed=False)[1]
    return errors

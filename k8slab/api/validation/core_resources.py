"""Resource lists and requirements: cpu, memory, extended resources, requests against limits.

kubernetes pkg/apis/core/validation/validation.go ValidateResourceRequirements,
ValidateResourceQuantityValue and validateContainerResourceName, with the core helpers
IsNativeResource, IsOvercommitAllowed and IsIntegerResourceName (pkg/apis/core/helper).
"""

from __future__ import annotations

from typing import Any

from k8slab.api.quantity import parse_quantity
from k8slab.api.validation.field import FieldError, invalid, required
from k8slab.api.validation.names import qualified_name_errors

STANDARD_CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")
# core helper IsIntegerResourceName: counted resources that must be whole numbers.
INTEGER_RESOURCES = ("pods",)


def _is_native(name: str) -> bool:
    return "/" not in name or "kubernetes.io/" in name


def _overcommit_allowed(name: str) -> bool:
    # Extended resources (example.com/gpu) and hugepages must have request == limit.
    return _is_native(name) and not name.startswith("hugepages-")


def _quantity_errors(name: str, quantity: str | float, path: str) -> tuple[Any, list[FieldError]]:
    """(exact value, errors) for one decoded quantity: it may not be negative."""
    text = str(quantity)
    value = parse_quantity(quantity)
    errors = []
    if value < 0:
        errors.append(invalid(path, text, "must be greater than or equal to 0"))
    if (name in INTEGER_RESOURCES or not _is_native(name)) and value.denominator != 1:
        errors.append(invalid(path, text, "must be an integer"))
    return value, errors


def _container_resource_name_errors(name: str, path: str) -> list[FieldError]:
    if "/" not in name:
        if name not in STANDARD_CONTAINER_RESOURCES and not name.startswith("hugepages-"):
            return [invalid(path, name, "must be a standard resource for containers")]
    elif not _is_native(name) and qualified_name_errors(name):
        return [invalid(path, name, "doesn't follow extended resource name standard")]
    return []


def resource_list_errors(
    quantities: dict | None, path: str, keyed: bool, container: bool = False
) -> tuple[dict, list[FieldError]]:
    """(parsed values, errors) for a decoded ResourceList; keyed paths look like limits[cpu]."""
    values, errors = {}, []
    if quantities is None:
        return values, errors
    for name, quantity in quantities.items():
        item_path = f"{path}[{name}]" if keyed else f"{path}.{name}"
        if container:
            errors += _container_resource_name_errors(name, item_path)
        values[name], quantity_errors = _quantity_errors(name, quantity, item_path)
        errors += quantity_errors
    return values, errors


def requirements_errors(resources: dict | None, path: str) -> list[FieldError]:
    """A container's resources: valid limits and requests, and no request above its limit."""
    if resources is None:
        return []
    limits_path, requests_path = f"{path}.limits", f"{path}.requests"
    limits, errors = resource_list_errors(
        resources.get("limits"), limits_path, keyed=True, container=True
    )
    requests, request_errors = resource_list_errors(
        resources.get("requests"), requests_path, keyed=True, container=True
    )
    errors += request_errors
    for name, request in requests.items():
        text = str(resources["requests"][name])
        if name in limits:
            limit_text = str(resources["limits"][name])
            if request != limits[name] and not _overcommit_allowed(str(name)):
                detail = f"must be equal to {name} limit of {limit_text}"
                errors.append(invalid(requests_path, text, detail))
            elif request > limits[name]:
                detail = f"must be less than or equal to {name} limit of {limit_text}"
                errors.append(invalid(requests_path, text, detail))
        elif not _overcommit_allowed(str(name)):
            detail = "Limit must be set for non overcommitable resources"
            errors.append(required(limits_path, detail))
    return errors

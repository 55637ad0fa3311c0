"""Resource lists and requirements: cpu, memory, extended resources, requests against limits.

kubernetes pkg/apis/core/validation/validation.go ValidateResourceRequirements,
ValidateResourceQuantityValue and validateContainerResourceName, with the core helpers
IsNativeResource, IsOvercommitAllowed and IsIntegerResourceName (pkg/apis/core/helper).
"""

from __future__ import annotations

from typing import Any

from k8slab.api.quantity import parse_quantity
from k8slab.api.validation.field import FieldError, invalid, required
from k8slab.api.validation.field_types import type_errors
from k8slab.api.validation.names import qualified_name_errors

STANDARD_CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")
# core helper IsIntegerResourceName: counted resources that must be whole numbers.
INTEGER_RESOURCES = ("pods",)


def _is_native(name: str) -> bool:
    return "/" not in name or "kubernetes.io/" in name


def _overcommit_allowed(name: str) -> bool:
    # Extended resources (example.com/gpu) and hugepages must have request == limit.
    return _is_native(name) and not name.startswith("hugepages-")


def _quantity_errors(name: str, quantity: Any, path: str) -> tuple[Any, list[FieldError]]:
    """(exact value or None, errors) for one quantity: it must parse and not be negative."""
    text = str(quantity) if isinstance(quantity, (str, int, float)) else quantity
    try:
        value = parse_quantity(quantity)
    except ValueError as err:
        return None, [invalid(path, text, str(err))]
    errors = []
    if value < 0:
        errors.append(invalid(path, text, "must be greater than or equal to 0"))
    if (name in INTEGER_RESOURCES or not _is_native(name)) and value.denominator != 1:
        errors.append(invalid(path, text, "must be an integer"))
    return value, errors


def _container_resource_name_errors(name: Any, path: str) -> list[FieldError]:
    if not isinstance(name, str):
        return [invalid(path, name, "must be a string")]
    if "/" not in name:
        if name not in STANDARD_CONTAINER_RESOURCES and not name.startswith("hugepages-"):
            return [invalid(path, name, "must be a standard resource for containers")]
    elif not _is_native(name) and qualified_name_errors(name):
        return [invalid(path, name, "doesn't follow extended resource name standard")]
    return []


def resource_list_errors(
    quantities: Any, path: str, keyed: bool, container: bool = False
) -> tuple[dict, list[FieldError]]:
    """(parsed values, errors) for a ResourceList; keyed paths look like limits[cpu]."""
    if quantities is None:
        return {}, []
    if not isinstance(quantities, dict):
        return {}, [invalid(path, quantities, "must be a mapping of resource names to quantities")]
    values, errors = {}, []
    for name, quantity in quantities.items():
        item_path = f"{path}[{name}]" if keyed else f"{path}.{name}"
        if container:
            errors += _container_resource_name_errors(name, item_path)
        value, quantity_errors = _quantity_errors(str(name), quantity, item_path)
        errors += quantity_errors
        if value is not None:
            values[name] = value
    return values, errors


def requirements_errors(resources: Any, path: str) -> list[FieldError]:
    """A container's resources: valid limits and requests, and no request above its limit."""
    if resources is None:
        return []
    errors = type_errors(path, resources, dict)
    if errors:
        return errors
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

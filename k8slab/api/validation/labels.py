"""Labels and label selectors: label keys and values, matchLabels and matchExpressions.

The checks of k8s.io/apimachinery/pkg/apis/meta/v1/validation (ValidateLabels,
ValidateLabelName, ValidateLabelSelector, ValidateLabelSelectorRequirement), which every group
uses for metadata.labels, nodeSelector and the selectors inside affinity terms.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from k8slab.api.validation.field import FieldError, forbidden, invalid, required
from k8slab.api.validation.field_types import each_errors
from k8slab.api.validation.names import label_value_errors, qualified_name_errors


def label_name_errors(key: Any, path: str) -> list[FieldError]:
    """metav1validation.ValidateLabelName: the key must be a qualified name."""
    return [invalid(path, key, message) for message in qualified_name_errors(str(key))]


def label_values_errors(values: list, path: str) -> list[FieldError]:
    """Each value must be a valid label value."""
    return [
        invalid(f"{path}[{index}]", value, message)
        for index, value in enumerate(values)
        for message in label_value_errors(str(value))
    ]


def _label_pairs_errors(labels: Mapping, path: str) -> list[FieldError]:
    errors = []
    for key, value in labels.items():
        errors += label_name_errors(key, path)
        errors += [invalid(path, value, message) for message in label_value_errors(str(value))]
    return errors


def labels_errors(labels: Mapping, path: str) -> list[FieldError]:
    """metav1validation.ValidateLabels: a mapping of qualified names to label values."""
    return _label_pairs_errors(labels, path)


def selector_requirement_errors(
    requirement: Mapping, path: str, numeric: bool = False
) -> list[FieldError]:
    """ValidateLabelSelectorRequirement: the operator, how many values it takes, key and values.

    numeric admits Gt and Lt with a single value, as a node selector does
    (core ValidateNodeSelectorRequirement).
    """
    operator, values = requirement.get("operator"), list(requirement.get("values") or [])
    errors = []
    if operator in ("In", "NotIn"):
        if not values:
            detail = "must be specified when `operator` is 'In' or 'NotIn'"
            errors.append(required(f"{path}.values", detail))
    elif operator in ("Exists", "DoesNotExist"):
        if values:
            detail = "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
            errors.append(forbidden(f"{path}.values", detail))
    elif numeric and operator in ("Gt", "Lt"):
        if len(values) != 1:
            detail = "must be specified single value when `operator` is 'Lt' or 'Gt'"
            errors.append(required(f"{path}.values", detail))
    else:
        errors.append(invalid(f"{path}.operator", operator, "not a valid selector operator"))
    errors += label_name_errors(requirement.get("key", ""), f"{path}.key")
    return errors + label_values_errors(values, f"{path}.values")


def label_selector_errors(selector: Mapping | None, path: str) -> list[FieldError]:
    """metav1validation.ValidateLabelSelector: matchLabels and matchExpressions."""
    if selector is None:
        return []
    errors = _label_pairs_errors(selector.get("matchLabels") or {}, f"{path}.matchLabels")
    return errors + each_errors(
        selector.get("matchExpressions") or [],
        f"{path}.matchExpressions",
        selector_requirement_errors,
    )

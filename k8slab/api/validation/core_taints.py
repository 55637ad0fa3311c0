"""Taints and tolerations: a node's taints repel pods, a pod's tolerations let it stay.

kubernetes pkg/apis/core/validation/validation.go validateNodeTaints and validateTaintEffect for
a Node's spec.taints, ValidateTolerations for a Pod's spec.tolerations.
"""

from __future__ import annotations

from typing import Any

from k8slab.api.validation.field import FieldError, duplicate, invalid, not_supported, required
from k8slab.api.validation.field_types import each_errors
from k8slab.api.validation.names import label_value_errors, qualified_name_errors

TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
TOLERATION_OPERATORS = ["Equal", "Exists"]


def _taint_effect_errors(path: str, effect: Any, allow_empty: bool) -> list[FieldError]:
    if not effect:
        return [] if allow_empty else [required(path)]
    return [] if effect in TAINT_EFFECTS else [not_supported(path, effect, TAINT_EFFECTS)]


def toleration_errors(toleration: dict, path: str) -> list[FieldError]:
    """One toleration: its key, operator and value agree, and an effect taints can have."""
    errors: list[FieldError] = []
    key, operator = toleration.get("key") or "", toleration.get("operator") or ""
    value, effect = toleration.get("value") or "", toleration.get("effect") or ""
    if key:
        errors += [invalid(f"{path}.key", key, message) for message in qualified_name_errors(key)]
    elif operator != "Exists":
        detail = (
            "operator must be Exists when `key` is empty, "
            'which means "match all values and all keys"'
        )
        errors.append(invalid(f"{path}.operator", operator, detail))
    if toleration.get("tolerationSeconds") is not None and effect != "NoExecute":
        detail = "effect must be 'NoExecute' when `tolerationSeconds` is set"
        errors.append(invalid(f"{path}.effect", effect, detail))
    if operator in ("Equal", ""):
        errors += [
            invalid(f"{path}.operator", value, message) for message in label_value_errors(value)
        ]
    elif operator == "Exists":
        if value:
            detail = "value must be empty when `operator` is 'Exists'"
            errors.append(invalid(f"{path}.operator", value, detail))
    else:
        errors.append(not_supported(f"{path}.operator", operator, TOLERATION_OPERATORS))
    return errors + _taint_effect_errors(f"{path}.effect", effect, allow_empty=True)


def tolerations_errors(tolerations: list, path: str) -> list[FieldError]:
    """ValidateTolerations: a list of tolerations, each checked at its index."""
    return each_errors(tolerations, path, toleration_errors)


def _taint_errors(taint: dict, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    key, value = taint.get("key") or "", taint.get("value") or ""
    errors += [invalid(f"{path}.key", key, message) for message in qualified_name_errors(key)]
    errors += [invalid(f"{path}.value", value, message) for message in label_value_errors(value)]
    return errors + _taint_effect_errors(f"{path}.effect", taint.get("effect"), allow_empty=False)


def taints_errors(taints: list, path: str) -> list[FieldError]:
    """validateNodeTaints: each taint valid, and no two with the same key and effect."""
    errors = each_errors(taints, path, _taint_errors)
    seen: set[tuple[str, str]] = set()
    for index, taint in enumerate(taints):
        pair = (taint.get("key", ""), taint.get("effect", ""))
        if pair in seen:
            detail = "taints must be unique by key and effect pair"
            errors.append(duplicate(f"{path}[{index}]", taint, detail))
        seen.add(pair)
    return errors

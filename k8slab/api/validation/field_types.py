"""Checks that stand in for Go's types: a manifest is a dict, so a field may hold anything.

The API server decodes JSON into typed structs and rejects a string where an integer belongs
before validation runs; k8slab validates plain dicts, so these checks say it field by field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from k8slab.api.validation.field import FieldError, invalid, not_supported, required

_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    bool: "a boolean",
    list: "a list",
    dict: "a mapping",
}


def type_errors(path: str, value: Any, wanted: type) -> list[FieldError]:
    """[] when value has the wanted type (bool is not an int here), else one Invalid error."""
    ok = isinstance(value, wanted) and not (wanted is int and isinstance(value, bool))
    return [] if ok else [invalid(path, value, f"must be {_TYPE_NAMES[wanted]}")]


def string_fields_errors(item: dict, path: str, fields: tuple[str, ...]) -> list[FieldError]:
    """Type errors for those of item's fields that are set but are not strings."""
    errors: list[FieldError] = []
    for field in fields:
        if item.get(field) is not None:
            errors += type_errors(f"{path}.{field}", item[field], str)
    return errors


def enum_errors(path: str, value: Any, supported: list[str]) -> list[FieldError]:
    """An enum field set to "" is Required; set to anything not supported, Unsupported."""
    if value == "":
        return [required(path)]
    if value not in supported:
        return [not_supported(path, value, supported)]
    return []


def string_map_errors(path: str, value: Any) -> list[FieldError]:
    """[] when value is a mapping of strings to strings (labels, annotations), else one error."""
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(item, str) for key, item in value.items()
    ):
        return [invalid(path, value, "must be a mapping of strings to strings")]
    return []


def each_errors(
    items: Iterable, path: str, check: Callable[[Any, str], list[FieldError]]
) -> list[FieldError]:
    """check() on every item, each at its own index: `<path>[0]`, `<path>[1]`, ..."""
    errors: list[FieldError] = []
    for index, item in enumerate(items):
        errors += check(item, f"{path}[{index}]")
    return errors


def list_errors(
    items: Any, path: str, check: Callable[[Any, str], list[FieldError]]
) -> list[FieldError]:
    """An optional list field: nothing when unset, a type error when not a list, else each item."""
    if items is None:
        return []
    return type_errors(path, items, list) or each_errors(items, path, check)

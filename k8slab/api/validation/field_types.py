"""Helpers for checking decoded fields: enum values, and each item of a list at its index.

Types are not checked here: k8slab.api.decoding has already decoded the object into its
kind's struct (a string where a string belongs, a list where a list belongs), as the API
server decodes a request before validating it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from k8slab.api.validation.field import FieldError, not_supported, required


def enum_errors(path: str, value: Any, supported: list[str]) -> list[FieldError]:
    """An enum field set to "" is Required; set to anything not supported, Unsupported."""
    if value == "":
        return [required(path)]
    if value not in supported:
        return [not_supported(path, value, supported)]
    return []


def each_errors(
    items: Iterable, path: str, check: Callable[[Any, str], list[FieldError]]
) -> list[FieldError]:
    """check() on every item, each at its own index: `<path>[0]`, `<path>[1]`, ..."""
    errors: list[FieldError] = []
    for index, item in enumerate(items):
        errors += check(item, f"{path}[{index}]")
    return errors

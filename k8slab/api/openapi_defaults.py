"""Pruning and defaulting a custom object by its CRD's structural schema, as the API server
does on every write and on every read from etcd.

apiextensions-apiserver pkg/apiserver/schema/pruning/algorithm.go: a field the schema does not
specify is dropped, unless the object it sits in says x-kubernetes-preserve-unknown-fields or
has additionalProperties; apiVersion, kind and metadata at the root always stay.
pkg/apiserver/schema/defaulting/algorithm.go: a missing field whose schema has a `default` gets
a copy of it, and a null that is not nullable is replaced by the default (or pruned when there
is none); defaulting runs top-down, so a default's own fields are defaulted too.
"""

from __future__ import annotations

import copy
from typing import Any

ROOT_FIELDS = ("apiVersion", "kind", "metadata")


def prune(obj: dict, schema: dict) -> list[str]:
    """Drop the fields `schema` does not specify from `obj` (in place): the paths dropped."""
    dropped: list[str] = []
    _prune_object(obj, schema, "", dropped, root=True)
    return dropped


def _prune_object(value: dict, schema: dict, path: str, dropped: list[str], *,
                  root: bool = False) -> None:
    properties = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    keep_all = schema.get("x-kubernetes-preserve-unknown-fields") is True
    for name in list(value):
        child_path = f"{path}.{name}" if path else name
        if root and name in ROOT_FIELDS:
            continue
        if name in properties:
            _prune(value[name], properties[name], child_path, dropped)
        elif isinstance(extra, dict):
            _prune(value[name], extra, child_path, dropped)
        elif not keep_all and extra is not True:
            del value[name]
            dropped.append(child_path)


def _prune(value: Any, schema: dict, path: str, dropped: list[str]) -> None:
    if isinstance(value, dict):
        if schema.get("properties") or "additionalProperties" in schema or not schema.get(
                "x-kubernetes-preserve-unknown-fields"):
            _prune_object(value, schema, path, dropped)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            _prune(item, schema["items"], f"{path}[{i}]", dropped)


def apply_defaults(value: Any, schema: dict) -> None:
    """Fill in the schema's defaults in `value` (in place), top-down."""
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        for name, child in properties.items():
            if not isinstance(child, dict):
                continue
            if name in value and value[name] is None and not child.get("nullable"):
                if "default" in child:
                    value[name] = copy.deepcopy(child["default"])
                else:
                    del value[name]
            elif name not in value and "default" in child:
                value[name] = copy.deepcopy(child["default"])
        extra = schema.get("additionalProperties")
        for name, item in value.items():
            if name in properties:
                apply_defaults(item, properties[name])
            elif isinstance(extra, dict):
                apply_defaults(item, extra)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            apply_defaults(item, schema["items"])


"""Validating a custom object against its CRD's structural schema, in the API server's words.

kube-openapi's validator (pkg/validation/validate) checks each value; apiextensions-apiserver
pkg/apiserver/validation/validation.go kubeOpenAPIResultToFieldErrors turns each result into
a field error: a wrong type is `spec.replicas: Invalid value: "string": spec.replicas in body
must be of type integer: "string"` (the value shown is the JSON type found), a missing field
`spec.image: Required value`, an enum miss `Unsupported value`, maxLength `Too long`, maxItems
`Too many`, the other keywords `Invalid value: <value>: <path> in body should ...`.
Simplified: of the formats only date-time and date are checked; uniqueItems is not.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from k8slab.api.validation.field import FieldError, GoValue, invalid, not_supported, required

_DATE = r"\d{4}-\d{2}-\d{2}"
_FORMATS = {
    "date-time": re.compile(_DATE + r"[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"),
    "date": re.compile(_DATE),
}


def json_type(value: Any) -> str:
    """The JSON Schema type of a decoded value: "integer" for 3 (and 3.0), "number" for 2.5."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def object_errors(obj: dict, schema: dict) -> list[FieldError]:
    """Every schema violation in a custom object's fields (apiVersion, kind and metadata are
    the API server's to check, as upstream leaves them to ObjectMeta validation)."""
    body = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata")}
    root = dict(schema, properties={k: v for k, v in (schema.get("properties") or {}).items()
                                    if k not in ("apiVersion", "kind", "metadata")})
    return value_errors(body, root, "")


def value_errors(value: Any, schema: dict, path: str) -> list[FieldError]:
    """Every violation of `schema` by `value` at `path` ("" for the object's root)."""
    shown = path or "<root>"
    if value is None:
        if schema.get("nullable"):
            return []
        kind = schema.get("type")
        return [_typed(path, "null", kind)] if kind else []
    if schema.get("x-kubernetes-int-or-string"):
        if json_type(value) not in ("integer", "string"):
            return [invalid(path, json_type(value),
                            f"{shown} in body must be of type integer,string: "
                            f'"{json_type(value)}"')]
        return _enum_errors(value, schema, path)
    kind = schema.get("type")
    found = json_type(value)
    if kind and not (found == kind or (kind == "number" and found == "integer")):
        return [_typed(path, found, kind)]
    errors = _enum_errors(value, schema, path)
    if isinstance(value, dict):
        errors += _object_errors(value, schema, path)
    elif isinstance(value, list):
        errors += _array_errors(value, schema, path)
    elif isinstance(value, str):
        errors += _string_errors(value, schema, path)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        errors += _number_errors(value, schema, path)
    return errors


def _typed(path: str, found: str, wanted: str) -> FieldError:
    return invalid(path, found, f'{path or "<root>"} in body must be of type {wanted}: "{found}"')


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _enum_errors(value: Any, schema: dict, path: str) -> list[FieldError]:
    choices = schema.get("enum")
    if choices is None or value in choices:
        return []
    shown = [c if isinstance(c, str) else json.dumps(c, separators=(",", ":"))
             for c in choices]
    return [not_supported(path, value, shown)]


def _object_errors(value: dict, schema: dict, path: str) -> list[FieldError]:
    errors = [required(_child(path, name)) for name in schema.get("required") or []
              if name not in value]
    properties = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    for name in value:
        if name in properties:
            errors += value_errors(value[name], properties[name], _child(path, name))
        elif isinstance(extra, dict):
            errors += value_errors(value[name], extra, _child(path, name))
    return errors


def _array_errors(value: list, schema: dict, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    shown = path or "<root>"
    if "minItems" in schema and len(value) < schema["minItems"]:
        errors.append(invalid(path, GoValue(str(len(value))),
                              f"{shown} in body should have at least {schema['minItems']} items"))
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        errors.append(FieldError(path, "Too many", len(value),
                                 f"must have at most {schema['maxItems']} items"))
    items = schema.get("items")
    if isinstance(items, dict):
        for i, item in enumerate(value):
            errors += value_errors(item, items, f"{path}[{i}]")
    return errors


def _string_errors(value: str, schema: dict, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    shown = path or "<root>"
    if "minLength" in schema and len(value) < schema["minLength"]:
        errors.append(invalid(path, value,
                              f"{shown} in body should be at least {schema['minLength']} chars "
                              "long"))
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        errors.append(FieldError(path, "Too long",
                                 detail=f"may not be more than {schema['maxLength']} bytes"))
    pattern = schema.get("pattern")
    if pattern and not re.search(pattern, value):
        errors.append(invalid(path, value, f"{shown} in body should match '{pattern}'"))
    form = _FORMATS.get(schema.get("format", ""))
    if form is not None and not form.fullmatch(value):
        errors.append(invalid(path, value,
                              f'{shown} in body must be of type {schema["format"]}: "{value}"'))
    return errors


def _number_errors(value: float, schema: dict, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    shown = path or "<root>"
    if isinstance(value, float) and not math.isfinite(value):
        return [invalid(path, value, "must be a finite number")]
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None:
        strict = schema.get("exclusiveMinimum") is True
        if value < low or (strict and value == low):
            word = "greater than" if strict else "greater than or equal to"
            errors.append(invalid(path, value, f"{shown} in body should be {word} {low}"))
    if high is not None:
        strict = schema.get("exclusiveMaximum") is True
        if value > high or (strict and value == high):
            word = "less than" if strict else "less than or equal to"
            errors.append(invalid(path, value, f"{shown} in body should be {word} {high}"))
    return errors

"""Is a CRD's openAPIV3Schema structural? The rules the API server checks before it will prune,
default and validate custom objects with it.

apiextensions-apiserver pkg/apiserver/schema/validation.go (validateStructuralInvariants,
validateStructuralCompleteness) and pkg/apis/apiextensions/validation (JSONSchemaProps checks):
every specified field has a type (except where x-kubernetes-preserve-unknown-fields or
x-kubernetes-int-or-string say otherwise), the root is an object, arrays have items,
properties and additionalProperties exclude each other, metadata may only restrict name and
generateName, and a default must itself be valid and pruned. Simplified: allOf/anyOf/oneOf/not
and x-kubernetes-validations (CEL) are refused rather than checked.
"""

from __future__ import annotations

import re

from k8slab.api.validation.field import FieldError, forbidden, invalid, not_supported, required
from k8slab.api.validation.openapi_values import value_errors

TYPES = ("array", "boolean", "integer", "number", "object", "string")
# The keywords k8slab's custom-resource validation applies (k8slab.api.validation.openapi_values).
KNOWN = frozenset({
    "type", "description", "title", "properties", "required", "items", "additionalProperties",
    "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
    "maxLength", "pattern", "format", "minItems", "maxItems", "nullable", "default",
    "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string",
    "x-kubernetes-embedded-resource", "x-kubernetes-list-type", "x-kubernetes-map-type",
    "x-kubernetes-list-map-keys", "example", "uniqueItems",
})
_UNSUPPORTED = ("allOf", "anyOf", "oneOf", "not", "x-kubernetes-validations", "$ref")
# The JSON type each keyword's value must have (JSONSchemaProps' Go field types).
_NUMBER, _COUNT = "a number", "a whole number >= 0"
_KEYWORD_TYPES = {
    "minimum": _NUMBER, "maximum": _NUMBER, "minLength": _COUNT, "maxLength": _COUNT,
    "minItems": _COUNT, "maxItems": _COUNT, "exclusiveMinimum": "a boolean",
    "exclusiveMaximum": "a boolean", "nullable": "a boolean", "uniqueItems": "a boolean",
    "x-kubernetes-int-or-string": "a boolean", "x-kubernetes-embedded-resource": "a boolean",
    "type": "a string", "format": "a string", "pattern": "a string", "description": "a string",
    "title": "a string", "enum": "a list", "properties": "an object",
}


def _keyword_ok(value: object, wanted: str) -> bool:
    if wanted == _NUMBER:
        return isinstance(value, int | float) and not isinstance(value, bool) \
            and value == value and abs(value) != float("inf")
    if wanted == _COUNT:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    kinds = {"a boolean": bool, "a string": str, "a list": list, "an object": dict}
    return isinstance(value, kinds[wanted])


def schema_errors(schema: object, path: str) -> list[FieldError]:
    """Every reason `schema` (a version's openAPIV3Schema, at `path`) is not structural."""
    if not isinstance(schema, dict):
        return [invalid(path, schema, "must be an object (a JSONSchemaProps)")]
    errors = _node_errors(schema, path, "root")
    if schema.get("type") not in (None, "object") and isinstance(schema.get("type"), str):
        errors.append(invalid(f"{path}.type", schema["type"], "must be object at the root"))
    if "additionalProperties" in schema and not schema.get("x-kubernetes-preserve-unknown-fields"):
        errors.append(forbidden(f"{path}.additionalProperties", "must not be used at the root"))
    if schema.get("nullable") is True:
        errors.append(forbidden(f"{path}.nullable", "nullable cannot be true at the root"))
    metadata = (schema.get("properties") or {}).get("metadata")
    if isinstance(metadata, dict) and set(metadata) - {"type", "properties", "description"} or (
            isinstance(metadata, dict)
            and set(metadata.get("properties") or {}) - {"name", "generateName"}):
        errors.append(forbidden(f"{path}.properties[metadata]",
                                "must not specify anything other than name and generateName, "
                                "but metadata is implicitly specified"))
    return errors


def _node_errors(node: dict, path: str, where: str) -> list[FieldError]:
    wrong = [invalid(f"{path}.{word}", node[word], f"must be {wanted}")
             for word, wanted in _KEYWORD_TYPES.items()
             if word in node and not _keyword_ok(node[word], wanted)]
    if wrong:  # the API server could not even decode this JSONSchemaProps
        return wrong
    errors: list[FieldError] = []
    for word in _UNSUPPORTED:
        if word in node:
            errors.append(forbidden(f"{path}.{word}", "is not supported by k8slab's "
                                    "structural schemas (simplified)"))
    preserve = node.get("x-kubernetes-preserve-unknown-fields")
    int_or_string = node.get("x-kubernetes-int-or-string") is True
    kind = node.get("type")
    if preserve is not None and preserve is not True:
        errors.append(invalid(f"{path}.x-kubernetes-preserve-unknown-fields", preserve,
                              "must be true or undefined"))
    if kind is None and not (preserve or int_or_string):
        detail = {"root": "must not be empty at the root",
                  "items": "must not be empty for specified array items",
                  "field": "must not be empty for specified object fields"}[where]
        errors.append(required(f"{path}.type", detail))
    elif kind is not None and kind not in TYPES:
        errors.append(not_supported(f"{path}.type", kind, list(TYPES)))
    if int_or_string and kind is not None:
        errors.append(forbidden(f"{path}.type", "must be empty to be structural"))
    if kind == "array" and "items" not in node:
        errors.append(required(f"{path}.items", "must be specified"))
    properties = node.get("properties")
    if properties is not None and not isinstance(properties, dict):
        errors.append(invalid(f"{path}.properties", properties, "must be an object"))
        properties = None
    if properties and "additionalProperties" in node:
        errors.append(forbidden(f"{path}.additionalProperties",
                                "additionalProperties and properties are mutual exclusive"))
    pattern = node.get("pattern")
    if isinstance(pattern, str):
        try:
            re.compile(pattern)
        except re.error as error:
            errors.append(invalid(f"{path}.pattern", pattern,
                                  f"must be a valid regular expression, but isn't: {error}"))
    for name, child in sorted((properties or {}).items()):
        child_path = f"{path}.properties[{name}]"
        if name == "metadata" and where != "root":
            errors.append(forbidden(child_path, "must not be specified in a nested context"))
        errors += (_node_errors(child, child_path, "field") if isinstance(child, dict)
                   else [invalid(child_path, child, "must be an object (a JSONSchemaProps)")])
    items = node.get("items")
    if isinstance(items, dict):
        errors += _node_errors(items, f"{path}.items", "items")
    elif items is not None:
        errors.append(invalid(f"{path}.items", items, "must be a single schema (an object)"))
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        errors += _node_errors(extra, f"{path}.additionalProperties", "field")
    if "default" in node:  # a default must itself be valid (validateStructuralDefaults)
        bare = {k: v for k, v in node.items() if k != "default"}
        errors += [invalid(f"{path}.default", node["default"], error.detail or str(error))
                   for error in value_errors(node["default"], bare, "")]
    required_fields = node.get("required")
    if required_fields is not None and not (
            isinstance(required_fields, list) and all(isinstance(r, str) for r in required_fields)):
        errors.append(invalid(f"{path}.required", required_fields, "must be a list of strings"))
    return errors

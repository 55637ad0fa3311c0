"""Decoding: the API server turns a request's JSON into the kind's Go struct before validating.

As apimachinery's JSON serializer does with strict field validation (kubectl's default,
`--validate=strict`, served by the API server's fieldValidation=Strict since v1.27): a value of
the wrong JSON type fails with encoding/json's words (the first one found), a quantity or a
time that does not parse with its own UnmarshalJSON's error, and fields the struct does not
have with `strict decoding error: unknown field "spec.foo"` (all of them). The API server
answers 400 BadRequest, worded by endpoints/handlers/rest.go transformDecodeError:
`Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct
field Container.spec.containers.command of type string`.
"""

from __future__ import annotations

import json
from typing import Any

from k8slab.api.gotime import go_time_error
from k8slab.api.kinds import kind_info
from k8slab.api.quantity import parse_quantity
from k8slab.api.schema import KIND_SCHEMAS
from k8slab.api.schema.types import (
    AnyJSON,
    IntOrString,
    ListOf,
    MapOf,
    Opaque,
    Quantity,
    Scalar,
    SchemaType,
    Struct,
    Time,
)
from k8slab.errors import BadRequestError

_INT_RANGES = {32: (-(2**31), 2**31 - 1), 64: (-(2**63), 2**63 - 1)}


class _Abort(Exception):
    """An UnmarshalJSON error (quantity, time): Go stops decoding at once and returns it."""


def json_type_name(value: Any) -> str:
    """What encoding/json calls a JSON value in its errors: "string", "number", "object"..."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def zero_value(schema: SchemaType) -> Any:
    """What Go decodes a JSON null into, written back as JSON: "", 0, false, {}, "0"..."""
    if isinstance(schema, Scalar):
        return schema.json_type()
    if isinstance(schema, Quantity):
        return "0"
    if isinstance(schema, IntOrString):
        return 0
    if isinstance(schema, (Struct, Opaque, MapOf)):
        return {}
    return [] if isinstance(schema, ListOf) else None


class _Decoder:
    """One decode: the first type error and every unknown field, as Go's decoder gathers them.

    value() also returns the value as the API server would write the decoded struct back:
    a field set to null is left out, a null list item or map value becomes its zero value.
    """

    def __init__(self) -> None:
        self.type_error = ""
        self.unknown_fields: list[str] = []

    def value(self, value: Any, schema: SchemaType, struct: str, stack: str, path: str) -> Any:
        """Decode value as schema; struct and stack are Go's error context, path kjson's."""
        if isinstance(schema, AnyJSON):
            return value
        if isinstance(schema, Scalar):
            self._scalar(value, schema, struct, stack)
        elif isinstance(schema, Quantity):
            return _quantity(value, path)
        elif isinstance(schema, IntOrString):
            _int_or_string(value, path)
        elif isinstance(schema, Time):
            _time(value, schema, path)
        elif not isinstance(value, dict if isinstance(schema, (Struct, Opaque, MapOf)) else list):
            self._mismatch(json_type_name(value), schema.go, struct, stack)
        elif isinstance(schema, Struct):
            return self._struct(value, schema, stack, path)
        elif isinstance(schema, MapOf):
            return {
                key: self._item(item, schema.value, struct, stack, f"{path}[{key}]")
                for key, item in value.items()
            }
        elif isinstance(schema, ListOf):
            return [
                self._item(item, schema.item, struct, stack, f"{path}[{index}]")
                for index, item in enumerate(value)
            ]
        return value

    def _item(self, item: Any, schema: SchemaType, struct: str, stack: str, path: str) -> Any:
        if item is None:
            return zero_value(schema)
        return self.value(item, schema, struct, stack, path)

    def _struct(self, value: dict, schema: Struct, stack: str, path: str) -> dict:
        fields, decoded = schema.fields, {}
        for key, item in value.items():
            item_path = f"{path}.{key}" if path else key
            if key not in fields:
                self.unknown_fields.append(f"unknown field {json.dumps(item_path)}")
            elif item is not None:  # null decodes as the zero value: the field is unset
                item_stack = f"{stack}.{key}" if stack else key
                decoded[key] = self.value(item, fields[key], schema.name, item_stack, item_path)
        return decoded

    def _scalar(self, value: Any, schema: Scalar, struct: str, stack: str) -> None:
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if schema.json_type is int and number:
            lowest, highest = _INT_RANGES[schema.bits]
            if not (isinstance(value, int) and lowest <= value <= highest):
                # encoding/json quotes the number when it is not an integer that fits.
                self._mismatch(f"number {json.dumps(value)}", schema.go, struct, stack)
            return
        ok = isinstance(value, schema.json_type) and (
            schema.json_type is bool or not isinstance(value, bool)
        )
        if not ok:
            self._mismatch(json_type_name(value), schema.go, struct, stack)

    def _mismatch(self, found: str, go_type: str, struct: str, stack: str) -> None:
        # encoding/json UnmarshalTypeError: the first one is kept, decoding carries on.
        if not self.type_error:
            self.type_error = (
                f"json: cannot unmarshal {found} into Go struct field {struct}.{stack} "
                f"of type {go_type}"
            )


def _quantity(value: Any, path: str) -> Any:
    # resource.Quantity.UnmarshalJSON: a string or a bare number, trimmed, then ParseQuantity.
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    text = value if isinstance(value, str) else json.dumps(value) if number else ""
    try:
        parse_quantity(text.strip())
    except ValueError as err:
        # Upstream's message ends before the parenthesis; k8slab adds where and what.
        shown = json.dumps(value, default=repr, ensure_ascii=False)
        raise _Abort(f"{err} ({path}: {shown})") from None
    return value.strip() if isinstance(value, str) else value


def _int_or_string(value: Any, path: str) -> None:
    # intstr.IntOrString.UnmarshalJSON: a quoted value is the string, anything else an int32.
    if isinstance(value, str):
        return
    lowest, highest = _INT_RANGES[32]
    if isinstance(value, int) and not isinstance(value, bool) and lowest <= value <= highest:
        return
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    found = f"number {json.dumps(value)}" if number else json_type_name(value)
    raise _Abort(f"json: cannot unmarshal {found} into Go value of type int32 ({path})")


def _time(value: Any, schema: Time, path: str) -> None:
    # metav1.Time/MicroTime.UnmarshalJSON: a JSON string, parsed with time.Parse(layout).
    if not isinstance(value, str):
        found = json_type_name(value)
        raise _Abort(f"json: cannot unmarshal {found} into Go value of type string ({path})")
    error = go_time_error(schema.layout, value)
    if error:
        raise _Abort(f"{error} ({path})")


def decode_fields(obj: dict) -> tuple[dict, list[str], str]:
    """obj decoded into its kind's struct, as (the decoded object without unknown fields, the
    unknown fields as `unknown field "spec.foo"`, the first type error or ""): what the API
    server's fieldValidation Warn and Ignore modes work from."""
    decoder = _Decoder()
    try:
        schema = KIND_SCHEMAS[kind_info(obj["kind"], obj["apiVersion"]).qualified_kind]
        decoded = decoder.value(obj, schema, "", "", "")
        error = decoder.type_error
    except _Abort as abort:
        decoded, error = obj, str(abort)
    return decoded, decoder.unknown_fields, error


def decode(obj: dict) -> dict:
    """obj decoded into its kind's struct and written back: a new dict; obj is not changed.

    Raises BadRequestError as the API server answers when obj does not decode, e.g.
    `Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field
    "spec.contianers"`. obj must have a kind k8slab models (kind_info says so first).
    """
    decoded, unknown, error = decode_fields(obj)
    if not error and unknown:
        error = "strict decoding error: " + ", ".join(unknown)
    if error:
        kind, version = obj["kind"], obj["apiVersion"].rpartition("/")[2]
        cannot = f'{kind} in version "{version}" cannot be handled as a {kind}'
        raise BadRequestError(f"{cannot}: {error}")
    return decoded

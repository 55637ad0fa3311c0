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
from k8slab.api.quantity import parse_quantity
from k8slab.api.schema import KIND_SCHEMAS
from k8slab.api.schema.types import (
    AnyJSON,
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


class _Decoder:
    """One decode: the first type error and every unknown field, as Go's decoder gathers them."""

    def __init__(self) -> None:
        self.type_error = ""
        self.unknown_fields: list[str] = []

    def value(self, value: Any, schema: SchemaType, struct: str, stack: str, path: str) -> None:
        """Decode value as schema; struct and stack are Go's error context, path kjson's."""
        if value is None or isinstance(schema, AnyJSON):
            return  # null decodes into anything as the zero value
        if isinstance(schema, Scalar):
            self._scalar(value, schema, struct, stack)
        elif isinstance(schema, Quantity):
            _quantity(value, path)
        elif isinstance(schema, Time):
            _time(value, schema, path)
        elif isinstance(schema, (Struct, Opaque, MapOf)) and not isinstance(value, dict):
            self._mismatch(json_type_name(value), schema.go, struct, stack)
        elif isinstance(schema, Struct):
            self._struct(value, schema, stack, path)
        elif isinstance(schema, MapOf):
            for key, item in value.items():
                self.value(item, schema.value, struct, stack, f"{path}[{key}]")
        elif isinstance(schema, ListOf):
            if not isinstance(value, list):
                self._mismatch(json_type_name(value), schema.go, struct, stack)
                return
            for index, item in enumerate(value):
                self.value(item, schema.item, struct, stack, f"{path}[{index}]")

    def _struct(self, value: dict, schema: Struct, stack: str, path: str) -> None:
        fields = schema.fields
        for key, item in value.items():
            item_path = f"{path}.{key}" if path else key
            if key in fields:
                item_stack = f"{stack}.{key}" if stack else key
                self.value(item, fields[key], schema.name, item_stack, item_path)
            else:
                self.unknown_fields.append(f"unknown field {json.dumps(item_path)}")

    def _scalar(self, value: Any, schema: Scalar, struct: str, stack: str) -> None:
        if (
            schema.json_type is int
            and isinstance(value, (int, float))
            and not isinstance(value, bool)
        ):
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


def _quantity(value: Any, path: str) -> None:
    # resource.Quantity.UnmarshalJSON: a string or a bare number, trimmed, then ParseQuantity.
    text = value if isinstance(value, str) else json.dumps(value)
    try:
        parse_quantity(text.strip())
    except ValueError as err:
        # Upstream's message ends before the parenthesis; k8slab adds where and what.
        raise _Abort(f"{err} ({path}: {json.dumps(value)})") from None


def _time(value: Any, schema: Time, path: str) -> None:
    # metav1.Time/MicroTime.UnmarshalJSON: a JSON string, parsed with time.Parse(layout).
    if not isinstance(value, str):
        found = json_type_name(value)
        raise _Abort(f"json: cannot unmarshal {found} into Go value of type string ({path})")
    error = go_time_error(schema.layout, value)
    if error:
        raise _Abort(f"{error} ({path})")


def decode_error(obj: dict) -> str:
    """Why obj does not decode into its kind's struct ("" when it does), in upstream's words.

    obj must have a kind k8slab models (check_shape and kind_info say so first).
    """
    decoder = _Decoder()
    try:
        decoder.value(obj, KIND_SCHEMAS[obj["kind"]], "", "", "")
    except _Abort as err:
        return str(err)
    if decoder.type_error:
        return decoder.type_error
    if decoder.unknown_fields:
        return "strict decoding error: " + ", ".join(decoder.unknown_fields)
    return ""


def check_decodes(obj: dict) -> None:
    """Raise BadRequestError, as the API server answers, unless obj decodes into its kind.

    Example: `Pod in version "v1" cannot be handled as a Pod: strict decoding error:
    unknown field "spec.contianers"`.
    """
    error = decode_error(obj)
    if error:
        kind, version = obj["kind"], obj["apiVersion"].rpartition("/")[2]
        cannot = f'{kind} in version "{version}" cannot be handled as a {kind}'
        raise BadRequestError(f"{cannot}: {error}")

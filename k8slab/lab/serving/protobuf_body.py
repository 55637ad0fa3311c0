"""Request bodies in Kubernetes' protobuf encoding, decoded into the JSON objects k8slab keeps.

kubectl's typed clients (create deployment, auth can-i, drain's evictions, create token) send
`application/vnd.kubernetes.protobuf`: the bytes `k8s\\0`, then a runtime.Unknown message whose
typeMeta names apiVersion and kind and whose raw bytes are the object's message
(apimachinery runtime/serializer/protobuf). Field numbers, JSON names and which Go fields are
pointers come from upstream's generated.proto and types.go (protobuf_schema.json, written by
tools/protobuf_schema.py). A Go field that is no pointer is always encoded, so a zero value
there means absent, as the JSON `omitempty` would have it; a pointer's value is kept even when
zero. Unknown field numbers are skipped, as the generated Unmarshal does.
"""

from __future__ import annotations

import base64
import datetime
import json
import struct
from functools import cache
from pathlib import Path

from k8slab.errors import BadRequestError

PROTOBUF_TYPE = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"
_META = "k8s.io.apimachinery.pkg.apis.meta.v1."
_ZERO = ("", 0, False, 0.0)


class ProtobufError(Exception):
    """The bytes are not a well-formed protobuf message."""


@cache
def schema() -> dict:
    """The table of protobuf_schema.json: kinds ("apps/v1/Deployment" -> message) and
    messages (full name -> field number -> [JSON name, type, repeated, pointer])."""
    return json.loads((Path(__file__).parent / "protobuf_schema.json").read_text())


def decode_protobuf(body: bytes) -> dict:
    """The object a protobuf body carries, with its apiVersion and kind; ProtobufError or a
    400 naming what is wrong."""
    if not body.startswith(MAGIC):
        raise ProtobufError("provided data does not appear to be a protobuf message, expected "
                            f"prefix {list(MAGIC)}")
    unknown = _fields(body[len(MAGIC):])
    type_meta = _fields(_last(unknown, 1, b""))
    api_version = _text(_last(type_meta, 1, b""))
    kind = _text(_last(type_meta, 2, b""))
    # DeleteOptions is registered in every group-version (metav1.AddToGroupVersion): a typed
    # client deleting a Deployment sends apps/v1 DeleteOptions.
    message = schema()["kinds"].get("v1/DeleteOptions" if kind == "DeleteOptions"
                                    else f"{api_version}/{kind}")
    if message is None:
        raise BadRequestError(f'no kind "{kind}" is registered for version "{api_version}" '
                              "(k8slab decodes protobuf for the kinds it models)")
    obj = {"apiVersion": api_version, "kind": kind}
    obj.update(_message(message, _last(unknown, 2, b"")))
    return obj


def _message(name: str, data: bytes) -> object:
    """One message as JSON: a special type by its own rule, else field by field."""
    special = _SPECIAL.get(name)
    if special is not None:
        return special(_fields(data))
    fields = schema()["messages"][name]
    out: dict = {}
    for number, values in _fields(data).items():
        field = fields.get(str(number))
        if field is None:
            continue  # a field this version does not know: skipped, as upstream's Unmarshal
        json_name, typ, repeated, pointer = field
        if typ.startswith("map:"):
            out[json_name] = dict(_entry(typ[4:], raw) for raw in values)
            continue
        decoded = [item for value in values for item in _values(typ, value)]
        if repeated:
            out[json_name] = decoded
        elif decoded and (pointer or decoded[-1] not in _ZERO) and decoded[-1] is not None:
            out[json_name] = decoded[-1]
    return out


def _entry(typ: str, raw: bytes) -> tuple[str, object]:
    """A map entry: a message whose field 1 is the key and field 2 the value."""
    entry = _fields(_raw(raw))
    return _text(_last(entry, 1, b"")), _value(typ, _last(entry, 2, None))


def _values(typ: str, value: int | bytes) -> list:
    """A field's values: one, or several for a packed repeated scalar."""
    if isinstance(value, bytes) and typ in ("int32", "int64", "bool", "uint32", "uint64"):
        packed, at = [], 0
        while at < len(value):
            number, at = _varint(value, at)
            packed.append(_value(typ, number))
        return packed
    return [_value(typ, value)]


def _value(typ: str, value: int | bytes | None) -> object:
    if value is None:
        return "" if typ in ("string", "bytes") else None
    if typ == "string":
        return _text(value)
    if typ == "bytes":
        return base64.b64encode(_raw(value)).decode()
    if typ in ("int32", "int64"):
        number = _number(value)
        return number - (1 << 64) if number >= 1 << 63 else number
    if typ in ("uint32", "uint64"):
        return _number(value)
    if typ == "bool":
        return bool(_number(value))
    if typ == "double":
        return struct.unpack("<d", _raw(value))[0]
    if typ == "float":
        return struct.unpack("<f", _raw(value))[0]
    return _message(typ, _raw(value))


def _fields(data: bytes) -> dict[int, list]:
    """The wire format: field number -> its values (an int, or the bytes of a length-delimited
    or fixed-width value), in order."""
    fields: dict[int, list] = {}
    at = 0
    while at < len(data):
        key, at = _varint(data, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, at = _varint(data, at)
        elif wire == 2:
            size, at = _varint(data, at)
            if at + size > len(data):
                raise ProtobufError("unexpected EOF")
            value, at = data[at:at + size], at + size
        elif wire in (1, 5):
            width = 8 if wire == 1 else 4
            value, at = data[at:at + width], at + width
        else:
            raise ProtobufError(f"proto: illegal wireType {wire}")
        fields.setdefault(number, []).append(value)
    return fields


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(data):
            raise ProtobufError("unexpected EOF")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, at
        shift += 7
        if shift >= 70:
            raise ProtobufError("proto: integer overflow")


def _last(fields: dict[int, list], number: int, default: object) -> object:
    values = fields.get(number)
    return values[-1] if values else default


def _raw(value: object) -> bytes:
    if not isinstance(value, bytes):
        raise ProtobufError("proto: wrong wireType for a length-delimited field")
    return value


def _number(value: object) -> int:
    if not isinstance(value, int):
        raise ProtobufError("proto: wrong wireType for a varint field")
    return value


def _text(value: object) -> str:
    try:
        return _raw(value).decode("utf-8")
    except UnicodeDecodeError:
        raise ProtobufError("proto: invalid UTF-8 in a string field") from None


def _time(fields: dict[int, list], micro: bool = False) -> str | None:
    """metav1.Time (RFC 3339, whole seconds) or MicroTime (six decimals); empty is null."""
    if not fields:
        return None
    seconds = _value("int64", _last(fields, 1, 0))
    nanos = _value("int32", _last(fields, 2, 0))
    moment = datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    if micro:
        return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos // 1000:06d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _duration(fields: dict[int, list]) -> str:
    """metav1.Duration: Go's time.Duration.String() ("1h0m0s", "1.5s", "0s")."""
    nanos = _value("int64", _last(fields, 1, 0))
    sign, nanos = ("-", -nanos) if nanos < 0 else ("", nanos)
    if nanos < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if nanos >= size or unit == "ns":
                return sign + _decimal(nanos, size) + unit if nanos else "0s"
    hours, rest = divmod(nanos, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    text = _decimal(rest, 1_000_000_000) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{text}"
    return f"{sign}{minutes}m{text}" if minutes else sign + text


def _decimal(value: int, unit: int) -> str:
    whole, fraction = divmod(value, unit)
    digits = f"{fraction:0{len(str(unit)) - 1}d}".rstrip("0") if unit > 1 else ""
    return f"{whole}.{digits}" if digits else str(whole)


def _embedded_json(fields: dict[int, list]) -> object:
    raw = _last(fields, 1, b"")
    return json.loads(_raw(raw)) if raw else None


def _int_or_string(fields: dict[int, list]) -> int | str:
    if _value("int64", _last(fields, 1, 0)) == 1:
        return _text(_last(fields, 3, b""))
    return _value("int32", _last(fields, 2, 0))


_SPECIAL = {
    _META + "Time": _time,
    _META + "MicroTime": lambda fields: _time(fields, micro=True),
    _META + "Duration": _duration,
    _META + "FieldsV1": _embedded_json,
    "k8s.io.apimachinery.pkg.runtime.RawExtension": _embedded_json,
    "k8s.io.apimachinery.pkg.util.intstr.IntOrString": _int_or_string,
    "k8s.io.apimachinery.pkg.api.resource.Quantity":
        lambda fields: _text(_last(fields, 1, b"")),
}

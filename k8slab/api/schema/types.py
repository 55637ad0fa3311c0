"""The building blocks of a typed description of API objects, standing in for Go's types.

The API server decodes a request's JSON into Go structs (k8s.io/api/core/v1/types.go...): a
field of the wrong JSON type, or one the struct does not have, fails there, before validation.
k8slab keeps objects as dicts, so it describes the structs as data built from these blocks and
checks every object against them once (k8slab.api.decoding). Each block carries the Go type name
that upstream's errors print ("v1.ContainerPort", "[]string", "int32").
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scalar:
    """A string, bool or integer field; `go` is its Go type ("string", "v1.RestartPolicy")."""

    go: str
    json_type: type
    bits: int = 0  # for integers: int32 or int64


@dataclass(frozen=True)
class Quantity:
    """A resource.Quantity: "250m", "1Gi" or a bare number, parsed by its own UnmarshalJSON."""

    go: str = "resource.Quantity"


@dataclass(frozen=True)
class IntOrString:
    """An intstr.IntOrString: a JSON integer (int32) or a string such as "25%".

    Its own UnmarshalJSON reads a quoted value as the string, anything else as an int32.
    """

    go: str = "intstr.IntOrString"


@dataclass(frozen=True)
class Time:
    """A metav1.Time or MicroTime: RFC 3339 text in `layout` (Go's reference-time notation)."""

    go: str
    layout: str


@dataclass(frozen=True)
class Struct:
    """A Go struct: the JSON names of its fields and their types, in upstream's order."""

    go: str
    fields: dict[str, SchemaType] = field(compare=False)

    @property
    def name(self) -> str:
        """The struct's name as Go's errors print it: "Container" for v1.Container."""
        return self.go.rpartition(".")[2]


@dataclass(frozen=True)
class Opaque:
    """A struct k8slab does not model (volumes, probes...): any JSON object is accepted.

    The lab checks only that the value is an object; the API server would decode its fields too.
    """

    go: str


@dataclass(frozen=True)
class ListOf:
    """A Go slice: a JSON array whose items all have one type."""

    item: SchemaType

    @property
    def go(self) -> str:
        """The Go type: "[]string", "[]v1.Container"."""
        return "[]" + self.item.go


@dataclass(frozen=True)
class MapOf:
    """A Go map with string keys: a JSON object whose values all have one type."""

    value: SchemaType
    go: str = ""

    def __post_init__(self) -> None:
        if not self.go:
            object.__setattr__(self, "go", "map[string]" + self.value.go)


@dataclass(frozen=True)
class AnyJSON:
    """A field that holds raw JSON (metav1.FieldsV1, runtime.RawExtension): anything goes."""

    go: str


SchemaType = Scalar | Quantity | IntOrString | Time | Struct | Opaque | ListOf | MapOf | AnyJSON

STRING = Scalar("string", str)
BOOL = Scalar("bool", bool)
INT32 = Scalar("int32", int, 32)
INT64 = Scalar("int64", int, 64)
STRINGS = ListOf(STRING)
STRING_MAP = MapOf(STRING)
QUANTITY = Quantity()
INT_OR_STRING = IntOrString()
# meta/v1 time.go and micro_time.go: RFC3339 and RFC3339Micro, in Go's layout notation.
TIME = Time("v1.Time", "2006-01-02T15:04:05Z07:00")
MICRO_TIME = Time("v1.MicroTime", "2006-01-02T15:04:05.000000Z07:00")


def enum(go: str) -> Scalar:
    """A named string type such as v1.RestartPolicy: any string decodes, validation checks it."""
    return Scalar(go, str)

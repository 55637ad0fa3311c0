"""Field errors: one problem with one field, and how several of them read as one message.

A FieldError prints as "spec.containers[0].image: Required value", as
k8s.io/apimachinery/pkg/util/validation/field/errors.go prints it; aggregate() joins several the
way utilerrors.NewAggregate does, and invalid_error() wraps them in the API server's 422.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from k8slab.api.kinds import Kind
from k8slab.errors import InvalidError

# field/errors.go ErrorType strings.
REQUIRED = "Required value"
INVALID = "Invalid value"
UNSUPPORTED = "Unsupported value"
DUPLICATE = "Duplicate value"
FORBIDDEN = "Forbidden"
# The ErrorType behind each word: a Status cause's reason (field/errors.go ErrorType consts).
CAUSE_TYPES = {
    REQUIRED: "FieldValueRequired", INVALID: "FieldValueInvalid",
    UNSUPPORTED: "FieldValueNotSupported", DUPLICATE: "FieldValueDuplicate",
    FORBIDDEN: "FieldValueForbidden", "Not found": "FieldValueNotFound",
    "Too long": "FieldValueTooLong", "Too many": "FieldValueTooMany",
    "Internal error": "InternalError",
}

_NO_VALUE = object()


class GoValue(str):
    """A bad value already written as upstream prints it (a Go struct, in field order)."""


def render(value: Any) -> str:
    """A bad value as Go's field errors print it: strings quoted, numbers and booleans bare,
    maps and lists as json.Marshal writes them (compact, keys sorted): {"app":"web"}."""
    if isinstance(value, GoValue):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return sorted_json(value, separators=(",", ":"))


def sorted_json(value: Any, separators: tuple[str, str]) -> str:
    """value as JSON with sorted keys; repr() when its keys are of mixed types."""
    try:
        return json.dumps(
            value, ensure_ascii=False, sort_keys=True, separators=separators, default=str
        )
    except TypeError:
        return repr(value)


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: its path, the error type, the bad value and a detail."""

    path: str
    type: str
    value: Any = _NO_VALUE
    detail: str = ""

    def __str__(self) -> str:
        body = self.type
        if self.value is not _NO_VALUE:
            body += f": {render(self.value)}"
        if self.detail:
            body += f": {self.detail}"
        return f"{self.path}: {body}"


def required(path: str, detail: str = "") -> FieldError:
    """`<path>: Required value[: detail]`."""
    return FieldError(path, REQUIRED, detail=detail)


def invalid(path: str, value: Any, detail: str) -> FieldError:
    """`<path>: Invalid value: <value>: <detail>`."""
    return FieldError(path, INVALID, value, detail)


def not_supported(path: str, value: Any, supported: list[str]) -> FieldError:
    """`<path>: Unsupported value: <value>: supported values: "a", "b"`."""
    quoted = ", ".join(json.dumps(choice) for choice in supported)
    return FieldError(path, UNSUPPORTED, value, f"supported values: {quoted}")


def duplicate(path: str, value: Any, detail: str = "") -> FieldError:
    """`<path>: Duplicate value: <value>`."""
    return FieldError(path, DUPLICATE, value, detail)


def forbidden(path: str, detail: str) -> FieldError:
    """`<path>: Forbidden: <detail>`."""
    return FieldError(path, FORBIDDEN, detail=detail)


def aggregate(errors: list[FieldError]) -> str:
    """Several field errors as one message: "e" alone, or "[e1, e2]" (utilerrors.NewAggregate).

    Repeated messages are shown once, as NewAggregate does.
    """
    messages = list(dict.fromkeys(str(error) for error in errors))
    return messages[0] if len(messages) == 1 else "[" + ", ".join(messages) + "]"


def invalid_error(info: Kind, name: str, errors: list[FieldError]) -> InvalidError:
    """The 422 error for an object: `Pod "web" is invalid: <error>` or `...: [<e1>, <e2>]`.

    apimachinery's errors.NewInvalid: the kind, the name and the aggregated field errors.
    """
    causes = tuple(dict.fromkeys(
        (CAUSE_TYPES.get(error.type, error.type), str(error)[len(error.path) + 2:], error.path)
        for error in errors))
    return InvalidError(f'{info.qualified_kind} "{name}" is invalid: {aggregate(errors)}',
                        tuple({"reason": reason, "message": message, "field": path}
                              for reason, message, path in causes))

"""`kubectl get` of custom kinds: the columns a CRD declares, and `kubectl get crd`.

The API server builds a custom kind's table (apiextensions-apiserver pkg/registry/customresource
/tableconvertor, v1.35): NAME, then each additionalPrinterColumn, its cell read at a simple
JSONPath and typed by the column (a missing value is null, which kubectl 1.36 prints as an empty
cell; a date is an age); a CRD that declares no columns gets AGE (pkg/apiserver/helpers.go
serveDefaultColumnsIfEmpty). A column with priority > 0 shows only with `-o wide`. A CRD itself
has no printer in v1.35: NAME and CREATED AT (the richer `kubectl get crd` columns came in a
later release, kk PR #131599).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from k8slab.errors import K8sLabError
from k8slab.lab.kubectl.durations import age
from k8slab.lab.kubectl.printers import NONE, name_of

AGE_COLUMN = {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}


def crd_cells(crd: dict, now: float) -> list[str]:
    """NAME and CREATED AT (RFC 3339, as the default table convertor writes it)."""
    return [name_of(crd), crd.get("metadata", {}).get("creationTimestamp", NONE)]


def value_at(obj: dict, json_path: str) -> object:
    """The value at a simple JSONPath (`.spec.replicas`, `.status.conditions[0].type`)."""
    value: object = obj
    for part in json_path.strip(".").replace("[", ".[").split("."):
        if part.startswith("[") and part.endswith("]"):
            index = part[1:-1]
            if not isinstance(value, list) or not index.isdigit() or int(index) >= len(value):
                return None
            value = value[int(index)]
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def typed_cell(column: dict, obj: dict, now: float) -> object:
    """One column's cell for `obj` as the API server's Table carries it (tableconvertor.go
    cellForJSONValue): an int, float or bool for those types, an age for a date, text for a
    string, and None (JSON null) for a missing value or one of another type."""
    value = value_at(obj, column["jsonPath"])
    kind = column.get("type", "string")
    if value is None:
        return None
    if kind == "string":
        if isinstance(value, bool):
            return "true" if value else "false"
        return json.dumps(value, separators=(",", ":")) if isinstance(value, dict | list) \
            else str(value)
    if kind == "date":
        if not isinstance(value, str):
            return None
        try:
            return age(value, now)
        except K8sLabError:
            return "<invalid>"
    if isinstance(value, bool):
        return value if kind == "boolean" else None
    if kind == "integer" and isinstance(value, int | float):
        return int(value)
    if kind == "number" and isinstance(value, int | float):
        return float(value)
    return None


def shown(value: object) -> str:
    """How kubectl prints a Table cell (Go's fmt.Sprint): null as nothing, booleans in lower
    case, a whole float without its decimals."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def cell(column: dict, obj: dict, now: float) -> str:
    """One column's cell for `obj` as kubectl prints it (a missing value is an empty cell)."""
    return shown(typed_cell(column, obj, now))


def columns_of(version: dict) -> list[dict]:
    """The version's printer columns, or AGE alone when it declares none."""
    return list(version.get("additionalPrinterColumns") or []) or [AGE_COLUMN]


def custom_cells(columns: list[dict]) -> Callable[[dict, float], list[str]]:
    """The row printer for a custom kind with these columns."""
    return lambda obj, now: [name_of(obj), *(cell(c, obj, now) for c in columns)]


def custom_typed_cells(columns: list[dict]) -> Callable[[dict, float], list[object]]:
    """The Table row of a custom kind with these columns, its cells typed as the server's."""
    return lambda obj, now: [name_of(obj), *(typed_cell(c, obj, now) for c in columns)]

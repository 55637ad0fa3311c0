"""`kubectl get` of custom kinds: the columns a CRD declares, and `kubectl get crd`.

The API server builds a custom kind's table (apiextensions-apiserver pkg/registry/customresource
/tableconvertor, v1.35): NAME, then each additionalPrinterColumn, its cell read at a simple
JSONPath and shown by its type (a missing value is `<none>`, a date an age); a CRD that declares
no columns gets AGE (pkg/apiserver/helpers.go serveDefaultColumnsIfEmpty). A column with
priority > 0 shows only with `-o wide`. A CRD itself has no printer in v1.35: NAME and CREATED AT
(the richer `kubectl get crd` columns came in a later release, kk PR #131599).
"""

from __future__ import annotations

from collections.abc import Callable

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


def cell(column: dict, obj: dict, now: float) -> str:
    """One column's cell for `obj`, by the column's type (cellForJSONValue)."""
    value = value_at(obj, column["jsonPath"])
    kind = column.get("type", "string")
    if value is None or isinstance(value, dict | list) and kind != "string":
        return NONE
    if kind == "date":
        return age(value, now) if isinstance(value, str) else NONE
    if kind == "boolean":
        return ("true" if value else "false") if isinstance(value, bool) else NONE
    if kind == "integer":
        return str(int(value)) if isinstance(value, int | float) and \
            not isinstance(value, bool) else NONE
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return NONE
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def columns_of(version: dict) -> list[dict]:
    """The version's printer columns, or AGE alone when it declares none."""
    return list(version.get("additionalPrinterColumns") or []) or [AGE_COLUMN]


def custom_cells(columns: list[dict]) -> Callable[[dict, float], list[str]]:
    """The row printer for a custom kind with these columns."""
    return lambda obj, now: [name_of(obj), *(cell(c, obj, now) for c in columns)]

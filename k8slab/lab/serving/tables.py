"""The meta.k8s.io/v1 Table the API server answers `kubectl get` with.

kubectl does not format objects itself: it asks for `application/json;as=Table;v=v1;g=meta.k8s.io`
and prints the columns and cells the server computed (pkg/printers/internalversion/printers.go
for the built-in kinds, the CRD's additionalPrinterColumns for a custom kind, NAME and CREATED AT
for a kind without a printer). The cells here come from the same row functions as the lab's own
`kubectl get` (k8slab.lab.kubectl.resources), so the real kubectl and `c.kubectl(...)` print the
same rows. Every cell is computed, the `-o wide` ones (priority 1) included; kubectl drops those
unless asked. Column descriptions are ours and short, for Name, Age and Created At only; the
others are empty (upstream's are its API documentation, which this lab does not copy).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from k8slab.errors import BadRequestError, NotFoundError
from k8slab.lab.kubectl.durations import parse_timestamp
from k8slab.lab.kubectl.resources import BY_ALIAS, Column, ResourceType, custom_resource_types
from k8slab.lab.serving.media_types import parse_accept

TABLE_MEDIA_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io"
INCLUDE_OBJECT = ("None", "Metadata", "Object")
_DESCRIPTIONS = {
    "Name": "The object's name, unique among its kind in its namespace.",
    "Age": "How long ago the object was created.",
    "Created At": "When the object was created.",
}
# Columns typed "string" whose cells upstream's printers still emit as int64 (a Deployment's
# updated and available replicas, a ConfigMap's or Secret's key count, an Event's count...).
_INTEGER_CELLS = {
    ("deployments", "Up-to-date"), ("deployments", "Available"), ("configmaps", "Data"),
    ("secrets", "Data"), ("serviceaccounts", "Secrets"), ("events", "Count"),
}
_INTEGER = re.compile(r"-?\d+")
# printers.go podSuccessConditions / podFailedConditions: a finished pod's row is marked.
_FINISHED = {
    "Succeeded": {"type": "Completed", "status": "True", "reason": "Succeeded",
                  "message": "The pod has completed successfully."},
    "Failed": {"type": "Completed", "status": "True", "reason": "Failed",
               "message": "The pod failed."},
}


def wants_table(accept: str) -> bool:
    """True when the client's first choice it can have is a meta.k8s.io/v1 Table (kubectl get);
    False when it prefers the objects themselves (plain JSON) first."""
    for media in parse_accept(accept):
        if media.names("Table", "meta.k8s.io", "v1"):
            return True
        if media.plain:
            return False
    return False


def table_type(resource: str, crds: Sequence[dict] = ()) -> ResourceType:
    """The printer of `resource`: a plural as a URL names it (`pods`, `events` of either
    group), or any spelling the lab's kubectl accepts; a custom kind's through its CRD, with
    the columns of its preferred version. Raises NotFoundError when nothing serves it."""
    if not isinstance(resource, str):
        raise NotFoundError(f"a resource is named by a string such as 'pods', got {resource!r}")
    rtype = BY_ALIAS.get(resource.lower())
    if rtype is None:
        rtype = next((t for t in custom_resource_types(list(crds)) if resource in t.aliases),
                     None)
    if rtype is None and resource == "events.events.k8s.io":
        rtype = BY_ALIAS["events"]  # one storage, one printer for both groups' Events
    if rtype is None:
        raise NotFoundError(f"the server could not find the requested resource ({resource!r})")
    return rtype


def table(resource: str, objects: list[dict], *, include_object: str = "Metadata",
          now: float | str, crds: Sequence[dict] = (), list_metadata: dict | None = None,
          no_headers: bool = False) -> dict:
    """The Table of `objects` of `resource`, their ages as of `now` (simulated seconds, or an
    RFC 3339 time): columnDefinitions, then one row per object with its cells and, as
    `include_object` says, its metadata (PartialObjectMetadata), the whole object, or nothing.

    `list_metadata` is the metadata of the list the objects came from (resourceVersion,
    continue); without it, a single object's resourceVersion is the table's. A watch sends one
    Table per event, the column definitions only with the first (`no_headers` for the others,
    null as upstream's watchEmbeddedEncoder leaves them).
    """
    rtype = table_type(resource, crds)
    moment = parse_timestamp(now, "now") if isinstance(now, str) else now
    rows = []
    for obj in objects:
        if include_object not in INCLUDE_OBJECT:
            raise BadRequestError(f'unrecognized includeObject value: "{include_object}"')
        if rtype.typed_cells is not None:
            cells = rtype.typed_cells(obj, moment)
        else:
            cells = [_typed(rtype.plural, column, cell) for column, cell
                     in zip(rtype.columns, rtype.cells(obj, moment), strict=True)]
        row: dict = {"cells": cells}
        phase = (obj.get("status") or {}).get("phase")
        if rtype.kind == "Pod" and phase in _FINISHED:
            row["conditions"] = [dict(_FINISHED[phase])]
        row["object"] = _included(obj, include_object)
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": _table_metadata(objects, list_metadata),
        "columnDefinitions": None if no_headers else [
            _definition(column) for column in rtype.columns],
        "rows": rows,
    }


def _definition(column: Column) -> dict:
    """A TableColumnDefinition: `Name` is formatted "name", the wide columns have priority 1."""
    return {
        "name": column.name,
        "type": column.type,
        "format": "name" if column.name == "Name" else "",
        "description": _DESCRIPTIONS.get(column.name, ""),
        "priority": 1 if column.wide else 0,
    }


def _typed(plural: str, column: Column, cell: str) -> object:
    """A built-in kind's cell as the server's JSON carries it: integers and booleans as JSON
    numbers and booleans where upstream's printer emits them, the rest as text."""
    integer = column.type == "integer" or (plural, column.name) in _INTEGER_CELLS
    if integer and _INTEGER.fullmatch(cell):
        return int(cell)
    if column.type == "boolean" and cell in ("true", "false"):
        return cell == "true"
    return cell


def _included(obj: dict, include_object: str) -> dict | None:
    if include_object == "Object":
        return obj
    if include_object == "None":
        return None
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": obj.get("metadata") or {}}


def _table_metadata(objects: list[dict], list_metadata: dict | None) -> dict:
    if list_metadata is not None:
        keys = ("resourceVersion", "continue", "remainingItemCount")
        return {key: list_metadata[key] for key in keys if list_metadata.get(key) is not None
                and list_metadata.get(key) != ""}
    if len(objects) == 1:
        version = (objects[0].get("metadata") or {}).get("resourceVersion")
        return {"resourceVersion": version} if version else {}
    return {}

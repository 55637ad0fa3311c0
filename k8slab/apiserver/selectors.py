"""Field selectors: `spec.nodeName=worker-1`, `status.phase!=Succeeded`, on the fields each kind
makes selectable.

Every kind selects on metadata.name (and metadata.namespace when namespaced); a few add their
own (pkg/registry/*/strategy.go ToSelectableFields / GetAttrs): pods their node, phase, IP...,
core Events their involvedObject, reason, source and type (what `kubectl describe` lists a
pod's events by), nodes spec.unschedulable, namespaces status.phase, secrets their type.
A term is `field=value`, `field==value` or `field!=value`, terms joined by commas
(apimachinery pkg/fields ParseSelector); any other field is a 400 in upstream's words.
"""

from __future__ import annotations

from k8slab.api.kinds import Kind
from k8slab.errors import BadRequestError

# What a selector may name when no kind is given (the components' own requests).
SUPPORTED_FIELDS = ("metadata.name", "metadata.namespace", "spec.nodeName")
SELECTABLE: dict[str, tuple[str, ...]] = {
    "pods": ("spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
             "spec.serviceAccountName", "status.phase", "status.podIP",
             "status.nominatedNodeName"),
    "events": ("involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
               "involvedObject.uid", "involvedObject.apiVersion",
               "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
               "reportingComponent", "source", "type"),
    "nodes": ("spec.unschedulable",),
    "namespaces": ("status.phase",),
    "secrets": ("type",),
    "replicationcontrollers": ("status.replicas",),
    "replicasets": ("status.replicas",),
    "jobs": ("status.successful",),
}
# How a selectable field reads when the object does not have it: Go's zero value, printed.
_ZERO = {"spec.unschedulable": "false", "status.replicas": "0", "status.successful": "0"}


class FieldSelector(dict):
    """The terms `field=value` (the dict: field -> value, what an index looks up) and
    `excluded`, the `field!=value` pairs. Compares as its dict of equalities."""

    def __init__(self, equal: dict[str, str] | None = None,
                 excluded: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(equal or {})
        self.excluded = excluded

    def __bool__(self) -> bool:
        return bool(len(self) or self.excluded)


def selectable_fields(kind: Kind | None) -> tuple[str, ...]:
    """The fields a selector on `kind` may name (SUPPORTED_FIELDS without a kind)."""
    if kind is None:
        return SUPPORTED_FIELDS
    meta = ("metadata.name", "metadata.namespace") if kind.namespaced else ("metadata.name",)
    own = SELECTABLE.get(kind.resource, ()) if kind.group in ("", "apps", "batch") else ()
    return meta + own


def parse_field_selector(text: str | None, kind: Kind | None = None) -> FieldSelector:
    """Parse `a=b,c!=d`; a term with no operator, or a field `kind` does not make selectable,
    is a 400, as upstream answers."""
    if not text:
        return FieldSelector()
    supported = selectable_fields(kind)
    equal: dict[str, str] = {}
    excluded: list[tuple[str, str]] = []
    for term in text.split(","):
        for operator in ("!=", "==", "="):
            field, found, value = term.partition(operator)
            if found:
                break
        else:
            raise BadRequestError(f"invalid selector: '{text}'; can't understand '{term}'")
        field, value = field.strip(), value.strip()
        if field not in supported:
            raise BadRequestError(f"field label not supported: {field}; "
                                  f"supported: {', '.join(supported)}")
        if operator == "!=":
            excluded.append((field, value))
        else:
            equal[field] = value
    return FieldSelector(equal, tuple(excluded))


def field_value(obj: dict, field: str) -> str:
    """The value of a selectable field of `obj` as upstream's field set holds it: text,
    booleans as true/false, numbers in decimal, the zero value when absent."""
    if field == "source":  # core Events: source.component, else reportingComponent
        value = (obj.get("source") or {}).get("component") or obj.get("reportingComponent")
    elif field == "reportingComponent":
        value = obj.get("reportingComponent")
    else:
        value = obj
        for part in field.split("."):
            value = value.get(part) if isinstance(value, dict) else None
    if value is None or value == "":
        return _ZERO.get(field, "")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def matches(obj: dict | None, selector: dict[str, str]) -> bool:
    """True if `obj` exists, has every field the selector requires, and none it excludes."""
    if obj is None:
        return False
    excluded = getattr(selector, "excluded", ())
    return (all(field_value(obj, f) == v for f, v in selector.items())
            and not any(field_value(obj, f) == v for f, v in excluded))

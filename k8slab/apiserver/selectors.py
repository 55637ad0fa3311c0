"""Field selectors, the subset the components use: `spec.nodeName=worker-1`, `metadata.name=x`."""

from __future__ import annotations

from k8slab.errors import BadRequestError

SUPPORTED_FIELDS = ("metadata.name", "metadata.namespace", "spec.nodeName")


def parse_field_selector(text: str | None) -> dict[str, str]:
    """Parse `a=b,c=d` into a dict; an unsupported field is a 400, as upstream answers."""
    if not text:
        return {}
    selector: dict[str, str] = {}
    for term in text.split(","):
        field, sep, value = term.partition("=")
        field = field.strip().rstrip("=")
        if not sep or field not in SUPPORTED_FIELDS:
            raise BadRequestError(
                f"field label not supported: {field or term}; "
                f"supported: {', '.join(SUPPORTED_FIELDS)}"
            )
        selector[field] = value.strip().lstrip("=")
    return selector


def field_value(obj: dict, field: str) -> str:
    """The value of a selectable field of `obj` ("" when absent)."""
    section, _, name = field.partition(".")
    return str(obj.get(section, {}).get(name) or "")


def matches(obj: dict | None, selector: dict[str, str]) -> bool:
    """True if `obj` exists and every field of the selector has the required value."""
    return obj is not None and all(field_value(obj, f) == v for f, v in selector.items())

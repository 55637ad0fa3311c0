"""Document shape: what kubectl's decoder rejects before any field is validated.

A manifest must be a mapping with a string kind and apiVersion, and mapping-valued metadata,
spec and status; the messages for a missing kind or apiVersion are apimachinery's
pkg/runtime/error.go.
"""

from __future__ import annotations

from typing import Any

from k8slab.api.validation.field import render, sorted_json
from k8slab.errors import ManifestError


def _compact(obj: Any) -> str:
    """obj as the one-line JSON kubectl quotes in decode errors (sorted keys), cut at 200 chars."""
    text = sorted_json(obj, separators=(",", ":"))
    return text if len(text) <= 200 else text[:197] + "..."


def check_shape(obj: Any) -> None:
    """Raise ManifestError unless obj looks like an API object: a mapping with kind and apiVersion.

    metadata, spec and status must be mappings when present. Messages for a missing kind or
    apiVersion are the decoder's (apimachinery pkg/runtime/error.go).
    """
    if not isinstance(obj, dict):
        raise ManifestError(
            "a manifest must be a mapping with apiVersion, kind and metadata; "
            f"got {type(obj).__name__} {_compact(obj)}"
        )
    if not obj.get("kind"):
        raise ManifestError(f"Object 'Kind' is missing in '{_compact(obj)}'")
    if not obj.get("apiVersion"):
        raise ManifestError(f"Object 'apiVersion' is missing in '{_compact(obj)}'")
    for field in ("kind", "apiVersion"):
        if not isinstance(obj[field], str):
            raise ManifestError(f"{field} must be a string, got {render(obj[field])}")
    for field in ("metadata", "spec", "status"):
        value = obj.get(field)
        if value is not None and not isinstance(value, dict):
            raise ManifestError(
                f'{obj["kind"]} field "{field}" must be a mapping, got {render(value)}'
            )

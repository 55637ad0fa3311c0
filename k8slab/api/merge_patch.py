"""RFC 7386 JSON Merge Patch, as the API server applies `application/merge-patch+json`.

A merge patch is the object's shape with only what changes: an object merges key by key, a
`null` removes the key, anything else (a string, a number, a whole list) replaces the value.
Lists cannot be merged; a list in the patch is the new list. Upstream applies it with
gopkg.in/evanphx/json-patch.v4's MergePatch (apiserver endpoints/handlers/patch.go), whose
texts these errors keep: a patch that is not JSON, or is `null`, a number or a string, is
`Invalid JSON Patch` (400 from the API server).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from k8slab.errors import K8sLabError

# evanphx/json-patch v4 merge.go: ErrBadJSONPatch and ErrBadJSONDoc.
BAD_PATCH = "Invalid JSON Patch"
BAD_DOCUMENT = "Invalid JSON Document"


class MergePatchError(K8sLabError):
    """A merge patch (or the document it patches) that is not usable JSON."""


def decode_merge_patch(raw: bytes | str | dict | list) -> dict | list:
    """The patch document: an object (the usual case) or an array (which replaces the whole
    document). A decoded dict or list is taken as it is; text must be JSON."""
    if isinstance(raw, dict | list):
        return raw
    try:
        value = json.loads(raw)
    except (ValueError, TypeError):
        raise MergePatchError(BAD_PATCH) from None
    if not isinstance(value, dict | list):  # null, a number, a string, true
        raise MergePatchError(BAD_PATCH)
    return value


def _without_nulls(value: Any) -> Any:
    # pruneNulls: an object added where there was none loses its null members, at any depth;
    # a list keeps its null items but its objects lose theirs.
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) if isinstance(v, dict | list) else v for v in value]
    return value


def _merge(current: Any, patch: Any) -> Any:
    if not isinstance(current, dict):  # not an object: the patch replaces it
        return _without_nulls(patch)
    if not isinstance(patch, dict):  # a non-object patch value replaces (nulls kept)
        return patch
    for key, value in patch.items():
        if value is None:
            current.pop(key, None)
        elif current.get(key) is None:
            current[key] = _without_nulls(value)
        else:
            current[key] = _merge(current[key], value)
    return current


def apply_merge_patch(document: dict, patch: bytes | str | dict | list) -> dict | list:
    """`document` with the merge patch applied (a copy; neither input is changed)."""
    if not isinstance(document, dict):
        raise MergePatchError(BAD_DOCUMENT)
    decoded = copy.deepcopy(decode_merge_patch(patch))
    if isinstance(decoded, list):  # not an object: the document becomes the array
        return _without_nulls(decoded)
    return _merge(copy.deepcopy(document), decoded)

"""RFC 6902 JSON Patch, as the API server applies a mutating webhook's patch.

Upstream decodes and applies the patch with gopkg.in/evanphx/json-patch.v4 (apiserver
pkg/admission/plugin/webhook/mutating/dispatcher.go), so the behaviour and the error texts are
that library's: `add` needs the parent to exist (`add operation does not apply: doc is missing
path: "/metadata/labels/app": missing value`), `replace` of a missing object key adds it, and
array indices may be negative. Path segments are RFC 6901 pointers: `~1` is `/`, `~0` is `~`.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from k8slab.errors import K8sLabError

OPERATIONS = ("add", "remove", "replace", "move", "copy", "test")
MISSING = "missing value"
INVALID_INDEX = "invalid index referenced"
_INTEGER = re.compile(r"[+-]?[0-9]+")
_ESCAPE = re.compile(r"~[01]")
_NOT_SET = object()


class JSONPatchError(K8sLabError):
    """A patch that cannot be decoded or applied, in evanphx/json-patch's words."""


def escape(key: str) -> str:
    """A key as one segment of a JSON pointer: `example.com/team` -> `example.com~1team`."""
    return key.replace("~", "~0").replace("/", "~1")


def _unescape(segment: str) -> str:
    # strings.NewReplacer("~1", "/", "~0", "~"): one pass, so "~01" reads as "~1".
    return _ESCAPE.sub(lambda m: "/" if m.group() == "~1" else "~", segment)


def _go_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), "null")


def decode_patch(raw: bytes | str) -> list[dict]:
    """jsonpatch.DecodePatch: the operations of a patch document (a JSON array of objects)."""
    try:
        value = json.loads(raw)
    except ValueError as error:
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        if not text.strip():
            raise JSONPatchError("unexpected end of JSON input") from None
        bad = text[error.pos] if error.pos < len(text) else ""
        if not bad:
            raise JSONPatchError("unexpected end of JSON input") from None
        raise JSONPatchError(f"invalid character '{bad}' looking for beginning of value") \
            from None
    if value is None:
        return []
    if not isinstance(value, list):
        raise JSONPatchError(f"json: cannot unmarshal {_go_type(value)} into Go value of type "
                             "jsonpatch.Patch")
    for op in value:
        if op is not None and not isinstance(op, dict):
            raise JSONPatchError(f"json: cannot unmarshal {_go_type(op)} into Go value of type "
                                 "jsonpatch.Operation")
    return [op or {} for op in value]


def _index(key: str, length: int, upper: int) -> int:
    # partialArray's Atoi and its negative indices (SupportNegativeIndices is on).
    if not _INTEGER.fullmatch(key):
        raise JSONPatchError(f'strconv.Atoi: parsing "{key}": invalid syntax')
    index = int(key)
    if index >= upper or index < -length:
        raise JSONPatchError(f"Unable to access invalid index: {index}: {INVALID_INDEX}")
    return index + length if index < 0 else index


def _get(container: dict | list, key: str) -> Any:
    if isinstance(container, dict):
        return container.get(key)
    return container[_index(key, len(container), len(container))]


def _add(container: dict | list, key: str, value: Any) -> None:
    if isinstance(container, dict):
        container[key] = value
    elif key == "-":
        container.append(value)
    else:
        if not _INTEGER.fullmatch(key):
            raise JSONPatchError(f"value was not a proper array index: '{key}': "
                                 f'strconv.Atoi: parsing "{key}": invalid syntax')
        container.insert(_index(key, len(container) + 1, len(container) + 1), value)


def _remove(container: dict | list, key: str) -> None:
    if isinstance(container, dict):
        if key not in container:
            raise JSONPatchError(f"Unable to remove nonexistent key: {key}: {MISSING}")
        del container[key]
    else:
        del container[_index(key, len(container), len(container))]


def _find(doc: Any, path: str) -> tuple[dict | list | None, str]:
    # findObject: walk to the parent of the last segment; None if any step is missing.
    parts = path.split("/")
    if len(parts) < 2:
        return None, ""
    node = doc
    for part in parts[1:-1]:
        try:
            node = _get(node, _unescape(part))
        except JSONPatchError:
            return None, ""
        if not isinstance(node, dict | list):
            return None, ""
    return node, _unescape(parts[-1])


def _field(op: dict, name: str) -> tuple[str | None, str]:
    # Operation.Path / From: the string, or why it could not be read.
    if op.get(name) is None:
        if name == "path":
            return None, f"operation missing path field: {MISSING}"
        return None, f"operation, missing from field: {MISSING}"
    if not isinstance(op[name], str):
        return None, f"json: cannot unmarshal {_go_type(op[name])} into Go value of type string"
    return op[name], ""


def _path(op: dict, kind: str, name: str = "path", plain: bool = False) -> str:
    value, problem = _field(op, name)
    if value is None:
        what = "path" if name == "path" else "from"
        raise JSONPatchError(f"{kind} operation failed to decode {what}: "
                             f"{MISSING if plain else problem}")
    return value


def _missing(kind: str, path: str, what: str = "path", quoted: bool = False) -> JSONPatchError:
    shown = f'"{path}"' if quoted else path
    return JSONPatchError(f"{kind} operation does not apply: doc is missing {what}: {shown}: "
                          f"{MISSING}")


def _apply_one(doc: Any, op: dict) -> Any:
    kind = op.get("op") if isinstance(op.get("op"), str) else "unknown"
    value = copy.deepcopy(op.get("value"))
    if kind in ("add", "remove"):
        path = _path(op, kind, plain=True)
        container, key = _find(doc, path)
        if container is None:
            raise _missing(kind, path, quoted=True)
        try:
            _add(container, key, value) if kind == "add" else _remove(container, key)
        except JSONPatchError as error:
            raise JSONPatchError(f"error in {kind} for path: '{path}': {error}") from None
        return doc
    if kind == "replace":
        path = _path(op, kind)
        if path == "":
            if not isinstance(value, dict | list):
                raise JSONPatchError("replace operation value must be object or array: "
                                     "%!w(<nil>)")
            return value
        container, key = _find(doc, path)
        if container is None:
            raise _missing(kind, path)
        try:
            _get(container, key)
        except JSONPatchError:
            raise JSONPatchError(f"replace operation does not apply: doc is missing key: "
                                 f"{path}: {MISSING}") from None
        if isinstance(container, dict):
            container[key] = value
        else:
            container[_index(key, len(container), len(container))] = value
        return doc
    if kind == "test":
        return _test(doc, op, value)
    if kind in ("move", "copy"):
        return _move_or_copy(doc, op, kind)
    raise JSONPatchError(f"Unexpected kind: {kind}")


def _test(doc: Any, op: dict, value: Any) -> Any:
    path = _path(op, "test")
    failed = JSONPatchError(f"testing value {path} failed: test failed")
    if path == "":
        if _same(doc, value):
            return doc
        raise failed
    container, key = _find(doc, path)
    if container is None:
        raise JSONPatchError(f"test operation does not apply: is missing path: {path}: "
                             f"{MISSING}")
    try:
        current = _get(container, key)
    except JSONPatchError as error:
        raise JSONPatchError(f"error in test for path: '{path}': {error}") from None
    if current is None:  # a missing key and a null read alike
        if op.get("value") is None:
            return doc
        raise failed
    if "value" not in op or not _same(current, value):
        raise failed
    return doc


def _move_or_copy(doc: Any, op: dict, kind: str) -> Any:
    source = _path(op, kind, "from")
    container, key = _find(doc, source)
    if container is None:
        raise _missing(kind, source, "from path")
    try:
        value = _get(container, key)
        if kind == "move":
            _remove(container, key)
    except JSONPatchError as error:
        where = f"move for path: '{key}'" if kind == "move" else f"copy for from: '{source}'"
        raise JSONPatchError(f"error in {where}: {error}") from None
    path = _path(op, kind, plain=kind == "copy")
    target, key = _find(doc, path)
    if target is None:
        raise _missing(kind, path, "destination path")
    try:
        _add(target, key, value if kind == "move" else copy.deepcopy(value))
    except JSONPatchError as error:
        if kind == "copy":
            raise JSONPatchError(f"error while adding value during copy: {error}") from None
        raise JSONPatchError(f"error in move for path: '{path}': {error}") from None
    return doc


def _same(a: Any, b: Any) -> bool:
    """JSON equality: 1 and true differ, key order does not matter."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


def apply_patch(document: dict | list, operations: list[dict]) -> dict | list:
    """The document after every operation, in order (a copy; the input is never changed).
    The first operation that fails raises JSONPatchError and nothing is applied."""
    doc = copy.deepcopy(document)
    for op in operations:
        doc = _apply_one(doc, op)
    return doc

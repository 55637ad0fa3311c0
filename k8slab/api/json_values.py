"""What an API object may hold: JSON values only, nested to a sane depth, within 3 MiB.

The API server stores JSON: text, numbers, true/false, null, lists and mappings with text keys.
to_json() turns what a reader hands over into exactly that, as kubectl's YAML-to-JSON step does
(sigs.k8s.io/yaml: number and boolean keys become text, a time becomes RFC 3339 text) or, when
strict, refuses anything that is not JSON already. It also refuses what the API server would
not take: an object over 3 MiB as JSON (apiserver's MaxRequestBodyBytes: 413 `Request entity
too large: limit is 3145728`), and nesting deeper than MAX_DEPTH. Shared sub-objects (YAML
aliases) come back as separate copies, after their expanded size is counted.
"""

from __future__ import annotations

import copy
import datetime
import json
import math
from typing import Any

from k8slab.errors import ManifestError

# apiserver pkg/server/config.go: MaxRequestBodyBytes = 3 * 1024 * 1024.
MAX_OBJECT_BYTES = 3 * 1024 * 1024
# Ours: upstream's YAML and JSON decoders stop at 10000 levels; Python's recursion cannot go
# that deep, and no Kubernetes object needs more than about 15.
MAX_DEPTH = 100
NOT_JSON = (
    "an API object holds only JSON values: text, numbers, true/false, null, lists, "
    "and mappings with text keys"
)


def go_time_text(moment: datetime.date) -> str:
    """A date or time as Go's time.Time marshals it: RFC 3339, fraction trimmed, UTC as "Z"."""
    if not isinstance(moment, datetime.datetime):
        moment = datetime.datetime(moment.year, moment.month, moment.day)
    offset = moment.utcoffset() or datetime.timedelta(0)
    text = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment:%H:%M:%S}"
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    if not offset:
        return text + "Z"
    minutes = int(abs(offset).total_seconds()) // 60
    sign = "-" if offset < datetime.timedelta(0) else "+"
    return f"{text}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _key_text(key: Any) -> str | None:
    # sigs.k8s.io/yaml convertToJSONableObject: number and boolean keys are written as text.
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key)
    if isinstance(key, float) and math.isfinite(key):
        return json.dumps(key)
    return None


def _valid_text(text: str) -> str:
    # Go writes invalid UTF-8 as U+FFFD; a lone surrogate is Python's form of it.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


class _Converter:
    """One conversion, with its byte budget, the containers it is inside and those it has done."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.size = 0
        self.inside: set[int] = set()
        self.done: dict[int, tuple[Any, int]] = {}

    def charge(self, size: int, path: str) -> int:
        self.size += size
        if self.size > MAX_OBJECT_BYTES:
            raise ManifestError(
                f"Request entity too large: limit is {MAX_OBJECT_BYTES} ({path or 'the object'} "
                "takes the object over 3 MiB as JSON; the API server refuses larger bodies)"
            )
        return size

    def value(self, value: Any, path: str, depth: int) -> tuple[Any, int]:
        """(the value as JSON data, its size in bytes as compact JSON)."""
        if value is None or isinstance(value, bool):
            return value, self.charge(_LITERAL_SIZE[value], path)
        if isinstance(value, int):
            return value, self.charge(len(str(value)), path)
        if isinstance(value, float):
            if not math.isfinite(value):
                self.refuse(path, f"json: unsupported value: {json.dumps(value)} ({NOT_JSON})")
            return value, self.charge(len(json.dumps(value)), path)
        if isinstance(value, str):
            text = _valid_text(value)
            return text, self.charge(_text_size(text), path)
        if isinstance(value, (dict, list)) or (isinstance(value, tuple) and not self.strict):
            return self.container(value, path, depth + 1)
        if isinstance(value, datetime.date) and not self.strict:
            return self.value(go_time_text(value), path, depth)
        if isinstance(value, bytes) and not self.strict:
            return self.value(value.decode("utf-8", "replace"), path, depth)
        if isinstance(value, (set, frozenset)):
            self.refuse(path, f"a set has no order; use a list ({NOT_JSON})")
        self.refuse(path, f"a {type(value).__name__} is not a JSON value ({NOT_JSON})")
        raise AssertionError  # refuse() always raises

    def container(self, value: Any, path: str, depth: int) -> tuple[Any, int]:
        if depth > MAX_DEPTH:
            self.refuse(path, f"nested deeper than {MAX_DEPTH} levels, the most k8slab reads")
        if id(value) in self.inside:
            self.refuse(path, "holds itself (a YAML anchor whose value contains its own alias)")
        if id(value) in self.done:
            converted, size = self.done[id(value)]
            self.charge(size, path)
            return copy.deepcopy(converted), size
        self.inside.add(id(value))
        if isinstance(value, dict):
            converted, size = self.mapping(value, path, depth)
        else:
            items = [
                self.value(item, f"{path}[{index}]", depth) for index, item in enumerate(value)
            ]
            converted = [item for item, _ in items]
            size = 2 + sum(item_size for _, item_size in items) + max(len(items) - 1, 0)
        self.inside.discard(id(value))
        self.done[id(value)] = (converted, size)
        return converted, size

    def mapping(self, value: dict, path: str, depth: int) -> tuple[dict, int]:
        converted, size = {}, 0
        for key, item in value.items():
            text = key if isinstance(key, str) else None if self.strict else _key_text(key)
            if text is None:
                self.refuse(path, f"the key {key!r} is not text ({NOT_JSON})")
            item_path = f"{path}.{text}" if path else text
            converted[text], item_size = self.value(item, item_path, depth)
            size += self.charge(_text_size(text) + 1, path)
            size += item_size
        return converted, size

    def refuse(self, path: str, problem: str) -> None:
        if len(path) > 80:
            path = path[:40] + "..." + path[-37:]
        raise ManifestError(f"{path}: {problem}" if path else problem)


_LITERAL_SIZE = {None: 4, True: 4, False: 5}  # null, true, false


def _text_size(text: str) -> int:
    """The bytes `text` takes as a JSON string, quotes included (UTF-8, escapes counted)."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return len(text) + 2  # nothing to escape: the text between two quotes
    return len(json.dumps(text, ensure_ascii=False).encode())


def to_json(value: Any, strict: bool = False) -> Any:
    """value as plain JSON data (a new copy), or a ManifestError naming the path of the problem.

    strict refuses anything not JSON already; otherwise tuples become lists, dates and times
    RFC 3339 text, bytes text, and number or boolean keys text, as kubectl's reader makes them.
    """
    return _Converter(strict).value(value, "", 0)[0]

"""A fast deep copy of a decoded object: the watch cache hands out copies, never its own.

An object decoded from JSON holds only dicts, lists, strings, numbers, booleans and None, so a
copy needs none of copy.deepcopy's memo and dispatch; `benchmarks/bench_apiserver_cache.py`
measures the difference.
"""

from __future__ import annotations

from typing import Any


def json_copy(value: Any) -> Any:
    """A deep copy of a JSON value (dicts and lists copied, everything else immutable)."""
    if isinstance(value, dict):
        return {k: json_copy(v) if isinstance(v, dict | list) else v for k, v in value.items()}
    if isinstance(value, list):
        return [json_copy(v) if isinstance(v, dict | list) else v for v in value]
    return value

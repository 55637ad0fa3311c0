"""Manifests in and out: YAML (or JSON) documents to checked objects, and objects back to YAML.

load_manifests is `kubectl apply -f` without the apply: it reads every document as kubectl
reads it (YAML to JSON, within go-yaml's limits: yaml_reader, json_values), then does what the
API server does with each (decode strictly, default, validate), and returns all objects or
raises for the first bad one, so a caller applies either everything or nothing.
dump_manifest is `kubectl get -o yaml`.
"""

from __future__ import annotations

import codecs
import json
import pathlib
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import yaml

from k8slab.api import yaml_reader
from k8slab.api.defaults import apply_defaults
from k8slab.api.json_values import MAX_DEPTH, to_json
from k8slab.api.kinds import Kind, kind_info
from k8slab.api.validation import validate
from k8slab.api.validation.shape import check_shape
from k8slab.errors import BadRequestError, InvalidError, ManifestError

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
TOP_LEVEL_ORDER = ("apiVersion", "kind", "metadata", "spec", "status")


class _ManifestDumper(yaml.SafeDumper):
    """yaml.SafeDumper that double-quotes text holding YAML 1.1's other line breaks.

    NEL, LS and PS (U+0085, U+2028, U+2029) would be read back as plain line breaks in any
    other style; in double quotes they are escaped.
    """


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if any(char in text for char in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_ManifestDumper.add_representer(str, _represent_text)


def load_manifests(source: str | pathlib.Path | dict | list,
                   custom: Sequence[Kind] = ()) -> list[dict]:
    """Every object in source, decoded, defaulted and validated; raises for the first bad one.

    source is YAML text (one or many `---` documents), a dict, a list of dicts, or the path
    (pathlib.Path or str) of a .yaml/.yml/.json file. Empty documents are skipped and a
    `kind: List` contributes its items. Errors name the document ("document 2: ...") when
    there are several, and the line for YAML errors. Files are UTF-8, or UTF-16 with a BOM.
    `custom` are the kinds a cluster's CRDs serve (what kubectl learns by discovery); their
    objects are only read here, as the API server alone knows their schema.
    """
    documents = _documents(source)
    prefix_numbers = len(documents) > 1
    objects: list[dict] = []
    for number, document in documents:
        prefix = f"document {number}: " if prefix_numbers else ""
        if isinstance(document, dict) and document.get("kind") == "List":
            objects += _list_items(document, prefix, custom)
        else:
            objects.append(_checked(document, prefix, custom))
    return objects


def _list_items(document: dict, prefix: str, custom: Sequence[Kind]) -> list[dict]:
    document = _with_prefix(prefix, to_json, document)
    _with_prefix(prefix, check_shape, document)
    items = document.get("items")
    if not isinstance(items, list):
        raise ManifestError(f"{prefix}a List needs items: a list of objects")
    return [_checked(item, f"{prefix}item {index}: ", custom)
            for index, item in enumerate(items, 1)]


def _checked(document: Any, prefix: str, custom: Sequence[Kind] = ()) -> dict:
    """One document as a defaulted, validated object."""
    return _with_prefix(prefix, partial(_check_and_default, custom=custom), document)


def _check_and_default(document: Any, custom: Sequence[Kind] = ()) -> dict:
    # kubectl's reading (JSON values, shape, a known kind), then the API server's decoding
    # and defaulting (apply_defaults) and validation, in that order.
    document = to_json(document)
    check_shape(document)
    if kind_info(document["kind"], document["apiVersion"], custom) in custom:
        return document
    obj = apply_defaults(document)
    validate(obj)
    return obj


def _with_prefix(prefix: str, step: Callable[[Any], Any], document: Any) -> Any:
    """step(document), with prefix ("document 2: ") added to the message of any error raised."""
    try:
        return step(document)
    except (ManifestError, BadRequestError, InvalidError) as err:
        if not prefix:
            raise
        raise type(err)(f"{prefix}{err}") from None


def _documents(source: Any) -> list[tuple[int, Any]]:
    """(position in the stream, document) for every non-empty document in source."""
    if isinstance(source, dict):
        return [(1, source)]
    if isinstance(source, (list, tuple)):
        return [(number, doc) for number, doc in enumerate(source, 1) if doc is not None]
    if isinstance(source, pathlib.Path) or (isinstance(source, str) and _looks_like_path(source)):
        path = pathlib.Path(source)
        text = _read_file(path)
        if path.suffix.lower() == ".json":
            return [(1, _parse_json(text, f"{source}: "))]
        return _parse_yaml(text, f"{source}: ")
    if isinstance(source, str):
        if source.lstrip().startswith("{"):
            return [(1, _parse_json(source, ""))]
        return _parse_yaml(source, "")
    raise ManifestError(
        f"cannot read manifests from a {type(source).__name__}; pass YAML text, a dict, "
        "a list of dicts, or the path of a .yaml, .yml or .json file"
    )


def _looks_like_path(text: str) -> bool:
    """A single line ending in .yaml, .yml or .json is a file name, not YAML text."""
    stripped = text.strip()
    return "\n" not in stripped and stripped.lower().endswith(MANIFEST_SUFFIXES)


def _read_file(path: pathlib.Path) -> str:
    if not path.is_file():
        raise ManifestError(f'the path "{path}" does not exist')
    if path.suffix.lower() not in MANIFEST_SUFFIXES:
        raise ManifestError(f'"{path}" is not a manifest file: expected .yaml, .yml or .json')
    return _decode_text(path.read_bytes(), path)


def _decode_text(data: bytes, path: pathlib.Path) -> str:
    """A file's text: UTF-8 (a byte-order mark is dropped), or UTF-16 with a byte-order mark.

    The encodings go-yaml reads; anything else is refused with where the first bad byte is.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ManifestError(f'"{path}" starts as UTF-16 but is not valid UTF-16') from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ManifestError(
            f'"{path}" is not UTF-8 text: byte 0x{data[err.start]:02x} on line {line}; '
            "save it as UTF-8 (or UTF-16 with a byte-order mark), the encodings kubectl reads"
        ) from None


def _parse_json(text: str, origin: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ManifestError(
            f"{origin}JSON syntax error at line {err.lineno}, column {err.colno}: {err.msg}"
        ) from None
    except RecursionError:
        raise ManifestError(
            f"{origin}JSON nested deeper than {MAX_DEPTH} levels, the most k8slab reads"
        ) from None


def _parse_yaml(text: str, origin: str) -> list[tuple[int, Any]]:
    documents = []
    number = 0
    try:
        for number, document in enumerate(yaml_reader.load_all(text), 1):
            documents.append((number, document))
    except yaml.YAMLError as err:
        raise ManifestError(origin + _yaml_error_text(err, number + 1)) from None
    return [(position, doc) for position, doc in documents if doc is not None]


def _yaml_error_text(err: yaml.YAMLError, number: int) -> str:
    where = f"document {number}: " if number > 1 else ""
    what = "YAML refused" if isinstance(err, yaml_reader.ReadLimitError) else "YAML syntax error"
    mark = getattr(err, "problem_mark", None)
    problem = getattr(err, "problem", None) or getattr(err, "context", None) or str(err)
    if mark is None:
        return f"{where}{what}: {problem}"
    return f"{where}{what} at line {mark.line + 1}, column {mark.column + 1}: {problem}"


def _sorted_deep(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted_deep(value[key]) for key in sorted(value, key=str)}
    if isinstance(value, list):
        return [_sorted_deep(item) for item in value]
    return value


def dump_manifest(obj: dict) -> str:
    """obj as block-style YAML, the way `kubectl get -o yaml` prints it.

    Top-level keys come in Kubernetes order (apiVersion, kind, metadata, spec, status, then
    the rest); keys inside are sorted, as kubectl sorts them.
    """
    first = [key for key in TOP_LEVEL_ORDER if key in obj]
    rest = sorted((key for key in obj if key not in TOP_LEVEL_ORDER), key=str)
    ordered = {key: _sorted_deep(obj[key]) for key in first + rest}
    return yaml.dump(
        ordered,
        Dumper=_ManifestDumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=2**31 - 1,
    )

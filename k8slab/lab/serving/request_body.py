"""A request's body, decoded as kube-apiserver decodes it: JSON, YAML or protobuf, by its
Content-Type.

Malformed JSON gets encoding/json's words inside the create handler's message
(endpoints/handlers/rest.go transformDecodeError: "the object provided is unrecognized (must be
of type Pod): couldn't get version/kind; json parse error: unexpected end of JSON input
({"kind": ...)"); a media type the server cannot decode is a 415. Simplified: Python's JSON
parser finds the error and we word it as Go's does for the common cases (end of input, an
unexpected character); Go's exact context words may differ for rarer ones.
"""

from __future__ import annotations

import json

import yaml

from k8slab.api.yaml_reader import load_all
from k8slab.errors import BadRequestError, K8sLabError
from k8slab.lab.serving.protobuf_body import PROTOBUF_TYPE, ProtobufError, decode_protobuf

JSON_TYPE = "application/json"
YAML_TYPE = "application/yaml"
# What the server decodes (upstream also decodes CBOR, which k8slab does not).
BODY_TYPES = (JSON_TYPE, YAML_TYPE, PROTOBUF_TYPE)
PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json", "application/apply-patch+yaml")


class UnsupportedMediaType(K8sLabError):
    """The body's Content-Type is none the server decodes (a 415)."""


def media_type(content_type: str) -> str:
    """The bare media type of a Content-Type header: `application/json; charset=utf-8` ->
    `application/json`; none means JSON, as client-go always sends it."""
    return content_type.split(";", 1)[0].strip().lower() or JSON_TYPE


def decode_body(body: bytes, content_type: str, into: str) -> object:
    """The JSON value of a create or update body, whose object should be an `into` (the Kind
    named in messages). Raises UnsupportedMediaType or a 400 in upstream's words."""
    kind = media_type(content_type)
    if kind not in BODY_TYPES:
        raise UnsupportedMediaType(kind)
    if kind == PROTOBUF_TYPE:
        try:
            return decode_protobuf(body)
        except ProtobufError as error:
            raise _unrecognized(into, str(error), body) from None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _unrecognized(into, "couldn't get version/kind; json parse error: invalid "
                            "character looking for beginning of value", body) from None
    if kind == YAML_TYPE:
        return _yaml(text, into, body)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise _unrecognized(into, "couldn't get version/kind; json parse error: "
                            + go_json_error(error), body) from None


def _yaml(text: str, into: str, body: bytes) -> object:
    try:
        documents = list(load_all(text))
    except (yaml.YAMLError, K8sLabError) as error:
        problem = getattr(error, "problem", None) or str(error)
        mark = getattr(error, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise _unrecognized(into, f"error converting YAML to JSON: yaml: {line}{problem}",
                            body) from None
    return documents[0] if documents else None


def _unrecognized(into: str, cause: str, body: bytes) -> BadRequestError:
    return BadRequestError(f"the object provided is unrecognized (must be of type {into}): "
                           f"{cause} ({summarize(body)})")


def summarize(body: bytes, limit: int = 30) -> str:
    """rest.go summarizeData: the body's start, as text if it looks like JSON, else in hex."""
    if not body:
        return "<empty>"
    head = body[:limit]
    more = " ..." if len(body) > limit else ""
    if body[:1] == b"{":
        return head.decode("utf-8", "replace") + more
    return head.hex() + more


def go_json_error(error: json.JSONDecodeError) -> str:
    """Python's JSON error in encoding/json's words (scanner.go)."""
    text, at = error.doc, error.pos
    if at >= len(text.rstrip()) or "Unterminated string" in error.msg:
        return "unexpected end of JSON input"
    char = text[at]
    shown = f"'{char}'" if char != "'" else "'\\''"
    if error.msg.startswith("Expecting property name"):
        return f"invalid character {shown} looking for beginning of object key string"
    if error.msg.startswith("Expecting ':'"):
        return f"invalid character {shown} after object key"
    if error.msg.startswith("Expecting ','"):
        inside = _innermost(text[:at])
        where = "object key:value pair" if inside == "{" else "array element"
        return f"invalid character {shown} after {where}"
    if error.msg.startswith("Extra data"):
        return f"invalid character {shown} after top-level value"
    if char in _LITERALS and error.msg.startswith("Expecting value"):
        word = _LITERALS[char]
        for offset, expected in enumerate(word):
            if at + offset >= len(text):
                return "unexpected end of JSON input"
            got = text[at + offset]
            if got != expected:
                return f"invalid character '{got}' in literal {word} (expecting '{expected}')"
    return f"invalid character {shown} looking for beginning of value"


_LITERALS = {"t": "true", "f": "false", "n": "null"}


def _innermost(prefix: str) -> str:
    """The innermost bracket still open at the end of `prefix` (strings skipped)."""
    stack: list[str] = []
    in_string = escaped = False
    for char in prefix:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "{[":
            stack.append(char)
        elif char in "}]" and stack:
            stack.pop()
    return stack[-1] if stack else ""

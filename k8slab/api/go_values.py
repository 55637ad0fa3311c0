"""How Go prints a decoded JSON value, for the error texts that quote one.

Upstream decodes JSON into interface{} values (map[string]interface{}, []interface{}, string,
int64 or float64, bool, nil) and formats them with fmt's %v: `map[image:nginx name:web]` with
the keys sorted, `[a b]`, `<nil>`. The strategic merge patch quotes maps this way in its errors
(`map: map[image:nginx] does not contain declared merge key: name`).
"""

from __future__ import annotations

from typing import Any


def go_type_name(value: Any) -> str:
    """reflect.TypeOf(value).String() for a decoded JSON value: "map[string]interface {}"..."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"  # kjson.UnmarshalCaseSensitivePreserveInts keeps integers int64
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, dict):
        return "map[string]interface {}"
    return type(value).__name__


def _float(value: float) -> str:
    # strconv.FormatFloat(f, 'g', -1, 64) with %v's exponent threshold of 21.
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value).replace("e+0", "e+").replace("e-0", "e-")


def go_sprint(value: Any) -> str:
    """fmt.Sprint(value) for a decoded JSON value."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_sprint(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list | tuple):
        return "[" + " ".join(go_sprint(v) for v in value) + "]"
    return str(value)


def go_json_error(text: str, error: ValueError) -> str:
    """encoding/json's words for JSON that does not parse: `unexpected end of JSON input`, or
    `invalid character 'x' looking for beginning of value` (simplified: Go names the context
    of the bad character more precisely, e.g. `after object key`)."""
    position = getattr(error, "pos", len(text))
    if not text.strip() or position >= len(text):
        return "unexpected end of JSON input"
    return f"invalid character '{text[position]}' looking for beginning of value"


_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
            "\v": "\\v", "\\": "\\\\", '"': '\\"'}


def go_quote(text: str) -> str:
    """Go's %q (strconv.Quote): printable characters as they are, the rest escaped."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char.isprintable():
            out.append(char)
        elif ord(char) < 0x80:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'

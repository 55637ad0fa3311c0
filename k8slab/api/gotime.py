"""Go's time.Parse for the two layouts the API uses, so a bad time fails with Go's words.

metav1.Time parses RFC 3339 ("2006-01-02T15:04:05Z07:00") and metav1.MicroTime RFC 3339 with
exactly six fractional digits ("2006-01-02T15:04:05.000000Z07:00"). The checks and messages
are Go's time/format.go: `parsing time "x" as "<layout>": cannot parse "x" as "2006"`,
`parsing time "...": month out of range`, `...: extra text: "..."`.
"""

from __future__ import annotations

import calendar
import functools
import re

RFC3339 = "2006-01-02T15:04:05Z07:00"
RFC3339_MICRO = "2006-01-02T15:04:05.000000Z07:00"
# A layout as Go's nextStdChunk splits it: literal text, or one of the std elements below.
_CHUNKS = re.compile(r"2006|01|02|15|04|05|\.0+|Z07:00")
# (range word, lowest, highest) for the two-digit elements; the day is checked at the end.
_RANGES = {
    "01": ("month", 1, 12),
    "02": ("", 0, 99),
    "15": ("hour", 0, 23),
    "04": ("minute", 0, 59),
    "05": ("second", 0, 59),
}


def go_quote(text: str) -> str:
    """Go's time.quote: double quotes, \\" and \\\\ escaped, other bytes past ASCII as \\xNN."""
    out = []
    for char in text:
        if ord(char) >= 0x80 or char < " ":
            out += [f"\\x{byte:02x}" for byte in char.encode("utf-8", "surrogatepass")]
        else:
            out.append("\\" + char if char in '"\\' else char)
    return '"' + "".join(out) + '"'


def _number(value: str, fixed: bool) -> tuple[int, str] | None:
    # Go's getnum: one or two digits, exactly two when fixed.
    if not value[:1].isdigit() or not value[:1].isascii():
        return None
    if len(value) < 2 or not (value[1].isdigit() and value[1].isascii()):
        return None if fixed else (int(value[0]), value[1:])
    return int(value[:2]), value[2:]


def _zone(value: str) -> str | None:
    # stdISO8601ColonTZ: "Z", or a sign, two digits, ":" and two digits.
    if value[:1] == "Z":
        return value[1:]
    if len(value) < 6 or value[3] != ":" or value[0] not in "+-":
        return None
    if _number(value[1:3], True) is None or _number(value[4:6], True) is None:
        return None
    return value[6:]


def _cannot(prefix: str, layout: str, value: str, element: str) -> str:
    return f"{prefix} as {go_quote(layout)}: cannot parse {go_quote(value)} as {go_quote(element)}"


@functools.lru_cache(maxsize=4096)  # pure, and the same timestamps come back in every update
def go_time_error(layout: str, text: str) -> str | None:
    """The error Go's time.Parse(layout, text) returns, or None when text parses."""
    prefix = f"parsing time {go_quote(text)}"
    chunks = list(_CHUNKS.finditer(layout))
    value, fields, position = text, {}, 0
    for index, chunk in enumerate(chunks):
        literal = layout[position : chunk.start()]
        if not value.startswith(literal):
            return _cannot(prefix, layout, value, literal)
        value = value[len(literal) :]
        fraction_next = index + 1 < len(chunks) and chunks[index + 1].group().startswith(".")
        try:
            rest = _element(chunk.group(), value, fields, fraction_next)
        except _OutOfRange as err:
            return f"{prefix}: {err} out of range"
        if rest is None:
            return _cannot(prefix, layout, value, chunk.group())
        value, position = rest, chunk.end()
    if not value.startswith(layout[position:]):
        return _cannot(prefix, layout, value, layout[position:])
    value = value[len(layout) - position :]
    if value:
        return f"{prefix}: extra text: {go_quote(value)}"
    year, month, day = fields["2006"], fields["01"], fields["02"]
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return f"{prefix}: day out of range"
    return None


class _OutOfRange(Exception):
    """A number in the right place but out of its range: "month", "hour"..."""


def _element(element: str, value: str, fields: dict[str, int], fraction_next: bool) -> str | None:
    """The text left after one std element, or None when the element does not parse there."""
    if element == "2006":
        if len(value) < 4 or not (value[:4].isdigit() and value[:4].isascii()):
            return None
        fields[element] = int(value[:4])
        return value[4:]
    if element == "Z07:00":
        return _zone(value)
    if element.startswith("."):
        digits = len(element) - 1
        fraction = value[1 : 1 + digits]
        if value[:1] not in ".," or len(fraction) < digits or not fraction.isdigit():
            return None
        return value[1 + digits :]
    parsed = _number(value, fixed=element != "15")
    if parsed is None:
        return None
    number, rest = parsed
    word, lowest, highest = _RANGES[element]
    if word and not lowest <= number <= highest:
        raise _OutOfRange(word)
    fields[element] = number
    if element == "05" and not fraction_next and re.match(r"[.,][0-9]", rest):
        # A fractional second the layout does not name is accepted after the seconds.
        rest = rest[1:].lstrip("0123456789")
    return rest

"""How Go prints what etcdctl prints: %q quoting, durations, humanize.Bytes, and tablewriter's
ASCII tables, so that our output is etcdctl's byte for byte."""

from __future__ import annotations

import base64
import json
import math


def b64(text: str) -> str:
    """A []byte field as encoding/json writes it: base64 of the bytes."""
    return base64.b64encode(text.encode()).decode()


def dumps(value: object) -> str:
    """encoding/json.Marshal's compact form."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def duration(seconds: float) -> str:
    """time.Duration.String(): "1.5s", "2.345ms", "0s" (nanosecond precision)."""
    nanos = round(seconds * 1e9)
    if nanos == 0:
        return "0s"
    if nanos < 1_000:
        return f"{nanos}ns"
    if nanos < 1_000_000:
        return _trim(nanos / 1e3) + "µs"
    if nanos < 1_000_000_000:
        return _trim(nanos / 1e6) + "ms"
    minutes, rest = divmod(nanos, 60_000_000_000)
    hours, minutes = divmod(minutes, 60)
    text = _trim(rest / 1e9) + "s"
    if hours:
        return f"{hours}h{minutes}m{text}"
    return f"{minutes}m{text}" if minutes else text


def _trim(number: float) -> str:
    return f"{number:.9f}".rstrip("0").rstrip(".")


def human_bytes(size: int) -> str:
    """go-humanize's Bytes (SI units): 20480 -> "20 kB", 999 -> "999 B", 1500000 -> "1.5 MB"."""
    if size < 10:
        return f"{size} B"
    exponent = math.floor(math.log(size, 1000))
    value = math.floor(size / 1000**exponent * 10 + 0.5) / 10
    unit = ("B", "kB", "MB", "GB", "TB", "PB", "EB")[exponent]
    return f"{value:.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"


def table(header: list[str], rows: list[list[str]]) -> str:
    """olekukonko/tablewriter as etcdctl sets it up: upper-case centred header, cells aligned
    right, one space of padding, +---+ borders."""
    titles = [h.upper() for h in header]
    widths = [max([len(t), *(len(r[i]) for r in rows)]) for i, t in enumerate(titles)]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def centred(text: str, width: int) -> str:
        gap = width - len(text)
        return " " * (gap // 2) + text + " " * (gap - gap // 2)

    def line(cells: list[str]) -> str:
        return "|" + "|".join(f" {cell} " for cell in cells) + "|"

    lines = [rule, line([centred(t, w) for t, w in zip(titles, widths, strict=True)]), rule]
    lines += [line([f"{c:>{w}}" for c, w in zip(row, widths, strict=True)]) for row in rows]
    lines.append(rule)
    return "\n".join(lines)

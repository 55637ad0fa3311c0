"""Timestamps on simulated time: seconds since a fixed epoch, written as Kubernetes writes them.

The simulation never reads a wall clock. Simulated second 0 is 2026-01-01T00:00:00Z;
metav1.Time serialises to whole seconds (RFC 3339) and metav1.MicroTime, used by a Lease's
renewTime, to microseconds (k8s.io/apimachinery/pkg/apis/meta/v1 time.go, micro_time.go).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
EPOCH_TEXT = "2026-01-01T00:00:00Z"

_MICROS_PER_SECOND = 1_000_000
_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]+))?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def _micros(seconds: float) -> int:
    # Nearest microsecond, so float noise (29.999999999) does not lose a whole second.
    return round(seconds * _MICROS_PER_SECOND)


def to_time(seconds: float) -> str:
    """metav1.Time text for a simulated time, truncated to the second.

    30.7 is "2026-01-01T00:00:30Z".
    """
    whole = timedelta(seconds=_micros(seconds) // _MICROS_PER_SECOND)
    return (EPOCH + whole).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_micro_time(seconds: float) -> str:
    """metav1.MicroTime text for a simulated time: 30 is "2026-01-01T00:00:30.000000Z"."""
    moment = EPOCH + timedelta(microseconds=_micros(seconds))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_time(text: str) -> float:
    """Simulated seconds for an RFC 3339 timestamp, with or without fractional seconds.

    Raises ValueError when the text is not RFC 3339 (e.g. "2026-01-01T00:00:30Z").
    """
    match = _RFC3339.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(
            f"{text!r} is not an RFC 3339 time; expected e.g. {EPOCH_TEXT!r} "
            "or '2026-01-01T00:00:00.000000Z'"
        )
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    offset = timedelta(0)
    if zone not in ("Z", "z"):
        sign = -1 if zone[0] == "-" else 1
        offset = sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    try:
        fields = (int(part) for part in (year, month, day, hour, minute, second))
        moment = datetime(*fields, tzinfo=timezone(offset))
    except ValueError as err:
        raise ValueError(f"{text!r} is not a valid time: {err}") from None
    micros = int((fraction or "").ljust(6, "0")[:6])
    delta = moment - EPOCH
    total = (delta.days * 86_400 + delta.seconds) * _MICROS_PER_SECOND + micros
    return total / _MICROS_PER_SECOND

"""Ages the way kubectl prints them: `45s`, `3m10s`, `5h`, `2d1h`, `367d`.

Simulated time is seconds since 2026-01-01T00:00:00Z; objects carry RFC3339 timestamps, so an
age is `now` minus the timestamp, rounded down to the precision `kubectl get` shows.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from k8slab.errors import K8sLabError

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
"""The instant simulated time 0.0 stands for."""

UNKNOWN = "<unknown>"
"""What kubectl prints for a timestamp that is not set."""


def human_duration(seconds: float) -> str:
    """A duration in about two significant figures, exactly as kubectl's AGE column shows it.

    Port of HumanDuration in k8s.io/apimachinery/pkg/util/duration/duration.go: up to one second
    in the future reads "0s" (clocks drift); further in the future is "<invalid>".
    """
    if not math.isfinite(seconds):
        raise K8sLabError(f"a duration must be a finite number of seconds, got {seconds!r}")
    whole = int(seconds)  # truncates toward zero, as Go's int(d.Seconds()) does
    if whole < -1:
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 2 * 60:
        return f"{whole}s"
    minutes = whole // 60
    if minutes < 10:
        return _two_units(minutes, "m", whole % 60, "s")
    if minutes < 3 * 60:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        return _two_units(hours, "h", minutes % 60, "m")
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if hours < 8 * 24:
        return _two_units(days, "d", hours % 24, "h")
    if hours < 2 * 365 * 24:
        return f"{days}d"
    years = days // 365
    if hours < 8 * 365 * 24:
        return _two_units(years, "y", days % 365, "d")
    return f"{years}y"


def _two_units(big: int, big_unit: str, small: int, small_unit: str) -> str:
    """`3m10s`, or just `3m` when the smaller unit is zero."""
    return f"{big}{big_unit}{small}{small_unit}" if small else f"{big}{big_unit}"


def parse_timestamp(value: str, field: str = "timestamp") -> float:
    """Simulated seconds for an RFC3339 time such as `2026-01-01T00:00:30Z`.

    `field` names where the value came from, for the error message.
    """
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise K8sLabError(
            f"{field} {value!r} is not an RFC3339 time like 2026-01-01T00:00:30Z"
        ) from None
    if moment.tzinfo is None:
        raise K8sLabError(f"{field} {value!r} has no time zone; write it like 2026-01-01T00:00:30Z")
    return (moment - EPOCH).total_seconds()


def age(timestamp: str | None, now: float, field: str = "timestamp") -> str:
    """How long ago `timestamp` was at simulated time `now`; `<unknown>` when it is not set.

    Mirrors translateTimestampSince in kubernetes pkg/printers/internalversion/printers.go.
    """
    if not timestamp:
        return UNKNOWN
    return human_duration(now - parse_timestamp(timestamp, field))

"""How kubectl shows an Event: its `get events` row, its age with a count ("5s (x3 over 2m)"),
and the instant the event commands sort by.

A core/v1 Event carries firstTimestamp/lastTimestamp/count when the old recorder wrote it, and
eventTime/series when the events.k8s.io recorder did; every printer reads both shapes
(kubernetes pkg/printers/internalversion/printers.go printEvent, kubectl pkg/describe
DescribeEvents, kubectl pkg/cmd/events/event_printer.go).
"""

from __future__ import annotations

from k8slab.lab.kubectl.durations import UNKNOWN, human_duration, parse_timestamp
from k8slab.lab.kubectl.printers import name_of


def since(event: dict, field: str, now: float) -> str:
    """translateTimestampSince of one of the event's time fields; `<unknown>` when unset."""
    value = _field(event, field)
    if not value:
        return UNKNOWN
    return human_duration(now - parse_timestamp(value, field))


def _field(event: dict, field: str) -> str | None:
    if field == "series.lastObservedTime":
        return (event.get("series") or {}).get("lastObservedTime")
    return event.get(field)


def first_seen(event: dict, now: float) -> str:
    """The age of eventTime, or of firstTimestamp when eventTime is not set (describe's rule)."""
    if event.get("eventTime"):
        return since(event, "eventTime", now)
    return since(event, "firstTimestamp", now)


def interval(event: dict, now: float) -> str:
    """`5s (x3 over 2m)` for a repeated event, else the age of its first sighting.

    getInterval / DescribeEvents: a series counts with its lastObservedTime; an old-style event
    with count > 1 uses lastTimestamp.
    """
    first = first_seen(event, now)
    series = event.get("series")
    if series:
        last = since(event, "series.lastObservedTime", now)
        return f"{last} (x{series.get('count', 0)} over {first})"
    if event.get("count", 0) > 1:
        return f"{since(event, 'lastTimestamp', now)} (x{event['count']} over {first})"
    return first


def event_cells(event: dict, now: float) -> list[str]:
    """LAST SEEN TYPE REASON OBJECT [SUBOBJECT SOURCE] MESSAGE [FIRST SEEN COUNT NAME]."""
    first = since(event, "firstTimestamp", now)
    if not event.get("firstTimestamp"):
        first = since(event, "eventTime", now)
    last = since(event, "lastTimestamp", now) if event.get("lastTimestamp") else first
    count = event.get("count", 0)
    series = event.get("series")
    if series:
        last = since(event, "series.lastObservedTime", now)
        count = series.get("count", 0)
    elif count == 0:
        count = 1  # singleton events of the new API have no count
    involved = event.get("involvedObject", {})
    target = involved.get("kind", "").lower()
    if involved.get("name"):
        target = f"{target}/{involved['name']}"
    source = event.get("source") or {}
    return [
        last,
        event.get("type", ""),
        event.get("reason", ""),
        target,
        involved.get("fieldPath", ""),
        _source(source.get("component") or event.get("reportingComponent", ""),
                source.get("host") or event.get("reportingInstance", "")),
        event.get("message", "").strip(),
        first,
        str(count),
        name_of(event),
    ]


def _source(component: str, instance: str) -> str:
    """formatEventSource: `kubelet, worker-1`, or the component alone."""
    return f"{component}, {instance}" if instance else component


def last_seen_at(event: dict) -> float:
    """The instant `kubectl events` sorts by: series.lastObservedTime, else lastTimestamp, else
    eventTime (kubectl pkg/cmd/events eventTime()); an event with none sorts first."""
    for field in ("series.lastObservedTime", "lastTimestamp", "eventTime"):
        value = _field(event, field)
        if value:
            return parse_timestamp(value, field)
    return float("-inf")


def last_timestamp_at(event: dict) -> float:
    """The instant `kubectl describe` sorts by: lastTimestamp alone (kubectl pkg/util/event);
    an event without one (events.k8s.io style) sorts first, as Go's zero time does."""
    value = event.get("lastTimestamp")
    return parse_timestamp(value, "lastTimestamp") if value else float("-inf")

"""`kubectl events`: a namespace's events (or every namespace's, or one object's), oldest
sighting first, as kubectl v1.35 prints them (k8s.io/kubectl pkg/cmd/events events.go,
event_printer.go): LAST SEEN, TYPE, REASON, OBJECT (Kind/name), MESSAGE.

Unlike `kubectl get events` (the API server's table, by name), this command sorts by when each
event was last seen: series.lastObservedTime, else lastTimestamp, else eventTime.
"""

from __future__ import annotations

from dataclasses import dataclass

from k8slab.errors import BadRequestError
from k8slab.lab.kubectl.event_printers import interval, last_seen_at
from k8slab.lab.kubectl.flags import NAMESPACE, Flag, parse_flags
from k8slab.lab.kubectl.get import ClusterReader, WatchingReader
from k8slab.lab.kubectl.go_sort import go_sort
from k8slab.lab.kubectl.resources import BY_ALIAS
from k8slab.lab.kubectl.tabwriter import format_table

DEFAULT_NAMESPACE = "default"
USAGE = (
    "this lab's kubectl events: kubectl events [-n NAMESPACE | -A] [--for TYPE/NAME] "
    "[--types=Normal,Warning] [--no-headers] [-w --request-timeout=30s]"
)
FLAGS = (
    NAMESPACE,
    Flag("all-namespaces", "bool", short="A"),
    Flag("for"),
    Flag("types"),
    Flag("no-headers", "bool"),
    Flag("watch", "bool", short="w"),
    Flag("request-timeout", "duration"),
)
TYPES = ("Normal", "Warning")


@dataclass(frozen=True)
class EventsRequest:
    """A parsed `kubectl events`: where to look, which object's and which types' events."""

    namespace: str
    all_namespaces: bool
    for_kind: str
    for_name: str
    types: tuple[str, ...]
    no_headers: bool
    watch: bool
    timeout: float | None


def parse(words: list[str], namespace: str = DEFAULT_NAMESPACE) -> EventsRequest:
    """Read the words after `events`; anything kubectl would refuse is refused in its words."""
    flags, args = parse_flags(words, FLAGS, USAGE)
    if args:
        raise BadRequestError(f'error: unknown command "{args[0]}" for "kubectl events"\n{USAGE}')
    for_kind, for_name = "", ""
    if flags.get("for"):
        for_kind, for_name = _for_object(flags["for"])
    types = tuple(t for t in (flags.get("types") or "").split(",") if t)
    if any(t.lower() not in ("normal", "warning") for t in types):
        raise BadRequestError("error: valid --types are Normal or Warning")
    timeout = flags.get("request-timeout")
    if timeout is not None and timeout < 0:
        raise BadRequestError("error: --request-timeout cannot be negative")
    return EventsRequest(
        namespace=flags.get("namespace") or namespace,
        all_namespaces=flags.get("all-namespaces", False),
        for_kind=for_kind, for_name=for_name, types=types,
        no_headers=flags.get("no-headers", False), watch=flags.get("watch", False),
        timeout=timeout,
    )


def _for_object(text: str) -> tuple[str, str]:
    """`--for pod/web` to ("Pod", "web"), as kubectl maps the resource to its kind."""
    if "/" not in text:
        raise BadRequestError("error: --for must be in resource/name form")
    resource, _, name = text.partition("/")
    if "/" in name:
        raise BadRequestError(
            "error: arguments in resource/name form may not have more than one slash")
    rtype = BY_ALIAS.get(resource.lower())
    if rtype is None:
        raise BadRequestError(
            f'error: the server doesn\'t have a resource type "{resource}"\n{USAGE}')
    return rtype.kind, name


def _selected(request: EventsRequest, event: dict) -> bool:
    """kubectl's field selector (involvedObject.kind and .name, applied here: this lab's API
    server serves no field selectors on events) and its --types filter (case-insensitive)."""
    involved = event.get("involvedObject") or {}
    if request.for_name and (involved.get("kind"), involved.get("name")) != (
            request.for_kind, request.for_name):
        return False
    return not request.types or (event.get("type") or "").lower() in {
        t.lower() for t in request.types}


def _where(request: EventsRequest) -> str | None:
    return None if request.all_namespaces else request.namespace


def _headings(request: EventsRequest) -> list[str]:
    return ["NAMESPACE"] * request.all_namespaces + ["LAST SEEN", "TYPE", "REASON", "OBJECT",
                                                    "MESSAGE"]


def _row(request: EventsRequest, event: dict, now: float) -> list[str]:
    involved = event.get("involvedObject") or {}
    cells = [interval(event, now), _cell(event.get("type")), _cell(event.get("reason")),
             f"{_cell(involved.get('kind'))}/{_cell(involved.get('name'))}",
             _cell((event.get("message") or "").strip())]
    if request.all_namespaces:
        cells.insert(0, event.get("metadata", {}).get("namespace", ""))
    return cells


def _cell(text: str | None) -> str:
    """escapeCell: a cell stops at its first line break, marked with `...`."""
    text = text or ""
    for index, char in enumerate(text):
        if char in "\f\n\r":
            return text[:index] + "..."
    return text


def events(reader: ClusterReader, request: EventsRequest) -> str:
    """What `kubectl events` prints: the table, or kubectl's line when there is nothing."""
    found = [e for e in reader.list("events", _where(request)) if _selected(request, e)]
    if not found:
        if request.all_namespaces:
            return "No events found."
        return f"No events found in {request.namespace} namespace."
    # kubectl's sort.Sort is not stable: ties (events last seen in the same second) come out
    # in the order Go's pdqsort leaves the API server's list in, which go_sort reproduces.
    go_sort(found, lambda one, other: last_seen_at(one) < last_seen_at(other))
    rows = [] if request.no_headers else [_headings(request)]
    rows += [_row(request, event, reader.now) for event in found]
    return format_table(rows)


def watch(reader: WatchingReader, request: EventsRequest, seconds: float) -> str:
    """`kubectl events -w` held open for `seconds`: every event the watch delivers (first the
    existing ones, then each added or changed one), deletions left out, each flushed alone."""
    start = reader.now
    listed, changes = reader.list_and_watch("events", _where(request), seconds)
    arrivals = [(start, event) for event in listed]
    for change in changes:
        if change.type == "ERROR":
            break  # kubectl skips what is not an Event; the server then closes the watch
        if change.type != "DELETED":
            arrivals.append((change.time, change.object))
    lines: list[str] = []
    for when, event in arrivals:
        if not _selected(request, event):
            continue
        rows = [] if (lines or request.no_headers) else [_headings(request)]
        lines.append(format_table([*rows, _row(request, event, when)]))
    return "\n".join(lines)

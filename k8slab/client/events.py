"""Events, as client-go's tools/record writes them: what a component tells about an object.

A component calls `recorder.event(pod, "Normal", "Scheduled", "Successfully assigned ...")`.
The recorder traces it at once, and a writer process stores it as a v1 Event through the API
server. As the event correlator does, a repeat of the same event only raises `count` and
`lastTimestamp` on the stored one, and once ten different messages with the same reason about
the same object come within ten minutes, further ones are combined into one Event.
Simplified: the per-object spam filter (25 events, then one per 5 min) is not modelled.
"""

from __future__ import annotations

import copy
from collections.abc import Generator

from k8slab.api.kinds import object_ref
from k8slab.api.timestamps import EPOCH, to_time
from k8slab.client.rest import Client
from k8slab.errors import AlreadyExistsError, K8sLabError, NotFoundError

EVENT_TYPES = ("Normal", "Warning")
# tools/record/events_cache.go: the correlator remembers maxLruCacheEntries 4096 events, and
# the aggregator combines past defaultAggregateMaxEvents 10 within 600 s.
CACHE_ENTRIES = 4096
AGGREGATE_MAX_EVENTS = 10
AGGREGATE_INTERVAL = 600.0
COMBINED_PREFIX = "(combined from similar events): "
# tools/record/event.go: maxTriesPerEvent 12, defaultSleepDuration 10 s between tries.
MAX_TRIES = 12
RETRY_SLEEP = 10.0
_EPOCH_UNIX = int(EPOCH.timestamp())


def unix_nanos(now: float) -> int:
    """Simulated time as Unix nanoseconds (simulated second 0 is 2026-01-01T00:00:00Z)."""
    return _EPOCH_UNIX * 10**9 + round(now * 10**9)


def event_name(object_name: str, nanos: int) -> str:
    """client-go's name for a new Event: `<object name>.<Unix nanoseconds in hex>`."""
    return f"{object_name}.{nanos:x}"


def reference(obj: dict) -> dict:
    """The v1.ObjectReference of an object (ref.GetReference): kind, namespace, name, uid..."""
    meta = obj.get("metadata") or {}
    ref = {"kind": obj.get("kind", ""), "namespace": meta.get("namespace", ""),
           "name": meta.get("name", ""), "uid": meta.get("uid", ""),
           "apiVersion": obj.get("apiVersion", ""),
           "resourceVersion": meta.get("resourceVersion", "")}
    return {k: v for k, v in ref.items() if v}


class EventRecorder:
    """Records Events from one component (`source`, e.g. "kubelet", "replicaset-controller")."""

    def __init__(self, client: Client, source: str, *, source_host: str = "",
                 trace_component: str = "", **trace_details: str) -> None:
        self.client = client
        self.source = source
        self.source_host = source_host
        self.trace_component = trace_component or source
        self.trace_details = trace_details
        self.sim = client.group.sim
        self._rng = self.sim.rng(f"events/{client.group.host.name}/{source}")
        self._seen: dict[tuple, dict] = {}  # event key -> the last Event written for it
        self._similar: dict[tuple, tuple[list[str], float]] = {}  # messages seen, last time
        self._pending: list[dict] = []
        self._last_nanos = 0
        self._writer_idle = True

    def event(self, obj: dict, event_type: str, reason: str, message: str,
              **trace_details: object) -> None:
        """Report `reason`/`message` about `obj`; stored in the background, traced now.

        `trace_details` go into the trace record only (the scheduler's decision, its node)."""
        if event_type not in EVENT_TYPES:
            raise K8sLabError(f"an Event's type is Normal or Warning, got {event_type!r}")
        ref = reference(obj)
        self.sim.record(self.client.group.host.name, self.trace_component, reason,
                        object_ref(obj), **trace_details, type=event_type, message=message,
                        source=self.source, **self.trace_details)
        self._pending.append(self._correlate(ref, event_type, reason, message))
        if self._writer_idle:
            self._writer_idle = False
            self.client.group.spawn(self._write_all())

    def _correlate(self, ref: dict, event_type: str, reason: str, message: str) -> dict:
        now = self.sim.now
        similar = (ref.get("kind"), ref.get("namespace"), ref.get("name"), ref.get("uid"),
                   ref.get("apiVersion"), event_type, reason)
        messages, last = self._similar.get(similar, ([], now))
        if now - last > AGGREGATE_INTERVAL:
            messages = []
        if message not in messages:
            messages = [*messages, message]
        self._similar[similar] = (messages, now)
        if len(messages) >= AGGREGATE_MAX_EVENTS:
            message = COMBINED_PREFIX + message
            key = similar
        else:
            key = (*similar, message)
        previous = self._seen.get(key)
        if previous is not None:
            event = copy.deepcopy(previous)
            event["count"] += 1
            event["lastTimestamp"] = to_time(now)
            event["message"] = message
        else:
            event = {
                "apiVersion": "v1", "kind": "Event",
                "metadata": {"name": event_name(ref.get("name", ""), self._clock_nanos(now)),
                             "namespace": ref.get("namespace") or "default"},
                "involvedObject": ref, "reason": reason, "message": message,
                "source": {"component": self.source, **({"host": self.source_host}
                                                         if self.source_host else {})},
                "firstTimestamp": to_time(now), "lastTimestamp": to_time(now), "count": 1,
                "type": event_type, "reportingComponent": self.source,
                "reportingInstance": self.source_host,
            }
        self._seen.pop(key, None)
        self._seen[key] = event  # most recent last; the oldest is forgotten first
        if len(self._seen) > CACHE_ENTRIES:
            del self._seen[next(iter(self._seen))]
        return event

    def _clock_nanos(self, now: float) -> int:
        # A real clock never reads the same nanosecond twice in one process, so two Events
        # about one object in one simulated instant still get two names.
        self._last_nanos = max(unix_nanos(now), self._last_nanos + 1)
        return self._last_nanos

    def _write_all(self) -> Generator:
        while self._pending:
            yield from self._write(self._pending.pop(0))
        self._writer_idle = True

    def _write(self, event: dict) -> Generator:
        # recordToSink: a repeat is a patch of the stored Event; one that expired is created anew.
        for attempt in range(MAX_TRIES):
            try:
                if event["count"] > 1:
                    try:
                        yield from self.client.update(event)
                        return
                    except NotFoundError:
                        event["count"] = 1
                yield from self.client.create(event)
                return
            except AlreadyExistsError:
                return
            except K8sLabError:
                # The first retry is jittered so that many components do not retry in step.
                sleep = RETRY_SLEEP * (self._rng.random() if attempt == 0 else 1.0)
                yield self.client.group.env.timeout(sleep)
        self.sim.record(self.client.group.host.name, self.trace_component, "event dropped",
                        event["metadata"]["name"], reason=event["reason"])

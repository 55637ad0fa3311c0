"""The two views of an Event: core/v1 (involvedObject, message, count...) and events.k8s.io/v1
(regarding, note, deprecatedCount...), converted field by field.

The API server stores one object and serves both versions, as kubernetes
pkg/apis/events/v1/conversion.go converts them; these functions say which field is which.
"""

from __future__ import annotations

import copy

# events.k8s.io/v1 field <- core/v1 field, in events/v1 types.go order.
_EVENTS_V1_FROM_CORE = (
    ("eventTime", "eventTime"),
    ("series", "series"),
    ("reportingController", "reportingComponent"),
    ("reportingInstance", "reportingInstance"),
    ("action", "action"),
    ("reason", "reason"),
    ("regarding", "involvedObject"),
    ("related", "related"),
    ("note", "message"),
    ("type", "type"),
    ("deprecatedSource", "source"),
    ("deprecatedFirstTimestamp", "firstTimestamp"),
    ("deprecatedLastTimestamp", "lastTimestamp"),
    ("deprecatedCount", "count"),
)
CORE_API_VERSION = "v1"
EVENTS_API_VERSION = "events.k8s.io/v1"


def to_events_v1(event: dict) -> dict:
    """A core/v1 Event as events.k8s.io/v1 shows it: regarding, note, reportingController..."""
    converted = {"apiVersion": EVENTS_API_VERSION, "kind": "Event",
                 "metadata": copy.deepcopy(event.get("metadata") or {})}
    for new, old in _EVENTS_V1_FROM_CORE:
        if old in event:
            converted[new] = copy.deepcopy(event[old])
    return converted


def to_core_event(event: dict) -> dict:
    """An events.k8s.io/v1 Event as core/v1 stores it: involvedObject, message, count..."""
    converted = {"apiVersion": CORE_API_VERSION, "kind": "Event",
                 "metadata": copy.deepcopy(event.get("metadata") or {})}
    for new, old in _EVENTS_V1_FROM_CORE:
        if new in event:
            converted[old] = copy.deepcopy(event[new])
    return converted

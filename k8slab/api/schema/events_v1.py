"""k8s.io/api/events/v1 Event: the newer view of the same Event objects core/v1 serves.

types.go Event: `regarding` and `note` where core/v1 says involvedObject and message,
reportingController for reportingComponent, and the old counters kept as deprecatedCount,
deprecatedFirstTimestamp... The API server stores one object and converts between the two.
"""

from __future__ import annotations

from k8slab.api.schema.core_v1_event import EVENT_SOURCE, OBJECT_REFERENCE
from k8slab.api.schema.meta_v1 import OBJECT_META
from k8slab.api.schema.types import INT32, MICRO_TIME, STRING, TIME, Struct

EVENT = Struct(
    "v1.Event",
    {
        "apiVersion": STRING,
        "kind": STRING,
        "metadata": OBJECT_META,
        "eventTime": MICRO_TIME,
        "series": Struct("v1.EventSeries", {"count": INT32, "lastObservedTime": MICRO_TIME}),
        "reportingController": STRING,
        "reportingInstance": STRING,
        "action": STRING,
        "reason": STRING,
        "regarding": OBJECT_REFERENCE,
        "related": OBJECT_REFERENCE,
        "note": STRING,
        "type": STRING,
        "deprecatedSource": EVENT_SOURCE,
        "deprecatedFirstTimestamp": TIME,
        "deprecatedLastTimestamp": TIME,
        "deprecatedCount": INT32,
    },
)

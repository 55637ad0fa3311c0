"""k8s.io/api/core/v1 Event: what a component reports about an object, for `kubectl get events`.

types.go Event, ObjectReference, EventSource and EventSeries; unlike most kinds, an Event has
no spec or status: its fields sit beside its metadata.
"""

from __future__ import annotations

from k8slab.api.schema.meta_v1 import OBJECT_META
from k8slab.api.schema.types import INT32, MICRO_TIME, STRING, TIME, Struct, enum

OBJECT_REFERENCE = Struct(
    "v1.ObjectReference",
    {
        "kind": STRING,
        "namespace": STRING,
        "name": STRING,
        "uid": enum("types.UID"),
        "apiVersion": STRING,
        "resourceVersion": STRING,
        "fieldPath": STRING,
    },
)

EVENT_SOURCE = Struct("v1.EventSource", {"component": STRING, "host": STRING})
EVENT_SERIES = Struct("v1.EventSeries", {"count": INT32, "lastObservedTime": MICRO_TIME})

EVENT = Struct(
    "v1.Event",
    {
        "apiVersion": STRING,
        "kind": STRING,
        "metadata": OBJECT_META,
        "involvedObject": OBJECT_REFERENCE,
        "reason": STRING,
        "message": STRING,
        "source": EVENT_SOURCE,
        "firstTimestamp": TIME,
        "lastTimestamp": TIME,
        "count": INT32,
        "type": STRING,
        "eventTime": MICRO_TIME,
        "series": EVENT_SERIES,
        "action": STRING,
        "related": OBJECT_REFERENCE,
        "reportingComponent": STRING,
        "reportingInstance": STRING,
    },
)

"""Timestamps as real clients see them: the model's, moved onto the wall clock.

The model's timestamps count simulated seconds from a fixed epoch, 2026-01-01T00:00:00Z
(api/timestamps.py), and must: the model reads no wall clock, so one seed makes one history.
Real kubectl computes some ages itself (`describe`'s Events, `get events`), from its own clock.
So the endpoint shifts every timestamp it shows by one offset, fixed at the cluster's first
`serve()`: the simulated time then reads as the wall time then. In paced mode at 1x the two
clocks then agree; in stepped mode, or after `c.run()` jumps ahead, they part, and real
clients' ages are off by as much. Bodies real clients send are shifted back before the
simulated API server reads them. Only fields of the metav1.Time/MicroTime types move; labels,
annotations and a ConfigMap's or Secret's data are the user's and never change.
"""

from __future__ import annotations

import time
from typing import Any

from k8slab.api.timestamps import EPOCH, from_time, to_micro_time, to_time

# Field names of type metav1.Time or metav1.MicroTime in the kinds modelled (k8s.io/api):
# ObjectMeta, conditions, container states, Pod/Job/CronJob status, Events, Leases,
# ManagedFieldsEntry (`time`), TokenRequest status.
TIME_FIELDS = frozenset({
    "creationTimestamp", "deletionTimestamp", "lastTransitionTime", "lastProbeTime",
    "lastHeartbeatTime", "lastUpdateTime", "startTime", "startedAt", "finishedAt",
    "completionTime", "lastScheduleTime", "lastSuccessfulTime", "firstTimestamp",
    "lastTimestamp", "eventTime", "lastObservedTime", "deprecatedFirstTimestamp",
    "deprecatedLastTimestamp", "renewTime", "acquireTime", "expirationTimestamp", "time",
})
# What is the user's own text, never a timestamp of the API's.
OPAQUE_FIELDS = frozenset({"labels", "annotations", "data", "stringData", "binaryData"})


def wall_clock_offset(sim_now: float, wall_now: float | None = None) -> int:
    """Whole seconds to add to a model timestamp so that simulated `sim_now` reads as the
    wall time `wall_now` (default: now), to the second."""
    wall = time.time() if wall_now is None else wall_now
    return round(wall - (EPOCH.timestamp() + sim_now))


def shown_to_clients(value: Any, offset: int) -> Any:
    """A copy of `value` (an object, a list, an event) with its timestamps on the wall
    clock."""
    return _shifted(value, offset)


def received_from_clients(value: Any, offset: int) -> Any:
    """A copy of a body a real client sent with its timestamps back on the model's clock."""
    return _shifted(value, -offset)


def _shifted(value: Any, seconds: int) -> Any:
    if isinstance(value, list):
        return [_shifted(item, seconds) for item in value]
    if not isinstance(value, dict):
        return value
    moved = {}
    for key, item in value.items():
        if key in OPAQUE_FIELDS:
            moved[key] = item
        elif key in TIME_FIELDS and isinstance(item, str):
            moved[key] = _moved(item, seconds)
        else:
            moved[key] = _shifted(item, seconds)
    return moved


def _moved(text: str, seconds: int) -> str:
    try:
        moment = from_time(text)
    except ValueError:
        return text  # not a timestamp: the API server will say so, not us
    return (to_micro_time if "." in text else to_time)(moment + seconds)

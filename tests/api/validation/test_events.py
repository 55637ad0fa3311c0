"""Event validation, core/v1 and events.k8s.io/v1 (core validation/events.go)."""

import pytest

from k8slab.api.validation import field_errors

REGARDING = {"kind": "Pod", "name": "web", "namespace": "default"}


def core_event(**fields) -> dict:
    return {"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "web.1", "namespace": "default"},
            "involvedObject": dict(REGARDING), "reason": "Scheduled", **fields}


def new_event(**fields) -> dict:
    base = {"eventTime": "2026-01-01T00:00:00.000000Z", "reportingController": "kubelet",
            "reportingInstance": "node-1", "action": "Started", "reason": "Started",
            "regarding": dict(REGARDING), "type": "Normal"}
    return {"apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": {"name": "web.2", "namespace": "default"}, **base, **fields}


def messages(obj: dict) -> list[str]:
    return [str(error) for error in field_errors(obj)]


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        (core_event(), []),
        (core_event(involvedObject={"kind": "Pod", "name": "web", "namespace": "dev"}),
         ['involvedObject.namespace: Invalid value: "dev": does not match event.namespace']),
        (core_event(eventTime="2026-01-01T00:00:00.000000Z"),
         ["reportingComponent: Required value", "reportingInstance: Required value",
          "action: Required value"]),
        (new_event(), []),
        (new_event(reportingController="", action=""),
         ["reportingController: Required value", "action: Required value"]),
        (new_event(type="Info"), ['type: Invalid value: "": has invalid value: Info']),
        (new_event(deprecatedCount=3), ['count: Invalid value: "": needs to be unset']),
        (new_event(eventTime=None), ["eventTime: Required value"]),
    ],
    ids=["core-ok", "core-namespace", "core-new-style-needs-reporting", "v1-ok",
         "v1-required", "v1-type", "v1-deprecated-count", "v1-no-event-time"],
)
def test_event_messages(obj, expected):
    obj = {key: value for key, value in obj.items() if value is not None}
    assert messages(obj) == expected

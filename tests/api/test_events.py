"""The two Event views convert into each other without losing a field."""

from k8slab.api.events import to_core_event, to_events_v1

CORE = {
    "apiVersion": "v1", "kind": "Event",
    "metadata": {"name": "web.1", "namespace": "default"},
    "involvedObject": {"kind": "Pod", "name": "web", "namespace": "default"},
    "reason": "Killing", "message": "Stopping container web", "type": "Normal",
    "source": {"component": "kubelet", "host": "node-1"},
    "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:00:05Z",
    "count": 2, "reportingComponent": "kubelet", "reportingInstance": "node-1",
}


def test_core_to_events_v1_names_fields_as_upstream():
    new = to_events_v1(CORE)
    assert new["apiVersion"] == "events.k8s.io/v1"
    assert new["regarding"] == CORE["involvedObject"]
    assert new["note"] == "Stopping container web"
    assert new["reportingController"] == "kubelet"
    assert new["deprecatedCount"] == 2
    assert new["deprecatedSource"] == {"component": "kubelet", "host": "node-1"}
    assert new["deprecatedFirstTimestamp"] == "2026-01-01T00:00:00Z"
    assert "message" not in new and "involvedObject" not in new


def test_round_trip():
    assert to_core_event(to_events_v1(CORE)) == CORE
    new = to_events_v1(CORE)
    assert to_events_v1(to_core_event(new)) == new

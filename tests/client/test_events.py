"""The event recorder: Events stored through the API server, repeats counted, similar ones
combined, and every one traced at once with its reason."""

from k8slab.api.timestamps import to_time
from k8slab.client.events import COMBINED_PREFIX, EventRecorder, event_name, unix_nanos
from k8slab.errors import K8sLabError


def pod(cp, make_pod, name="web"):
    return cp.ok(cp.client().create(make_pod(name)))


def events(cp):
    items, _ = cp.ok(cp.client().list("events", "default"))
    return sorted(items, key=lambda e: e["metadata"]["name"])


def test_event_names_are_the_object_name_and_unix_nanoseconds_in_hex():
    # 2026-01-01T00:00:00Z is 1767225600 s after the Unix epoch.
    assert unix_nanos(0) == 1767225600 * 10**9
    assert event_name("web", unix_nanos(1.5)) == f"web.{1767225600 * 10**9 + 1_500_000_000:x}"


def test_events_in_one_instant_get_names_a_nanosecond_apart(cp, make_pod):
    web = pod(cp, make_pod)
    recorder = EventRecorder(cp.client("replicaset-controller"), "replicaset-controller")
    for name in ("web-a", "web-b", "web-c"):
        recorder.event(web, "Normal", "SuccessfulCreate", f"Created pod: {name}")
    cp.sim.run(1)
    names = [e["metadata"]["name"] for e in events(cp)]
    nanos = [int(n.rpartition(".")[2], 16) for n in names]
    assert len(names) == 3 and nanos == [nanos[0], nanos[0] + 1, nanos[0] + 2]


def test_an_event_is_stored_as_a_v1_event_and_traced(cp, make_pod):
    web = pod(cp, make_pod)
    recorder = EventRecorder(cp.client("scheduler"), "default-scheduler")
    recorder.event(web, "Normal", "Scheduled", "Successfully assigned default/web to worker-1")
    cp.sim.run(1)
    [event] = events(cp)
    assert event["involvedObject"]["name"] == "web"
    assert event["involvedObject"]["uid"] == web["metadata"]["uid"]
    assert (event["reason"], event["type"], event["count"]) == ("Scheduled", "Normal", 1)
    assert event["source"] == {"component": "default-scheduler"}
    [record] = cp.sim.trace.where(kind="Scheduled")
    assert record.obj == "pod/default/web" and record.details["type"] == "Normal"


def test_a_repeated_event_raises_the_count_of_the_stored_one(cp, make_pod):
    web = pod(cp, make_pod)
    recorder = EventRecorder(cp.client("kubelet"), "kubelet", source_host="worker-1")
    start = cp.sim.now
    for _ in range(3):
        recorder.event(web, "Warning", "BackOff", "Back-off restarting failed container")
        cp.sim.run(5)
    [event] = events(cp)
    assert event["count"] == 3
    assert event["firstTimestamp"] == to_time(start)
    assert event["lastTimestamp"] == to_time(start + 10)
    assert event["source"] == {"component": "kubelet", "host": "worker-1"}


def test_ten_different_messages_with_one_reason_are_combined(cp, make_pod):
    web = pod(cp, make_pod)
    recorder = EventRecorder(cp.client("kubelet"), "kubelet")
    for i in range(12):
        recorder.event(web, "Normal", "Pulled", f"message {i}")
        cp.sim.run(1)
    stored = events(cp)
    combined = [e for e in stored if e["message"].startswith(COMBINED_PREFIX)]
    assert len(stored) == 10 and len(combined) == 1
    assert combined[0]["count"] == 3 and combined[0]["message"] == COMBINED_PREFIX + "message 11"


def test_an_event_type_other_than_normal_or_warning_is_refused(cp, make_pod):
    web = pod(cp, make_pod)
    recorder = EventRecorder(cp.client("kubelet"), "kubelet")
    try:
        recorder.event(web, "Info", "Pulled", "x")
    except K8sLabError as error:
        assert "Normal or Warning" in str(error)
    else:
        raise AssertionError("an unknown type must be refused")
    assert not cp.sim.trace.where(kind="Pulled")

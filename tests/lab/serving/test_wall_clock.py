"""The model's timestamps, shown to real clients on the wall clock and read back from them."""

from datetime import UTC, datetime

from k8slab.lab.serving.wall_clock import (
    received_from_clients,
    shown_to_clients,
    wall_clock_offset,
)

DAY = 86_400


def pod():
    return {
        "metadata": {"name": "web", "creationTimestamp": "2026-01-01T00:00:30Z",
                     "labels": {"time": "2026-01-01T00:00:30Z"},
                     "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:30Z"},
                     "managedFields": [{"manager": "kubectl", "time": "2026-01-01T00:00:30Z"}]},
        "status": {"conditions": [{"type": "Ready", "lastTransitionTime": "2026-01-01T00:01:00Z"}],
                   "containerStatuses": [{"state": {"running": {
                       "startedAt": "2026-01-01T00:00:40Z"}}}]},
    }


def test_every_api_timestamp_moves_by_the_offset_and_the_users_text_does_not():
    shown = shown_to_clients(pod(), 2 * DAY + 5)
    assert shown["metadata"]["creationTimestamp"] == "2026-01-03T00:00:35Z"
    assert shown["metadata"]["managedFields"][0]["time"] == "2026-01-03T00:00:35Z"
    assert shown["status"]["conditions"][0]["lastTransitionTime"] == "2026-01-03T00:01:05Z"
    assert shown["status"]["containerStatuses"][0]["state"]["running"]["startedAt"] == (
        "2026-01-03T00:00:45Z")
    assert shown["metadata"]["labels"] == pod()["metadata"]["labels"]
    assert shown["metadata"]["annotations"] == pod()["metadata"]["annotations"]


def test_a_body_read_back_from_a_client_is_on_the_models_clock_again():
    assert received_from_clients(shown_to_clients(pod(), 12_345), 12_345) == pod()


def test_micro_time_keeps_its_microseconds_and_a_non_timestamp_is_left_alone():
    lease = {"spec": {"renewTime": "2026-01-01T00:00:01.250000Z"}, "time": "soon"}
    assert shown_to_clients(lease, 60) == {
        "spec": {"renewTime": "2026-01-01T00:01:01.250000Z"}, "time": "soon"}


def test_the_offset_makes_the_simulated_present_the_wall_present():
    wall = datetime(2026, 12, 7, 5, 30, tzinfo=UTC).timestamp()
    offset = wall_clock_offset(90.0, wall)
    shown = shown_to_clients({"creationTimestamp": "2026-01-01T00:01:30Z"}, offset)
    assert shown == {"creationTimestamp": "2026-12-07T05:30:00Z"}

"""Node-pressure eviction rules: thresholds, conditions, the ranking and the Evicted message
(kubernetes pkg/kubelet/eviction/helpers.go and node-pressure-eviction.md)."""

from __future__ import annotations

import pytest

from k8slab.node.eviction_policy import (
    DISK_PRESSURE,
    MEMORY_PRESSURE,
    PID_PRESSURE,
    EvictionConfigError,
    conditions_in_transition,
    evicted_status,
    eviction_message,
    is_critical,
    node_conditions,
    parse_thresholds,
    rank_by_priority,
    rank_memory_pressure,
    thresholds_met,
)

MI, GI = 1024**2, 1024**3


def pod(name: str, memory_request: str | None = None, priority: int = 0,
        memory_limit: str | None = None) -> dict:
    resources: dict = {}
    if memory_request:
        resources["requests"] = {"memory": memory_request}
    if memory_limit:
        resources["limits"] = {"memory": memory_limit}
    return {"metadata": {"name": name},
            "spec": {"priority": priority,
                     "containers": [{"name": "app", "resources": resources}]}}


def names(ranked: list) -> list[str]:
    return [item[0]["metadata"]["name"] for item in ranked]


def test_default_thresholds() -> None:
    thresholds = {t.signal: t for t in parse_thresholds()}
    assert thresholds["memory.available"].value(16 * GI) == 100 * MI
    assert thresholds["nodefs.available"].value(1000) == 100
    assert thresholds["imagefs.available"].value(1000) == 150
    assert thresholds["nodefs.inodesFree"].value(1000) == 50
    assert thresholds["imagefs.inodesFree"].value(1000) == 50


@pytest.mark.parametrize(("observations", "conditions"), [
    ({"memory.available": (99 * MI, 16 * GI)}, [MEMORY_PRESSURE]),
    ({"memory.available": (100 * MI, 16 * GI)}, []),  # at the threshold is not below it
    ({"nodefs.available": (9, 100)}, [DISK_PRESSURE]),
    ({"imagefs.available": (14, 100), "nodefs.inodesFree": (4, 100)}, [DISK_PRESSURE]),
    ({"imagefs.available": (15, 100)}, []),
    ({"memory.available": (GI, 16 * GI), "nodefs.available": (50, 100)}, []),
])
def test_conditions_from_observations(observations: dict, conditions: list[str]) -> None:
    assert node_conditions(thresholds_met(parse_thresholds(), observations)) == conditions


def test_pid_threshold_raises_pid_pressure() -> None:
    thresholds = parse_thresholds({"pid.available": "10%"})
    assert node_conditions(thresholds_met(thresholds, {"pid.available": (50, 1000)})) == [
        PID_PRESSURE]


def test_pressure_stays_for_the_transition_period() -> None:
    seen = {MEMORY_PRESSURE: 100.0, DISK_PRESSURE: 0.0}
    assert conditions_in_transition(seen, 299.0) == [DISK_PRESSURE, MEMORY_PRESSURE]
    assert conditions_in_transition(seen, 300.0) == [MEMORY_PRESSURE]
    assert conditions_in_transition(seen, 400.0) == []


@pytest.mark.parametrize(("settings", "words"), [
    ({"memory.free": "1Gi"}, "unsupported eviction signal memory.free"),
    ({"memory.available": "lots"}, "not a quantity"),
    ({"nodefs.available": "0%"}, "must be positive"),
    ({"nodefs.available": "150%"}, "at most 100%"),
    ({"memory.available": "-1Mi"}, "must be positive"),
])
def test_bad_settings_are_refused(settings: dict, words: str) -> None:
    with pytest.raises(EvictionConfigError, match=words):
        parse_thresholds(settings)


def test_best_effort_goes_before_burstable_within_request_and_guaranteed() -> None:
    best_effort = pod("best-effort")
    burstable_within = pod("burstable-within", "512Mi")
    guaranteed = pod("guaranteed", "1Gi", memory_limit="1Gi")
    ranked = rank_memory_pressure([(guaranteed, 900 * MI), (burstable_within, 300 * MI),
                                   (best_effort, 10 * MI)])
    assert names(ranked) == ["best-effort", "guaranteed", "burstable-within"]


def test_exceeding_requests_comes_before_priority() -> None:
    low_within = pod("low-within", "1Gi", priority=0)
    high_exceeding = pod("high-exceeding", "100Mi", priority=1000)
    ranked = rank_memory_pressure([(low_within, 10 * MI), (high_exceeding, 200 * MI)])
    assert names(ranked) == ["high-exceeding", "low-within"]


def test_priority_before_usage_among_pods_that_exceed() -> None:
    big_high = pod("big-high", "100Mi", priority=100)
    small_low = pod("small-low", "100Mi", priority=0)
    ranked = rank_memory_pressure([(big_high, 2 * GI), (small_low, 101 * MI)])
    assert names(ranked) == ["small-low", "big-high"]


def test_usage_above_request_breaks_priority_ties() -> None:
    a, b, c = pod("a", "100Mi"), pod("b", "1Gi"), pod("c")
    ranked = rank_memory_pressure([(a, 600 * MI), (b, 1200 * MI), (c, 300 * MI)])
    # above request: a 500Mi, b 176Mi, c 300Mi.
    assert names(ranked) == ["a", "c", "b"]


def test_pods_without_stats_go_first_and_ties_keep_input_order() -> None:
    x, y, z = pod("x"), pod("y"), pod("z", priority=-5)
    ranked = rank_memory_pressure([(x, 50 * MI), (y, 50 * MI), (z, None)])
    assert names(ranked) == ["z", "x", "y"]


def test_pid_pressure_ranks_by_priority_only() -> None:
    pods = [pod("a", priority=10), pod("b", priority=-1), pod("c", priority=10)]
    assert [p["metadata"]["name"] for p in rank_by_priority(pods)] == ["b", "a", "c"]


def test_static_mirror_and_system_critical_pods_are_never_evicted() -> None:
    static = pod("etcd-cp-1")
    static["metadata"]["annotations"] = {"kubernetes.io/config.source": "file"}
    mirror = pod("kube-apiserver-cp-1")
    mirror["metadata"]["annotations"] = {"kubernetes.io/config.mirror": "abc"}
    critical = pod("coredns", priority=2_000_000_000)
    assert [is_critical(p) for p in (static, mirror, critical, pod("web", priority=1000))] == [
        True, True, True, False]


def test_evicted_message_names_containers_over_their_request() -> None:
    manifest = pod("stress", "100Mi")
    manifest["spec"]["containers"].append({"name": "side", "resources": {}})
    manifest["spec"]["containers"].append({"name": "quiet",
                                           "resources": {"requests": {"memory": "1Gi"}}})
    message = eviction_message("memory", manifest,
                               {"app": 250 * MI, "side": 1536000, "quiet": 10 * MI},
                               threshold=100 * MI, available=80 * MI)
    assert message == (
        "The node was low on resource: memory. "
        "Threshold quantity: 100Mi, available: 80Mi. "
        "Container app was using 250Mi, request is 100Mi, has larger consumption of memory. "
        "Container side was using 1500Ki, request is 0, has larger consumption of memory. "
    )


def test_evicted_message_without_threshold_info() -> None:
    assert eviction_message("memory", pod("p"), {}) == "The node was low on resource: memory. "


def test_evicted_status() -> None:
    status = evicted_status("The node was low on resource: memory. ", "2026-01-01T00:05:00Z")
    assert (status["phase"], status["reason"]) == ("Failed", "Evicted")
    condition = status["conditions"][0]
    assert (condition["type"], condition["reason"]) == ("DisruptionTarget", "TerminationByKubelet")

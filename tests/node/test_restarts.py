"""The kubelet restarts a container that exits as upstream does: at once the first time, then
after CrashLoopBackOff's doubling wait (10 s up to 5 minutes, forgotten after 10 minutes of
running), and says so in the pod's status; restartPolicy decides whether it restarts at all."""

from __future__ import annotations

import pytest

from k8slab import Cluster
from k8slab.node.pleg import RELIST_PERIOD
from k8slab.node.restarts import (
    FORGET_AFTER,
    INITIAL_BACKOFF,
    MAX_BACKOFF,
    ContainerBackOff,
    go_duration,
    should_restart,
)

# containerd stops nothing here, but a restart costs CreateContainer + StartContainer (50 ms each).
RESTART_COST = 0.1


def test_backoff_waits_nothing_then_doubles_from_10_s_to_5_minutes():
    backoff, now, waits = ContainerBackOff(), 0.0, []
    for _ in range(9):
        wait = backoff.wait("uid/app", now)
        waits.append(wait)
        now += wait
        backoff.restarted("uid/app", now)
        now += 1  # the container runs one second, then exits again
    assert waits == [0, 10, 20, 40, 80, 160, 300, 300, 300]
    assert (INITIAL_BACKOFF, MAX_BACKOFF, FORGET_AFTER) == (10, 300, 600)


def test_backoff_is_forgotten_after_ten_minutes_without_an_exit():
    backoff = ContainerBackOff()
    backoff.restarted("uid/app", 0)
    assert backoff.wait("uid/app", 600) == 10
    assert backoff.wait("uid/app", 600.5) == 0
    assert backoff.remaining("uid/app", 4) == 6
    assert backoff.remaining("uid/app", 601) == 0
    backoff.restarted("uid/app", 601)  # forgotten: starts again at 10 s, not 20
    assert backoff.wait("uid/app", 602) == 10


def test_backoff_keys_are_independent():
    backoff = ContainerBackOff()
    backoff.restarted("uid/a", 0)
    backoff.restarted("uid/a", 1)
    assert (backoff.wait("uid/a", 2), backoff.wait("uid/b", 2)) == (20, 0)


@pytest.mark.parametrize(("seconds", "text"), [(10, "10s"), (80, "1m20s"), (300, "5m0s")])
def test_waits_print_as_go_durations(seconds, text):
    assert go_duration(seconds) == text


@pytest.mark.parametrize(("policy", "code", "restart"), [
    ("Always", 0, True), ("Always", 1, True), ("OnFailure", 0, False), ("OnFailure", 2, True),
    ("Never", 0, False), ("Never", 2, False)])
def test_restart_policy(policy, code, restart):
    assert should_restart({"spec": {"restartPolicy": policy}}, code) is restart


def test_restart_policy_defaults_to_always():
    assert should_restart({"spec": {}}, 0) is True


def pod(name: str, script: str, policy: str | None = None) -> dict:
    spec: dict = {"containers": [{"name": "main", "image": "busybox:1.37",
                                  "command": ["sh", "-c", script]}]}
    if policy:
        spec["restartPolicy"] = policy
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def starts(cluster: Cluster, name: str) -> list[float]:
    return [r.time for r in cluster.trace.where(component="kubelet", kind="ContainerStarted",
                                                obj=f"pod/default/{name}")]


def test_a_failing_container_restarts_at_once_then_after_10_20_40_80_160_300_300_s():
    c = Cluster(workers=1)
    c.apply(pod("crash", "exit 1"))
    c.run(1000)
    times = starts(c, "crash")
    # Each run of `exit 1` lasts 1 ms of shell start-up; the rest of each gap is the back-off.
    gaps = [round(b - a - RESTART_COST, 2) for a, b in zip(times, times[1:], strict=False)]
    # The first exit is noticed at the PLEG's next relist (within 1 s) and restarted at once;
    # each later restart comes the moment its back-off ends.
    assert 0 < gaps[0] <= 1.0
    assert gaps[1:] == [10, 20, 40, 80, 160, 300, 300]
    status = c.get("pods", "crash")["status"]["containerStatuses"][0]
    assert status["restartCount"] == 8
    assert status["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert status["state"]["waiting"]["message"].startswith(
        "back-off 5m0s restarting failed container=main pod=crash_default(")
    assert status["lastState"]["terminated"]["exitCode"] == 1
    assert status["lastState"]["terminated"]["reason"] == "Error"
    [row] = c.kubectl("get pods").splitlines()[1:]
    assert row.split()[:4] == ["crash", "0/1", "CrashLoopBackOff", "8"]


def test_crash_loop_message_names_the_wait_in_force():
    c = Cluster(workers=1)
    c.apply(pod("crash", "exit 1"))
    c.run(15)  # started at ~0.8, restarted at ~0.9 and ~11: now waiting 20 s
    waiting = c.get("pods", "crash")["status"]["containerStatuses"][0]["state"]["waiting"]
    assert waiting["reason"] == "CrashLoopBackOff"
    assert waiting["message"].startswith("back-off 20s restarting failed container=main pod=")


def test_backoff_is_reset_after_ten_minutes_of_running():
    c = Cluster(workers=1)
    c.apply(pod("slow", "sleep 700; exit 1"))
    c.run(2200)
    times = starts(c, "slow")
    exits = [r.time for r in c.trace.where(kind="TaskExit", obj="pod/default/slow")]
    assert [round(e - s, 6) for s, e in zip(times, exits, strict=False)] == [700, 700, 700]
    # Each run lasts 700 s > 600 s since the last restart, so the back-off is forgotten: the
    # restart comes at the next PLEG relist (at most 1 s), plus create and start, never 10 s.
    delays = [s - e for e, s in zip(exits, times[1:], strict=False)]
    assert len(delays) == 3
    assert all(RESTART_COST <= d <= RELIST_PERIOD + RESTART_COST for d in delays), delays


@pytest.mark.parametrize(("policy", "script", "phase", "reason", "restarts"), [
    ("Never", "exit 0", "Succeeded", "Completed", 0),
    ("Never", "exit 3", "Failed", "Error", 0),
    ("OnFailure", "exit 0", "Succeeded", "Completed", 0),
])
def test_a_pod_that_does_not_restart_ends_in_its_phase(policy, script, phase, reason, restarts):
    c = Cluster(workers=1)
    c.apply(pod("job", script, policy))
    c.run(30)
    status = c.get("pods", "job")["status"]
    assert status["phase"] == phase
    container = status["containerStatuses"][0]
    assert container["state"]["terminated"]["reason"] == reason
    assert container["restartCount"] == restarts
    assert len(starts(c, "job")) == 1
    [row] = c.kubectl("get pods").splitlines()[1:]
    assert row.split()[2] == reason


def test_on_failure_restarts_a_failed_container_and_stays_running():
    c = Cluster(workers=1)
    c.apply(pod("job", "exit 3", "OnFailure"))
    c.run(40)
    status = c.get("pods", "job")["status"]
    assert status["phase"] == "Running"
    assert status["containerStatuses"][0]["restartCount"] >= 2

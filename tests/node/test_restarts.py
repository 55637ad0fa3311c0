"""The kubelet restarts a container that exits as upstream does: at once the first time, then
after CrashLoopBackOff's doubling wait, and says so in the pod's status."""

from __future__ import annotations

import pytest

from k8slab import Cluster
from k8slab.node.restarts import ContainerBackOff, go_duration, should_restart


def test_backoff_waits_nothing_then_doubles_from_10_s_to_5_minutes():
    backoff, now, waits = ContainerBackOff(), 0.0, []
    for _ in range(9):
        wait = backoff.wait("uid/app", now)
        waits.append(wait)
        now += wait
        backoff.restarted("uid/app", now)
        now += 1  # the container runs one second, then exits again
    assert waits == [0, 10, 20, 40, 80, 160, 300, 300, 300]


def test_backoff_is_forgotten_after_ten_minutes_without_an_exit():
    backoff = ContainerBackOff()
    backoff.restarted("uid/app", 0)
    assert backoff.wait("uid/app", 600) == 10
    assert backoff.wait("uid/app", 600.5) == 0


@pytest.mark.parametrize(("seconds", "text"), [(10, "10s"), (80, "1m20s"), (300, "5m0s")])
def test_waits_print_as_go_durations(seconds, text):
    assert go_duration(seconds) == text


@pytest.mark.parametrize(("policy", "code", "restart"), [
    ("Always", 0, True), ("OnFailure", 0, False), ("OnFailure", 2, True), ("Never", 2, False)])
def test_restart_policy(policy, code, restart):
    assert should_restart({"spec": {"restartPolicy": policy}}, code) is restart


def crashing(process):
    group = process.group
    yield group.env.timeout(1)
    raise KeyError("value")


def test_a_crashing_container_is_restarted_with_crash_loop_backoff():
    cluster = Cluster(workers=1)
    cluster.network.host("worker-1").programs["crasher"] = crashing
    cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app"},
                   "spec": {"containers": [{"name": "main", "image": "crasher"}]}})
    start = cluster.now
    cluster.run(45)
    died = [r.time - start for r in cluster.trace.where(component="kubelet",
                                                         kind="ContainerDied")]
    restarted = [r.time - start for r in cluster.trace.where(component="kubelet",
                                                             kind="ContainerRestarted")]
    # Each run lasts 1 s; restarts wait 0, then 10, then 20 s (plus create and start).
    assert [round(b - a) for a, b in zip(died, restarted, strict=False)] == [0, 10, 20]
    [crash, *_] = cluster.trace.where(kind="TaskExit", obj="pod/default/app")
    assert crash.details["exit_status"] == 2
    assert crash.details["stderr"] == "panic: KeyError: 'value'"
    status = cluster.get("pods", "app")["status"]["containerStatuses"][0]
    assert status["restartCount"] == 3
    assert status["lastState"]["terminated"]["exitCode"] == 2
    cluster.run(2)
    status = cluster.get("pods", "app")["status"]["containerStatuses"][0]
    assert status["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert status["state"]["waiting"]["message"].startswith(
        "back-off 40s restarting failed container=main pod=app_default(")
    assert "pod/app" in cluster.kubectl("get pods -o name")

"""SimRunner: one simulated request under given credentials, watches for another thread, the
pacer, and the one lock every facade method holds."""

import threading
import time

import pytest

from k8slab.api.kubeconfig import Credentials
from k8slab.errors import K8sLabError, UnauthorizedError
from k8slab.lab.cluster import Cluster
from k8slab.lab.serving.sim_runner import WATCH_OPEN_SECONDS, SimRunner

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
       "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}


@pytest.fixture
def cluster():
    return Cluster(workers=1, audit_policy="metadata")


def admin(runner):
    return runner.credentials_for("kubernetes-admin", ("kubeadm:cluster-admins",))


def test_a_request_runs_through_the_pipeline_as_the_credentials_user(cluster):
    runner = SimRunner(cluster, mode="stepped")
    jane = runner.credentials_for("jane", ("developers",))
    assert runner.credentials_for("jane", ("developers",)) is jane  # one per identity
    assert jane.certificate.common_name == "jane"
    with pytest.raises(K8sLabError, match='User "jane" cannot list resource "pods"'):
        runner.run_request(lambda client: client.list("pods", "default"), jane)
    # As the admin, impersonating jane (kubectl --as=jane): the same refusal, for jane.
    with pytest.raises(K8sLabError, match='User "jane" cannot list resource "pods"'):
        runner.run_request(lambda client: client.list("pods", "default"), admin(runner),
                           impersonation=("jane", ()))
    events = cluster.audit_log(verb="list", resource="pods", namespace="default")
    assert [e["user"]["username"] for e in events[-2:]] == ["jane", "kubernetes-admin"]


def test_a_token_the_api_server_does_not_know_is_401(cluster):
    runner = SimRunner(cluster, mode="stepped")
    with pytest.raises(UnauthorizedError):
        runner.run_request(lambda client: client.list("pods"), Credentials(token="x.y"))


def test_a_watch_delivers_events_to_another_thread_and_closes_when_told(cluster):
    runner = SimRunner(cluster, mode="stepped")
    _, version = runner.run_request(lambda client: client.list("pods", "default"),
                                    admin(runner))
    events = runner.open_watch("pods", version, admin(runner), namespace="default")
    seen = []

    def read():
        for event in events:
            if event is not None:
                seen.append((event["type"], event["object"]["metadata"]["name"]))
                return

    reader = threading.Thread(target=read)
    reader.start()
    cluster.apply(POD)
    cluster.run(1)  # stepped: the event travels only while the notebook runs the world
    reader.join(5)
    assert seen == [("ADDED", "web")]
    events.close()
    assert not events.stream.open
    cluster.run(1)
    assert events.closed_because  # the close reached the simulated client too


def test_a_stepped_watch_is_run_until_its_replay_has_arrived(cluster):
    runner = SimRunner(cluster, mode="stepped")
    _, version = runner.run_request(lambda client: client.list("pods", "default"),
                                    admin(runner))
    cluster.apply(POD)
    cluster.run(1)
    # Nobody runs the world while a real client reads, so opening the watch steps it until
    # the replay from `version` has crossed the simulated network.
    events = runner.open_watch("pods", version, admin(runner), namespace="default")
    first = next(iter(events))
    assert (first["type"], first["object"]["metadata"]["name"]) == ("ADDED", "web")
    events.close()


def test_a_stepped_watch_with_nothing_to_replay_moves_time_a_bounded_step(cluster):
    runner = SimRunner(cluster, mode="stepped")
    _, version = runner.run_request(lambda client: client.list("pods", "default"),
                                    admin(runner))
    before = cluster.now
    events = runner.open_watch("pods", version, admin(runner), namespace="default")
    assert cluster.now == pytest.approx(before + WATCH_OPEN_SECONDS)
    assert not events.arrived
    events.close()


def test_the_pacer_moves_time_at_speed_and_stops(cluster):
    runner = SimRunner(cluster, mode="paced", speed=20)
    start = cluster.now
    runner.start()
    try:
        time.sleep(0.3)
        paced = cluster.now
        assert paced > start
        cluster.run(2)  # the notebook runs the world too, taking turns through the lock
        assert cluster.now >= paced + 2
    finally:
        runner.stop()
    stopped = cluster.now
    time.sleep(0.1)
    assert cluster.now == stopped and runner.error is None


def test_a_pacer_that_cannot_keep_up_runs_bounded_slices_and_starts_afresh(cluster):
    wall = [0.0]

    def clock():  # every look at the clock, 100 wall seconds have passed
        wall[0] += 100.0
        return wall[0]

    runner = SimRunner(cluster, mode="paced", speed=1, clock=clock)
    start = cluster.now
    runner.start()
    time.sleep(0.2)  # some ten slices
    runner.stop()
    assert runner.resyncs > 0
    assert 0 < cluster.now - start < 5  # 0.1 s a slice, not the hundreds the clock claims


def test_a_facade_call_waits_while_another_thread_holds_the_world(cluster):
    before = cluster.now
    with cluster.sim.lock:  # as a request from a real client holds it
        notebook = threading.Thread(target=cluster.run, args=(1,))
        notebook.start()
        notebook.join(0.3)
        assert notebook.is_alive() and cluster.now == before
    notebook.join(5)
    assert cluster.now == before + 1
    assert Cluster.run.__doc__.startswith("Advance simulated time")  # wrapped, still itself


@pytest.mark.parametrize("options, words", [
    ({"mode": "live"}, "mode must be one of"),
    ({"speed": -1}, "speed must be"),
    ({"speed": 10_000}, "speed must be"),
    ({"speed": True}, "speed must be"),
])
def test_bad_runner_options_are_refused(options, words):
    with pytest.raises(K8sLabError, match=words):
        SimRunner(Cluster.__new__(Cluster), **options)

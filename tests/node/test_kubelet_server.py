"""The kubelet's port 10250: which run's log file it reads, its refusals, and exec."""

from collections.abc import Generator

import pytest

from k8slab.errors import BadRequestError, NotFoundError
from k8slab.node.kubelet_server import KubeletServer, LogRequest, log_directory
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network

UID = "0b5e"
DIR = log_directory("default", "web", UID, "app")


class FakeKubelet:
    """The pods and statuses a kubelet holds, and an ExecSync that records its calls."""

    def __init__(self, statuses: list[dict]) -> None:
        pod = {"metadata": {"name": "web", "namespace": "default", "uid": UID},
               "spec": {"initContainers": [{"name": "setup"}], "containers": [{"name": "app"}]}}
        self.pods = {"default/web": pod}
        self.statuses = {"default/web": {"containerStatuses": statuses}}
        self.calls: list[tuple] = []

    def exec_sync(self, pod_key: str, container: str, argv: list[str],
                  timeout: float) -> Generator:
        self.calls.append((pod_key, container, argv, timeout))
        yield from ()
        return (1, "", "cat: can't open '/nope': No such file or directory\n")


def running(restarts: int = 0, last_id: str = "") -> dict:
    status = {"name": "app", "containerID": "containerd://c2", "restartCount": restarts,
              "state": {"running": {"startedAt": "2026-01-01T00:00:40Z"}}}
    if last_id:
        status["lastState"] = {"terminated": {"containerID": last_id, "exitCode": 137}}
    return status


def waiting(reason: str, last_id: str = "") -> dict:
    status = {"name": "app", "state": {"waiting": {"reason": reason}}, "restartCount": 1}
    if last_id:
        status["lastState"] = {"terminated": {"containerID": last_id, "exitCode": 1}}
    return status


@pytest.fixture
def node():
    sim = Simulation(seed=1)
    host = Network(sim).add_host("worker-1")
    host.start()
    host.disk[f"{DIR}/0.log"] = [
        "2026-01-01T00:00:01.5Z stdout F first run",
        "2026-01-01T00:00:30Z stderr F dying",
    ]
    host.disk[f"{DIR}/1.log"] = [
        "2026-01-01T00:00:40Z stdout F second run",
        "2026-01-01T00:00:50.25Z stdout F still here",
        "2026-01-01T00:00:59Z stdout F busy",
    ]

    def serve(statuses: list[dict]) -> tuple[KubeletServer, FakeKubelet]:
        kubelet = FakeKubelet(statuses)
        server = KubeletServer(host.group("kubelet"), kubelet)
        sim.run(60.0)
        return server, kubelet

    return serve


def logs(server: KubeletServer, **options) -> str:
    return server.container_logs(LogRequest("default", "web", "app", **options))


def test_the_current_run_and_the_previous_one(node):
    server, _ = node([running(1, "containerd://c1")])
    assert logs(server) == "second run\nstill here\nbusy"
    assert logs(server, previous=True) == "first run\ndying"


def test_tail_timestamps_and_since(node):
    server, _ = node([running(1, "containerd://c1")])
    assert logs(server, tail_lines=2, timestamps=True) == (
        "2026-01-01T00:00:50.25Z still here\n2026-01-01T00:00:59Z busy")
    assert logs(server, tail_lines=0) == ""
    assert logs(server, since_seconds=10) == "still here\nbusy"


def test_in_crash_loop_back_off_both_read_the_run_that_ended(node):
    server, _ = node([waiting("CrashLoopBackOff", "containerd://c2")])
    assert logs(server) == logs(server, previous=True) == "second run\nstill here\nbusy"


@pytest.mark.parametrize(("status", "previous", "message"), [
    (running(), True, 'previous terminated container "app" in pod "web" not found'),
    (waiting("ContainerCreating"), False,
     'container "app" in pod "web" is waiting to start: ContainerCreating'),
    (waiting("ErrImagePull"), False,
     'container "app" in pod "web" is waiting to start: image can\'t be pulled'),
    (waiting("ImagePullBackOff"), False,
     'container "app" in pod "web" is waiting to start: trying and failing to pull image'),
    ({"name": "app", "state": {"terminated": {"exitCode": 0}}}, False,
     'container "app" in pod "web" is terminated'),
    ({"name": "app", "state": {}}, False,
     'container "app" in pod "web" is waiting to start - no logs yet'),
    ({"name": "other"}, False, 'container "app" in pod "web" is not available'),
], ids=["no-previous", "creating", "pull", "pull-backoff", "terminated-unknown", "no-state",
        "no-status"])
def test_the_kubelets_refusals(node, status, previous, message):
    server, _ = node([status])
    with pytest.raises(BadRequestError) as caught:
        logs(server, previous=previous)
    assert caught.value.message == message


def test_unknown_pod_and_container_are_not_found(node):
    server, _ = node([running()])
    with pytest.raises(NotFoundError, match='pod "db" does not exist'):
        server.container_logs(LogRequest("default", "db", "app"))
    with pytest.raises(NotFoundError, match='container "x" not found in pod "web"'):
        server.container_logs(LogRequest("default", "web", "x"))


def test_exec_runs_through_exec_sync_in_a_running_container(node):
    server, kubelet = node([running()])
    steps = server.serve({"verb": "exec", "namespace": "default", "pod": "web",
                          "container": "app", "argv": ["cat", "/nope"]})
    answer = server.group.sim.run_process(server.group.spawn(steps), 5.0)
    assert answer == {"exitCode": 1, "stdout": "",
                      "stderr": "cat: can't open '/nope': No such file or directory\n"}
    assert kubelet.calls == [("default/web", "app", ["cat", "/nope"], 120.0)]


def test_exec_into_a_container_not_running_is_refused(node):
    server, kubelet = node([waiting("CrashLoopBackOff", "containerd://c1")])
    steps = server.serve({"verb": "exec", "namespace": "default", "pod": "web",
                          "container": "app", "argv": ["ls"]})
    with pytest.raises(BadRequestError, match=r'container not found \("app"\)'):
        server.group.sim.run_process(server.group.spawn(steps), 5.0)
    assert kubelet.calls == []

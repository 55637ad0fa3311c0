"""containerd's CRI calls as a transcript: one host, each call run as a process, then the trace."""

from __future__ import annotations

from collections.abc import Generator

import pytest

from k8slab.node.containerd import (
    CREATE_SECONDS,
    IMAGES,
    PAUSE_IMAGE,
    PULL_SECONDS,
    SANDBOX_SECONDS,
    START_SECONDS,
    Containerd,
)
from k8slab.node.runc import Runc
from k8slab.node.shim import BINARY, SANDBOX_ID, ShimBinary, TaskExit
from k8slab.sim.host import Host, ProcessGroup
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network

POD = "pod/default/web"
POD_CIDR = "10.244.1.0/24"


class Node:
    """One host running containerd, its shims and runc; `call` runs a CRI call to its end."""

    def __init__(self) -> None:
        self.sim = Simulation(1)
        self.network = Network(self.sim)
        self.host: Host = self.network.add_host("node-1")
        self.host.start()
        self.boot()

    def boot(self) -> None:
        self.runc = Runc(self.host)
        self.group: ProcessGroup = self.host.group("containerd")
        self.containerd = Containerd(self.group, ShimBinary(self.runc), POD_CIDR)

    def call(self, steps: Generator, limit: float = 60.0):
        return self.sim.run_process(self.group.spawn(steps), limit)

    def trace(self) -> list[tuple[str, str, str]]:
        return [
            (rec.component, rec.kind, rec.obj)
            for rec in self.sim.trace
            if rec.component in ("containerd", BINARY, "runc")
        ]


@pytest.fixture
def node() -> Node:
    return Node()


def test_run_pod_sandbox_takes_its_time_and_starts_a_pause_container(node: Node) -> None:
    sandbox = node.call(node.containerd.run_pod_sandbox(POD))
    assert node.sim.now == SANDBOX_SECONDS
    assert sandbox.pod == POD
    assert sandbox.state == "SANDBOX_READY"
    assert sandbox.containers == []
    pause = node.runc.containers[sandbox.pause_id]
    assert (pause.status, pause.bundle["image"]) == ("running", PAUSE_IMAGE)
    assert node.containerd.list_pod_sandboxes() == [sandbox]
    assert node.trace() == [
        ("containerd", "RunPodSandbox", POD),
        (BINARY, "Create", POD),
        ("runc", "create", POD),
        (BINARY, "Start", POD),
        ("runc", "start", POD),
    ]
    first = node.sim.trace.by_component("containerd")[0]
    assert (first.time, first.details) == (0, {"host_network": False})


def test_sandbox_and_container_ids_are_64_hex_digits_and_distinct(node: Node) -> None:
    a = node.call(node.containerd.run_pod_sandbox("pod/default/a"))
    b = node.call(node.containerd.run_pod_sandbox("pod/default/b"))
    ids = [a.id, a.pause_id, b.id, b.pause_id]
    assert len(set(ids)) == 4
    assert all(len(i) == 64 and int(i, 16) >= 0 for i in ids)


def test_ids_depend_only_on_the_seed() -> None:
    first, second = Node(), Node()
    a = first.call(first.containerd.run_pod_sandbox(POD))
    b = second.call(second.containerd.run_pod_sandbox(POD))
    assert (a.id, a.pause_id) == (b.id, b.pause_id)


def test_pod_ips_come_from_the_pod_cidr_from_dot_2_and_are_distinct(node: Node) -> None:
    ips = [node.call(node.containerd.run_pod_sandbox(f"pod/default/p{i}")).ip for i in range(5)]
    assert ips == ["10.244.1.2", "10.244.1.3", "10.244.1.4", "10.244.1.5", "10.244.1.6"]


def test_stop_pod_sandbox_frees_the_ip_for_the_next_pod(node: Node) -> None:
    first = node.call(node.containerd.run_pod_sandbox("pod/default/a"))
    second = node.call(node.containerd.run_pod_sandbox("pod/default/b"))
    node.call(node.containerd.stop_pod_sandbox(first.id))
    third = node.call(node.containerd.run_pod_sandbox("pod/default/c"))
    assert (first.ip, second.ip, third.ip) == ("10.244.1.2", "10.244.1.3", "10.244.1.2")
    assert [s.pod for s in node.containerd.list_pod_sandboxes()] == [
        "pod/default/b",
        "pod/default/c",
    ]


def test_a_small_pod_cidr_runs_out_with_a_clear_error() -> None:
    node = Node()
    # The /30 has hosts .1 and .2.
    node.containerd = Containerd(node.group, ShimBinary(node.runc), "10.244.9.0/30")
    assert node.call(node.containerd.run_pod_sandbox("pod/default/a")).ip == "10.244.9.2"
    with pytest.raises(RuntimeError, match="pod CIDR 10.244.9.0/30 is exhausted on node-1"):
        node.call(node.containerd.run_pod_sandbox("pod/default/b"))


def test_a_host_network_sandbox_takes_the_host_ip_and_allocates_nothing(node: Node) -> None:
    host_pod = node.call(node.containerd.run_pod_sandbox("pod/kube-system/etcd", "10.0.0.21"))
    other = node.call(node.containerd.run_pod_sandbox(POD))
    assert (host_pod.ip, other.ip) == ("10.0.0.21", "10.244.1.2")
    assert node.sim.trace.by_component("containerd")[0].details == {"host_network": True}
    node.call(node.containerd.stop_pod_sandbox(host_pod.id))
    again = node.call(node.containerd.run_pod_sandbox("pod/default/next"))
    assert again.ip == "10.244.1.3"


def test_stop_pod_sandbox_kills_and_removes_every_container_of_the_pod(node: Node) -> None:
    sandbox = node.call(node.containerd.run_pod_sandbox(POD))
    app = node.call(node.containerd.create_container(sandbox.id, {"name": "app", "image": "x"}))
    node.call(node.containerd.start_container(app))
    side = node.call(node.containerd.create_container(sandbox.id, {"name": "log", "image": "y"}))
    other = node.call(node.containerd.run_pod_sandbox("pod/default/other"))
    node.call(node.containerd.stop_pod_sandbox(sandbox.id))
    assert list(node.runc.containers) == [other.pause_id]
    assert node.containerd.list_pod_sandboxes() == [other]
    stops = [rec for rec in node.sim.trace.where(kind="TaskExit") if rec.obj == POD]
    assert [rec.details for rec in stops] == [
        {"container": app[:13], "pid": 1002, "exit_status": 137},
        {"container": sandbox.pause_id[:13], "pid": 1001, "exit_status": 137},
    ]
    assert side not in node.runc.containers
    assert list(node.containerd.shims) == [other.id]
    assert [(rec.kind, rec.obj) for rec in node.sim.trace.by_component(BINARY)][-1] == (
        "Shutdown", POD)
    last = node.sim.trace.by_component("containerd")[-1]
    assert (last.kind, last.obj, last.details) == (
        "StopPodSandbox",
        POD,
        {"sandbox": sandbox.id[:13]},
    )


def test_pull_image_takes_pull_seconds_only_when_the_image_is_not_on_disk(node: Node) -> None:
    assert node.containerd.images == [PAUSE_IMAGE]
    node.call(node.containerd.pull_image("nginx:1.27", POD))
    assert node.sim.now == PULL_SECONDS
    assert node.call(node.containerd.pull_image("nginx:1.27", POD)) == "nginx:1.27"
    assert node.sim.now == PULL_SECONDS
    pulls = node.sim.trace.where(kind="PullImage")
    assert [(rec.time, rec.obj, rec.details) for rec in pulls] == [
        (0, POD, {"image": "nginx:1.27", "cached": False}),
        (PULL_SECONDS, POD, {"image": "nginx:1.27", "cached": True}),
    ]
    assert node.containerd.images == [PAUSE_IMAGE, "nginx:1.27"]
    assert node.host.disk[IMAGES] is node.containerd.images


def test_two_pulls_of_one_image_at_once_store_it_once(node: Node) -> None:
    first = node.group.spawn(node.containerd.pull_image("nginx:1.27"))
    second = node.group.spawn(node.containerd.pull_image("nginx:1.27"))
    node.sim.run(PULL_SECONDS + 1)
    assert first.triggered and second.triggered
    assert node.containerd.images == [PAUSE_IMAGE, "nginx:1.27"]


def test_the_image_list_survives_a_host_crash(node: Node) -> None:
    node.call(node.containerd.pull_image("nginx:1.27"))
    node.network.crash("node-1")
    node.network.restart("node-1")
    node.boot()
    assert node.containerd.images == [PAUSE_IMAGE, "nginx:1.27"]
    start = node.sim.now
    node.call(node.containerd.pull_image("nginx:1.27"))
    assert node.sim.now == start
    assert node.sim.trace.where(kind="PullImage")[-1].details["cached"] is True


def test_sandboxes_and_ips_do_not_survive_a_host_crash(node: Node) -> None:
    node.call(node.containerd.run_pod_sandbox(POD))
    node.network.crash("node-1")
    node.network.restart("node-1")
    node.boot()
    assert node.containerd.list_pod_sandboxes() == []
    assert node.runc.containers == {}
    assert node.call(node.containerd.run_pod_sandbox(POD)).ip == "10.244.1.2"


def test_create_and_start_container_take_their_time_and_pass_the_bundle(node: Node) -> None:
    sandbox = node.call(node.containerd.run_pod_sandbox(POD))
    config = {"name": "app", "image": "nginx:1.27", "command": ["nginx"], "args": ["-g"]}
    container_id = node.call(node.containerd.create_container(sandbox.id, config))
    assert node.sim.now == pytest.approx(SANDBOX_SECONDS + CREATE_SECONDS)
    assert sandbox.containers == [container_id]
    assert node.runc.containers[container_id].bundle == dict(
        config, trace_ref=POD, sandbox=sandbox.id, ip="10.244.1.2",
        annotations={SANDBOX_ID: sandbox.id},
    )
    status = node.containerd.container_status(container_id)
    assert (status["state"], status["started"]) == ("CONTAINER_CREATED", None)

    pid = node.call(node.containerd.start_container(container_id))
    assert node.sim.now == pytest.approx(SANDBOX_SECONDS + CREATE_SECONDS + START_SECONDS)
    assert (pid, node.runc.containers[container_id].status) == (1002, "running")
    assert node.containerd.container_status(container_id) == {
        "id": container_id,
        "state": "CONTAINER_RUNNING",
        "exit_code": None,
        "started": pytest.approx(SANDBOX_SECONDS + CREATE_SECONDS + START_SECONDS),
        "finished": None,
        "name": "app",
        "image": "nginx:1.27",
    }


def test_container_status_reports_an_exited_container(node: Node) -> None:
    def job(process) -> Generator:
        group = process.group
        yield group.env.timeout(1)
        return 2

    node.host.programs["job"] = job
    sandbox = node.call(node.containerd.run_pod_sandbox(POD))
    container_id = node.call(node.containerd.create_container(sandbox.id, {"image": "job:1"}))
    node.call(node.containerd.start_container(container_id))
    node.sim.run(2)
    status = node.containerd.container_status(container_id)
    assert (status["state"], status["exit_code"]) == ("CONTAINER_EXITED", 2)
    assert status["finished"] == pytest.approx(status["started"] + 1)
    assert node.containerd.exits[container_id] == TaskExit(container_id, 1002, 2,
                                                           status["finished"])


def test_one_shim_serves_every_container_of_a_pod_and_a_new_pod_gets_its_own(node: Node) -> None:
    web = node.call(node.containerd.run_pod_sandbox(POD))
    app = node.call(node.containerd.create_container(web.id, {"name": "app", "image": "x"}))
    log = node.call(node.containerd.create_container(web.id, {"name": "log", "image": "y"}))
    other = node.call(node.containerd.run_pod_sandbox("pod/default/other"))
    assert list(node.containerd.shims) == [web.id, other.id]
    assert list(node.containerd.shims[web.id].tasks) == [web.pause_id, app, log]
    assert list(node.containerd.shims[other.id].tasks) == [other.pause_id]
    groups = [shim.group.name for shim in node.containerd.shims.values()]
    assert groups == [f"{BINARY} {web.id[:13]}", f"{BINARY} {other.id[:13]}"]


def test_each_cri_call_is_recorded_when_it_starts_then_the_shim_runs_runc(node: Node) -> None:
    sandbox = node.call(node.containerd.run_pod_sandbox(POD))
    node.call(node.containerd.pull_image("nginx:1.27", POD))
    container_id = node.call(
        node.containerd.create_container(sandbox.id, {"name": "app", "image": "nginx:1.27"})
    )
    node.call(node.containerd.start_container(container_id))
    assert node.trace() == [
        ("containerd", "RunPodSandbox", POD),
        (BINARY, "Create", POD),
        ("runc", "create", POD),
        (BINARY, "Start", POD),
        ("runc", "start", POD),
        ("containerd", "PullImage", POD),
        ("containerd", "CreateContainer", POD),
        (BINARY, "Create", POD),
        ("runc", "create", POD),
        ("containerd", "StartContainer", POD),
        (BINARY, "Start", POD),
        ("runc", "start", POD),
    ]
    times = {rec.kind: rec.time for rec in node.sim.trace.by_component("containerd")}
    assert times == pytest.approx(
        {
            "RunPodSandbox": 0,
            "PullImage": SANDBOX_SECONDS,
            "CreateContainer": SANDBOX_SECONDS + PULL_SECONDS,
            "StartContainer": SANDBOX_SECONDS + PULL_SECONDS + CREATE_SECONDS,
        }
    )

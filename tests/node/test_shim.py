"""containerd-shim-runc-v2 as a transcript: the Task API calls, the runc commands they run, and
the TaskExit the shim publishes when it reaps a container's process."""

from __future__ import annotations

from collections.abc import Generator

import pytest

from k8slab.errors import K8sLabError
from k8slab.node.runc import SIGTERM, Runc
from k8slab.node.shim import BINARY, SANDBOX_ID, Shim, ShimBinary, TaskExit, grouping
from k8slab.sim.host import Host
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network

POD = "pod/default/web"
SANDBOX = "5a4db0c0ffee0000000000000000000000000000000000000000000000000001"


class Node:
    """One host with runc and one shim for SANDBOX; `published` holds the events it sent."""

    def __init__(self) -> None:
        self.sim = Simulation(1)
        self.host: Host = Network(self.sim).add_host("node-1")
        self.host.start()
        self.runc = Runc(self.host)
        self.published: list[TaskExit] = []
        self.shim: Shim = ShimBinary(self.runc).start(self.host, SANDBOX, self.published.append)

    def transcript(self) -> list[tuple[float, str, str, dict]]:
        return [(rec.time, rec.component, rec.kind, rec.details) for rec in self.sim.trace
                if rec.component in (BINARY, "runc")]


def bundle(image: str = "nginx:1.27") -> dict:
    return {"image": image, "trace_ref": POD, "annotations": {SANDBOX_ID: SANDBOX}}


def exits_after(seconds: float, code: int):
    def program(process) -> Generator:
        group = process.group
        yield group.env.timeout(seconds)
        return code

    return program


@pytest.fixture
def node() -> Node:
    return Node()


@pytest.mark.parametrize(
    ("annotations", "shim"),
    [
        ({}, "c1"),
        ({SANDBOX_ID: "sb"}, "sb"),
        ({"io.containerd.runc.v2.group": "g", SANDBOX_ID: "sb"}, "g"),
    ],
    ids=["no-label-own-shim", "cri-sandbox-id", "runc-group-label-first"],
)
def test_grouping_follows_the_shims_group_labels_in_order(annotations: dict, shim: str) -> None:
    assert grouping("c1", annotations) == shim


def test_create_and_start_run_runc_create_and_runc_start(node: Node) -> None:
    node.shim.create("c1", bundle())
    pid = node.shim.start("c1")
    assert (pid, node.runc.containers["c1"].status) == (1001, "running")
    assert node.transcript() == [
        (0, BINARY, "Create", {"container": "c1", "image": "nginx:1.27"}),
        (0, "runc", "create", {"container": "c1", "image": "nginx:1.27"}),
        (0, BINARY, "Start", {"container": "c1"}),
        (0, "runc", "start", {"container": "c1", "pid": 1001}),
    ]
    assert node.shim.group.name == f"{BINARY} {SANDBOX[:13]}"


def test_when_the_process_exits_the_shim_reaps_it_and_publishes_task_exit(node: Node) -> None:
    node.host.programs["job"] = exits_after(3, 2)
    node.shim.create("c1", bundle("job:1"))
    node.shim.start("c1")
    node.sim.run(5)
    assert node.published == [TaskExit("c1", 1001, 2, 3)]
    assert node.transcript()[-1] == (3, BINARY, "TaskExit",
                                     {"container": "c1", "pid": 1001, "exit_status": 2})
    assert node.runc.containers["c1"].status == "stopped"  # what `runc list` shows


def test_a_program_that_fails_to_start_exits_1_and_the_shim_passes_its_stderr_on(
    node: Node,
) -> None:
    def bad_flag(process) -> Generator:
        group = process.group
        yield group.env.timeout(0)
        raise K8sLabError("unknown flag: --bogus")

    node.host.programs["tool"] = bad_flag
    node.shim.create("c1", bundle("tool:1"))
    node.shim.start("c1")
    node.sim.run(1)
    assert node.published == [TaskExit("c1", 1001, 1, 0)]
    assert node.transcript()[-1][3] == {"container": "c1", "pid": 1001, "exit_status": 1,
                                        "stderr": "unknown flag: --bogus"}


def test_kill_runs_runc_kill_and_wait_answers_once_the_exit_is_reaped(node: Node) -> None:
    node.shim.create("c1", bundle())
    node.shim.start("c1")
    node.sim.run(1)
    node.shim.kill("c1", SIGTERM)
    waited = node.shim.wait("c1")
    assert not waited.triggered  # the shim has not reaped the process yet
    node.sim.run(1)
    assert waited.value == TaskExit("c1", 1001, 143, 1)
    assert node.shim.wait("c1").value == TaskExit("c1", 1001, 143, 1)  # already exited
    assert [(kind, details) for _, _, kind, details in node.transcript()[-3:]] == [
        ("Kill", {"container": "c1", "signal": SIGTERM}),
        ("kill", {"container": "c1", "signal": SIGTERM}),
        ("TaskExit", {"container": "c1", "pid": 1001, "exit_status": 143}),
    ]


def test_delete_runs_runc_delete_and_returns_the_exit(node: Node) -> None:
    node.shim.create("c1", bundle())
    node.shim.start("c1")
    node.shim.kill("c1")
    node.sim.run(1)
    assert node.shim.delete("c1") == TaskExit("c1", 1001, 137, 0)
    assert (node.shim.tasks, node.runc.containers) == ({}, {})
    assert [kind for _, _, kind, _ in node.transcript()[-2:]] == ["Delete", "delete"]


def test_delete_of_a_running_task_is_refused_by_runc_and_keeps_the_task(node: Node) -> None:
    node.shim.create("c1", bundle())
    node.shim.start("c1")
    with pytest.raises(ValueError, match="cannot delete running container c1; kill it first"):
        node.shim.delete("c1")
    assert list(node.shim.tasks) == ["c1"]


def test_a_call_for_a_task_the_shim_does_not_serve_names_what_it_serves(node: Node) -> None:
    node.shim.create("c1", bundle())
    for call in (node.shim.start, node.shim.kill, node.shim.wait, node.shim.delete):
        with pytest.raises(ValueError, match=f"{BINARY} for 5a4db0c0ffee0 has no task c2; "
                                             "its tasks: c1"):
            call("c2")
    assert node.transcript()[-1][2] == "create"


def test_shutdown_exits_only_without_tasks_and_a_shut_down_shim_takes_no_more(
    node: Node,
) -> None:
    node.shim.create("c1", bundle())
    with pytest.raises(ValueError, match=f"{BINARY} for 5a4db0c0ffee0 still has tasks: c1"):
        node.shim.shutdown()
    assert node.shim.group.alive
    node.shim.delete("c1")
    node.shim.shutdown()
    assert not node.shim.group.alive
    assert node.transcript()[-1] == (0, BINARY, "Shutdown", {"group": SANDBOX[:13]})
    with pytest.raises(ValueError, match=f"{BINARY} for 5a4db0c0ffee0 has shut down"):
        node.shim.create("c2", bundle())
    assert "c2" not in node.runc.containers

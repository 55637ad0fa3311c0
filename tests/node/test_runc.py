"""runc as a transcript: create, start, kill and delete containers on one host, read the trace."""

from __future__ import annotations

import dataclasses
from collections.abc import Generator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k8slab.errors import K8sLabError
from k8slab.node.container_state import ContainerState
from k8slab.node.runc import SIGKILL, SIGTERM, Runc, image_repository
from k8slab.sim.host import Host
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network

POD = "pod/default/web"


def one_host() -> tuple[Simulation, Network, Host]:
    """A simulation with one started host and no boot function."""
    sim = Simulation(1)
    network = Network(sim)
    host = network.add_host("node-1")
    host.start()
    return sim, network, host


def bundle(image: str = "nginx:1.27") -> dict:
    return {"image": image, "trace_ref": POD}


def runc_records(sim: Simulation) -> list[tuple[float, str, dict]]:
    return [(rec.time, rec.kind, rec.details) for rec in sim.trace.by_component("runc")]


def exits_after(seconds: float, code: int | None):
    """A container program that runs `seconds` and returns `code`."""

    def program(process) -> Generator:
        group = process.group
        yield group.env.timeout(seconds)
        return code

    return program


def test_a_container_goes_created_running_stopped() -> None:
    sim, _, host = one_host()
    runc = Runc(host)

    container = runc.create("c1", bundle())
    assert container.status == "created"
    assert container.pid == 0
    assert runc.containers == {"c1": container}

    sim.run(1)
    runc.start("c1")
    assert container.status == "running"
    assert container.pid == 1001
    assert container.started == 1
    assert container.state() == {
        "ociVersion": "1.2.0",
        "id": "c1",
        "status": "running",
        "pid": 1001,
        "bundle": "/run/containerd/io.containerd.runtime.v2.task/k8s.io/c1",
    }

    sim.run(1)
    runc.kill("c1", SIGTERM)
    assert (container.status, container.exit_code, container.finished) == ("stopped", 143, 2)
    assert container.exited.value == 143  # what its parent, the shim, reaps
    assert [kind for _, kind, _ in runc_records(sim)] == ["create", "start", "kill"]


def test_every_record_names_the_pod_and_the_short_container_id() -> None:
    sim, _, host = one_host()
    runc = Runc(host)
    long_id = "0123456789abcdef" * 4
    runc.create(long_id, bundle())
    runc.start(long_id)
    records = sim.trace.by_component("runc")
    assert [rec.obj for rec in records] == [POD, POD]
    assert [rec.details["container"] for rec in records] == ["0123456789abc"] * 2
    assert records[0].details["image"] == "nginx:1.27"


def test_pids_are_new_for_every_start() -> None:
    _, _, host = one_host()
    runc = Runc(host)
    for name in ("a", "b", "c"):
        runc.create(name, bundle())
        runc.start(name)
    assert [runc.containers[name].pid for name in "abc"] == [1001, 1002, 1003]


def test_start_of_a_container_that_is_not_created_is_an_error() -> None:
    sim, _, host = one_host()
    runc = Runc(host)
    runc.create("c1", bundle())
    runc.start("c1")
    with pytest.raises(ValueError, match="c1 is running, not created"):
        runc.start("c1")
    runc.kill("c1")
    with pytest.raises(ValueError, match="c1 is stopped, not created"):
        runc.start("c1")
    assert [kind for _, kind, _ in runc_records(sim)] == ["create", "start", "kill"]


def test_create_of_an_existing_id_is_an_error() -> None:
    _, _, host = one_host()
    runc = Runc(host)
    runc.create("c1", bundle())
    with pytest.raises(ValueError, match="container c1 already exists"):
        runc.create("c1", bundle("redis:7"))
    assert runc.containers["c1"].bundle["image"] == "nginx:1.27"


@pytest.mark.parametrize(("signal", "code"), [(SIGKILL, 137), (SIGTERM, 143), (2, 130)])
def test_kill_exits_with_128_plus_the_signal(signal: int, code: int) -> None:
    sim, _, host = one_host()
    runc = Runc(host)
    runc.create("c1", bundle())
    runc.start("c1")
    runc.kill("c1", signal)
    assert runc.containers["c1"].exit_code == code
    assert runc.containers["c1"].exited.value == code
    assert runc_records(sim)[-1] == (0, "kill", {"container": "c1", "signal": signal})


def test_kill_defaults_to_sigkill_and_ends_the_container_process() -> None:
    sim, _, host = one_host()
    runc = Runc(host)
    host.programs["busybox"] = exits_after(5, 0)
    runc.create("c1", bundle("busybox:1.36"))
    runc.start("c1")
    sim.run(1)
    runc.kill("c1")
    sim.run(10)
    # The program would have returned 0 at t=5: it was stopped, so exactly one exit is recorded.
    assert (runc.containers["c1"].exit_code, runc.containers["c1"].exited.value) == (137, 137)
    assert [kind for _, kind, _ in runc_records(sim)] == ["create", "start", "kill"]


def test_kill_of_a_stopped_container_changes_nothing() -> None:
    sim, _, host = one_host()
    runc = Runc(host)
    runc.create("c1", bundle())
    runc.start("c1")
    runc.kill("c1", SIGTERM)
    runc.kill("c1", SIGKILL)
    assert runc.containers["c1"].exit_code == 143
    assert [kind for _, kind, _ in runc_records(sim)] == ["create", "start", "kill"]


def test_delete_of_a_running_container_is_an_error_and_of_a_stopped_one_removes_it() -> None:
    _, _, host = one_host()
    runc = Runc(host)
    runc.create("c1", bundle())
    runc.start("c1")
    with pytest.raises(ValueError, match="cannot delete running container c1; kill it first"):
        runc.delete("c1")
    assert "c1" in runc.containers
    runc.kill("c1")
    runc.delete("c1")
    assert runc.containers == {}


def test_delete_of_a_created_container_removes_it() -> None:
    _, _, host = one_host()
    runc = Runc(host)
    runc.create("c1", bundle())
    runc.delete("c1")
    assert runc.containers == {}


def test_the_program_registered_for_the_image_runs_and_its_return_is_the_exit_code() -> None:
    sim, _, host = one_host()
    seen: list[tuple[str, dict]] = []

    def job(process) -> Generator:
        group = process.group
        seen.append((group.name, process.bundle))
        yield group.env.timeout(3)
        return 7

    host.programs["registry.example.com/tools/job"] = job
    runc = Runc(host)
    runc.create("c1", bundle("registry.example.com/tools/job:v2"))
    sim.run(1)
    runc.start("c1")
    sim.run(1)
    assert seen == [("container c1", bundle("registry.example.com/tools/job:v2"))]
    assert runc.containers["c1"].status == "running"
    sim.run(5)
    container = runc.containers["c1"]
    assert (container.status, container.exit_code, container.finished) == ("stopped", 7, 4)
    # runc exited after `start`: the exit goes to the process's parent, not to runc's trace.
    assert container.exited.value == 7
    assert [kind for _, kind, _ in runc_records(sim)] == ["create", "start"]


def test_a_program_that_fails_to_start_exits_1_and_leaves_its_reason_on_stderr() -> None:
    sim, _, host = one_host()

    def bad_flag(process) -> Generator:
        group = process.group
        yield group.env.timeout(0)
        raise K8sLabError("unknown flag: --bogus")

    host.programs["tool"] = bad_flag
    runc = Runc(host)
    runc.create("c1", bundle("tool:1"))
    runc.start("c1")
    sim.run(1)
    container = runc.containers["c1"]
    assert (container.status, container.exited.value) == ("stopped", 1)
    assert container.stderr == "unknown flag: --bogus"


def test_a_program_that_returns_nothing_exits_0() -> None:
    sim, _, host = one_host()
    host.programs["busybox"] = exits_after(2, None)
    runc = Runc(host)
    runc.create("c1", bundle("busybox"))
    runc.start("c1")
    sim.run(3)
    assert runc.containers["c1"].exit_code == 0


def test_the_container_program_runs_in_its_own_group_which_stops_with_it() -> None:
    sim, _, host = one_host()
    ticks: list[float] = []

    def ticker(process) -> Generator:
        group = process.group
        def tick() -> Generator:
            while True:
                ticks.append(group.env.now)
                yield group.env.timeout(1)

        group.spawn(tick())
        yield group.env.timeout(2.5)
        return 1

    host.programs["ticker"] = ticker
    runc = Runc(host)
    runc.create("c1", bundle("ticker:1"))
    runc.start("c1")
    sim.run(10)
    assert ticks == [0, 1, 2]
    assert runc.containers["c1"].exit_code == 1


def test_an_image_without_a_program_runs_until_killed() -> None:
    sim, _, host = one_host()
    runc = Runc(host)
    runc.create("c1", bundle("registry.k8s.io/pause:3.10.1"))
    runc.start("c1")
    sim.run(3600)
    assert runc.containers["c1"].status == "running"


@pytest.mark.parametrize(
    ("image", "repository"),
    [
        ("nginx", "nginx"),
        ("nginx:1.27", "nginx"),
        ("registry.k8s.io/etcd:3.6.6-0", "registry.k8s.io/etcd"),
        ("registry:5000/x:1", "registry:5000/x"),
        ("registry:5000/x", "registry:5000/x"),
        ("nginx@sha256:" + "a" * 64, "nginx"),
        ("nginx:1.27@sha256:" + "a" * 64, "nginx"),
        ("registry:5000/team/app:v1@sha256:" + "b" * 64, "registry:5000/team/app"),
        ("", ""),
    ],
)
def test_image_repository_drops_tag_and_digest(image: str, repository: str) -> None:
    assert image_repository(image) == repository


name_part = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-.", min_size=1, max_size=12)


@given(
    registry=st.one_of(st.just(""), st.builds("{}:{}/".format, name_part, st.integers(1, 65535))),
    path=st.lists(name_part, min_size=1, max_size=3).map("/".join),
    tag=st.one_of(st.just(""), name_part.map(":{}".format)),
    digest=st.one_of(st.just(""), st.text("0123456789abcdef", min_size=64, max_size=64)),
)
def test_image_repository_keeps_registry_port_and_path(
    registry: str, path: str, tag: str, digest: str
) -> None:
    image = f"{registry}{path}{tag}" + (f"@sha256:{digest}" if digest else "")
    assert image_repository(image) == f"{registry}{path}"


def test_a_host_crash_records_lost_for_each_running_container_only() -> None:
    sim, network, host = one_host()
    runc = Runc(host)
    runc.create("running-1", bundle())
    runc.create("created", bundle())
    runc.create("stopped", bundle())
    runc.create("running-2", {"image": "redis:7", "trace_ref": "pod/default/cache"})
    for name in ("running-1", "stopped", "running-2"):
        runc.start(name)
    runc.kill("stopped")
    sim.run(5)
    network.crash("node-1")
    lost = sim.trace.where(component="runc", kind="lost")
    assert [(rec.time, rec.obj, rec.details) for rec in lost] == [
        (5, POD, {"container": "running-1", "reason": "host crashed"}),
        (5, "pod/default/cache", {"container": "running-2", "reason": "host crashed"}),
    ]


def test_a_crash_ends_container_programs_without_an_exit_record() -> None:
    sim, network, host = one_host()
    host.programs["busybox"] = exits_after(5, 3)
    runc = Runc(host)
    runc.create("c1", bundle("busybox"))
    runc.start("c1")
    sim.run(1)
    network.crash("node-1")
    sim.run(10)
    assert [kind for _, kind, _ in runc_records(sim)] == ["create", "start", "lost"]


def test_after_a_restart_the_new_runc_is_told_of_the_next_crash_the_old_one_is_not() -> None:
    sim, network, host = one_host()
    old = Runc(host)
    old.create("c1", bundle())
    old.start("c1")
    network.crash("node-1")
    network.restart("node-1")
    new = Runc(host)
    new.create("c2", bundle())
    new.start("c2")
    network.crash("node-1")
    lost = sim.trace.where(component="runc", kind="lost")
    assert [rec.details["container"] for rec in lost] == ["c1", "c2"]


def test_runc_list_reports_every_container_as_a_read_only_row() -> None:
    sim, _, host = one_host()
    runc = Runc(host)
    assert runc.list() == ()
    runc.create("c1", bundle())
    sim.run(1)
    runc.create("c2", {"image": "redis:7"})
    runc.start("c1")
    rows = runc.list()
    assert rows == (
        ContainerState("1.2.0", "c1", 1001, "running",
                       "/run/containerd/io.containerd.runtime.v2.task/k8s.io/c1", 0, "nginx:1.27",
                       POD),
        ContainerState("1.2.0", "c2", 0, "created",
                       "/run/containerd/io.containerd.runtime.v2.task/k8s.io/c2", 1, "redis:7",
                       None),
    )
    assert rows[0].bundle == runc.containers["c1"].state()["bundle"]
    runc.kill("c1")
    assert [(row.id, row.status) for row in runc.list()] == [("c1", "stopped"), ("c2", "created")]
    assert rows[0].status == "running"  # a row is a snapshot
    with pytest.raises(dataclasses.FrozenInstanceError):
        rows[0].status = "stopped"

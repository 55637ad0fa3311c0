"""Hosts and process groups: stopping a group ends its processes and frees its ports; a crash
ends everything and forgets memory, but the disk survives."""

import pytest

from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network


class Echo:
    """A server that answers every request with the request itself."""

    def __init__(self, group):
        self.group = group

    def serve(self, request):
        yield self.group.env.timeout(0)
        return request


def ticker(group, seen: list, period: float = 1.0):
    while True:
        yield group.env.timeout(period)
        seen.append(group.sim.now)


@pytest.fixture
def host():
    net = Network(Simulation(1))
    machine = net.add_host("node")
    machine.start()
    return machine


def test_stop_interrupts_the_processes_of_the_group(host):
    group = host.group("svc")
    seen: list[float] = []
    process = group.spawn(ticker(group, seen))
    host.sim.run(2.5)
    group.stop()
    host.sim.run(5)
    assert seen == [1.0, 2.0]
    assert not process.is_alive and process.ok
    assert not group.alive


def test_stop_leaves_other_groups_running(host):
    stopped, running = host.group("a"), host.group("b")
    seen_a: list[float] = []
    seen_b: list[float] = []
    stopped.spawn(ticker(stopped, seen_a))
    running.spawn(ticker(running, seen_b))
    host.sim.run(1.5)
    stopped.stop()
    host.sim.run(2)
    assert seen_a == [1.0]
    assert seen_b == [1.0, 2.0, 3.0]


def test_stop_frees_the_ports_so_a_new_group_can_listen(host):
    old = host.group("old")
    server = Echo(old)
    old.listen(8080, server)
    assert host.server_on(8080) is server
    old.stop()
    assert host.server_on(8080) is None
    new = host.group("new")
    new.listen(8080, Echo(new))
    old.stop()  # a second stop changes nothing
    assert host.server_on(8080) is not None


def test_a_port_in_use_cannot_be_bound_twice(host):
    host.group("a").listen(53, object())
    with pytest.raises(RuntimeError, match="node: port 53 already in use"):
        host.group("b").listen(53, object())


def test_crash_keeps_the_disk_forgets_memory_and_ends_processes(host):
    group = host.group("kubelet")
    seen: list[float] = []
    group.spawn(ticker(group, seen))
    group.listen(10250, Echo(group))
    host.disk["/etc/kubernetes/manifests/etcd.yaml"] = "static pod"
    host.memory["kubelet"] = "running state"
    told: list[str] = []
    host.on_crash(lambda: told.append("crashed"))
    host.sim.run(1.5)
    host.crash()
    host.sim.run(3)
    assert seen == [1.0]
    assert host.disk == {"/etc/kubernetes/manifests/etcd.yaml": "static pod"}
    assert host.memory == {}
    assert told == ["crashed"]
    assert not host.up and not group.alive
    assert host.server_on(10250) is None
    assert [(r.kind, r.time) for r in host.sim.trace.where(component="host")] == [
        ("boot", 0), ("crash", 1.5)]


def test_on_crash_callbacks_run_once_they_are_memory_too(host):
    told: list[int] = []
    host.on_crash(lambda: told.append(host.boots))
    host.crash()
    host.start()
    host.crash()
    assert told == [1]


def test_start_runs_the_boot_function_again_with_the_disk_it_left(host):
    booted: list[tuple] = []

    def boot(machine):
        booted.append((machine.boots, dict(machine.disk)))
        machine.disk["count"] = machine.disk.get("count", 0) + 1

    host.boot = boot
    host.crash()
    host.start()
    host.crash()
    host.start()
    assert booted == [(2, {}), (3, {"count": 1})]
    assert host.up


def test_start_and_crash_refuse_the_wrong_state(host):
    with pytest.raises(RuntimeError, match="node is already up"):
        host.start()
    host.crash()
    with pytest.raises(RuntimeError, match="node is already down"):
        host.crash()
    assert host.server_on(1) is None


def test_a_process_may_stop_its_own_group(host):
    group = host.group("job")
    seen: list[float] = []
    group.spawn(ticker(group, seen, period=0.5))

    def finish():
        yield group.env.timeout(1.2)
        group.stop()  # a container's main process exits: the container ends
        return "exited"

    process = group.spawn(finish())
    host.sim.run(3)
    assert process.value == "exited"
    assert seen == [0.5, 1.0]

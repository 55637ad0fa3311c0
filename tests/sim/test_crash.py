"""A program that raises an error nothing catches dies alone, as a process does: its group stops,
the crash is in the trace, whoever reaps it hears of it, and the world runs on undisturbed."""

from __future__ import annotations

import os
import signal

import pytest

from k8slab.errors import NotFoundError
from k8slab.sim.kernel import RunLimitExceeded, Simulation
from k8slab.sim.network import Network


@pytest.fixture
def net() -> Network:
    network = Network(Simulation(1))
    for name in ("node", "peer"):
        network.add_host(name).start()
    return network


def ticker(group, seen: list):
    while True:
        yield group.env.timeout(1)
        seen.append(group.sim.now)


def fails_at(group, seconds: float, error: Exception):
    yield group.env.timeout(seconds)
    raise error


def test_an_uncaught_error_crashes_only_its_group_and_is_traced(net):
    host = net.host("node")
    doomed, other = host.group("scheduler"), host.group("kubelet")
    doomed_ticks, other_ticks, reaped = [], [], []
    doomed.on_crash = reaped.append
    doomed.spawn(ticker(doomed, doomed_ticks))
    other.spawn(ticker(other, other_ticks))
    doomed.spawn(fails_at(doomed, 2.5, KeyError("value")))
    net.sim.run(5)
    assert net.sim.now == 5
    assert doomed_ticks == [1, 2] and other_ticks == [1, 2, 3, 4]
    assert not doomed.alive and other.alive
    assert [type(e) for e in reaped] == [KeyError]
    [crash] = net.sim.trace.where(kind="crash")
    assert (crash.time, crash.host, crash.component) == (2.5, "node", "scheduler")
    assert crash.details == {"error": "KeyError: 'value'"}


def test_a_crash_during_a_command_leaves_nothing_queued_to_stop_a_later_run(net):
    host = net.host("node")
    doomed = host.group("component")
    doomed.spawn(fails_at(doomed, 1, TypeError("unhashable type: 'list'")))
    kubectl = host.group("kubectl")

    def command():
        yield kubectl.env.timeout(3)
        return "answered"

    assert net.sim.run_process(kubectl.spawn(command()), limit=60) == "answered"
    net.sim.run(100)
    assert net.sim.now == 103
    assert net.sim.run_process(kubectl.spawn(command()), limit=60) == "answered"
    assert net.sim.now == 106


def test_the_process_a_caller_waits_for_hands_its_error_to_the_caller(net):
    group = net.host("node").group("kubectl")
    with pytest.raises(NotFoundError, match="gone"):
        net.sim.run_process(group.spawn(fails_at(group, 1, NotFoundError("gone"))), limit=10)
    assert group.alive and not net.sim.trace.where(kind="crash")


def test_a_command_past_its_limit_stops_the_clock_at_the_limit(net):
    group = net.host("node").group("kubectl")
    with pytest.raises(RunLimitExceeded):
        net.sim.run_process(group.spawn(ticker(group, [])), limit=7.5)
    assert net.sim.now == 7.5


def test_an_error_in_a_watch_callback_crashes_the_group_that_opened_the_watch(net):
    class Feed:
        def __init__(self, group):
            self.group = group

        def accept(self, request, stream):
            stream.send("first")

    server = net.host("peer").group("server")
    server.listen(80, Feed(server))
    client = net.host("node").group("informer")

    def on_message(message):
        raise ValueError(f"cannot decode {message!r}")

    net.open_stream("node", "peer", 80, {}, on_message, lambda reason: None, owner=client)
    net.sim.run(1)
    assert not client.alive and server.alive
    [crash] = net.sim.trace.where(kind="crash")
    assert crash.component == "informer"
    assert crash.details["error"] == "ValueError: cannot decode 'first'"


def test_an_error_in_a_server_accepting_a_watch_crashes_the_server(net):
    class Broken:
        def __init__(self, group):
            self.group = group

        def accept(self, request, stream):
            raise AttributeError("'int' object has no attribute 'get'")

    server = net.host("peer").group("server")
    server.listen(80, Broken(server))
    closed = []
    net.open_stream("node", "peer", 80, {}, lambda m: None, closed.append)
    net.sim.run(1)
    assert not server.alive and closed == ["server stopped"]


def test_a_kernel_interrupt_stops_between_two_events_and_the_world_runs_on(net):
    group = net.host("node").group("svc")
    seen: list[float] = []
    group.spawn(ticker(group, seen))

    def interrupt():
        yield group.env.timeout(4.5)
        os.kill(os.getpid(), signal.SIGINT)  # what Jupyter's "interrupt the kernel" sends

    group.spawn(interrupt())
    found = signal.getsignal(signal.SIGINT)  # Python's, or SIG_IGN under `nohup ... &`
    with pytest.raises(KeyboardInterrupt, match="stopped at 4.5 simulated seconds"):
        net.sim.run(1e9)
    assert net.sim.now == 4.5 and seen == [1, 2, 3, 4]
    assert signal.getsignal(signal.SIGINT) is found  # the handler it found is back
    net.sim.run(2)
    assert net.sim.now == 6.5 and seen == [1, 2, 3, 4, 5, 6]

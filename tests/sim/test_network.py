"""The network: latency along a star, loss, partitions, refused connections, timeouts, streams.

Each test sets up hosts, injects a request or a fault, and asserts what came out and when.
"""

import pytest

from k8slab.errors import BadRequestError, K8sLabError
from k8slab.sim.errors import (
    NoLinkError,
    RefusedError,
    TimedOutError,
    UnknownHostError,
    UnreachableError,
)
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import DEFAULT_LINK_LATENCY, REQUEST_TIMEOUT, SWITCH, Network

HOP = 2 * DEFAULT_LINK_LATENCY  # host -> switch -> host


class Echo:
    """Answers a request after `think` seconds; requests of the form ("fail", msg) fail."""

    def __init__(self, group, think: float = 0.0):
        self.group = group
        self.think = think
        self.streams = []

    def serve(self, request):
        yield self.group.env.timeout(self.think)
        if isinstance(request, tuple) and request[0] == "fail":
            raise BadRequestError(request[1])
        return ("echo", request)

    def accept(self, request, stream):
        self.streams.append(stream)


def call(sim, group, steps, limit=60.0):
    """Run `steps` in `group` to the end; its value, or the K8sLabError it raised."""
    try:
        return sim.run_process(group.spawn(steps), limit)
    except K8sLabError as error:
        return error


@pytest.fixture
def net():
    network = Network(Simulation(1))
    for name in ("a", "b", "c"):
        network.add_host(name).start()
    return network


def serve_on(net, host: str, port: int = 80, think: float = 0.0) -> Echo:
    group = net.host(host).group("echo")
    server = Echo(group, think)
    group.listen(port, server)
    return server


def client(net, host: str = "a"):
    return net.host(host).group("client")


# -- topology and latency ----------------------------------------------------------------


def test_latency_is_the_sum_of_the_links_along_the_star(net):
    assert net.latency("a", "b") == HOP
    assert net.latency("b", "b") == 0.0
    net.set_link("a", SWITCH, latency=0.01)
    assert net.latency("a", "b") == pytest.approx(0.01 + DEFAULT_LINK_LATENCY)
    assert net.latency("c", "b") == HOP


def test_a_message_arrives_after_the_latency(net):
    net.set_link("b", SWITCH, latency=0.002)
    arrivals = []
    assert net.deliver("a", "b", lambda m: arrivals.append((net.sim.now, m)), "hello")
    net.sim.run(1)
    assert arrivals == [(pytest.approx(DEFAULT_LINK_LATENCY + 0.002), "hello")]


def test_host_names_are_unique_and_unknown_hosts_are_named(net):
    with pytest.raises(ValueError, match="'a' is already taken"):
        net.add_host("a")
    with pytest.raises(ValueError, match="already taken"):
        net.add_host(SWITCH)
    with pytest.raises(UnknownHostError, match='no host named "zz"; hosts are: a, b, c'):
        net.host("zz")
    assert [h.name for h in net.hosts()] == ["a", "b", "c"]


def test_set_link_checks_its_arguments(net):
    with pytest.raises(NoLinkError, match="no link between 'a' and 'b'"):
        net.set_link("a", "b", latency=0.1)
    with pytest.raises(ValueError, match="latency must be a finite number >= 0 seconds, got -0.1"):
        net.set_link("a", SWITCH, latency=-0.1)
    with pytest.raises(ValueError, match="loss must be a probability between 0 and 1, got 1.5"):
        net.set_link("a", SWITCH, loss=1.5)
    with pytest.raises(ValueError, match="got -0.2"):
        net.set_link("a", SWITCH, loss=-0.2)
    assert net.latency("a", "b") == HOP


# -- rpc -----------------------------------------------------------------------------------


def test_rpc_returns_the_answer_after_a_round_trip_and_the_server_time(net):
    serve_on(net, "b", 80, think=0.1)
    answer = call(net.sim, client(net), net.rpc("a", "b", 80, "ping"))
    assert answer == ("echo", "ping")
    assert net.sim.now == pytest.approx(2 * HOP + 0.1)


def test_an_error_raised_by_the_server_comes_back_as_the_same_error(net):
    serve_on(net, "b")
    error = call(net.sim, client(net), net.rpc("a", "b", 80, ("fail", "bad thing")))
    assert isinstance(error, BadRequestError) and error.message == "bad thing"


def test_rpc_to_a_host_with_no_listener_is_refused(net):
    error = call(net.sim, client(net), net.rpc("a", "b", 6443, "ping"))
    assert isinstance(error, RefusedError)
    assert error.message == "dial tcp b:6443: connect: connection refused"
    assert net.sim.now == pytest.approx(2 * HOP)


def test_rpc_to_an_unknown_host_names_the_hosts(net):
    error = call(net.sim, client(net), net.rpc("a", "nowhere", 80, "ping"))
    assert isinstance(error, UnknownHostError)
    assert 'no host named "nowhere"' in error.message


def test_rpc_across_a_partition_times_out_after_exactly_the_timeout(net):
    serve_on(net, "b")
    net.partition(["a"], ["b"])
    start = net.sim.now
    error = call(net.sim, client(net), net.rpc("a", "b", 80, "ping", timeout=3.0))
    assert isinstance(error, TimedOutError)
    assert error.message == "request to b:80 timed out after 3s"
    assert net.sim.now - start == 3.0


def test_the_default_timeout_is_used_when_none_is_given(net):
    net.partition(["a"], ["b"])
    error = call(net.sim, client(net), net.rpc("a", "b", 80, "ping"))
    assert error.message == f"request to b:80 timed out after {REQUEST_TIMEOUT:g}s"
    assert net.sim.now == REQUEST_TIMEOUT


def test_a_server_that_crashes_mid_request_never_answers(net):
    serve_on(net, "b", think=1.0)
    net.sim.env.process(crash_at(net, "b", 0.5))
    error = call(net.sim, client(net), net.rpc("a", "b", 80, "ping", timeout=2.0))
    assert isinstance(error, TimedOutError) and "timed out" in error.message


def crash_at(net, host, when):
    yield net.sim.env.timeout(when)
    net.crash(host)


def test_loss_one_drops_every_message_and_records_the_drop(net):
    serve_on(net, "b")
    net.set_link("b", SWITCH, loss=1.0)
    assert net.deliver("a", "b", lambda: None) is False
    error = call(net.sim, client(net), net.rpc("a", "b", 80, "ping", timeout=1.0))
    assert isinstance(error, TimedOutError) and "timed out" in error.message
    assert [(r.host, r.obj) for r in net.sim.trace.where(kind="drop")] == [("a", "b"), ("a", "b")]
    net.set_link("b", SWITCH, loss=0.0)
    assert call(net.sim, client(net), net.rpc("a", "b", 80, "ping")) == ("echo", "ping")


def test_a_down_host_receives_nothing(net):
    net.crash("b")
    assert net.deliver("a", "b", lambda: None) is False
    assert not net.reachable("a", "b")


# -- partitions ------------------------------------------------------------------------------


def test_partition_cuts_only_pairs_in_different_groups_and_heal_restores(net):
    net.add_host("d").start()
    net.partition(["a", "b"], ["c"])
    assert not net.reachable("a", "c") and not net.reachable("c", "b")
    assert net.reachable("a", "b") and net.reachable("c", "c")
    assert net.reachable("d", "a") and net.reachable("d", "c")  # not listed: unaffected
    net.heal()
    assert all(net.reachable(x, y) for x in "abcd" for y in "abcd")
    kinds = [r.kind for r in net.sim.trace.by_component("network")]
    assert kinds == ["partition", "heal"]


def test_partition_of_an_unknown_host_is_refused(net):
    with pytest.raises(UnknownHostError, match="zz"):
        net.partition(["a"], ["zz"])
    assert net.reachable("a", "b")


# -- streams ---------------------------------------------------------------------------------


def open_watch(net, client_host: str, server_host: str, port: int = 80):
    log = []
    stream = net.open_stream(client_host, server_host, port, {"watch": "/"},
                             lambda m: log.append(("message", m)),
                             lambda why: log.append(("closed", why)))
    return stream, log


def test_a_stream_delivers_in_order_and_a_close_after_what_was_sent(net):
    server = serve_on(net, "b")
    stream, log = open_watch(net, "a", "b")
    net.sim.run(0.01)
    [accepted] = server.streams
    assert accepted is stream
    stream.send(1)
    stream.send(2)
    stream.close("done")
    net.sim.run(0.01)
    assert log == [("message", 1), ("message", 2), ("closed", "done")]
    assert stream.send(3) is False


def test_partition_closes_crossing_streams_and_tells_both_ends(net):
    server = serve_on(net, "b")
    crossing, crossing_log = open_watch(net, "a", "b")
    inside, inside_log = open_watch(net, "c", "b")
    net.sim.run(0.01)
    net.partition(["a"], ["b", "c"])
    net.sim.run(0.01)
    assert crossing_log == [("closed", "network partition")]  # the client is told
    assert not crossing.open  # the server sees it closed
    assert inside.open
    assert server.streams[1].send("still here")
    net.sim.run(0.01)
    assert inside_log == [("message", "still here")]


def test_a_stream_to_a_port_with_no_listener_is_refused(net):
    stream, log = open_watch(net, "a", "b", port=2379)
    net.sim.run(0.01)
    assert log == [("closed", "connection refused")]
    assert not stream.open


def test_a_stream_that_cannot_deliver_closes(net):
    server = serve_on(net, "b")
    stream, log = open_watch(net, "a", "b")
    net.sim.run(0.01)
    net.set_link("a", SWITCH, loss=1.0)
    assert server.streams[0].send("lost") is False
    net.sim.run(0.01)
    assert log == [("closed", "connection lost")]


def test_crashing_a_host_closes_its_streams(net):
    serve_on(net, "b")
    _, log_a = open_watch(net, "a", "b")
    _, log_c = open_watch(net, "c", "b")
    net.sim.run(0.01)
    net.crash("a")
    net.sim.run(0.01)
    assert log_a == []  # a crashed client is told nothing
    assert log_c == []
    net.crash("b")
    net.sim.run(0.01)
    assert log_c == [("closed", "host crashed")]


def test_stopping_the_server_group_closes_the_streams_it_serves(net):
    server = serve_on(net, "b")
    stream, log = open_watch(net, "a", "b")
    net.sim.run(0.01)
    server.group.stop()  # the container is killed: its sockets close
    net.sim.run(0.01)
    assert log == [("closed", "server stopped")]
    assert not stream.open


# -- determinism -----------------------------------------------------------------------------


def scenario(seed: int) -> list[dict]:
    """Three hosts, a lossy link, chatty clients with random pauses, a partition, a crash."""
    sim = Simulation(seed)
    net = Network(sim)
    for name in ("cp", "w1", "w2"):
        net.add_host(name).start()
    serve_on(net, "cp", 80, think=0.01)
    net.set_link("w2", SWITCH, loss=0.3)

    def chatter(name):
        group = net.host(name).group("chatter")
        rng = sim.rng(f"chatter/{name}")

        def loop():
            for i in range(20):
                try:
                    yield from net.rpc(name, "cp", 80, i, timeout=0.5)
                    sim.record(name, "chatter", "ok", str(i))
                except UnreachableError as error:
                    sim.record(name, "chatter", "failed", str(i), error=error.message)
                yield sim.env.timeout(rng.uniform(0.05, 0.3))

        group.spawn(loop())

    chatter("w1")
    chatter("w2")
    sim.run(1.0)
    net.partition(["w1"], ["cp"])
    sim.run(1.0)
    net.heal()
    net.crash("cp")
    sim.run(0.5)
    net.restart("cp")
    serve_on(net, "cp", 80)
    sim.run(5.0)
    return [rec.row() for rec in sim.trace]


def test_the_same_seed_gives_the_same_trace():
    first = scenario(11)
    assert len(first) > 40
    assert first == scenario(11)


def test_another_seed_gives_another_trace():
    assert scenario(11) != scenario(12)


class Inbox:
    """Collects one-way messages with their arrival times."""

    def __init__(self, group):
        self.group = group
        self.got = []

    def receive(self, message):
        self.got.append((round(self.group.sim.now, 6), message))


def inbox_on(net, host: str, port: int = 2380) -> Inbox:
    group = net.host(host).group("peer")
    inbox = Inbox(group)
    group.listen(port, inbox)
    return inbox


def test_send_delivers_one_way_messages_in_order_after_the_latency(net):
    inbox = inbox_on(net, "b")
    for i in range(3):
        net.send("a", "b", 2380, i)
    net.sim.run(1)
    assert inbox.got == [(round(HOP, 6), 0), (round(HOP, 6), 1), (round(HOP, 6), 2)]


def test_send_to_a_port_nobody_listens_on_is_silently_lost(net):
    net.send("a", "b", 2380, "hello")
    net.sim.run(1)  # nothing raised, nothing delivered


def test_faults_duplicate_and_reorder_peer_messages(net):
    inbox = inbox_on(net, "b")
    net.set_faults(duplicate=0.5, jitter=0.01)
    for i in range(50):
        net.send("a", "b", 2380, i)
    net.sim.run(1)
    messages = [m for _, m in inbox.got]
    assert len(messages) > 50  # some twice
    assert messages != sorted(messages)  # some overtook others
    assert sorted(set(messages)) == list(range(50))


def test_faults_are_validated(net):
    with pytest.raises(ValueError, match="duplicate must be a probability"):
        net.set_faults(duplicate=2)
    with pytest.raises(ValueError, match="jitter must be >= 0"):
        net.set_faults(jitter=-1)

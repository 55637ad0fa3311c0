"""A bare container for the programs' tests: a Simulation, one host, one process group, and a
Process with its files, network namespace and cgroup; `Box.start` runs a program in it."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field

import pytest

from k8slab.node.process import Cgroup, Filesystem, NetNamespace, Process, ProcessKilled
from k8slab.sim.errors import TimedOutError
from k8slab.sim.host import Host, ProcessGroup
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network


@dataclass
class Box:
    """One container: run a program, then read its output, files, exit and cgroup."""

    sim: Simulation
    host: Host
    fs: Filesystem = field(default_factory=Filesystem)
    netns: NetNamespace = field(default_factory=lambda: NetNamespace("10.244.1.5"))
    cgroup: Cgroup = field(default_factory=Cgroup)
    env: dict[str, str] = field(default_factory=lambda: {"HOSTNAME": "web-0",
                                                         "PATH": "/bin:/usr/bin"})
    process: Process | None = None
    group: ProcessGroup | None = None
    exit: int | None = None
    exited_at: float | None = None
    killed: str | None = None

    def start(self, program: Callable[[Process], Generator], *argv: str) -> Process:
        """Run `program` with `argv` as this container's process, from now on."""
        self.group = self.host.group(f"container {argv[0] if argv else ''}")
        self.process = Process(self.group, {"image": "test"}, list(argv), fs=self.fs,
                               netns=self.netns, cgroup=self.cgroup, env=self.env)

        def supervise() -> Generator:
            try:
                code = yield from program(self.process)
            except ProcessKilled as killed:
                self.killed = str(killed)
                code = 137
            self.exit, self.exited_at = int(code or 0), self.sim.now
            self.process.release()

        self.group.spawn(supervise())
        return self.process

    def run(self, program: Callable[[Process], Generator], *argv: str,
            seconds: float = 1000) -> int | None:
        """Start the program and advance up to `seconds`; its exit status (None: running)."""
        self.start(program, *argv)
        self.sim.run(seconds)
        return self.exit

    def stdout(self) -> list[str]:
        return [line.text for line in self.process.output if line.stream == "stdout"]

    def stderr(self) -> list[str]:
        return [line.text for line in self.process.output if line.stream == "stderr"]

    def lines(self) -> list[tuple[float, str, str]]:
        return [(round(line.time, 6), line.stream, line.text) for line in self.process.output]

    def call(self, port: int, request: dict) -> dict | None:
        """Send `request` to the handler on `port` now; its response (None: refused)."""
        handler = self.netns.connect(port)
        if handler is None:
            return None
        return self.sim.run_process(self.sim.env.process(handler(request)), 60)


def new_box() -> Box:
    """A fresh simulation with one started host and an empty container."""
    sim = Simulation(1)
    host = Network(sim).add_host("node-1")
    host.start()
    return Box(sim, host)


@pytest.fixture
def box() -> Box:
    return new_box()


@pytest.fixture
def make_box() -> Callable[[], Box]:
    """For tests that need a fresh container per example (hypothesis)."""
    return new_box


@dataclass
class DnsWorld:
    """A container whose route reaches a real CoreDNS (over a FakeClient) at 10.96.0.10:53
    and an HTTP server behind the `web` Service's ClusterIP, 1 ms away; anything else is
    silence until the caller's timeout."""

    box: Box
    servers: dict[tuple[str, int], Callable[[dict], Generator]]
    sent: list[tuple[str, int, str]] = field(default_factory=list)

    def route(self, dst_ip: str, port: int, request: object, timeout: float,
              protocol: str = "tcp") -> Generator:
        self.sent.append((dst_ip, port, protocol))
        handler = self.servers.get((dst_ip, port))
        if handler is None:
            yield self.box.sim.env.timeout(timeout)
            raise TimedOutError(f"dial {protocol} {dst_ip}:{port}: i/o timeout")
        yield self.box.sim.env.timeout(0.001)
        if request is None:
            return True  # a bare TCP connect: the handshake is all
        if isinstance(request, dict):
            request = dict(request, remote_addr=self.box.netns.ip)
        return (yield from handler(request))


WEB_SERVICE = {"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": "web", "namespace": "default"},
               "spec": {"clusterIP": "10.96.0.20",
                        "ports": [{"name": "http", "port": 80, "protocol": "TCP"}]}}


@pytest.fixture
def dns_world(box: Box) -> DnsWorld:
    from k8slab.addons.coredns.server import CoreDNS
    from k8slab.client.fake import FakeClient
    from k8slab.node.dns_config import resolv_conf

    client = FakeClient(box.host.group("coredns"))
    client.add(WEB_SERVICE)
    dns = CoreDNS(client)
    dns.start()
    box.sim.run(1)

    def web(request: dict) -> Generator:
        yield from ()
        return {"status": 200, "body": f"hello from web to {request.get('remote_addr')}\n"}

    world = DnsWorld(box, {("10.96.0.10", 53): dns.handle, ("10.96.0.20", 80): web})
    box.netns.route = world.route
    box.fs.write("/etc/resolv.conf", resolv_conf(
        {"metadata": {"name": "web-0", "namespace": "default"}, "spec": {}}, "10.96.0.10"))
    box.fs.write("/etc/hosts", "127.0.0.1\tlocalhost\n10.244.1.5\tweb-0\n")
    return world

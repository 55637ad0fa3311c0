"""An etcd cluster on its own: members on hosts, clients that record what they saw, and checks.

This is the bench for Raft experiments: elections over many seeds, nemesis schedules of crashes,
partitions, lost and duplicated messages, each followed by the safety checks (Figure 3 of the
Raft paper) and a linearizability check of every client's history.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import replace
from typing import Any

from k8slab.errors import K8sLabError
from k8slab.etcd.client import EtcdClient
from k8slab.etcd.member import EtcdMember
from k8slab.etcd.quorum import quorum
from k8slab.etcd.status import MemberStatus
from k8slab.raft import RaftNode
from k8slab.robustness.linearizability import Operation
from k8slab.robustness.linearizability import check as check_linearizable
from k8slab.robustness.raft_safety import RaftSafety
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network
from k8slab.sim.trace import Trace

SIZES = (1, 3, 5, 7)
CLIENT_HOST = "client"
SYNC_LIMIT = 60.0  # a synchronous put or get never waits longer than its client's timeouts


class EtcdLab:
    """`members` etcd members on hosts etcd-1..n and one client host; time starts at 0."""

    def __init__(self, members: int = 3, seed: int = 1, *, observe_every_event: bool = True):
        if members not in SIZES:
            raise K8sLabError(f"an etcd cluster here has 1, 3, 5 or 7 members, got {members!r}")
        self.sim = Simulation(seed)
        self.network = Network(self.sim)
        self.names = [f"etcd-{i}" for i in range(1, members + 1)]
        self.quorum = quorum(members)
        self.raft_safety = RaftSafety(self.raft_nodes)
        self.operations: list[Operation] = []
        self.observe_every_event = observe_every_event
        for name in self.names:
            host = self.network.add_host(name)
            host.boot = self._boot
        self.network.add_host(CLIENT_HOST)
        for host in self.network.hosts():
            host.start()
        self._clients = 0
        self._default_client: EtcdClient | None = None

    def _boot(self, host: Any) -> None:
        member = EtcdMember(host.group("etcd"), host.name, self.names)
        host.memory["etcd"] = member
        member.start()

    # -- looking ----------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """Simulated seconds since the cluster started."""
        return self.sim.now

    @property
    def trace(self) -> Trace:
        """Every event so far (what the Raft plots read)."""
        return self.sim.trace

    @property
    def control_planes(self) -> list[str]:
        """The member hosts, named as the Raft plots expect of a cluster."""
        return list(self.names)

    def member(self, name: str) -> EtcdMember | None:
        """The running member on host `name` (None while the host is down)."""
        host = self.network.host(name)
        return host.memory.get("etcd") if host.up else None

    def status(self, name: str) -> MemberStatus | None:
        """`etcdctl endpoint status` of the member on host `name`, read from the member itself
        (None while the host is down)."""
        member = self.member(name)
        return member.status() if member is not None else None

    def raft_nodes(self) -> list[RaftNode]:
        """The live Raft state machines of the members that are up, for the invariant checker."""
        return [m.raft for m in (self.member(n) for n in self.names) if m is not None]

    def leader(self) -> str | None:
        """The member that leads the highest term among those that think they lead."""
        leaders = [s for s in (self.status(n) for n in self.names) if s is not None and s.is_leader]
        return max(leaders, key=lambda s: s.term).member if leaders else None

    def violations(self) -> list[str]:
        """Raft safety violations seen so far, and any non-linearizable key in the history."""
        return self.raft_safety.violations() + check_linearizable(self.operations)

    # -- time ---------------------------------------------------------------------------------

    def run(self, seconds: float) -> None:
        """Advance time, observing the Raft nodes after every event (or every tick)."""
        if self.observe_every_event:
            self.sim.run(seconds, after_event=self.raft_safety.observe)
            return
        end = self.sim.now + seconds
        while self.sim.now + 0.1 < end:
            self.sim.run(0.1)
            self.raft_safety.observe()
        self.sim.run(end - self.sim.now)
        self.raft_safety.observe()

    def run_until_leader(self, limit: float = 30.0) -> str | None:
        """Run until some member leads (checking every tick); its name, or None after `limit`."""
        deadline = self.sim.now + limit
        while self.leader() is None and self.sim.now < deadline:
            self.run(0.1)
        return self.leader()

    # -- faults -----------------------------------------------------------------------------

    def crash(self, name: str) -> None:
        """Crash a member's host: memory lost, WAL kept."""
        self._check(name)
        self.network.crash(name)

    def restart(self, name: str) -> None:
        """Boot a crashed member's host; the member rejoins from its WAL."""
        self._check(name)
        self.network.restart(name)

    def partition(self, *groups: Sequence[str]) -> None:
        """Cut the network between groups of hosts (the client host included if named)."""
        self.network.partition(*groups)

    def heal(self) -> None:
        """Remove every partition."""
        self.network.heal()

    def _check(self, name: str) -> None:
        if name not in self.names:
            members = ", ".join(self.names)
            raise K8sLabError(f'no etcd member named "{name}"; members are: {members}')

    # -- clients ------------------------------------------------------------------------------

    def client(self, endpoints: Sequence[str] | None = None) -> EtcdClient:
        """A new client on the client host (endpoints: every member unless given)."""
        self._clients += 1
        group = self.network.host(CLIENT_HOST).group(f"client-{self._clients}")
        return EtcdClient(group, list(endpoints or self.names))

    def _shared_client(self) -> EtcdClient:
        # One client for the synchronous calls, so it remembers which endpoint answers.
        if self._default_client is None:
            self._default_client = self.client()
        return self._default_client

    def put(self, key: str, value: str, client: EtcdClient | None = None) -> Any:
        """Write one key and wait for the answer (recorded in the history); the result or error."""
        return self._sync(self.record_put(client or self._shared_client(), key, value))

    def get(self, key: str, *, serializable: bool = False, client: EtcdClient | None = None):
        """Read one key and wait (recorded in the history); its value, None, or the error."""
        steps = self.record_get(client or self._shared_client(), key, serializable=serializable)
        return self._sync(steps)

    def record_put(self, client: EtcdClient, key: str, value: str) -> Generator:
        """A put as a process step, recorded when invoked and again when answered.

        Until an answer comes (a timeout, an error, or the caller stopped) the put stays in the
        history with no return time: it may or may not have been applied.
        """
        position = len(self.operations)
        self.operations.append(Operation(client.group.name, "put", key, self.sim.now, None,
                                         value=value))
        try:
            result = yield from client.put(key, value)
        except K8sLabError as error:
            return error
        self.operations[position] = replace(self.operations[position], ret=self.sim.now)
        return result

    def record_get(self, client: EtcdClient, key: str, *, serializable: bool = False):
        """A get as a process step; serializable reads are not recorded (they may be stale)."""
        call = self.sim.now
        try:
            answer = yield from client.get(key, serializable=serializable)
        except K8sLabError as error:
            return error
        value = answer.kvs[0].value if answer.kvs else None
        if not serializable:
            self.operations.append(Operation(client.group.name, "get", key, call, self.sim.now,
                                             output=value))
        return value

    def _sync(self, steps: Generator) -> Any:
        group = self.network.host(CLIENT_HOST).group("sync")
        observe = self.raft_safety.observe if self.observe_every_event else None
        try:
            value = self.sim.run_process(group.spawn(steps), SYNC_LIMIT, observe)
            if observe is None:
                self.raft_safety.observe()
            return value
        finally:
            group.stop()


def election_times(members: int = 3, seeds: range = range(100)) -> tuple[list[float], list[float]]:
    """For each seed: when the first leader was elected, and how long after the leader's crash
    (one second later) a new one was."""
    firsts, again = [], []
    for seed in seeds:
        lab = EtcdLab(members, seed, observe_every_event=False)
        lab.run_until_leader()
        firsts.append(lab.now)
        lab.run(1)
        old, start = lab.leader(), lab.now
        lab.crash(old)
        while lab.leader() in (None, old):
            lab.run(0.01)
        again.append(lab.now - start)
    return firsts, again

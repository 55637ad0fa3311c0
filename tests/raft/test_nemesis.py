"""A nemesis drives random schedules against 3- and 5-node clusters; Raft must stay safe.

Hypothesis draws ticks, deliveries, drops, duplicates, reorders, partitions, crashes, restarts,
compactions, proposals and reads. Every invariant of Figure 3 is checked after every step; every
ReadIndex answer must cover all writes committed before the read began; and once the network
heals, a leader must emerge and every node must converge on the same committed log.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8slab.raft import NotLeaderError, Role
from k8slab.raft.invariants import check
from tests.raft.harness import Network

# Each action is a kind and a number the kind reads as it needs (how many, which node, where
# in the queue). Ticks, deliveries and proposals are drawn most often, so leaders come and go.
KINDS = (
    ["tick_all"] * 8
    + ["tick"] * 3
    + ["deliver"] * 6
    + ["deliver_all"] * 4
    + ["propose"] * 4
    + ["crash", "isolate", "cut"] * 2
    + ["restart", "heal"] * 3
    + ["deliver_at", "drop_at", "duplicate", "reorder", "drop", "compact", "read"]
)
SCHEDULE = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(0, 99)), min_size=100, max_size=400
)


class Nemesis:
    """Applies one drawn action to the network, and checks the reads it answered."""

    def __init__(self, net: Network) -> None:
        self.net = net
        self.writes = 0
        self.read_floor: dict[str, int] = {}  # read context -> highest index committed before it
        self.reads_seen = {node_id: 0 for node_id in net.ids}

    def node(self, number: int) -> str:
        return self.net.ids[number % len(self.net.ids)]

    def apply(self, action: str, number: int) -> None:
        net, node_id = self.net, self.node(number)
        if action == "tick_all":
            for _ in range(1 + number % 3):
                net.tick_all()
        elif action == "tick":
            if net.nodes[node_id] is not None:
                for _ in range(1 + number % 3):
                    net.tick(node_id)
        elif action == "deliver":
            for _ in range(1 + number % 8):
                net.deliver()
        elif action == "deliver_all":
            net.deliver_all()
        elif action in ("deliver_at", "drop_at", "duplicate"):
            {"deliver_at": net.deliver, "drop_at": net.drop_at, "duplicate": net.duplicate}[action](
                number
            )
        elif action == "reorder":
            net.reorder()
        elif action == "drop":
            net.drop((0.0, 0.1, 0.3)[number % 3])
        elif action in ("isolate", "crash"):
            getattr(net, action)(node_id)
        elif action == "restart":
            down = [i for i in net.ids if net.nodes[i] is None]
            if down:
                net.restart(down[number % len(down)])
        elif action == "cut" and node_id != self.node(number // 7):
            net.cut(node_id, self.node(number // 7))
        elif action == "heal":
            net.heal()
        elif action == "compact":
            node = net.nodes[node_id]
            if node is not None and node.applied_index > node.snapshot_index:
                net.compact(node_id)
        elif action in ("propose", "read"):
            self.client(action, 1 + number % 3)

    def client(self, action: str, count: int) -> None:
        leader = self.net.leader()
        if leader is None:
            return
        try:
            if action == "propose":
                for _ in range(count):
                    self.net.propose(leader, f"write {self.writes}")
                    self.writes += 1
            else:
                context = f"read {len(self.read_floor)}"
                self.read_floor[context] = max(self.net.history.committed, default=0)
                self.net.read_index(leader, context)
        except NotLeaderError:
            pass  # a leader that already stepped down in this same schedule

    def stale_reads(self) -> list[str]:
        stale = []
        for node_id, states in self.net.read_states.items():
            for state in states[self.reads_seen[node_id] :]:
                if state.index < self.read_floor[state.context]:
                    stale.append(f"{state} misses writes up to {self.read_floor[state.context]}")
            self.reads_seen[node_id] = len(states)
        return stale


def converge(net: Network, rounds: int = 300) -> str:
    """Heal, restart everyone, and run until one leader's whole log is committed everywhere."""
    net.heal()
    for node_id in net.ids:
        if net.nodes[node_id] is None:
            net.restart(node_id)
    net.deliver_all()
    for _ in range(rounds):
        net.tick_all()
        net.deliver_all()
        leader_id = net.leader()
        if leader_id is None:
            continue
        leader = net.nodes[leader_id]
        settled = leader.term_at(leader.commit_index) == leader.term
        if settled and all(
            node.commit_index == node.applied_index == leader.last_index
            for node in net.live_nodes()
        ):
            return leader_id
    raise AssertionError(
        "no convergence: "
        + str(
            [(n.id, n.role.value, n.term, n.commit_index, n.last_index) for n in net.live_nodes()]
        )
    )


def run(size: int, seed: int, schedule: list, pre_vote: bool, check_quorum: bool) -> None:
    ids = [f"n{i}" for i in range(1, size + 1)]
    net = Network(ids, seed, election_tick=3, pre_vote=pre_vote, check_quorum=check_quorum)
    nemesis = Nemesis(net)
    if seed % 2:  # half the runs start from a cluster with a leader
        while net.leader() is None:
            net.stabilize()
    for step, (action, arg) in enumerate(schedule):
        nemesis.apply(action, arg)
        problems = check(net.live_nodes(), net.history) + nemesis.stale_reads()
        assert problems == [], f"after step {step} {action} {arg}: {problems}"
    leader = converge(net)
    assert check(net.live_nodes(), net.history) == []
    assert [node.role for node in net.live_nodes()].count(Role.LEADER) == 1
    assert all(net.state[node_id] == net.state[leader] for node_id in ids)
    committed = [entry.data for entry in net.state[leader] if entry.data is not None]
    assert len(set(committed)) == len(committed)  # no write applied twice


NEMESIS = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@NEMESIS
@given(
    seed=st.integers(0, 2**16),
    schedule=SCHEDULE,
    pre_vote=st.booleans(),
    check_quorum=st.booleans(),
)
def test_three_nodes_stay_safe_and_converge_under_a_nemesis(seed, schedule, pre_vote, check_quorum):
    run(3, seed, schedule, pre_vote, check_quorum)


@NEMESIS
@given(
    seed=st.integers(0, 2**16),
    schedule=SCHEDULE,
    pre_vote=st.booleans(),
    check_quorum=st.booleans(),
)
def test_five_nodes_stay_safe_and_converge_under_a_nemesis(seed, schedule, pre_vote, check_quorum):
    run(5, seed, schedule, pre_vote, check_quorum)

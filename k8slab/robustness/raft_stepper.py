"""Raft one message at a time: pure Raft nodes on a network that the reader drives by hand.

RaftScope's idea (ongardie/raftscope): every message in flight waits in a queue until the reader
delivers or drops it; the reader can force a member's election timeout, let time tick, crash
and restart members, and scrub back through the recorded history (acting from the past forks
it there). The nodes are `k8slab.raft.RaftNode`s stepping real messages; nothing is scripted.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from k8slab.errors import K8sLabError
from k8slab.raft import Entry, HardState, RaftNode, Role
from k8slab.raft.invariants import History, check
from k8slab.robustness.raft_moments import InFlight, Moment, NodeView

TICK_SECONDS = 0.1  # one tick is one heartbeat interval: etcd's --heartbeat-interval, 100 ms
DELIVER_ALL_LIMIT = 1000  # deliver_all stops after this many messages (an endless ping-pong)
ACTIONS = ("deliver", "drop", "deliver_all", "timeout", "tick", "propose", "crash", "restart")


class StepError(K8sLabError):
    """An action the step-by-step network cannot take: the message says what it accepts."""


class RaftStepper:
    """`members` Raft nodes s1..sn whose messages wait for the reader; one `Moment` per action.

    By default the nodes run the paper's Raft (no pre-vote, no check-quorum); pass
    `pre_vote=True, check_quorum=True` for etcd's settings. Time moves only by `tick()`.
    """

    def __init__(self, members: int = 5, seed: int = 1, *, pre_vote: bool = False,
                 check_quorum: bool = False, election_tick: int = 10) -> None:
        if not isinstance(members, int) or isinstance(members, bool) or not 1 <= members <= 9:
            raise StepError(f"a step-by-step cluster has 1 to 9 members, got {members!r}")
        self.names = [f"s{i}" for i in range(1, members + 1)]
        self.seed = seed
        self.options = {"pre_vote": pre_vote, "check_quorum": check_quorum,
                        "election_tick": election_tick}
        self.actions: list[tuple] = []
        self.history: list[Moment] = []
        self.in_flight: list[InFlight] = []
        self.ticks = 0
        self._sent = 0
        self._disk: dict[str, tuple[HardState, list[Entry]]] = {}
        self._nodes: dict[str, RaftNode | None] = {name: self._boot(name) for name in self.names}
        self._safety = History()
        self._record("start")

    # -- looking ----------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """Simulated seconds: ticks × 100 ms (delivering a message takes no time here)."""
        return round(self.ticks * TICK_SECONDS, 3)

    @property
    def moment(self) -> Moment:
        """The latest recorded moment."""
        return self.history[-1]

    def node(self, name: str) -> RaftNode:
        """The live Raft node of member `name` (an error if it is crashed)."""
        self._check_name(name)
        node = self._nodes[name]
        if node is None:
            raise StepError(f"{name} is crashed; restart it first")
        return node

    def leader(self) -> str | None:
        """The live member that leads the highest term, or None."""
        leaders = [n for n in self._live() if n.role is Role.LEADER]
        return max(leaders, key=lambda n: n.term).id if leaders else None

    def violations(self) -> list[str]:
        """Violations of Figure 3's properties seen so far ([] while Raft is safe)."""
        return list(self.moment.violations)

    # -- actions (each records one Moment) ---------------------------------------------------

    def deliver(self, number: int | None = None) -> str:
        """Deliver the oldest message in flight, or message `number`; says what happened."""
        return self._act("deliver", number)

    def drop(self, number: int | None = None) -> str:
        """Lose the oldest message in flight, or message `number`."""
        return self._act("drop", number)

    def deliver_all(self) -> str:
        """Deliver messages, oldest first, until none is in flight (answers included)."""
        return self._act("deliver_all")

    def timeout(self, name: str) -> str:
        """Make member `name`'s election timer run out now: it campaigns (etcd's MsgHup)."""
        return self._act("timeout", name)

    def tick(self, ticks: int = 1) -> str:
        """Let `ticks` heartbeat intervals (100 ms each) pass on every live member."""
        return self._act("tick", ticks)

    def propose(self, data: str, name: str | None = None) -> str:
        """A client write `data` on member `name` (the leader if None); it must be leader."""
        return self._act("propose", data, name)

    def crash(self, name: str) -> str:
        """Crash member `name`: it loses its memory and keeps its disk (term, vote, log)."""
        return self._act("crash", name)

    def restart(self, name: str) -> str:
        """Boot crashed member `name` again from its disk, as a follower."""
        return self._act("restart", name)

    def play(self, actions: Sequence[tuple]) -> list[str]:
        """Take `actions` in order, each `(kind, *arguments)` as in `actions`; what each said."""
        return [self._act(*action) for action in actions]

    def rewind(self, step: int) -> None:
        """Go back to the moment after action `step` and forget the later ones (a fork).

        The network is deterministic, so replaying the first `step` actions from the same seed
        rebuilds every node exactly, timers and progress included.
        """
        if not isinstance(step, int) or not 0 <= step < len(self.history):
            raise StepError(f"rewind to a step from 0 to {len(self.history) - 1}, got {step!r}")
        fresh = RaftStepper(len(self.names), self.seed, **self.options)
        fresh.play(self.actions[:step])
        self.__dict__.update(fresh.__dict__)

    # -- doing them --------------------------------------------------------------------------

    def _act(self, kind: str, *args: Any) -> str:
        if kind not in ACTIONS:
            raise StepError(f"unknown action {kind!r}; actions are: {', '.join(ACTIONS)}")
        said = getattr(self, f"_do_{kind}")(*args)
        self.actions.append((kind, *args))
        self._record(said)
        return said

    def _do_deliver(self, number: int | None = None) -> str:
        flight = self._take(number)
        return self._deliver(flight)

    def _do_drop(self, number: int | None = None) -> str:
        return f"dropped {self._take(number).describe()}"

    def _do_deliver_all(self) -> str:
        delivered = 0
        while self.in_flight and delivered < DELIVER_ALL_LIMIT:
            self._deliver(self.in_flight.pop(0))
            delivered += 1
            self._safety.observe(self._live())
        left = f"; {len(self.in_flight)} still in flight" if self.in_flight else ""
        return f"delivered {delivered} messages{left}"

    def _do_timeout(self, name: str) -> str:
        node = self.node(name)
        if node.role is Role.LEADER:
            raise StepError(f"{name} leads term {node.term}: a leader has no election timeout")
        node.campaign()
        self._drain(node)
        return f"{name} timed out: now {node.role.value} in term {node.term}"

    def _do_tick(self, ticks: int = 1) -> str:
        if not isinstance(ticks, int) or isinstance(ticks, bool) or not 1 <= ticks <= 100:
            raise StepError(f"tick takes 1 to 100 ticks, got {ticks!r}")
        for _ in range(ticks):
            self.ticks += 1
            for node in self._live():
                node.tick()
                self._drain(node)
            self._safety.observe(self._live())
        return f"{ticks} tick{'s' if ticks > 1 else ''} ({ticks * TICK_SECONDS:.1f} s) passed"

    def _do_propose(self, data: str, name: str | None = None) -> str:
        target = self.leader() if name is None else name
        if target is None:
            raise StepError("no member leads: time a member out and deliver its votes first")
        node = self.node(target)
        if node.role is not Role.LEADER:
            raise StepError(f"{target} is a {node.role.value}; only the leader takes a write "
                            f"(leader: {self.leader()})")
        index = node.propose(data)
        self._drain(node)
        return f"{target} appended {data!r} at index {index} in term {node.term}"

    def _do_crash(self, name: str) -> str:
        self.node(name)
        self._nodes[name] = None
        return f"{name} crashed"

    def _do_restart(self, name: str) -> str:
        self._check_name(name)
        if self._nodes[name] is not None:
            raise StepError(f"{name} is running; crash it before restarting it")
        self._nodes[name] = self._boot(name)
        return f"{name} restarted from its disk"

    # -- the network and the disks ---------------------------------------------------------------

    def _take(self, number: int | None) -> InFlight:
        if not self.in_flight:
            raise StepError("no message is in flight")
        if number is None:
            return self.in_flight.pop(0)
        for position, flight in enumerate(self.in_flight):
            if flight.number == number:
                return self.in_flight.pop(position)
        waiting = ", ".join(str(f.number) for f in self.in_flight)
        raise StepError(f"no message #{number} in flight; in flight: {waiting}")

    def _deliver(self, flight: InFlight) -> str:
        receiver = self._nodes[flight.message.dst]
        if receiver is None:
            return f"lost {flight.describe()}: {flight.message.dst} is crashed"
        receiver.step(flight.message)
        self._drain(receiver)
        return f"delivered {flight.describe()}"

    def _drain(self, node: RaftNode) -> None:
        # etcd's Ready loop: persist entries and hard state, then send, then advance.
        while node.has_ready():
            ready = node.ready()
            state, log = self._disk[node.id]
            if ready.entries:
                first = ready.entries[0].index
                log = log[: first - 1] + list(ready.entries)
            self._disk[node.id] = (ready.hard_state, log)
            for message in ready.messages:
                self._sent += 1
                self.in_flight.append(InFlight(self._sent, message))
            node.advance(ready)

    def _boot(self, name: str) -> RaftNode:
        state, log = self._disk.setdefault(name, (HardState(), []))
        # One generator per member, seeded by the run's seed and its name (str seeds are stable).
        rng = random.Random(f"{self.seed}/{name}/{len(self.actions)}")
        return RaftNode(name, self.names, rng=rng, hard_state=state, log=log,
                        pre_vote=self.options["pre_vote"],
                        check_quorum=self.options["check_quorum"],
                        election_tick=self.options["election_tick"])

    def _live(self) -> list[RaftNode]:
        return [node for node in self._nodes.values() if node is not None]

    def _check_name(self, name: str) -> None:
        if name not in self.names:
            raise StepError(f"no member named {name!r}; members are: {', '.join(self.names)}")

    def _record(self, action: str) -> None:
        self._safety.observe(self._live())
        violations = tuple(dict.fromkeys(check(self._live(), self._safety)))
        self.history.append(Moment(len(self.history), self.ticks, action,
                                   tuple(self._view(name) for name in self.names),
                                   tuple(self.in_flight), violations))

    def _view(self, name: str) -> NodeView:
        node = self._nodes[name]
        if node is None:
            state, log = self._disk[name]
            return NodeView(name, False, "down", state.term, state.voted_for, None, state.commit,
                            tuple(log))
        return NodeView(name, True, node.role.value, node.term, node.voted_for, node.leader_id,
                        node.commit_index, tuple(node.log))

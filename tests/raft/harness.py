"""A tiny deterministic network of Raft nodes, in the style of etcd's raft_test.go `network`.

Sent messages wait in one queue; the network delivers them in order, or drops, duplicates and
reorders them, cuts links and crashes nodes. Each node's state machine is the list of entries it
applied; its disk keeps hard state, log and snapshot, which is all a restart gets back.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from k8slab.raft.errors import RaftError
from k8slab.raft.invariants import History
from k8slab.raft.log import Entry
from k8slab.raft.messages import Message
from k8slab.raft.node import RaftNode
from k8slab.raft.read_only import ReadState
from k8slab.raft.ready import HardState, Ready, Role, SnapshotData


@dataclass
class Disk:
    """What survives a crash: etcd's WAL (hard state, entries) and its snapshot file."""

    hard_state: HardState = field(default_factory=HardState)
    entries: list[Entry] = field(default_factory=list)
    snapshot: SnapshotData | None = None


class Network:
    """Nodes `ids` that talk through one FIFO queue; `seed` makes every run the same."""

    def __init__(self, ids: list[str], seed: int = 0, **config: Any) -> None:
        self.ids = list(ids)
        self.rng = random.Random(seed)
        self.config = config  # RaftNode keyword arguments: election_tick, pre_vote...
        self.disks = {node_id: Disk() for node_id in self.ids}
        self.nodes: dict[str, RaftNode | None] = {}
        self.state: dict[str, list[Entry]] = {}  # each node's state machine: entries applied
        self.read_states: dict[str, list[ReadState]] = {node_id: [] for node_id in self.ids}
        self.queue: list[Message] = []
        self.delivered: list[Message] = []  # every message a node stepped, in order
        self.cuts: set[frozenset[str]] = set()
        self.drop_rate = 0.0
        self.history = History()
        for node_id in self.ids:
            self.restart(node_id)

    # -- nodes --------------------------------------------------------------------------

    def live_nodes(self) -> list[RaftNode]:
        """The nodes that are up, in id order."""
        return [node for node in map(self.nodes.get, self.ids) if node is not None]

    def leader(self) -> str | None:
        """The id of the live leader with the highest term, or None."""
        leaders = [node for node in self.live_nodes() if node.role is Role.LEADER]
        return max(leaders, key=lambda node: node.term).id if leaders else None

    def _live(self, node_id: str) -> RaftNode:
        node = self.nodes.get(self._known(node_id))
        if node is None:
            raise RaftError(f"node {node_id} is down; restart it first")
        return node

    def _known(self, node_id: str) -> str:
        if node_id not in self.disks:
            raise RaftError(f"no node {node_id!r}; the nodes are {self.ids}")
        return node_id

    def crash(self, node_id: str) -> None:
        """The node loses everything it did not persist."""
        self.nodes[self._known(node_id)] = None

    def restart(self, node_id: str) -> None:
        """Boot the node from its disk (crashing it first if it is up)."""
        disk = self.disks[self._known(node_id)]
        snapshot = disk.snapshot or SnapshotData(0, 0, None)
        node = RaftNode(
            node_id,
            self.ids,
            rng=random.Random(self.rng.randrange(2**32)),
            hard_state=disk.hard_state,
            log=disk.entries,
            snapshot_index=snapshot.index,
            snapshot_term=snapshot.term,
            snapshot_data=snapshot.data,
            **self.config,
        )
        self.nodes[node_id] = node
        # Replay: the snapshot, then the committed entries after it (as etcd's server does).
        self.state[node_id] = list(snapshot.data or ()) + [
            entry for entry in disk.entries if entry.index <= node.commit_index
        ]
        self.history.observe(self.live_nodes())

    def compact(self, node_id: str) -> None:
        """The node snapshots its state machine and compacts its log up to what it applied."""
        node = self._live(node_id)
        index = node.applied_index
        node.set_snapshot_data(index, tuple(self.state[node_id]))
        node.compact(index)
        disk = self.disks[node_id]
        disk.snapshot = node.snapshot
        disk.entries = [entry for entry in disk.entries if entry.index > index]

    # -- inputs -------------------------------------------------------------------------

    def tick(self, node_id: str) -> None:
        """One tick on one node (clocks need not agree)."""
        node = self._live(node_id)
        node.tick()
        self._process(node)

    def tick_all(self) -> None:
        """One tick on every live node."""
        for node in self.live_nodes():
            self.tick(node.id)

    def campaign(self, node_id: str) -> None:
        """Make a node time out and campaign now (RaftScope's "time out")."""
        node = self._live(node_id)
        node.campaign()
        self._process(node)

    def propose(self, node_id: str, data: Any) -> int:
        """Propose `data` on a node (raises NotLeaderError unless it leads)."""
        node = self._live(node_id)
        index = node.propose(data)
        self._process(node)
        return index

    def read_index(self, node_id: str, context: Any) -> None:
        """Ask a node for a linearizable read; answers appear in `read_states[node_id]`."""
        node = self._live(node_id)
        node.read_index(context)
        self._process(node)

    def _process(self, node: RaftNode) -> None:
        # The Ready loop: persist, then send, then apply, then advance.
        while node.has_ready():
            ready = node.ready()
            self._persist(self.disks[node.id], ready)
            self.queue.extend(m for m in ready.messages if self.rng.random() >= self.drop_rate)
            state = self.state[node.id]
            if ready.snapshot is not None:
                state[:] = ready.snapshot.data
            state.extend(ready.committed_entries)
            self.read_states[node.id].extend(ready.read_states)
            node.advance(ready)
        self.history.observe(self.live_nodes())

    @staticmethod
    def _persist(disk: Disk, ready: Ready) -> None:
        if ready.snapshot is not None:
            disk.snapshot, disk.entries = ready.snapshot, []
        if ready.entries:
            first = ready.entries[0].index
            disk.entries = [e for e in disk.entries if e.index < first] + list(ready.entries)
        disk.hard_state = ready.hard_state

    # -- the network ------------------------------------------------------------------------

    def deliver(self, position: int = 0) -> Message | None:
        """Deliver the queued message at `position` (unless its link is cut or its node down)."""
        if not self.queue:
            return None
        message = self.queue.pop(position % len(self.queue))
        node = self.nodes[message.dst]
        if node is not None and frozenset((message.src, message.dst)) not in self.cuts:
            self.delivered.append(message)
            node.step(message)
            self._process(node)
        return message

    def deliver_all(self, limit: int = 100_000) -> int:
        """Deliver in order until the queue is empty; returns how many were delivered."""
        for count in range(limit):
            if self.deliver() is None:
                return count
        raise RuntimeError(f"the network did not go quiet after {limit} messages")

    def stabilize(self, ticks: int = 1) -> None:
        """Deliver everything, then `ticks` times: tick every node and deliver again."""
        self.deliver_all()
        for _ in range(ticks):
            self.tick_all()
            self.deliver_all()

    def drop(self, rate: float) -> None:
        """From now on, lose each sent message with probability `rate`."""
        self.drop_rate = rate

    def drop_at(self, position: int) -> None:
        """Lose the queued message at `position`."""
        if self.queue:
            self.queue.pop(position % len(self.queue))

    def duplicate(self, position: int) -> None:
        """Send the queued message at `position` twice."""
        if self.queue:
            self.queue.append(self.queue[position % len(self.queue)])

    def reorder(self) -> None:
        """Shuffle the messages in flight."""
        self.rng.shuffle(self.queue)

    def cut(self, a: str, b: str) -> None:
        """Cut the link between `a` and `b` (both ways)."""
        self.cuts.add(frozenset((self._known(a), self._known(b))))

    def isolate(self, node_id: str) -> None:
        """Cut every link of one node."""
        for other in self.ids:
            if other != node_id:
                self.cut(node_id, other)

    def heal(self) -> None:
        """Restore every link and stop dropping."""
        self.cuts.clear()
        self.drop_rate = 0.0

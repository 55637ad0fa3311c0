"""The safety properties of Raft (paper, Figure 3), checked on live nodes and on their history.

`History.observe(nodes)` runs after every step and remembers leaders, their logs, commits and
applies; `check(nodes, history)` returns one sentence per violation, each starting with the name
of the property it breaks (PROPERTIES), and an empty list when all is well. One more check is
not in Figure 3: a node's commit index never goes back (etcd-io/raft's commitTo).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from k8slab.raft.log import Entry
from k8slab.raft.node import RaftNode
from k8slab.raft.ready import Role

# Figure 3 of the Raft paper: the five properties Raft guarantees at all times.
PROPERTIES = ("Election Safety", "Leader Append-Only", "Log Matching", "Leader Completeness",
              "State Machine Safety")


class History:
    """What the cluster has done so far: leaders by term, committed and applied entries."""

    def __init__(self) -> None:
        self.leaders: dict[int, str] = {}
        self.committed: dict[int, tuple[Entry, int]] = {}  # index -> (entry, term it committed in)
        self.applied: dict[int, Entry] = {}
        self.max_commit: dict[str, int] = {}
        self._seen_applied: dict[str, int] = {}
        self._leader_tails: dict[str, tuple[int, int, Entry | None]] = {}  # id -> term, last
        self.violations: list[str] = []

    def observe(self, nodes: Sequence[RaftNode]) -> None:
        """Record the nodes' current state; violations over time land in `violations`."""
        for node in nodes:
            if node.role is Role.LEADER:
                self._observe_leader(node)
            self._observe_commit(node)
            self._observe_applied(node)

    def _observe_leader(self, node: RaftNode) -> None:
        leader = self.leaders.setdefault(node.term, node.id)
        if leader != node.id:
            self._violate(f"Election Safety: {leader} and {node.id} both led term {node.term}")
        self._observe_append_only(node)

    def _observe_append_only(self, node: RaftNode) -> None:
        # Leader Append-Only (§5.3): in its term a leader only appends. Raft replaces entries
        # only by cutting the log at the first changed one, so a leader that overwrote or
        # deleted an entry has a shorter log, or another entry where its last one was.
        term, index, entry = self._leader_tails.get(node.id, (0, 0, None))
        if term == node.term and index > node.snapshot_index:
            now = _entry_at(node, index)
            if now != entry:
                change = "deleted" if now is None else f"overwrote it with {now}"
                self._violate(f"Leader Append-Only: {node.id}, leader of term {term}, had "
                              f"{entry} and {change}")
        last = node.last_index
        self._leader_tails[node.id] = (node.term, last, _entry_at(node, last))

    def _observe_commit(self, node: RaftNode) -> None:
        before = self.max_commit.get(node.id, 0)
        if node.commit_index < before:
            self._violate(
                f"commit index of {node.id} went back from {before} to {node.commit_index}"
            )
            return
        self.max_commit[node.id] = node.commit_index
        for entry in node.entries_after(before):
            if entry.index > node.commit_index:
                break
            known = self.committed.setdefault(entry.index, (entry, node.term))[0]
            if known != entry:
                self._violate(
                    f"State Machine Safety: {node.id} committed {entry} where {known} was committed"
                )

    def _observe_applied(self, node: RaftNode) -> None:
        before = min(self._seen_applied.get(node.id, 0), node.applied_index)
        self._seen_applied[node.id] = node.applied_index
        for entry in node.entries_after(before):
            if entry.index > node.applied_index:
                break
            known = self.applied.setdefault(entry.index, entry)
            if known != entry:
                self._violate(
                    f"State Machine Safety: {node.id} applied {entry} where {known} was applied"
                )

    def _violate(self, sentence: str) -> None:
        if sentence not in self.violations:
            self.violations.append(sentence)


def _entry_at(node: RaftNode, index: int) -> Entry | None:
    """The entry at `index` in the node's log, None if it is not there (or compacted away)."""
    if not node.snapshot_index < index <= node.last_index:
        return None
    return node.entries_after(index - 1)[0]


def check(nodes: Sequence[RaftNode], history: History) -> list[str]:
    """Every violation of Figure 3 seen so far, plus Log Matching and Leader Completeness now."""
    found = list(history.violations)
    logs = {node.id: node.log for node in nodes}
    for a, b in combinations(nodes, 2):
        found.extend(_log_matching(a, logs[a.id], b, logs[b.id]))
    for node in nodes:
        if node.role is Role.LEADER:
            found.extend(_leader_completeness(node, history))
    return found


def _log_matching(a: RaftNode, log_a: list[Entry], b: RaftNode, log_b: list[Entry]) -> list[str]:
    # Same (index, term) in two logs => the same entries up to there (where both still have them).
    first = max(a.snapshot_index, b.snapshot_index) + 1
    index = min(a.last_index, b.last_index)
    while index >= first and a.term_at(index) != b.term_at(index):
        index -= 1
    if index < first:
        return []
    prefix_a = log_a[first - a.snapshot_index - 1 : index - a.snapshot_index]
    prefix_b = log_b[first - b.snapshot_index - 1 : index - b.snapshot_index]
    if prefix_a == prefix_b:
        return []
    return [
        f"Log Matching: {a.id} and {b.id} agree on entry {index} "
        f"(term {a.term_at(index)}) but not on the entries before it"
    ]


def _leader_completeness(leader: RaftNode, history: History) -> list[str]:
    # An entry committed in term t is in the log of every leader of a later term.
    missing = [
        index
        for index, (entry, term) in history.committed.items()
        if term < leader.term
        and index > leader.snapshot_index
        and leader.term_at(index) != entry.term
    ]
    if not missing:
        return []
    return [
        f"Leader Completeness: {leader.id}, leader of term {leader.term}, lacks committed "
        f"entries {missing}"
    ]

"""A Raft node's state as a read-only snapshot, in the shape of etcd-io/raft's `Status`.

What a plot or a table shows of a node (its term, vote, leader, commit and applied indexes, and
the entries of its log) is copied out once, so nothing that reads it can change the node.
"""

from __future__ import annotations

from dataclasses import dataclass

from k8slab.raft.log import Entry
from k8slab.raft.ready import Role


@dataclass(frozen=True, slots=True)
class Status:
    """One node's state at one moment: etcd-io/raft status.go's `BasicStatus` plus the log.

    `term`, `vote` and `commit` are its HardState, `lead` and `raft_state` its SoftState, as
    upstream embeds them; `entries` are the log after `snapshot_index` (etcd's Status has no log:
    it is here because the lab draws it).
    """

    id: str
    term: int
    vote: str | None
    commit: int
    lead: str | None
    raft_state: Role
    applied: int
    snapshot_index: int
    entries: tuple[Entry, ...]

    @property
    def last_index(self) -> int:
        """Index of the last entry in the log (the snapshot index when the log is empty)."""
        return self.entries[-1].index if self.entries else self.snapshot_index

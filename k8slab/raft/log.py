"""The Raft log: entries after a snapshot point, plus the marks etcd's `raftLog` keeps on them.

Everything up to `snapshot_index` is compacted away; `commit_index` only grows; `stable_index`
says how much the caller has persisted, `handed_out_index` and `applying_index` what a `Ready` gave.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from k8slab.raft.errors import RaftLogError


@dataclass(frozen=True, slots=True)
class Entry:
    """One log entry: its position, the term it was created in, and the command (None = no-op)."""

    index: int
    term: int
    data: Any = None


class RaftLog:
    """The entries after `snapshot_index`, and how far they are committed, persisted and applied."""

    def __init__(
        self, entries: Sequence[Entry], snapshot_index: int, snapshot_term: int, commit: int
    ) -> None:
        self.snapshot_index = snapshot_index
        self.snapshot_term = snapshot_term
        self.entries: list[Entry] = []
        self._check_contiguous(snapshot_index, entries)
        self.entries = list(entries)
        if not snapshot_index <= commit <= self.last_index:
            raise RaftLogError(
                f"commit index {commit} is outside the log [{snapshot_index}, {self.last_index}]"
            )
        self.commit_index = commit
        self.applied_index = commit  # the caller replays the committed log when it restarts
        self.applying_index = commit  # committed entries already handed out in a Ready
        self.stable_index = self.last_index  # entries the caller has persisted
        self.handed_out_index = self.last_index  # entries already handed out in a Ready

    @property
    def last_index(self) -> int:
        """Index of the last entry (the snapshot index when the log is empty)."""
        return self.entries[-1].index if self.entries else self.snapshot_index

    @property
    def last_term(self) -> int:
        """Term of the last entry."""
        return self.entries[-1].term if self.entries else self.snapshot_term

    def term_at(self, index: int) -> int | None:
        """Term of the entry at `index`, or None if it is compacted away or not there yet."""
        if index == self.snapshot_index:
            return self.snapshot_term
        if self.snapshot_index < index <= self.last_index:
            return self.entries[index - self.snapshot_index - 1].term
        return None

    def after(self, index: int) -> list[Entry]:
        """The entries with an index greater than `index` that are still in the log."""
        return self.entries[max(0, index - self.snapshot_index) :]

    def between(self, first: int, last: int) -> list[Entry]:
        """The entries from `first` to `last` inclusive (`first` must not be compacted)."""
        return self.entries[first - self.snapshot_index - 1 : last - self.snapshot_index]

    def is_up_to_date(self, last_index: int, last_term: int) -> bool:
        """Is a log ending at (last_index, last_term) at least as up to date as ours? (§5.4.1)."""
        return last_term > self.last_term or (
            last_term == self.last_term and last_index >= self.last_index
        )

    # -- changing the log -----------------------------------------------------------------

    def append(self, entries: Sequence[Entry]) -> None:
        """Add `entries`, replacing any entries from the first one's index on (never committed)."""
        if not entries:
            return
        first = entries[0].index
        if first <= self.commit_index:
            raise RaftLogError(
                f"refusing to overwrite entry {first}: entries up to {self.commit_index} are "
                "committed"
            )
        if first > self.last_index + 1:
            raise RaftLogError(f"entry {first} leaves a gap after the last index {self.last_index}")
        self._check_contiguous(first - 1, entries)
        del self.entries[first - self.snapshot_index - 1 :]
        self.entries.extend(entries)
        self.stable_index = min(self.stable_index, first - 1)
        self.handed_out_index = min(self.handed_out_index, first - 1)

    def maybe_append(
        self, prev_index: int, prev_term: int, leader_commit: int, entries: Sequence[Entry]
    ) -> int | None:
        """The follower's side of AppendEntries (Figure 2, receiver steps 2-5).

        Returns the index of the last entry known to match the leader, or None if the log has
        no entry at `prev_index` with `prev_term`.
        """
        if self.term_at(prev_index) != prev_term:
            return None
        last_new = prev_index + len(entries)
        conflict = self._find_conflict(entries)
        if conflict:
            self.append(entries[conflict - prev_index - 1 :])
        self.commit_to(min(leader_commit, last_new))
        return last_new

    def _find_conflict(self, entries: Sequence[Entry]) -> int:
        # The first entry that is new or whose term differs from ours; 0 if we have them all.
        for entry in entries:
            if self.term_at(entry.index) != entry.term:
                return entry.index
        return 0

    def find_conflict_by_term(self, index: int, term: int) -> tuple[int, int]:
        """The largest (index, term) at or below `index` whose term is at most `term`.

        Used for the fast back-off hint; term 0 means "compacted, unknown" (etcd log.go).
        """
        while index > 0:
            ours = self.term_at(index)
            if ours is None:
                return index, 0
            if ours <= term:
                return index, ours
            index -= 1
        return 0, 0

    def commit_to(self, index: int) -> bool:
        """Raise the commit index to `index` (it never goes down); True if it moved."""
        if index <= self.commit_index:
            return False
        if index > self.last_index:
            # etcd-io/raft log.go commitTo panics with this question.
            raise RaftLogError(
                f"commit index {index} is out of range [last index {self.last_index}]; "
                "was the raft log corrupted, truncated, or lost?"
            )
        self.commit_index = index
        return True

    def restore(self, index: int, term: int) -> None:
        """Replace the whole log with a snapshot ending at (index, term), committed."""
        self.entries = []
        self.snapshot_index, self.snapshot_term = index, term
        self.commit_index = self.applying_index = self.handed_out_index = index
        self.stable_index = min(self.stable_index, index - 1)  # the snapshot is not on disk yet

    def compact(self, index: int) -> None:
        """Forget the entries up to `index`; a snapshot now stands for them."""
        self.snapshot_term = self.term_at(index)
        self.entries = self.after(index)
        self.snapshot_index = index

    @staticmethod
    def _check_contiguous(prev_index: int, entries: Sequence[Entry]) -> None:
        for offset, entry in enumerate(entries, start=1):
            if entry.index != prev_index + offset:
                raise RaftLogError(
                    f"log entries must be contiguous after index {prev_index}; found index "
                    f"{entry.index} where {prev_index + offset} belongs"
                )

"""What a leader knows about each follower's log, as etcd's `tracker.Progress`.

A follower is probed one message at a time until the leader finds where their logs match, then
replicated to optimistically; one whose entries were compacted away gets a snapshot first.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ProgressState(enum.Enum):
    """etcd's `StateProbe`, `StateReplicate` and `StateSnapshot` (tracker/state.go)."""

    PROBE = "probe"
    REPLICATE = "replicate"
    SNAPSHOT = "snapshot"


@dataclass
class Progress:
    """The leader's view of one follower: entries known to match, and the next one to send."""

    match_index: int = 0
    next_index: int = 1
    state: ProgressState = ProgressState.PROBE
    recent_active: bool = False  # heard from since the last check-quorum
    probe_sent: bool = False  # a probe is in flight: wait for its answer or the next heartbeat
    pending_snapshot: int = 0  # the snapshot index sent, while in SNAPSHOT
    sent_commit: int = 0  # the highest commit index the follower was told it can use

    @property
    def paused(self) -> bool:
        """No append should go out now."""
        return self.state is ProgressState.SNAPSHOT or (
            self.state is ProgressState.PROBE and self.probe_sent
        )

    def become_probe(self) -> None:
        """Send one append at a time until the follower answers (after a snapshot, past it)."""
        if self.state is ProgressState.SNAPSHOT:
            self.next_index = max(self.match_index + 1, self.pending_snapshot + 1)
        else:
            self.next_index = self.match_index + 1
        self.state, self.probe_sent, self.pending_snapshot = ProgressState.PROBE, False, 0

    def become_replicate(self) -> None:
        """Stream appends without waiting for answers."""
        self.state, self.next_index = ProgressState.REPLICATE, self.match_index + 1

    def become_snapshot(self, snapshot_index: int) -> None:
        """Wait until the follower has installed the snapshot sent to it."""
        self.state, self.pending_snapshot = ProgressState.SNAPSHOT, snapshot_index

    def abort_snapshot(self) -> None:
        """Give up on a snapshot that got no answer (etcd: MsgSnapStatus reject); retry later."""
        self.pending_snapshot = 0
        self.become_probe()

    def can_bump_commit(self, commit: int) -> bool:
        """Would telling the follower about `commit` let it commit more? (etcd CanBumpCommit)."""
        return min(commit, self.next_index - 1) > self.sent_commit

    def sent_commit_up_to(self, index: int) -> None:
        """The follower was told it may commit up to `index`."""
        self.sent_commit = max(self.sent_commit, index)

    def sent_entries(self, last_sent: int) -> None:
        """An append went out: replicate moves `next_index` past it, probe waits for its answer."""
        if self.state is ProgressState.REPLICATE:
            self.next_index = max(self.next_index, last_sent + 1)
        else:
            self.probe_sent = True

    def maybe_update(self, match_index: int) -> bool:
        """The follower matches up to `match_index`; True if that is news."""
        if match_index <= self.match_index:
            return False
        self.match_index = match_index
        self.next_index = max(self.next_index, match_index + 1)
        self.probe_sent = False
        return True

    def maybe_decrease_to(self, rejected: int, hint: int) -> bool:
        """The follower rejected an append after `rejected`; False if the answer is stale.

        etcd-io/raft tracker/progress.go MaybeDecrTo.
        """
        if self.state is ProgressState.REPLICATE:
            if rejected <= self.match_index:
                return False
            self.next_index = self.match_index + 1
            return True
        if self.state is ProgressState.SNAPSHOT or self.next_index - 1 != rejected:
            return False
        self.next_index = max(min(rejected, hint + 1), self.match_index + 1)
        self.probe_sent = False
        return True

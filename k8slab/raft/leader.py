"""What only a leader does: replicate its log, count matches into a commit index, answer reads.

Mixed into `RaftNode` (it uses the node's fields); etcd-io/raft keeps this in `stepLeader`,
`sendAppend`, `bcastHeartbeat`, `maybeCommit` and `tickHeartbeat` in raft.go.
"""

from __future__ import annotations

from typing import Any

from k8slab.raft.log import Entry
from k8slab.raft.messages import (
    AppendEntries,
    AppendEntriesResponse,
    Heartbeat,
    HeartbeatResponse,
    InstallSnapshot,
    InstallSnapshotResponse,
    Message,
)
from k8slab.raft.progress import Progress, ProgressState
from k8slab.raft.read_only import ReadState
from k8slab.raft.ready import Role


class Leader:
    """The leader's half of `RaftNode`: per-follower progress, commit, heartbeats, ReadIndex."""

    def _tick_heartbeat(self) -> None:
        # etcd-io/raft raft.go tickHeartbeat: check quorum every election_tick, beat every
        # heartbeat_tick.
        self._heartbeat_elapsed += 1
        self._election_elapsed += 1
        if self._election_elapsed >= self.election_tick:
            self._election_elapsed = 0
            if self.check_quorum and not self._quorum_active():
                self._become_follower(self.term, None)
                return
            self._retry_snapshots()
        if self._heartbeat_elapsed >= self.heartbeat_tick:
            self._heartbeat_elapsed = 0
            self._broadcast_heartbeat(self._read_only.last_pending_context())

    def _become_leader(self) -> None:
        self._reset(self.term)
        self.role, self.leader_id = Role.LEADER, self.id
        for peer in self.peers:
            self.progress[peer] = Progress(next_index=self._log.last_index + 1)
        mine = self.progress[self.id]
        mine.match_index, mine.recent_active = self._log.stable_index, True
        mine.become_replicate()
        # A new leader appends an empty entry of its term (raft.go becomeLeader, paper §8).
        self._append(None)
        self._broadcast_append()

    def _append(self, data: Any) -> int:
        entry = Entry(self._log.last_index + 1, self.term, data)
        self._log.append([entry])
        return entry.index

    def _retry_snapshots(self) -> None:
        # etcd waits for the transport's ReportSnapshot; there is none here, so a snapshot still
        # unanswered after a whole election timeout counts as lost and goes out again.
        for peer in self._others():
            if self.progress[peer].state is ProgressState.SNAPSHOT:
                self.progress[peer].abort_snapshot()

    def _quorum_active(self) -> bool:
        # etcd MsgCheckQuorum: count who answered in this window, then start a new window.
        active = sum(1 for peer in self.peers if self.progress[peer].recent_active)
        for peer in self._others():
            self.progress[peer].recent_active = False
        return active >= self.quorum

    def _step_leader(self, message: Message) -> None:
        progress = self.progress[message.src]
        if isinstance(message, AppendEntriesResponse):
            progress.recent_active = True
            if message.success:
                self._on_match(message.src, progress, message.match_index)
            else:
                self._on_reject(message, progress)
        elif isinstance(message, HeartbeatResponse):
            self._on_heartbeat_response(message, progress)
        elif isinstance(message, InstallSnapshotResponse):
            progress.recent_active = True
            self._on_match(message.src, progress, message.match_index)

    def _on_match(self, peer: str, progress: Progress, match_index: int) -> None:
        updated = progress.maybe_update(match_index)
        probe_confirmed = (
            progress.state is ProgressState.PROBE and progress.match_index == match_index
        )
        if not (updated or probe_confirmed):
            return
        if progress.state is ProgressState.PROBE:
            progress.become_replicate()
        elif (
            progress.state is ProgressState.SNAPSHOT and progress.match_index >= self.snapshot_index
        ):
            progress.become_probe()
            progress.become_replicate()
        if self._maybe_commit():
            self._broadcast_append()
        elif peer != self.id:
            # Send what is new, or an empty append if the follower may not know the commit yet.
            self._send_append(peer, send_if_empty=progress.can_bump_commit(self.commit_index))

    def _on_reject(self, response: AppendEntriesResponse, progress: Progress) -> None:
        hint = response.reject_hint
        if response.reject_hint_term > 0:
            hint, _ = self._log.find_conflict_by_term(hint, response.reject_hint_term)
        if progress.maybe_decrease_to(response.rejected_index, hint):
            if progress.state is ProgressState.REPLICATE:
                progress.become_probe()
            self._send_append(response.src)

    def _on_heartbeat_response(self, response: HeartbeatResponse, progress: Progress) -> None:
        progress.recent_active, progress.probe_sent = True, False
        if progress.match_index < self._log.last_index or progress.state is ProgressState.PROBE:
            self._send_append(response.src)
        if response.context is None:
            return
        if self._read_only.recv_ack(response.src, response.context) >= self.quorum:
            self._read_states.extend(self._read_only.advance(response.context))

    def _maybe_commit(self) -> bool:
        # The quorum-th highest match index, but only an entry of this term commits by
        # counting replicas (§5.4.2, Figure 8); earlier ones commit with it.
        matches = sorted((self.progress[peer].match_index for peer in self.peers), reverse=True)
        index = matches[self.quorum - 1]
        if self._log.term_at(index) != self.term or not self._log.commit_to(index):
            return False
        reads, self._postponed_reads = self._postponed_reads, []
        for context in reads:
            self._start_read(context)
        return True

    def _start_read(self, context: Any) -> None:
        if len(self.peers) == 1:
            self._read_states.append(ReadState(self.commit_index, context))
            return
        self._read_only.add_request(self.commit_index, context)
        self._read_only.recv_ack(self.id, context)
        self._broadcast_heartbeat(context)

    def _broadcast_append(self) -> None:
        for peer in self._others():
            self._send_append(peer)

    def _broadcast_heartbeat(self, context: Any) -> None:
        for peer in self._others():
            progress = self.progress[peer]
            commit = min(progress.match_index, self.commit_index)
            self._send(Heartbeat, peer, leader_id=self.id, leader_commit=commit, context=context)
            progress.sent_commit_up_to(commit)

    def _send_append(self, peer: str, *, send_if_empty: bool = True) -> None:
        progress = self.progress[peer]
        if progress.paused:
            return
        prev_index = progress.next_index - 1
        prev_term = self._log.term_at(prev_index)
        if prev_term is None:
            self._send_snapshot(peer, progress)
            return
        entries = tuple(self._log.after(prev_index))
        if not entries and not send_if_empty:
            return
        self._send(
            AppendEntries,
            peer,
            leader_id=self.id,
            prev_log_index=prev_index,
            prev_log_term=prev_term,
            entries=entries,
            leader_commit=self.commit_index,
        )
        progress.sent_entries(prev_index + len(entries))
        progress.sent_commit_up_to(min(self.commit_index, prev_index + len(entries)))

    def _send_snapshot(self, peer: str, progress: Progress) -> None:
        snapshot = self._snapshot
        if snapshot is None or snapshot.index < self.snapshot_index:
            return  # etcd: ErrSnapshotTemporarilyUnavailable; the next heartbeat retries
        self._send(
            InstallSnapshot,
            peer,
            leader_id=self.id,
            last_included_index=snapshot.index,
            last_included_term=snapshot.term,
            data=snapshot.data,
        )
        progress.become_snapshot(snapshot.index)

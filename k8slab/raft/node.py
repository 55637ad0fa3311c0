"""One Raft node as a pure state machine, in the shape of etcd-io/raft: no I/O, no clock.

Inputs are `tick()`, `step(message)`, `propose(data)`, `read_index(context)` and `campaign()`;
`ready()` says what to persist, send and apply, and `advance(ready)` reports that it was done.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from k8slab.raft.election import Election
from k8slab.raft.errors import (
    ERR_SNAP_OUT_OF_DATE,
    NotLeaderError,
    RaftError,
    SnapshotOutOfDateError,
)
from k8slab.raft.leader import Leader
from k8slab.raft.log import Entry, RaftLog
from k8slab.raft.messages import (
    FROM_LEADER,
    AppendEntries,
    AppendEntriesResponse,
    Heartbeat,
    HeartbeatResponse,
    InstallSnapshot,
    InstallSnapshotResponse,
    Message,
    RequestVote,
    RequestVoteResponse,
)
from k8slab.raft.progress import Progress
from k8slab.raft.read_only import ReadOnly, ReadState
from k8slab.raft.ready import HardState, Ready, Role, SnapshotData
from k8slab.raft.status import Status


class RaftNode(Election, Leader):
    """One member's Raft state machine; Figure 2 of the Raft paper names the fields.

    The caller drives it and does all I/O, in etcd's order: after any input, while `has_ready()`,
    take `ready()`, persist its snapshot, entries and hard state, then send its messages, then
    apply its committed entries, then call `advance(ready)`. Messages must never leave before
    what they depend on is durable. The node's own copy of an entry counts towards a quorum only
    at `advance`, after the caller persisted it; so a single voter commits an entry one Ready
    after handing it out. Its own vote counts at once: no message reveals it before it is durable.
    """

    def __init__(
        self,
        id: str,
        peers: Sequence[str],
        *,
        rng: random.Random,
        election_tick: int = 10,
        heartbeat_tick: int = 1,
        pre_vote: bool = True,
        check_quorum: bool = True,
        hard_state: HardState | None = None,
        log: Sequence[Entry] | None = None,
        snapshot_index: int = 0,
        snapshot_term: int = 0,
        snapshot_data: Any = None,
    ) -> None:
        peers = list(peers)
        if id not in peers or len(set(peers)) != len(peers):
            raise RaftError(
                f"peers must list every voter once, this node {id!r} included; got {peers!r}"
            )
        if not 0 < heartbeat_tick < election_tick:
            raise RaftError(
                f"need 0 < heartbeat_tick < election_tick; got heartbeat_tick={heartbeat_tick}, "
                f"election_tick={election_tick}"
            )
        self.id = id
        self.peers = peers
        self.election_tick = election_tick
        self.heartbeat_tick = heartbeat_tick
        self.pre_vote = pre_vote
        self.check_quorum = check_quorum
        self._rng = rng
        state = hard_state or HardState()
        self.term, self.voted_for = state.term, state.voted_for
        self._log = RaftLog(log or (), snapshot_index, snapshot_term, state.commit)
        self._snapshot: SnapshotData | None = None
        if snapshot_data is not None:
            self._snapshot = SnapshotData(snapshot_index, snapshot_term, snapshot_data)
        self._unsent_snapshot: SnapshotData | None = None  # installed, not yet in a Ready
        self.role = Role.FOLLOWER
        self.leader_id: str | None = None
        self.progress: dict[str, Progress] = {}
        self._votes: dict[str, bool] = {}
        self._read_only = ReadOnly()
        self._postponed_reads: list[Any] = []
        self._outbox: list[Message] = []
        self._read_states: list[ReadState] = []
        self._election_elapsed = 0
        self._heartbeat_elapsed = 0
        self._randomized_timeout = self._draw_timeout()
        self._handed_out = (self.hard_state, self.role, self.leader_id)

    # -- readable state -------------------------------------------------------------------

    @property
    def log(self) -> list[Entry]:
        """A copy of the entries after the snapshot point."""
        return list(self._log.entries)

    @property
    def last_index(self) -> int:
        """Index of the last entry in the log (the snapshot index when it is empty)."""
        return self._log.last_index

    @property
    def commit_index(self) -> int:
        """Highest entry known to be committed (stored on a quorum, Figure 2)."""
        return self._log.commit_index

    @property
    def applied_index(self) -> int:
        """Highest entry the caller has applied (reported through `advance`)."""
        return self._log.applied_index

    @property
    def snapshot_index(self) -> int:
        """Index of the last compacted entry: the log holds only the entries after it."""
        return self._log.snapshot_index

    @property
    def snapshot_term(self) -> int:
        """Term of the entry at `snapshot_index`."""
        return self._log.snapshot_term

    @property
    def snapshot(self) -> SnapshotData | None:
        """The newest state-machine snapshot this node can send to a lagging follower."""
        return self._snapshot

    @property
    def hard_state(self) -> HardState:
        """The durable part of the state."""
        return HardState(self.term, self.voted_for, self.commit_index)

    @property
    def quorum(self) -> int:
        """How many voters make a majority."""
        return len(self.peers) // 2 + 1

    def status(self) -> Status:
        """A read-only snapshot of this node's state and log (etcd-io/raft `RawNode.Status`)."""
        return Status(self.id, self.term, self.voted_for, self.commit_index, self.leader_id,
                      self.role, self.applied_index, self.snapshot_index,
                      tuple(self._log.entries))

    def term_at(self, index: int) -> int | None:
        """Term of the entry at `index`; None if it is compacted away or beyond the log."""
        return self._log.term_at(index)

    def entries_after(self, index: int) -> list[Entry]:
        """Log entries with an index greater than `index` (those still in the log)."""
        return self._log.after(index)

    def _others(self) -> list[str]:
        return [peer for peer in self.peers if peer != self.id]

    # -- snapshots ------------------------------------------------------------------------

    def set_snapshot_data(self, index: int, data: Any) -> None:
        """Hand Raft the state machine's snapshot after applying entry `index`, to send on."""
        if index < self.snapshot_index:
            raise SnapshotOutOfDateError(ERR_SNAP_OUT_OF_DATE)
        term = self._log.term_at(index)
        if index > self.applied_index or term is None:
            raise RaftError(
                f"cannot take a snapshot at {index}: it must be applied (up to "
                f"{self.applied_index}) and still in the log (after {self.snapshot_index})"
            )
        self._snapshot = SnapshotData(index, term, data)

    def compact(self, index: int) -> None:
        """Forget entries up to `index`: applied, and covered by `set_snapshot_data`."""
        if index <= self.snapshot_index:
            return
        if index > self.applied_index:
            raise RaftError(f"cannot compact to {index}: only {self.applied_index} applied")
        covered = self._snapshot.index if self._snapshot else self.snapshot_index
        if index > covered:
            raise RaftError(
                f"cannot compact to {index}: the newest snapshot is at {covered}; call "
                "set_snapshot_data first so a lagging follower can still catch up"
            )
        self._log.compact(index)

    # -- inputs ---------------------------------------------------------------------------

    def advance_ticks(self, ticks: int) -> None:
        """Pretend `ticks` ticks passed (etcd's initial-election-tick-advance on boot)."""
        self._election_elapsed += ticks

    def tick(self) -> None:
        """One heartbeat interval passed (etcd: 100 ms)."""
        if self.role is Role.LEADER:
            self._tick_heartbeat()
            return
        self._election_elapsed += 1
        if self._election_elapsed >= self._randomized_timeout:
            self._election_elapsed = 0
            self.campaign()

    def campaign(self) -> None:
        """Start an election now (etcd's MsgHup), with a pre-vote round first if enabled."""
        if self.role is not Role.LEADER:
            self._start_election(pre_vote=self.pre_vote)

    def propose(self, data: Any) -> int:
        """Append `data` to the leader's log and replicate it; returns the entry's index."""
        if self.role is not Role.LEADER:
            raise NotLeaderError(f"raft node {self.id} is {self.role.value}, not leader")
        index = self._append(data)
        self._broadcast_append()
        return index

    def read_index(self, context: Any) -> None:
        """Ask for a linearizable read; a `ReadState(index, context)` in a later Ready answers.

        The leader confirms it is still leader with a quorum of heartbeat acks (ReadOnlySafe).
        Reads in flight when the node stops leading are dropped: the caller retries.
        """
        if self.role is not Role.LEADER:
            raise NotLeaderError(f"raft node {self.id} is {self.role.value}, not leader")
        if self.term_at(self.commit_index) != self.term:
            # A new leader does not know the commit index until it commits in its own term.
            self._postponed_reads.append(context)
            return
        self._start_read(context)

    def step(self, message: Message) -> None:
        """Take one message from a peer: the term rules first, then the role's step function."""
        if message.dst != self.id or message.src not in self.peers:
            raise RaftError(
                f"node {self.id} takes messages to itself from its peers {self.peers}; "
                f"got one from {message.src!r} to {message.dst!r}"
            )
        if message.term > self.term:
            if isinstance(message, RequestVote) and self._in_leader_lease():
                return  # thesis §4.2.3: a live leader's followers ignore disruptive candidates
            if not self._keeps_term(message):
                leader = message.src if isinstance(message, FROM_LEADER) else None
                self._become_follower(message.term, leader)
        elif message.term < self.term:
            self._answer_stale(message)
            return
        if isinstance(message, RequestVote):
            self._handle_vote_request(message)
        elif self.role is Role.LEADER:
            self._step_leader(message)
        elif self.role is Role.FOLLOWER:
            self._step_follower(message)
        else:
            self._step_candidate(message)

    def _in_leader_lease(self) -> bool:
        return (
            self.check_quorum
            and self.leader_id is not None
            and self._election_elapsed < self.election_tick
        )

    def _keeps_term(self, message: Message) -> bool:
        # Pre-votes ask about a future term; only a real vote or a rejection moves ours.
        if isinstance(message, RequestVote):
            return message.pre_vote
        granted = isinstance(message, RequestVoteResponse) and message.vote_granted
        return granted and message.pre_vote

    def _answer_stale(self, message: Message) -> None:
        # etcd raft.go Step: tell a stale leader or pre-candidate our term, else ignore.
        if isinstance(message, AppendEntries | Heartbeat) and (self.check_quorum or self.pre_vote):
            self._send(AppendEntriesResponse, message.src, success=False)
        elif isinstance(message, RequestVote) and message.pre_vote:
            self._send(RequestVoteResponse, message.src, vote_granted=False, pre_vote=True)

    def _send(self, kind: type, dst: str, *, term: int | None = None, **fields: Any) -> None:
        term = self.term if term is None else term
        self._outbox.append(kind(src=self.id, dst=dst, term=term, **fields))

    # -- Ready / advance ------------------------------------------------------------------

    def has_ready(self) -> bool:
        """True when `ready()` would hand out something new."""
        log = self._log
        return bool(
            log.last_index > log.handed_out_index
            or self._unsent_snapshot
            or log.commit_index > log.applying_index
            or self._outbox
            or self._read_states
            or self._handed_out != (self.hard_state, self.role, self.leader_id)
        )

    def ready(self) -> Ready:
        """Everything new since the last Ready: to persist, send, apply (see the class doc)."""
        log = self._log
        entries = tuple(log.after(log.handed_out_index))
        committed = tuple(log.between(log.applying_index + 1, log.commit_index))
        log.handed_out_index, log.applying_index = log.last_index, log.commit_index
        ready = Ready(
            hard_state=self.hard_state,
            entries=entries,
            snapshot=self._unsent_snapshot,
            committed_entries=committed,
            messages=tuple(self._outbox),
            read_states=tuple(self._read_states),
            role=self.role,
            leader_id=self.leader_id,
            term=self.term,
        )
        self._unsent_snapshot = None
        self._outbox, self._read_states = [], []
        self._handed_out = (ready.hard_state, ready.role, ready.leader_id)
        return ready

    def advance(self, ready: Ready) -> None:
        """The caller persisted `ready` and applied its committed entries."""
        log = self._log
        if ready.snapshot is not None and ready.snapshot.index == log.snapshot_index:
            log.stable_index = max(log.stable_index, ready.snapshot.index)
            log.applied_index = max(log.applied_index, ready.snapshot.index)
        if ready.entries:
            last = ready.entries[-1]
            if log.term_at(last.index) == last.term:  # not overwritten since
                log.stable_index = max(log.stable_index, last.index)
        if ready.committed_entries:
            log.applied_index = max(log.applied_index, ready.committed_entries[-1].index)
        if self.role is Role.LEADER:
            # The leader's own persisted copy is its acknowledgement (etcd: stepsOnAdvance).
            self._on_match(self.id, self.progress[self.id], log.stable_index)

    # -- role changes ---------------------------------------------------------------------

    def _reset(self, term: int) -> None:
        # etcd-io/raft raft.go reset: a new role or term starts every timer and tally afresh.
        if term != self.term:
            self.term, self.voted_for = term, None
        self.leader_id = None
        self._election_elapsed = self._heartbeat_elapsed = 0
        self._randomized_timeout = self._draw_timeout()
        self._votes = {}
        self.progress = {}
        self._read_only = ReadOnly()
        self._postponed_reads = []

    def _become_follower(self, term: int, leader_id: str | None) -> None:
        self._reset(term)
        self.role, self.leader_id = Role.FOLLOWER, leader_id

    # -- follower -------------------------------------------------------------------------

    def _step_follower(self, message: Message) -> None:
        if not isinstance(message, FROM_LEADER):
            return
        self._election_elapsed, self.leader_id = 0, message.src
        if isinstance(message, AppendEntries):
            self._handle_append_entries(message)
        elif isinstance(message, Heartbeat):
            self._log.commit_to(message.leader_commit)
            self._send(HeartbeatResponse, message.src, context=message.context)
        else:
            self._handle_snapshot(message)

    def _handle_append_entries(self, request: AppendEntries) -> None:
        log = self._log
        if request.prev_log_index < log.commit_index:
            self._send(
                AppendEntriesResponse, request.src, success=True, match_index=log.commit_index
            )
            return
        last_new = log.maybe_append(
            request.prev_log_index, request.prev_log_term, request.leader_commit, request.entries
        )
        if last_new is not None:
            self._send(AppendEntriesResponse, request.src, success=True, match_index=last_new)
            return
        hint, hint_term = log.find_conflict_by_term(
            min(request.prev_log_index, log.last_index), request.prev_log_term
        )
        self._send(
            AppendEntriesResponse,
            request.src,
            success=False,
            rejected_index=request.prev_log_index,
            reject_hint=hint,
            reject_hint_term=hint_term,
        )

    def _handle_snapshot(self, request: InstallSnapshot) -> None:
        log = self._log
        index, term = request.last_included_index, request.last_included_term
        if index > log.commit_index:
            if log.term_at(index) == term:
                log.commit_to(index)  # we hold the entry already: fast-forward the commit
            else:
                log.restore(index, term)
                self._snapshot = self._unsent_snapshot = SnapshotData(index, term, request.data)
        self._send(InstallSnapshotResponse, request.src, match_index=log.commit_index)

"""A Raft node driven by ticks and proposals; it returns what to persist and apply in a `Ready`.

This version runs a single voter (one etcd member): its own vote is a quorum, so it elects itself
and commits an entry as soon as the entry is persisted. Replication to peers comes with issue #3.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass, field
from typing import Any


class Role(enum.Enum):
    """The roles of etcd's raft (`StateFollower`...), pre-candidate included for pre-vote."""

    FOLLOWER = "follower"
    PRE_CANDIDATE = "pre-candidate"
    CANDIDATE = "candidate"
    LEADER = "leader"


@dataclass(frozen=True, slots=True)
class Entry:
    """One log entry: its position, the term it was created in, and the command (None = no-op)."""

    index: int
    term: int
    data: Any = None


@dataclass(frozen=True, slots=True)
class HardState:
    """What must be on disk before any message is sent: current term, vote, commit index."""

    term: int = 0
    voted_for: str | None = None
    commit: int = 0


@dataclass(frozen=True)
class Ready:
    """Work for the caller: persist `hard_state` and `entries`, then apply `committed_entries`."""

    hard_state: HardState
    entries: tuple[Entry, ...]
    committed_entries: tuple[Entry, ...]
    role: Role
    leader_id: str | None
    messages: tuple = field(default=())


class NotLeaderError(Exception):
    """A proposal reached a node that is not the leader (etcd's raft drops it)."""


class RaftNode:
    """One member's Raft state machine; see the Raft paper, Figure 2, for the fields."""

    def __init__(
        self,
        id: str,
        peers: list[str],
        *,
        rng: random.Random,
        election_tick: int = 10,
        heartbeat_tick: int = 1,
        hard_state: HardState | None = None,
        log: list[Entry] | None = None,
        snapshot_index: int = 0,
        snapshot_term: int = 0,
    ) -> None:
        if list(peers) != [id]:
            raise ValueError(
                f"this Raft runs a single voter; got peers {list(peers)!r} for node {id!r} "
                "(multi-member clusters arrive with the replicated etcd)"
            )
        if election_tick <= heartbeat_tick:
            raise ValueError("election_tick must be greater than heartbeat_tick")
        self.id = id
        self.peers = list(peers)
        self.election_tick = election_tick
        self.heartbeat_tick = heartbeat_tick
        self._rng = rng
        state = hard_state or HardState()
        self.term = state.term
        self.voted_for = state.voted_for
        self.log: list[Entry] = list(log or [])
        self.snapshot_index = snapshot_index
        self.snapshot_term = snapshot_term
        self.commit_index = state.commit
        self.applied_index = state.commit
        self.role = Role.FOLLOWER
        self.leader_id: str | None = None
        self._persisted_index = self.last_index
        self._election_elapsed = 0
        self._randomized_timeout = self._draw_timeout()

    # -- readable state -------------------------------------------------------------------

    @property
    def last_index(self) -> int:
        """Index of the last entry in the log (0 when empty)."""
        return self.log[-1].index if self.log else self.snapshot_index

    def entries_after(self, index: int) -> list[Entry]:
        """Log entries with an index greater than `index` (those still in the log)."""
        return self.log[max(0, index - self.snapshot_index) :]

    def compact(self, index: int) -> None:
        """Forget entries up to `index`, which a snapshot now covers (log compaction)."""
        if index > self.applied_index:
            raise ValueError(f"cannot compact to {index}: only {self.applied_index} applied")
        if index <= self.snapshot_index:
            return
        self.snapshot_term = self.log[index - self.snapshot_index - 1].term
        self.log = self.entries_after(index)
        self.snapshot_index = index

    @property
    def hard_state(self) -> HardState:
        """The durable part of the state."""
        return HardState(self.term, self.voted_for, self.commit_index)

    # -- inputs ---------------------------------------------------------------------------

    def advance_ticks(self, ticks: int) -> None:
        """Pretend `ticks` ticks passed (etcd's initial-election-tick-advance on boot)."""
        self._election_elapsed += ticks

    def tick(self) -> None:
        """One heartbeat interval passed (etcd: 100 ms); followers may start an election."""
        if self.role is Role.LEADER:
            return
        self._election_elapsed += 1
        if self._election_elapsed >= self._randomized_timeout:
            self._campaign()

    def propose(self, data: Any) -> int:
        """Append `data` to the leader's log; returns the entry's index."""
        if self.role is not Role.LEADER:
            raise NotLeaderError(f"raft node {self.id} is {self.role.value}, not leader")
        entry = Entry(self.last_index + 1, self.term, data)
        self.log.append(entry)
        return entry.index

    def ready(self) -> Ready:
        """What to persist and apply now: new entries and newly committed ones."""
        entries = tuple(self.entries_after(self._persisted_index))
        self._persisted_index = self.last_index
        # A single voter's own persisted copy is a quorum: everything persisted is committed.
        self.commit_index = self._persisted_index
        committed = tuple(self.entries_after(self.applied_index))
        self.applied_index = self.commit_index
        return Ready(self.hard_state, entries, committed, self.role, self.leader_id)

    def has_ready(self) -> bool:
        """True when `ready()` would hand out something new."""
        return self.last_index > self._persisted_index or self.applied_index < self.commit_index

    # -- elections ------------------------------------------------------------------------

    def _draw_timeout(self) -> int:
        # etcd-io/raft resetRandomizedElectionTimeout: electionTimeout + rand.Intn(electionTimeout)
        return self.election_tick + self._rng.randrange(self.election_tick)

    def _reset(self, term: int) -> None:
        if term != self.term:
            self.term = term
            self.voted_for = None
        self.leader_id = None
        self._election_elapsed = 0
        self._randomized_timeout = self._draw_timeout()

    def _campaign(self) -> None:
        # Pre-vote (etcd default): the pre-candidate's own grant is a quorum of one.
        self.role = Role.PRE_CANDIDATE
        self._reset(self.term)
        self.role = Role.CANDIDATE
        self._reset(self.term + 1)
        self.voted_for = self.id
        self._become_leader()

    def _become_leader(self) -> None:
        self.role = Role.LEADER
        self._reset(self.term)
        self.voted_for = self.id
        self.leader_id = self.id
        # A new leader appends an empty entry of its term (raft.go becomeLeader, paper §8).
        self.log.append(Entry(self.last_index + 1, self.term, None))

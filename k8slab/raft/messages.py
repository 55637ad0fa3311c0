"""The messages Raft nodes send each other, with the field names of Figure 2 of the Raft paper.

Every message names its sender `src`, its receiver `dst` and the sender's `term`. Heartbeats and
snapshots follow etcd's raft (`MsgHeartbeat`, `MsgSnap`); ReadIndex rides on heartbeats.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from k8slab.raft.log import Entry


@dataclass(frozen=True, slots=True)
class RequestVote:
    """A candidate asks for a vote; with `pre_vote`, only asks whether it *would* get one."""

    src: str
    dst: str
    term: int
    candidate_id: str
    last_log_index: int
    last_log_term: int
    pre_vote: bool = False


@dataclass(frozen=True, slots=True)
class RequestVoteResponse:
    """The answer to a (pre-)vote request; a grant carries the term that was asked about."""

    src: str
    dst: str
    term: int
    vote_granted: bool
    pre_vote: bool = False


@dataclass(frozen=True, slots=True)
class AppendEntries:
    """The leader sends entries following (prev_log_index, prev_log_term), and its commit index."""

    src: str
    dst: str
    term: int
    leader_id: str
    prev_log_index: int
    prev_log_term: int
    entries: tuple[Entry, ...]
    leader_commit: int


@dataclass(frozen=True, slots=True)
class AppendEntriesResponse:
    """Success: the follower's log matches the leader's up to `match_index`.

    Failure: it has no entry at `rejected_index` with that term; `reject_hint` (with its term
    `reject_hint_term`) is where the logs may match, so the leader can skip back fast.
    """

    src: str
    dst: str
    term: int
    success: bool
    match_index: int = 0
    rejected_index: int = 0
    reject_hint: int = 0
    reject_hint_term: int = 0


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """The leader's periodic "I am here"; `leader_commit` never exceeds what the follower holds.

    `context` carries the newest pending ReadIndex request, so the answer counts as its ack.
    """

    src: str
    dst: str
    term: int
    leader_id: str
    leader_commit: int
    context: Any = None


@dataclass(frozen=True, slots=True)
class HeartbeatResponse:
    """A follower acknowledges a heartbeat, echoing its ReadIndex `context`."""

    src: str
    dst: str
    term: int
    context: Any = None


@dataclass(frozen=True, slots=True)
class InstallSnapshot:
    """The leader sends its state-machine snapshot to a follower whose entries were compacted."""

    src: str
    dst: str
    term: int
    leader_id: str
    last_included_index: int
    last_included_term: int
    data: Any


@dataclass(frozen=True, slots=True)
class InstallSnapshotResponse:
    """The follower's log now matches the leader's up to `match_index`."""

    src: str
    dst: str
    term: int
    match_index: int


Message = (
    RequestVote
    | RequestVoteResponse
    | AppendEntries
    | AppendEntriesResponse
    | Heartbeat
    | HeartbeatResponse
    | InstallSnapshot
    | InstallSnapshotResponse
)

FROM_LEADER = (AppendEntries, Heartbeat, InstallSnapshot)  # messages only a leader sends

"""What a Raft node hands its caller: the durable `HardState` and the `Ready` batch of work.

The caller persists a Ready (snapshot, entries, hard state), then sends its messages, then
applies its committed entries, then calls `advance(ready)`: the order etcd's raft README asks for.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, NamedTuple

from k8slab.raft.log import Entry
from k8slab.raft.messages import Message
from k8slab.raft.read_only import ReadState


class Role(enum.Enum):
    """The roles of etcd's raft (`StateFollower`...), pre-candidate included for pre-vote."""

    FOLLOWER = "follower"
    PRE_CANDIDATE = "pre-candidate"
    CANDIDATE = "candidate"
    LEADER = "leader"


@dataclass(frozen=True, slots=True)
class HardState:
    """What must be on disk before any message is sent: current term, vote, commit index."""

    term: int = 0
    voted_for: str | None = None
    commit: int = 0


class SnapshotData(NamedTuple):
    """A state-machine snapshot: the state after applying every entry up to (index, term)."""

    index: int
    term: int
    data: Any


@dataclass(frozen=True)
class Ready:
    """One batch of work for the caller, in the order it must be done.

    1. persist `snapshot` (it replaces the stored log), then `entries` (they replace any stored
       entries from the first one's index on), then `hard_state`;
    2. only then send `messages`: they may promise what step 1 made durable (a vote, entries);
    3. restore the state machine from `snapshot`, apply `committed_entries` in order, and serve
       each of `read_states` once applied up to its index;
    4. call `node.advance(ready)`.
    """

    hard_state: HardState
    entries: tuple[Entry, ...] = ()
    snapshot: SnapshotData | None = None
    committed_entries: tuple[Entry, ...] = ()
    messages: tuple[Message, ...] = ()
    read_states: tuple[ReadState, ...] = ()
    role: Role = Role.FOLLOWER
    leader_id: str | None = None
    term: int = 0

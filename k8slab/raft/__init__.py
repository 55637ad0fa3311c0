"""Raft as a pure state machine, in the shape of etcd's raft library: no I/O, no clock.

`tick()`, `step(message)` and `propose(data)` go in; `ready()` says what to persist, send and
apply, and `advance(ready)` says it was done. Messages use the field names of the Raft paper.
"""

from k8slab.raft.errors import NotLeaderError, RaftError, RaftLogError, SnapshotOutOfDateError
from k8slab.raft.log import Entry
from k8slab.raft.messages import (
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
from k8slab.raft.node import RaftNode
from k8slab.raft.read_only import ReadState
from k8slab.raft.ready import HardState, Ready, Role, SnapshotData

__all__ = [
    "AppendEntries",
    "AppendEntriesResponse",
    "Entry",
    "HardState",
    "Heartbeat",
    "HeartbeatResponse",
    "InstallSnapshot",
    "InstallSnapshotResponse",
    "Message",
    "NotLeaderError",
    "RaftError",
    "RaftLogError",
    "RaftNode",
    "ReadState",
    "Ready",
    "RequestVote",
    "RequestVoteResponse",
    "Role",
    "SnapshotData",
    "SnapshotOutOfDateError",
]

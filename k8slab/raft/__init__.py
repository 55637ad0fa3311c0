"""Raft as a pure state machine, in the shape of etcd's raft library: no I/O, no clock.

`tick()`, `step(message)` and `propose(data)` go in; `ready()` says what to persist, send and apply.
"""

from k8slab.raft.node import Entry, HardState, NotLeaderError, RaftNode, Ready, Role

__all__ = ["Entry", "HardState", "NotLeaderError", "RaftNode", "Ready", "Role"]

"""Raft's own errors, in the words of etcd-io/raft where it has them.

Raft knows nothing of etcd or Kubernetes: these say only what a Raft node refused and why. A
proposal or read that reaches a follower is refused (etcd-io/raft drops it: ErrProposalDropped),
a snapshot older than the one kept is out of date (ErrSnapOutOfDate).
"""

from __future__ import annotations

from k8slab.errors import K8sLabError

# etcd-io/raft storage.go ErrSnapOutOfDate.
ERR_SNAP_OUT_OF_DATE = "requested index is older than the existing snapshot"


class RaftError(K8sLabError, ValueError):
    """A Raft node was configured or called wrongly: the message says what is accepted."""


class NotLeaderError(K8sLabError):
    """A proposal or a read reached a node that is not the leader, which does not take it.

    etcd-io/raft forwards a follower's proposal to a known leader and otherwise drops it
    (raft.go ErrProposalDropped, "raft proposal dropped"); here the caller forwards it.
    """


class RaftLogError(K8sLabError):
    """The log was given entries that do not fit it (a gap, or a rewrite of committed entries)."""


class SnapshotOutOfDateError(RaftError):
    """A snapshot was asked for at an index older than the snapshot already kept."""

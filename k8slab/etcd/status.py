"""One etcd member's status, as a read-only snapshot: what `etcdctl endpoint status` reports,
and the Raft status under it (upstream etcd publishes that one as "raft.status" on /debug/vars).
"""

from __future__ import annotations

from dataclasses import dataclass

from k8slab.etcd.wire import StatusResponse
from k8slab.raft.status import Status


@dataclass(frozen=True, slots=True)
class MemberStatus(StatusResponse):
    """A member's StatusResponse (leader, role, term, Raft indexes, store revision), plus its Raft
    node's `Status`: the log, commit and applied indexes that the lab's tables and plots draw.

    It answers `etcdctl endpoint status` too; etcdctl prints only the StatusResponse's fields.
    """

    raft: Status

    @property
    def is_leader(self) -> bool:
        """etcdctl's IS LEADER column: this member's Raft node leads its term."""
        return self.role == "leader"

"""One etcd member's status as `etcdctl endpoint status` reports it, as a read-only snapshot.

The fields are those of etcd's `StatusResponse` (api/etcdserverpb/rpc.proto) that the lab models:
the leader, the Raft term and indexes, and the store's revision; with the member's Raft status.
"""

from __future__ import annotations

from dataclasses import dataclass

from k8slab.raft.ready import Role
from k8slab.raft.status import Status


@dataclass(frozen=True, slots=True)
class MemberStatus:
    """What a member answers to `etcdctl endpoint status`, plus its Raft node's `Status`.

    `name` stands for etcd's member ID (header.member_id), `revision` for header.revision;
    `leader`, `raft_term`, `raft_index` and `raft_applied_index` are StatusResponse's fields.
    """

    name: str
    leader: str | None
    raft_term: int
    raft_index: int
    raft_applied_index: int
    revision: int
    raft: Status

    @property
    def is_leader(self) -> bool:
        """etcdctl's IS LEADER column: this member's Raft node is the leader of its term."""
        return self.raft.raft_state is Role.LEADER

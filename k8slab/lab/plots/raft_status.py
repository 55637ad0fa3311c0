"""Each etcd member's Raft state as table rows: what `etcdctl endpoint status` shows plus the
Raft indexes, and the last entries of one member's log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from k8slab.etcd.wire import RequestOp, TxnRequest

if TYPE_CHECKING:
    from k8slab.lab.cluster import Cluster


def running_member(cluster: Cluster, name: str) -> Any | None:
    """The etcd member running on host `name`, or None when the host or etcd is down."""
    host = cluster.network.host(name)
    return host.memory.get("etcd") if host.up else None


def last_index(log: list, snapshot_index: int) -> int:
    """The index of the last entry in a log, or the snapshot's index when the log is empty."""
    return log[-1].index if log else snapshot_index


def status_table(cluster: Cluster) -> list[dict]:
    """One row per etcd member: up, role, term, leader, last log index, commit, applied, revision.

    What `etcdctl endpoint status` shows, plus the Raft indexes; a down member has empty cells.
    """
    rows = []
    for name in cluster.control_planes:
        member = running_member(cluster, name)
        if member is None:
            rows.append({"member": name, "up": False, "role": None, "term": None,
                         "leader": None, "last index": None, "commit": None, "applied": None,
                         "store revision": None})
            continue
        raft = member.raft
        rows.append({"member": name, "up": True, "role": raft.role.value, "term": raft.term,
                     "leader": raft.leader_id,
                     "last index": last_index(raft.log, raft.snapshot_index),
                     "commit": raft.commit_index, "applied": raft.applied_index,
                     "store revision": member.store.revision})
    return rows


def log_entries(cluster: Any, member: str, last: int = 8) -> list[dict]:
    """The last entries of one member's Raft log as rows: index, term, what the entry does.

    An entry's data is the etcd request it carries: a Txn's writes with their keys, a lease
    operation, or nothing (the no-op a new leader appends).
    """
    raft = cluster.network.host(member).memory["etcd"].raft
    rows = []
    for entry in raft.log[-last:]:
        data = entry.data
        if data is None:
            what, keys = "no-op (new leader)", ""
        else:
            request = data.request
            ops = request.success if isinstance(request, TxnRequest) else [request]
            what = " + ".join(op.verb for op in ops)
            keys = ", ".join(op.key for op in ops if isinstance(op, RequestOp))
        rows.append({"index": entry.index, "term": entry.term, "request": what, "keys": keys,
                     "committed": entry.index <= raft.commit_index})
    return rows

"""Each etcd member's Raft state as table rows: what `etcdctl endpoint status` shows plus the
Raft indexes, and the last entries of one member's log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from k8slab.errors import K8sLabError
from k8slab.etcd.wire import ConfChange, RequestOp, TxnRequest
from k8slab.lab import components

if TYPE_CHECKING:
    from k8slab.lab.cluster import Cluster


def status_table(cluster: Cluster) -> list[dict]:
    """One row per etcd member: up, role, term, leader, last log index, commit, applied, revision.

    What `etcdctl endpoint status` shows, plus the Raft indexes; a down member has empty cells.
    """
    rows = []
    for name in cluster.control_planes:
        status = components.etcd_status(cluster.network, name)
        if status is None:
            rows.append({"member": name, "up": False, "role": None, "term": None,
                         "leader": None, "last index": None, "commit": None, "applied": None,
                         "store revision": None})
            continue
        rows.append({"member": name, "up": True, "role": status.role, "term": status.term,
                     "leader": status.leader, "last index": status.raft_index,
                     "commit": status.raft.commit, "applied": status.raft_applied_index,
                     "store revision": status.revision})
    return rows


def log_entries(cluster: Any, member: str, last: int = 8) -> list[dict]:
    """The last entries of one member's Raft log as rows: index, term, what the entry does.

    An entry's data is the etcd request it carries: a Txn's writes with their keys, a lease
    operation, a membership change (a new cluster's first entries, one per member), or nothing
    (the no-op a new leader appends).
    """
    status = components.etcd_status(cluster.network, member)
    if status is None:
        raise K8sLabError(f"{member} is down: its Raft log is out of reach until it restarts")
    rows = []
    for entry in status.raft.entries[-last:]:
        data = entry.data
        if data is None:
            what, keys = "no-op (new leader)", ""
        elif isinstance(data, ConfChange):  # the bootstrap's membership entries
            what, keys = data.type, data.context.name
        else:
            request = data.request
            ops = request.success if isinstance(request, TxnRequest) else [request]
            what = " + ".join(op.verb for op in ops)
            keys = ", ".join(op.key for op in ops if isinstance(op, RequestOp))
        rows.append({"index": entry.index, "term": entry.term, "request": what, "keys": keys,
                     "committed": entry.index <= status.raft.commit})
    return rows

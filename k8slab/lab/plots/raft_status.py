"""Each etcd member's Raft state as table rows: what `etcdctl endpoint status` shows plus the
Raft indexes, and the last entries of one member's log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from k8slab.errors import K8sLabError
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
        raft = status.raft
        rows.append({"member": name, "up": True, "role": raft.raft_state.value,
                     "term": raft.term, "leader": raft.lead, "last index": raft.last_index,
                     "commit": raft.commit, "applied": raft.applied,
                     "store revision": status.revision})
    return rows


def log_entries(cluster: Any, member: str, last: int = 8) -> list[dict]:
    """The last entries of one member's Raft log as rows: index, term, what the entry does.

    An entry's data is the etcd request it carries: a Txn's writes with their keys, a lease
    operation, or nothing (the no-op a new leader appends).
    """
    status = components.etcd_status(cluster.network, member)
    if status is None:
        raise K8sLabError(f"{member} is down: its Raft log is out of reach until it restarts")
    rows = []
    for entry in status.raft.entries[-last:]:
        data = entry.data
        if data is None:
            what, keys = "no-op (new leader)", ""
        elif data.get("op") == "txn":
            ops = data["success"]
            what = " + ".join(op[0] if isinstance(op, tuple) else type(op).__name__ for op in ops)
            keys = ", ".join(op[1] for op in ops if isinstance(op, tuple))
        else:
            what, keys = data.get("op", "?"), ""
        rows.append({"index": entry.index, "term": entry.term, "request": what, "keys": keys,
                     "committed": entry.index <= status.raft.commit})
    return rows

"""The snapshot a scheduling cycle reads: every node's NodeInfo, and the same nodes as arrays.

One object holds both views, so the per-node cycle (NodeInfos) and the vectorized one (the
NodeTable, built the first time a cycle asks for it, then kept in step) always see the same nodes.
Upstream: kk pkg/scheduler/backend/cache/snapshot.go (nodeInfoList, refreshed before each cycle by
Cache.UpdateSnapshot).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from k8slab.errors import K8sLabError
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.node_table import NodeTable


class Snapshot:
    """The nodes of one scheduling cycle: `node_infos` in the order Filter walks them, and `table`.

    `update` replaces the NodeInfos (the scheduler calls it before each cycle); the NodeTable is
    refreshed only where a NodeInfo changed, and only when a cycle reads `table`.
    """

    def __init__(self, node_infos: Sequence[NodeInfo] = ()) -> None:
        self.node_infos: tuple[NodeInfo, ...] = ()
        self.names: tuple[str, ...] = ()
        self._table: NodeTable | None = None
        self._stale = False
        self.update(node_infos)

    def update(self, node_infos: Sequence[NodeInfo]) -> None:
        """Take these NodeInfos as the cluster's nodes (each node once)."""
        infos = tuple(node_infos)
        names = tuple(info.name for info in infos)
        if len(set(names)) != len(names):
            duplicates = sorted(name for name, n in Counter(names).items() if n > 1)
            raise K8sLabError(f"nodes given twice to the scheduler: {', '.join(duplicates)}")
        self.node_infos, self.names = infos, names
        self._stale = True

    @property
    def table(self) -> NodeTable:
        """The NodeInfos as numpy columns, built on first use and refreshed where they changed."""
        if self._table is None:
            self._table = NodeTable(self.node_infos)
        elif self._stale:
            self._table = self._table.synced(self.node_infos)
        self._stale = False
        return self._table

    @property
    def has_table(self) -> bool:
        """True once a cycle has built the NodeTable (small clusters never need it)."""
        return self._table is not None

    def __len__(self) -> int:
        return len(self.node_infos)

    def __repr__(self) -> str:
        return f"Snapshot({len(self)} nodes, table={'built' if self.has_table else 'not built'})"

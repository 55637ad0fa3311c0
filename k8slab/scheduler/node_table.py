"""The nodes of a cluster as numpy columns, for filtering and scoring hundreds of nodes at once.

A NodeTable mirrors a list of NodeInfos, one row each, in the order given: allocatable and
requested resources, pod counts, and, computed once and cached, any per-node value that depends
only on the node's fixed data (labels, taints, name, images) and a key the caller chooses, such as
"does this node pass NodeAffinity for pods with this affinity". It listens to its NodeInfos, so
add_pod and remove_pod keep the request columns and the matching-pod counts current. Upstream
keeps a snapshot of NodeInfos updated by generation (kk pkg/scheduler/backend/cache/snapshot.go);
the columns are k8slab's way of making the formulas run over arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

import numpy as np

from k8slab.scheduler.node_info import NodeInfo

# Resources every table has columns for, in the order Filter checks them; scalar (extended)
# resources get a column when a node offers one or a pod asks for one.
BASE_COLUMNS = ("cpu", "memory", "ephemeral-storage")
# Amounts at or above this leave the exact-integer range of float64 (BalancedAllocation divides
# as floats) or could overflow int64 when multiplied by 100; a table holding one is not `exact`.
EXACT_LIMIT = 2**53
# How many cached per-node arrays of each kind a table keeps (oldest dropped first).
CACHE_SIZE = 256


class Unvectorizable(Exception):
    """This cycle needs the per-node path; the message says why (a huge quantity, ...)."""


def check_exact(amounts: Iterable[int]) -> None:
    """Raise Unvectorizable if an amount is too large for exact int64 and float64 arithmetic."""
    if any(not -EXACT_LIMIT < amount < EXACT_LIMIT for amount in amounts):
        raise Unvectorizable("a quantity too large for exact int64 and float64 arithmetic")


class NodeTable:
    """Numpy columns over `node_infos` (rows in the order given), kept current as pods come and go.

    `exact` is False once an amount reaches EXACT_LIMIT: the vectorized cycle then steps aside.
    `feasible_share` is the share of examined nodes the last cycle found feasible; it sizes the
    next cycle's first chunk of nodes to filter (it changes the speed, never the decision).
    """

    def __init__(self, node_infos: Sequence[NodeInfo]) -> None:
        self.infos = tuple(node_infos)
        self.names = tuple(info.name for info in self.infos)
        self.size = len(self.infos)
        scalars = sorted(
            {r for info in self.infos for r in info.allocatable if r not in (*BASE_COLUMNS, "pods")}
        )
        self.columns = [*BASE_COLUMNS, *scalars]
        self.column_of = {resource: j for j, resource in enumerate(self.columns)}
        self.exact = True
        self.feasible_share = 1.0
        self.allocatable = self._column_block(lambda info, r: info.allocatable.get(r, 0))
        self.requested = self._column_block(lambda info, r: info.requested.get(r, 0))
        self.free = self.allocatable - self.requested
        self.max_pods = np.array([info.allocatable["pods"] for info in self.infos], dtype=np.int64)
        self.non_zero = np.zeros((self.size, 2), dtype=np.int64, order="F")
        self.pod_count = np.zeros(self.size, dtype=np.int64)
        self.pods_with_affinity = 0
        self.pods_with_required_anti_affinity = 0
        self._fixed: dict[Hashable, Any] = {}
        self._matching: dict[Hashable, tuple[Callable[[dict], bool], np.ndarray]] = {}
        self._row_by_id: dict[int, int] = {}
        self._affinity = np.zeros(self.size, dtype=np.int64)
        self._anti = np.zeros(self.size, dtype=np.int64)
        for row, info in enumerate(self.infos):
            self._adopt(row, info)
        self._check_exact(self.allocatable)

    def __repr__(self) -> str:
        return f"NodeTable({self.size} nodes, columns={self.columns})"

    # -- keeping up with the NodeInfos -----------------------------------------------------------

    def synced(self, node_infos: Sequence[NodeInfo]) -> NodeTable:
        """This table if it mirrors `node_infos`; else one that does.

        When the same nodes come in the same order but some NodeInfos were replaced (a Node
        changed), only those rows are refreshed and the fixed-data caches dropped.
        """
        infos = tuple(node_infos)
        if infos == self.infos:
            return self
        if tuple(info.name for info in infos) != self.names:
            return NodeTable(infos)
        pairs = enumerate(zip(infos, self.infos, strict=True))
        changed = [row for row, (new, old) in pairs if new is not old]
        for row in changed:
            self._row_by_id.pop(id(self.infos[row]), None)
        self.infos = infos
        self._fixed.clear()
        for row in changed:
            info = infos[row]
            for j, resource in enumerate(self.columns):
                self.allocatable[row, j] = info.allocatable.get(resource, 0)
            self.max_pods[row] = info.allocatable["pods"]
            self._adopt(row, info)
            for test, counts in self._matching.values():
                counts[row] = sum(1 for pod in info.pods if test(pod))
        self._check_exact(self.allocatable)
        return self

    def _adopt(self, row: int, info: NodeInfo) -> None:
        self._row_by_id[id(info)] = row
        self._refresh(row, info)
        info.listen(self)

    def node_changed(self, node_info: NodeInfo, pod: dict, sign: int) -> None:
        """NodeListener: refresh the node's row and the matching-pod counts for `pod`."""
        row = self._row_by_id.get(id(node_info))
        if row is None or self.infos[row] is not node_info:
            return
        self._refresh(row, node_info)
        for test, counts in self._matching.values():
            if test(pod):
                counts[row] += sign

    def _refresh(self, row: int, info: NodeInfo) -> None:
        values = [info.requested.get(resource, 0) for resource in self.columns]
        if max(values) >= EXACT_LIMIT:
            self.exact = False
        self.requested[row] = values
        self.free[row] = self.allocatable[row] - self.requested[row]
        self.non_zero[row] = (info.non_zero_requested["cpu"], info.non_zero_requested["memory"])
        self.pod_count[row] = info.pod_count
        affinity, anti = info.affinity_pod_count, info.required_anti_affinity_pod_count
        self.pods_with_affinity += affinity - int(self._affinity[row])
        self.pods_with_required_anti_affinity += anti - int(self._anti[row])
        self._affinity[row], self._anti[row] = affinity, anti

    def _column_block(self, amount: Callable[[NodeInfo, str], int]) -> np.ndarray:
        """amount(info, resource) per row and column, stored column by column (a column's
        values are contiguous, so picking the rows of one column is quick)."""
        block = np.array(
            [[amount(info, r) for r in self.columns] for info in self.infos], dtype=np.int64
        )
        return np.asfortranarray(block.reshape(self.size, len(self.columns)))

    def _check_exact(self, block: np.ndarray) -> None:
        if block.size and int(np.abs(block).max()) >= EXACT_LIMIT:
            self.exact = False

    # -- columns ---------------------------------------------------------------------------------

    def column(self, resource: str) -> int:
        """The column index of `resource`, adding a column for a resource not seen before."""
        j = self.column_of.get(resource)
        if j is not None:
            return j
        self.columns.append(resource)
        j = self.column_of[resource] = len(self.columns) - 1
        new_allocatable = [[info.allocatable.get(resource, 0)] for info in self.infos]
        new_requested = [[info.requested.get(resource, 0)] for info in self.infos]
        self.allocatable = np.asfortranarray(
            np.hstack([self.allocatable, np.array(new_allocatable, np.int64)])
        )
        self.requested = np.asfortranarray(
            np.hstack([self.requested, np.array(new_requested, np.int64)])
        )
        self.free = self.allocatable - self.requested
        self._check_exact(self.allocatable)
        self._check_exact(self.requested)
        return j

    # -- cached per-node values ------------------------------------------------------------------

    def fixed(
        self, key: Hashable, value: Callable[[NodeInfo], Any], dtype: Any = object
    ) -> np.ndarray:
        """value(info) for every node, computed once per key (it may read only fixed node data)."""
        cached = self._fixed.get(key)
        if cached is None:
            cached = np.empty(self.size, dtype=dtype)
            cached[:] = [value(info) for info in self.infos]
            self._remember(key, cached)
        return cached

    def cached(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """compute(), remembered under `key` until a node changes (it may read only fixed data)."""
        value = self._fixed.get(key)
        if value is None:
            value = compute()
            self._remember(key, value)
        return value

    def fixed_scores(self, key: Hashable, score: Callable[[NodeInfo], int]) -> np.ndarray | None:
        """score(info) for every node as int64, computed once per key; None if one is too large
        for exact arithmetic."""
        cached = self._fixed.get(key, False)
        if cached is False:
            values = [score(info) for info in self.infos]
            exact = all(-EXACT_LIMIT < value < EXACT_LIMIT for value in values)
            cached = np.array(values, dtype=np.int64) if exact else None
            self._remember(key, cached)
        return cached

    def fixed_verdicts(
        self, key: Hashable, verdict: Callable[[NodeInfo], Any]
    ) -> tuple[np.ndarray, np.ndarray]:
        """verdict(info) (None when the node passes) for every node, and where it is None."""
        cached = self._fixed.get(key)
        if cached is None:
            verdicts = self.fixed((key, "verdicts"), verdict)
            cached = (verdicts, np.equal(verdicts, None))
            self._remember(key, cached)
        return cached

    def _remember(self, key: Hashable, value: Any) -> None:
        if len(self._fixed) >= CACHE_SIZE:
            del self._fixed[next(iter(self._fixed))]
        self._fixed[key] = value

    def offered_everywhere(self, column: int) -> bool:
        """True if every node's allocatable of this column is above 0."""
        return self.cached(("offered", column), lambda: bool(self.allocatable[:, column].all()))

    def capacity(self, resource: str, rows: np.ndarray) -> tuple[np.ndarray, Any]:
        """The allocatable of `resource` at `rows`, and where it is not 0 (True: everywhere)."""
        column = self.column(resource)
        capacity = self.allocatable[:, column][rows]
        return capacity, True if self.offered_everywhere(column) else capacity != 0

    def has_labels(self, keys: Sequence[str]) -> np.ndarray:
        """True where the node has every one of the label keys."""
        keys = tuple(keys)
        return self.fixed(("labels", keys), lambda info: all(k in info.labels for k in keys), bool)

    def domains(self, key: str, missing_is_empty: bool = False) -> tuple[np.ndarray, list[str]]:
        """Each node's value of label `key` as a code into the returned list of values.

        A node without the label gets −1, or, with `missing_is_empty`, the code of "".
        """
        cache_key = ("domains", key, missing_is_empty)
        cached = self._fixed.get(cache_key)
        if cached is None:
            values: dict[str, int] = {}
            codes = []
            for info in self.infos:
                value = info.labels.get(key)
                if value is None and missing_is_empty:
                    value = ""
                codes.append(-1 if value is None else values.setdefault(value, len(values)))
            cached = (np.array(codes, dtype=np.int64), list(values))
            self._remember(cache_key, cached)
        return cached

    def matching(self, key: Hashable, test: Callable[[dict], bool]) -> np.ndarray:
        """How many pods on each node pass `test`, counted once per key, then kept current."""
        entry = self._matching.pop(key, None)
        if entry is None:
            counts = np.array(
                [sum(1 for pod in info.pods if test(pod)) for info in self.infos], dtype=np.int64
            )
            entry = (test, counts)
            if len(self._matching) >= CACHE_SIZE // 4:
                del self._matching[next(iter(self._matching))]
        self._matching[key] = entry
        return entry[1]

"""NodeResourcesBalancedAllocation: prefer the node whose resources would be used most evenly.

For each scored resource (cpu and memory by default), fraction = (node requested + pod request) /
allocatable as a float, capped at 1; the score is int((1 − std) × 100), truncated, where std is
|f1 − f2| / 2 for two resources and the population standard deviation for more. It uses the real
requests (no 100m / 200Mi defaults), and PreScore skips best-effort pods (no requests at all) so
they do not all pile onto one node (kk issue #129138). Upstream: kk pkg/scheduler/framework/
plugins/noderesources/balanced_allocation.go; args validation in validation_pluginargs.go.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from k8slab.api.resources import pod_requests
from k8slab.api.validation.field import aggregate, duplicate, invalid
from k8slab.errors import K8sLabError
from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.interface import MAX_NODE_SCORE, SKIP_STATUS, Plugin, Status
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.node_table import NodeTable, Unvectorizable, check_exact
from k8slab.scheduler.plugins.node_resources_fit import allocatable_requested, scoring_requests

DEFAULT_RESOURCES = {"cpu": 1, "memory": 1}
PRE_SCORE_STATE_KEY = "PreScoreNodeResourcesBalancedAllocation"


def balanced_score(fractions: Sequence[float]) -> int:
    """int((1 − std) × 100) over the usage fractions, each capped at 1 (float math, truncation)."""
    capped = [min(fraction, 1.0) for fraction in fractions]
    std = 0.0
    if len(capped) == 2:
        std = abs((capped[0] - capped[1]) / 2)
    elif len(capped) > 2:
        mean = sum(capped) / len(capped)
        std = math.sqrt(sum((f - mean) * (f - mean) for f in capped) / len(capped))
    return int((1 - std) * float(MAX_NODE_SCORE))


class NodeResourcesBalancedAllocation(Plugin):
    """Score nodes by how balanced their resource usage would be with the pod added."""

    name = "NodeResourcesBalancedAllocation"
    extends = ("pre_score", "score")

    def __init__(self, resources: Sequence[str] | Mapping[str, int] | None = None) -> None:
        if resources is None:
            resources = dict(DEFAULT_RESOURCES)
        elif not isinstance(resources, Mapping):
            resources = {name: 1 for name in resources}
        for index, weight in enumerate(resources.values()):
            if weight != 1:
                error = invalid(f"resources[{index}].weight", weight, "must be 1")
                raise K8sLabError(f"NodeResourcesBalancedAllocation: {error}")
        self.resources = dict(resources)

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> NodeResourcesBalancedAllocation:
        """NodeResourcesBalancedAllocationArgs: {resources: [{name, weight: 1}]}."""
        unknown = sorted(set(args) - {"resources"})
        if unknown:
            raise K8sLabError(
                f"NodeResourcesBalancedAllocationArgs: unknown field(s) {', '.join(unknown)}"
            )
        entries = args.get("resources")
        if entries is None:
            return cls()
        errors, seen = [], set()
        for index, entry in enumerate(entries):
            name = entry.get("name", "")
            if name in seen:
                errors.append(duplicate(f"resources[{index}].name", name))
            seen.add(name)
            if entry.get("weight") != 1:
                errors.append(
                    invalid(f"resources[{index}].weight", entry.get("weight"), "must be 1")
                )
        if errors:
            raise K8sLabError(f"NodeResourcesBalancedAllocation: {aggregate(errors)}")
        return cls([entry.get("name", "") for entry in entries])

    def pre_score(self, state: CycleState, pod: dict, nodes: Sequence[NodeInfo]) -> Status | None:
        """Compute the pod's real requests; Skip a best-effort pod (it requests nothing)."""
        request = scoring_requests(pod_requests(pod), self.resources)
        if not any(request):
            return SKIP_STATUS
        state[PRE_SCORE_STATE_KEY] = request
        return None

    def score(self, state: CycleState, pod: dict, node_info: NodeInfo) -> int:
        """int((1 − std of the usage fractions) × 100) for the node with the pod added."""
        request = state.get(PRE_SCORE_STATE_KEY)
        if request is None:
            request = scoring_requests(pod_requests(pod), self.resources)
            if not any(request):
                return 0
        rows = allocatable_requested(node_info, request, self.resources, use_requested=True)
        return balanced_score([requested / capacity for requested, capacity, _ in rows])

    def score_array(
        self, state: CycleState, pod: dict, table: NodeTable, rows: np.ndarray
    ) -> np.ndarray:
        """Score over the table's columns, with the per-node path's float operations in its order.

        A node without some resource (allocatable 0) has fewer fractions: it is scored node by
        node.
        """
        request = state.get(PRE_SCORE_STATE_KEY)
        if request is None:
            raise Unvectorizable("NodeResourcesBalancedAllocation has no PreScore state")
        check_exact(request)
        fractions, counted = [], np.zeros(len(rows), dtype=np.int64)
        for resource, amount in zip(self.resources, request, strict=True):
            if resource not in ("cpu", "memory", "ephemeral-storage") and amount == 0:
                continue
            capacity, has = table.capacity(resource, rows)  # adds a column for a new resource
            counted += has
            divisor = capacity if has is True else np.where(has, capacity, 1)
            fraction = (table.requested[:, table.column(resource)][rows] + amount) / divisor
            fractions.append(np.minimum(fraction, 1.0))
        if len(fractions) == 2:
            std = np.abs((fractions[0] - fractions[1]) / 2)
        elif len(fractions) > 2:
            mean = _sum_in_order(fractions) / len(fractions)
            std = np.sqrt(
                _sum_in_order([(f - mean) * (f - mean) for f in fractions]) / len(fractions)
            )
        else:
            std = np.zeros(len(rows))
        scores = ((1 - std) * float(MAX_NODE_SCORE)).astype(np.int64)
        for i in np.flatnonzero(counted != len(fractions)).tolist():
            scores[i] = self.score(state, pod, table.infos[int(rows[i])])
        return scores


def _sum_in_order(arrays: list[np.ndarray]) -> np.ndarray:
    """Σ left to right, as Python's sum() adds a list of floats."""
    total = arrays[0]
    for array in arrays[1:]:
        total = total + array
    return total

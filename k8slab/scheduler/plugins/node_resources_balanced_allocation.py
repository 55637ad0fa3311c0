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

from k8slab.api.resources import pod_requests
from k8slab.api.validation.field import aggregate, duplicate, invalid
from k8slab.errors import K8sLabError
from k8slab.scheduler.framework import (
    MAX_NODE_SCORE,
    SKIP_STATUS,
    CycleState,
    Plugin,
    Status,
)
from k8slab.scheduler.node_info import NodeInfo
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

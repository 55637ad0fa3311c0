"""NodeResourcesFit: a pod fits a node only if the node has room for its requests, and the scheduler
prefers the node that will be least (or, with MostAllocated, most) full afterwards.

The fit check uses real requests; scoring uses the non-zero requests (100m / 200Mi for a container
that asks for nothing), so empty pods still spread out. Upstream, in kk pkg/scheduler/framework/
plugins/noderesources/: fit.go, least_allocated.go, most_allocated.go, resource_allocation.go.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from k8slab.api.resources import pod_requests
from k8slab.errors import K8sLabError
from k8slab.scheduler.framework import MAX_NODE_SCORE, Plugin
from k8slab.scheduler.node_info import NodeInfo, non_zero_requests

# Filter reasons, in the order upstream checks them (fitsRequest in fit.go).
ERR_REASON_TOO_MANY_PODS = "Too many pods"
ERR_REASON_INSUFFICIENT = "Insufficient {}"

LEAST_ALLOCATED = "LeastAllocated"
MOST_ALLOCATED = "MostAllocated"
SCORING_STRATEGIES = (LEAST_ALLOCATED, MOST_ALLOCATED)

# kk pkg/scheduler/apis/config/v1/defaults.go: default ScoringStrategy weighs cpu and memory 1 each.
DEFAULT_RESOURCES = {"cpu": 1, "memory": 1}
SCORED_RESOURCES = ("cpu", "memory")
# kk pkg/scheduler/apis/config/validation: a resource weight must be in 1..MaxNodeScore.
MAX_RESOURCE_WEIGHT = MAX_NODE_SCORE


class InsufficientResource(NamedTuple):
    """One resource the node is short of: what the pod asks, what is in use, what the node has."""

    resource: str
    reason: str
    requested: int
    used: int
    capacity: int


def insufficient_resources(
    pod: dict, node_info: NodeInfo, requests: Mapping[str, int] | None = None
) -> list[InsufficientResource]:
    """Every resource the node lacks for `pod` (all of them, not just the first), as upstream.

    One more pod must fit under allocatable pods; a resource the pod requests (> 0) must fit in
    allocatable − requested. A pod that requests nothing only needs a free pod slot. `requests`
    may carry the pod's requests computed once for the whole cycle.
    """
    short = []
    used_pods, max_pods = node_info.pod_count, node_info.allocatable["pods"]
    if used_pods + 1 > max_pods:
        short.append(InsufficientResource("pods", ERR_REASON_TOO_MANY_PODS, 1, used_pods, max_pods))
    if requests is None:
        requests = pod_requests(pod)
    for resource in SCORED_RESOURCES:
        wanted = requests.get(resource, 0)
        free = node_info.allocatable[resource] - node_info.requested[resource]
        if wanted > 0 and wanted > free:
            short.append(
                InsufficientResource(
                    resource,
                    ERR_REASON_INSUFFICIENT.format(resource),
                    wanted,
                    node_info.requested[resource],
                    node_info.allocatable[resource],
                )
            )
    return short


def least_requested_score(requested: int, capacity: int) -> int:
    """0..100, higher when more is free: (capacity − requested) × 100 div capacity; 0 if over."""
    if capacity == 0 or requested > capacity:
        return 0
    return (capacity - requested) * MAX_NODE_SCORE // capacity


def most_requested_score(requested: int, capacity: int) -> int:
    """0..100, higher when fuller: requested × 100 div capacity, requested capped at capacity."""
    if capacity == 0:
        return 0
    return min(requested, capacity) * MAX_NODE_SCORE // capacity


_SCORERS = {LEAST_ALLOCATED: least_requested_score, MOST_ALLOCATED: most_requested_score}


def _check_resources(resources: Mapping[str, int]) -> dict[str, int]:
    if not resources:
        raise K8sLabError(
            f"NodeResourcesFit needs at least one resource to score, e.g. {DEFAULT_RESOURCES}"
        )
    for resource, weight in resources.items():
        if resource not in SCORED_RESOURCES:
            raise K8sLabError(
                f"NodeResourcesFit cannot score resource {resource!r}; "
                f"supported: {', '.join(SCORED_RESOURCES)}"
            )
        if (
            not isinstance(weight, int)
            or isinstance(weight, bool)
            or not 1 <= weight <= MAX_RESOURCE_WEIGHT
        ):
            raise K8sLabError(
                f"NodeResourcesFit weight of {resource} must be an integer in "
                f"1..{MAX_RESOURCE_WEIGHT}, got {weight!r}"
            )
    return dict(resources)


class NodeResourcesFit(Plugin):
    """Filter out nodes without room for the pod's requests; score by how full the node would be.

    `scoring_strategy` is "LeastAllocated" (default: spread pods out) or "MostAllocated" (bin-pack);
    `resources` maps "cpu"/"memory" to their weight in the node score (default 1 each).
    """

    name = "NodeResourcesFit"

    def __init__(
        self, scoring_strategy: str = LEAST_ALLOCATED, resources: Mapping[str, int] | None = None
    ) -> None:
        if scoring_strategy not in _SCORERS:
            raise K8sLabError(
                f"unknown NodeResourcesFit scoring strategy {scoring_strategy!r}; supported: "
                f"{', '.join(SCORING_STRATEGIES)} "
                "(upstream's RequestedToCapacityRatio is not modelled)"
            )
        self.scoring_strategy = scoring_strategy
        self.resources = _check_resources(DEFAULT_RESOURCES if resources is None else resources)
        self._resource_score = _SCORERS[scoring_strategy]
        self._cycle_pod: dict | None = None
        self._cycle_requests: tuple[dict[str, int], dict[str, int]] = ({}, {})

    def _requests(self, pod: dict) -> tuple[dict[str, int], dict[str, int]]:
        """The pod's (requests, non-zero requests), computed once per scheduling cycle.

        Upstream's PreFilter and PreScore write these into the cycle state for the same reason:
        every node is checked against the same pod.
        """
        if self._cycle_pod is not pod:
            self._cycle_pod = pod
            self._cycle_requests = (pod_requests(pod), non_zero_requests(pod))
        return self._cycle_requests

    def __repr__(self) -> str:
        return (
            f"NodeResourcesFit(scoring_strategy={self.scoring_strategy!r}, "
            f"resources={self.resources})"
        )

    def filter(self, pod: dict, node_info: NodeInfo) -> tuple[str, ...] | None:
        """Reject the node with every shortage ("Too many pods", "Insufficient cpu", ...)."""
        requests = self._requests(pod)[0]
        reasons = tuple(s.reason for s in insufficient_resources(pod, node_info, requests))
        return reasons or None

    def score(self, pod: dict, node_info: NodeInfo) -> int:
        """Weighted average of the per-resource scores, integer division at each step.

        requested = node's non-zero requested + pod's non-zero request. A resource the node has none
        of (allocatable 0) is left out of the average, as current upstream does; if every resource
        is left out the score is 0.
        """
        pod_request = self._requests(pod)[1]
        total = weight_sum = 0
        for resource, weight in self.resources.items():
            capacity = node_info.allocatable[resource]
            if capacity == 0:
                continue
            requested = node_info.non_zero_requested[resource] + pod_request.get(resource, 0)
            total += self._resource_score(requested, capacity) * weight
            weight_sum += weight
        return total // weight_sum if weight_sum else 0

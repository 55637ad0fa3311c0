"""NodeResourcesFit: a pod fits a node only if the node has room for its requests, and the scheduler
prefers nodes by how full they would be afterwards: LeastAllocated (spread, the default),
MostAllocated (bin-pack) or RequestedToCapacityRatio (a utilization → score shape you draw).

The fit check uses real requests; scoring uses the non-zero requests (100m / 200Mi for a container
that asks for nothing), so empty pods still spread out. PreFilter and PreScore compute the pod's
requests once per cycle. Upstream, in kk pkg/scheduler/framework/plugins/noderesources/: fit.go,
least_allocated.go, most_allocated.go, requested_to_capacity_ratio.go, resource_allocation.go,
and plugins/helper/shape_score.go; args validation in pkg/scheduler/apis/config/validation/
validation_pluginargs.go (ValidateNodeResourcesFitArgs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from k8slab.api.resources import pod_requests
from k8slab.api.validation.field import (
    FieldError,
    aggregate,
    forbidden,
    invalid,
    not_supported,
    required,
)
from k8slab.errors import K8sLabError
from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.interface import MAX_NODE_SCORE, UNSCHEDULABLE, Plugin, Status
from k8slab.scheduler.node_info import NodeInfo, non_zero_requests
from k8slab.scheduler.node_table import NodeTable, Unvectorizable, check_exact

# Filter reasons, in the order upstream checks them (fitsRequest in fit.go).
ERR_REASON_TOO_MANY_PODS = "Too many pods"
ERR_REASON_INSUFFICIENT = "Insufficient {}"

LEAST_ALLOCATED = "LeastAllocated"
MOST_ALLOCATED = "MostAllocated"
REQUESTED_TO_CAPACITY_RATIO = "RequestedToCapacityRatio"
SCORING_STRATEGIES = (LEAST_ALLOCATED, MOST_ALLOCATED, REQUESTED_TO_CAPACITY_RATIO)

# kk pkg/scheduler/apis/config/v1/defaults.go: default ScoringStrategy weighs cpu and memory 1 each.
DEFAULT_RESOURCES = {"cpu": 1, "memory": 1}
# kk pkg/scheduler/apis/config/types.go: MaxCustomPriorityScore, the top of a shape's score scale.
MAX_CUSTOM_PRIORITY_SCORE = 10
MAX_UTILIZATION = 100
# Resources the NodeInfo tracks by name; any other resource is a "scalar" (extended) resource.
NATIVE_RESOURCES = ("cpu", "memory", "ephemeral-storage", "pods")

PRE_FILTER_STATE_KEY = "PreFilterNodeResourcesFit"
PRE_SCORE_STATE_KEY = "PreScoreNodeResourcesFit"


class InsufficientResource(NamedTuple):
    """One resource the node is short of: what the pod asks, what is in use, what the node has."""

    resource: str
    reason: str
    requested: int
    used: int
    capacity: int


def _is_extended(resource: str) -> bool:
    """IsExtendedResourceName: a name with a domain outside kubernetes.io/ (example.com/gpu)."""
    return "/" in resource and not resource.startswith(("kubernetes.io/", "requests."))


def _fit_checks(requests: Mapping[str, int]) -> list[tuple[str, int]]:
    """The (resource, amount) pairs Filter checks, in upstream's order: cpu, memory,
    ephemeral-storage, then the scalar resources (sorted by name; upstream walks a Go map)."""
    natives = [(r, requests.get(r, 0)) for r in ("cpu", "memory", "ephemeral-storage")]
    scalars = sorted((r, a) for r, a in requests.items() if r not in NATIVE_RESOURCES)
    return [(r, a) for r, a in natives + scalars if a > 0]


class FitRequests(dict):
    """The pod's requests, with the (resource, amount) pairs Filter checks worked out once."""

    def __init__(self, requests: Mapping[str, int]) -> None:
        super().__init__(requests)
        self.checks = _fit_checks(requests)

    def checked(self, ignored: Callable[[str], bool] | None) -> list[tuple[str, int]]:
        """The checks, less the extended resources `ignored` names (ignoredResources/Groups)."""
        if ignored is None:
            return self.checks
        return [(r, a) for r, a in self.checks if not (_is_extended(r) and ignored(r))]


def insufficient_resources(
    pod: dict,
    node_info: NodeInfo,
    requests: Mapping[str, int] | None = None,
    ignored: Callable[[str], bool] | None = None,
) -> list[InsufficientResource]:
    """Every resource the node lacks for `pod` (all of them, not just the first), as upstream.

    One more pod must fit under allocatable pods; a resource the pod requests (> 0) must fit in
    allocatable − requested. A pod that requests nothing only needs a free pod slot. `requests`
    may carry the pod's requests computed once for the whole cycle; `ignored` names extended
    resources not to check (NodeResourcesFitArgs.ignoredResources / ignoredResourceGroups).
    """
    short = []
    used_pods, max_pods = node_info.pod_count, node_info.allocatable["pods"]
    if used_pods + 1 > max_pods:
        short.append(InsufficientResource("pods", ERR_REASON_TOO_MANY_PODS, 1, used_pods, max_pods))
    if requests is None:
        requests = pod_requests(pod)
    checks = requests if isinstance(requests, FitRequests) else FitRequests(requests)
    for resource, wanted in checks.checked(ignored):
        capacity = node_info.allocatable.get(resource, 0)
        used = node_info.requested.get(resource, 0)
        if wanted > capacity - used:
            reason = ERR_REASON_INSUFFICIENT.format(resource)
            short.append(InsufficientResource(resource, reason, wanted, used, capacity))
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


def go_quotient(numerator: int, denominator: int) -> int:
    """Go's `/` on int64: the quotient truncated toward zero (-5000 / 60 is -83, not -84).

    Python's `//` floors instead; the two differ only when the signs differ and it is inexact.
    """
    quotient = abs(numerator) // abs(denominator)
    return quotient if (numerator < 0) == (denominator < 0) else -quotient


def broken_linear(shape: Sequence[tuple[int, int]]) -> Callable[[int], int]:
    """The piecewise-linear function through the (utilization, score) points, Go's int64 division.

    Below the first point it is the first score, above the last point the last score; between
    points the quotient truncates toward zero, so a falling segment rounds up, as upstream's
    (BuildBrokenLinearFunction, kk pkg/scheduler/framework/plugins/helper/shape_score.go).
    """

    def function(utilization: int) -> int:
        for index, (point, score) in enumerate(shape):
            if utilization <= point:
                if index == 0:
                    return score
                previous_point, previous_score = shape[index - 1]
                rise = (score - previous_score) * (utilization - previous_point)
                return previous_score + go_quotient(rise, point - previous_point)
        return shape[-1][1]

    return function


def _weighted_average(
    resource_score: Callable[[int, int], int],
) -> Callable[[list[tuple[int, int, int]]], int]:
    """(Σ score × weight) div (Σ weight) over (requested, capacity, weight), integer floor."""

    def scorer(rows: list[tuple[int, int, int]]) -> int:
        total = weight_sum = 0
        for requested, capacity, weight in rows:
            total += resource_score(requested, capacity) * weight
            weight_sum += weight
        return total // weight_sum if weight_sum else 0

    return scorer


def requested_to_capacity_ratio_scorer(
    shape: Sequence[tuple[int, int]],
) -> Callable[[list[tuple[int, int, int]]], int]:
    """RequestedToCapacityRatio, with upstream's quirks.

    Shape scores (0..10) are multiplied by 10; utilization = requested × 100 div capacity (100 when
    over capacity); a resource whose score is 0 is left out of the average; the average is
    rounded half away from zero (math.Round), not floored.
    """
    scale = MAX_NODE_SCORE // MAX_CUSTOM_PRIORITY_SCORE
    function = broken_linear([(point, score * scale) for point, score in shape])

    def resource_score(requested: int, capacity: int) -> int:
        if capacity == 0 or requested > capacity:
            return function(MAX_UTILIZATION)
        utilization = MAX_UTILIZATION if requested >= capacity else requested * 100 // capacity
        return function(max(utilization, 0))

    def scorer(rows: list[tuple[int, int, int]]) -> int:
        total = weight_sum = 0
        for requested, capacity, weight in rows:
            score = resource_score(requested, capacity)
            if score > 0:
                total += score * weight
                weight_sum += weight
        if weight_sum == 0:
            return 0
        return (2 * total + weight_sum) // (2 * weight_sum)

    return scorer


def resource_weight_errors(resources: Mapping[str, Any], path: str) -> list[FieldError]:
    """validateResources: each weight in (0, 100]."""
    errors = []
    for index, (name, weight) in enumerate(resources.items()):
        if not isinstance(weight, int) or isinstance(weight, bool) or not 0 < weight <= 100:
            detail = f"resource weight of {name} not in valid range (0, 100]"
            errors.append(invalid(f"{path}[{index}].weight", weight, detail))
    return errors


def shape_errors(shape: Sequence[tuple[Any, Any]], path: str) -> list[FieldError]:
    """validateFunctionShape: at least one point, increasing utilization, values in range."""
    if not shape:
        return [required(path, "at least one point must be specified")]
    errors = []
    for index in range(1, len(shape)):
        if shape[index - 1][0] >= shape[index][0]:
            detail = "values must be sorted in increasing order"
            errors.append(invalid(f"{path}[{index}].utilization", shape[index][0], detail))
            break
    for index, (utilization, score) in enumerate(shape):
        if not 0 <= utilization <= MAX_UTILIZATION:
            detail = f"not in valid range [0, {MAX_UTILIZATION}]"
            errors.append(invalid(f"{path}[{index}].utilization", utilization, detail))
        if not 0 <= score <= MAX_CUSTOM_PRIORITY_SCORE:
            detail = f"not in valid range [0, {MAX_CUSTOM_PRIORITY_SCORE}]"
            errors.append(invalid(f"{path}[{index}].score", score, detail))
    return errors


def _as_shape(shape: Sequence[Any] | None) -> list[tuple[Any, Any]] | None:
    if shape is None:
        return None
    return [
        (p.get("utilization", 0), p.get("score", 0)) if isinstance(p, Mapping) else tuple(p)
        for p in shape
    ]


class NodeResourcesFit(Plugin):
    """Filter out nodes without room for the pod's requests; score by how full the node would be.

    `scoring_strategy` is "LeastAllocated" (default), "MostAllocated" or
    "RequestedToCapacityRatio" (then `shape` lists (utilization 0..100, score 0..10) points);
    `resources` maps resource names to their weight 1..100 (default cpu 1, memory 1).
    """

    name = "NodeResourcesFit"
    extends = ("pre_filter", "filter", "pre_score", "score")

    def __init__(
        self,
        scoring_strategy: str = LEAST_ALLOCATED,
        resources: Mapping[str, int] | None = None,
        shape: Sequence[Any] | None = None,
        ignored_resources: Sequence[str] = (),
        ignored_resource_groups: Sequence[str] = (),
    ) -> None:
        resources = dict(DEFAULT_RESOURCES if resources is None else resources)
        points = _as_shape(shape)
        errors = []
        if scoring_strategy not in SCORING_STRATEGIES:
            errors.append(
                not_supported("scoringStrategy.type", scoring_strategy, list(SCORING_STRATEGIES))
            )
        errors += resource_weight_errors(resources, "scoringStrategy.resources")
        ratio_path = "scoringStrategy.requestedToCapacityRatio"
        if scoring_strategy == REQUESTED_TO_CAPACITY_RATIO:
            if points is None:
                detail = "must be specified when type is RequestedToCapacityRatio"
                errors.append(required(ratio_path, detail))
            else:
                errors += shape_errors(points, f"{ratio_path}.shape")
        elif points is not None:
            detail = "must be nil when type is not RequestedToCapacityRatio"
            errors.append(forbidden(ratio_path, detail))
        if not resources and not errors:
            raise K8sLabError("NodeResourcesFit needs at least one resource to score, e.g. cpu: 1")
        if errors:
            raise K8sLabError(f"NodeResourcesFit: {aggregate(errors)}")
        self.scoring_strategy = scoring_strategy
        self.resources = resources
        self.shape = points
        self.ignored_resources = tuple(ignored_resources)
        self.ignored_resource_groups = tuple(ignored_resource_groups)
        if scoring_strategy == LEAST_ALLOCATED:
            self._scorer = _weighted_average(least_requested_score)
        elif scoring_strategy == MOST_ALLOCATED:
            self._scorer = _weighted_average(most_requested_score)
        else:
            self._scorer = requested_to_capacity_ratio_scorer(points or [])

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> NodeResourcesFit:
        """NodeResourcesFitArgs as written in a KubeSchedulerConfiguration."""
        unknown = sorted(
            set(args) - {"scoringStrategy", "ignoredResources", "ignoredResourceGroups"}
        )
        if unknown:
            raise K8sLabError(f"NodeResourcesFitArgs: unknown field(s) {', '.join(unknown)}")
        strategy = args.get("scoringStrategy") or {}
        resources = strategy.get("resources")
        ratio = strategy.get("requestedToCapacityRatio")
        return cls(
            scoring_strategy=strategy.get("type", LEAST_ALLOCATED),
            resources=None
            if resources is None
            else {r.get("name", ""): r.get("weight", 0) for r in resources},
            shape=None if ratio is None else ratio.get("shape") or [],
            ignored_resources=args.get("ignoredResources") or (),
            ignored_resource_groups=args.get("ignoredResourceGroups") or (),
        )

    def __repr__(self) -> str:
        return (
            f"NodeResourcesFit(scoring_strategy={self.scoring_strategy!r}, "
            f"resources={self.resources})"
        )

    def _ignored(self, resource: str) -> bool:
        group = resource.split("/", 1)[0]
        return resource in self.ignored_resources or group in self.ignored_resource_groups

    def pre_filter(self, state: CycleState, pod: dict, nodes: Sequence[NodeInfo]) -> None:
        """Compute the pod's real requests, and what to check, once for the whole cycle."""
        state[PRE_FILTER_STATE_KEY] = FitRequests(pod_requests(pod))

    def _ignoring(self) -> Callable[[str], bool] | None:
        return self._ignored if self.ignored_resources or self.ignored_resource_groups else None

    def filter(self, state: CycleState, pod: dict, node_info: NodeInfo) -> tuple[str, ...] | None:
        """Reject the node with every shortage ("Too many pods", "Insufficient cpu", ...)."""
        requests = state.get(PRE_FILTER_STATE_KEY)
        short = insufficient_resources(pod, node_info, requests, self._ignoring())
        return tuple(s.reason for s in short) or None

    def filter_array(
        self, state: CycleState, pod: dict, table: NodeTable, rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Filter over the table's free-resource columns: (Status or None per row, passed).

        Each shortage sets one bit of a code per node (bit 0: too many pods, then one per resource
        checked, in Filter's order), so nodes short of the same things share one Status.
        """
        requests = state.get(PRE_FILTER_STATE_KEY)
        if not isinstance(requests, FitRequests):
            raise Unvectorizable("NodeResourcesFit has no PreFilter state")
        checks = requests.checked(self._ignoring())
        check_exact(wanted for _, wanted in checks)
        code = (table.pod_count[rows] >= table.max_pods[rows]).astype(np.int64)
        for bit, (resource, wanted) in enumerate(checks, start=1):
            column = table.column(resource)  # first: a new column replaces the arrays
            free = table.free[:, column][rows]
            code |= (free < wanted).astype(np.int64) << bit
        passed = code == 0
        statuses = np.full(len(rows), None, dtype=object)
        failed = np.flatnonzero(~passed)
        if len(failed):
            reasons = [ERR_REASON_TOO_MANY_PODS]
            reasons += [ERR_REASON_INSUFFICIENT.format(resource) for resource, _ in checks]
            codes = code[failed]
            for value in np.unique(codes).tolist():
                shortages = tuple(r for bit, r in enumerate(reasons) if value >> bit & 1)
                status = Status(UNSCHEDULABLE, shortages)
                statuses[failed[codes == value]] = [status] * int((codes == value).sum())
        return statuses, passed

    def pre_score(self, state: CycleState, pod: dict, nodes: Sequence[NodeInfo]) -> Status | None:
        """Compute the pod's non-zero requests for the scored resources once."""
        state[PRE_SCORE_STATE_KEY] = scoring_requests(non_zero_requests(pod), self.resources)
        return None

    def score(self, state: CycleState, pod: dict, node_info: NodeInfo) -> int:
        """The strategy's score of the node with the pod added (see the module docstring).

        requested = the node's non-zero requested + the pod's non-zero request for cpu and memory,
        real requests for other resources. A resource the node has none of (allocatable 0), or an
        extended resource the pod does not ask for, is left out.
        """
        pod_request = state.get(PRE_SCORE_STATE_KEY)
        if pod_request is None:
            pod_request = scoring_requests(non_zero_requests(pod), self.resources)
        rows = allocatable_requested(node_info, pod_request, self.resources, use_requested=False)
        return self._scorer(rows)

    def score_array(
        self, state: CycleState, pod: dict, table: NodeTable, rows: np.ndarray
    ) -> np.ndarray | None:
        """LeastAllocated / MostAllocated over the table's columns (None: RequestedToCapacityRatio
        runs node by node). As allocatable_requested: a resource a node has none of is left out."""
        if self.scoring_strategy == REQUESTED_TO_CAPACITY_RATIO:
            return None
        pod_request = state.get(PRE_SCORE_STATE_KEY)
        if pod_request is None:
            pod_request = scoring_requests(non_zero_requests(pod), self.resources)
        check_exact(pod_request)
        least = self.scoring_strategy == LEAST_ALLOCATED
        total = weight_sum = np.zeros(len(rows), dtype=np.int64)
        for (resource, weight), request in zip(self.resources.items(), pod_request, strict=True):
            if resource in ("cpu", "memory"):
                used = table.non_zero[:, 0 if resource == "cpu" else 1][rows]
            elif resource != "ephemeral-storage" and request == 0:
                continue
            else:
                column = table.column(resource)  # first: a new column replaces the arrays
                used = table.requested[:, column][rows]
            capacity, has = table.capacity(resource, rows)
            wanted = used + request
            divisor = capacity if has is True else np.where(has, capacity, 1)
            if least:  # over capacity: (capacity − wanted) < 0 floors below 0, hence the max
                score = np.maximum((capacity - wanted) * MAX_NODE_SCORE // divisor, 0)
            else:
                score = np.minimum(wanted, capacity) * MAX_NODE_SCORE // divisor
            total = total + score * (weight * has)
            weight_sum = weight_sum + weight * has
        return np.where(weight_sum > 0, total // np.maximum(weight_sum, 1), 0)


def scoring_requests(requests: Mapping[str, int], resources: Mapping[str, int]) -> list[int]:
    """The pod's request for each scored resource, in the order of `resources`."""
    return [requests.get(resource, 0) for resource in resources]


def allocatable_requested(
    node_info: NodeInfo,
    pod_request: Sequence[int],
    resources: Mapping[str, int],
    use_requested: bool,
) -> list[tuple[int, int, int]]:
    """(requested with the pod, allocatable, weight) per scored resource the node has.

    As calculateResourceAllocatableRequest (resource_allocation.go): cpu and memory use the
    node's non-zero requested unless `use_requested`; an extended resource the pod does not
    request is skipped, as is any resource with allocatable 0.
    """
    rows = []
    for (resource, weight), request in zip(resources.items(), pod_request, strict=True):
        if resource in ("cpu", "memory"):
            used = (node_info.requested if use_requested else node_info.non_zero_requested)[
                resource
            ]
        elif resource == "ephemeral-storage":
            used = node_info.requested.get(resource, 0)
        elif request == 0 or resource not in node_info.allocatable:
            continue
        else:
            used = node_info.requested.get(resource, 0)
        capacity = node_info.allocatable.get(resource, 0)
        if capacity:
            rows.append((used + request, capacity, weight))
    return rows

"""PodTopologySpread: spread matching pods evenly over topology domains (zones, hosts, ...).

A hard constraint (whenUnsatisfiable: DoNotSchedule) filters: on a node in domain d,
matching(d) + (1 if the pod matches its own selector) − min over domains must not exceed maxSkew
(the minimum counts as 0 while fewer than minDomains domains exist). A soft one (ScheduleAnyway)
scores: each node gets Σ count(domain) × log(domains + 2) + (maxSkew − 1), rounded, then
normalized so the emptiest node gets 100. Only nodes that pass the pod's node affinity count
(nodeAffinityPolicy Honor, the default); nodeTaintsPolicy Honor also leaves out nodes with
untolerated taints. A pod without constraints gets the system defaults (hostname maxSkew 3, zone
maxSkew 5, both ScheduleAnyway) with the selector of the Services and ReplicaSets that select it;
k8slab passes that selector in as `default_selector(pod)` (none by default, so no defaults apply).
Upstream: kk pkg/scheduler/framework/plugins/podtopologyspread/ (plugin.go, common.go,
filtering.go, scoring.go).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from k8slab.api.validation.field import aggregate, invalid, not_supported, required
from k8slab.errors import K8sLabError
from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.interface import (
    MAX_NODE_SCORE,
    SKIP_STATUS,
    Plugin,
    Status,
    unresolvable,
    unschedulable,
)
from k8slab.scheduler.node_info import NodeInfo, pod_labels, pod_namespace
from k8slab.scheduler.node_table import NodeTable, Unvectorizable
from k8slab.scheduler.plugins.helper import (
    RequiredNodeAffinity,
    Selector,
    label_selector,
    merge_labels_into,
)
from k8slab.scheduler.plugins.taint_toleration import find_untolerated_taint, pod_tolerations

ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints"
ERR_REASON_NODE_LABEL_NOT_MATCH = ERR_REASON_CONSTRAINTS_NOT_MATCH + " (missing required label)"

LABEL_HOSTNAME = "kubernetes.io/hostname"
LABEL_TOPOLOGY_ZONE = "topology.kubernetes.io/zone"
SYSTEM_DEFAULTING, LIST_DEFAULTING = "System", "List"
DO_NOT_SCHEDULE, SCHEDULE_ANYWAY = "DoNotSchedule", "ScheduleAnyway"
# kk .../podtopologyspread/plugin.go systemDefaultConstraints.
SYSTEM_DEFAULT_CONSTRAINTS = (
    {"topologyKey": LABEL_HOSTNAME, "whenUnsatisfiable": SCHEDULE_ANYWAY, "maxSkew": 3},
    {"topologyKey": LABEL_TOPOLOGY_ZONE, "whenUnsatisfiable": SCHEDULE_ANYWAY, "maxSkew": 5},
)
# criticalPaths starts from MaxInt32: with no eligible domain the minimum is "infinite".
_NO_DOMAIN_MIN = 2**31 - 1

PRE_FILTER_STATE_KEY = "PreFilterPodTopologySpread"
PRE_SCORE_STATE_KEY = "PreScorePodTopologySpread"
# The vectorized cycle's PreFilter and PreScore states: counts per domain as arrays.
PRE_FILTER_ARRAYS_KEY = "PreFilterPodTopologySpread/arrays"
PRE_SCORE_ARRAYS_KEY = "PreScorePodTopologySpread/arrays"


@dataclass(frozen=True, slots=True)
class Constraint:
    """One parsed topologySpreadConstraint; `selector_key` names its selector (equal keys, equal
    selectors) so that counts of matching pods can be cached."""

    max_skew: int
    topology_key: str
    selector: Selector
    min_domains: int = 1
    node_affinity_policy: str = "Honor"
    node_taints_policy: str = "Ignore"
    selector_key: str = field(default="", compare=False)

    def includes(self, pod: dict, node_info: NodeInfo, required: RequiredNodeAffinity) -> bool:
        """matchNodeInclusionPolicies: does this node's domain count for the pod?"""
        if self.node_affinity_policy == "Honor" and not required.matches(
            node_info.labels, node_info.name
        ):
            return False
        if self.node_taints_policy == "Honor" and find_untolerated_taint(
            node_info.taints, pod_tolerations(pod)
        ):
            return False
        return True


def count_matching(pods: Sequence[dict], selector: Selector, namespace: str) -> int:
    """Pods in `namespace`, not terminating, whose labels match (countPodsMatchSelector)."""
    return sum(
        1
        for pod in pods
        if pod_namespace(pod) == namespace
        and not (pod.get("metadata") or {}).get("deletionTimestamp")
        and selector.matches(pod_labels(pod))
    )


def has_all_keys(labels: Mapping[str, str], constraints: Sequence[Constraint]) -> bool:
    """nodeLabelsMatchSpreadConstraints: every constraint's topology key is a node label."""
    return all(c.topology_key in labels for c in constraints)


class SpreadState:
    """PreFilter state: per hard constraint, matching pods per domain and the minimum."""

    def __init__(self, constraints: Sequence[Constraint], counts: list[dict[str, int]]) -> None:
        self.constraints = tuple(constraints)
        self.counts = counts
        self.minimums = [min(c.values(), default=_NO_DOMAIN_MIN) for c in counts]

    def clone(self) -> SpreadState:
        """A copy for preemption's dry run (counts change as victims are removed)."""
        return SpreadState(self.constraints, [dict(c) for c in self.counts])

    def min_match(self, index: int) -> int:
        """The global minimum, 0 while fewer than minDomains domains are eligible."""
        if len(self.counts[index]) < self.constraints[index].min_domains:
            return 0
        return self.minimums[index]

    def update(self, pod: dict, other: dict, node_info: NodeInfo, delta: int) -> None:
        """updateWithPod: count `other` on `node_info` in or out of the matching domains."""
        if pod_namespace(other) != pod_namespace(pod):
            return
        if not has_all_keys(node_info.labels, self.constraints):
            return
        required = RequiredNodeAffinity(pod)
        labels = pod_labels(other)
        for index, constraint in enumerate(self.constraints):
            if not constraint.selector.matches(labels):
                continue
            if not constraint.includes(pod, node_info, required):
                continue
            domain = node_info.labels[constraint.topology_key]
            counts = self.counts[index]
            counts[domain] = counts.get(domain, 0) + delta
            self.minimums[index] = min(counts.values(), default=_NO_DOMAIN_MIN)


def _parse_constraint(raw: Mapping, labels: Mapping[str, str]) -> Constraint:
    selector = label_selector(raw.get("labelSelector"))
    match_keys = [key for key in raw.get("matchLabelKeys") or [] if key in labels]
    merged = {key: labels[key] for key in match_keys}
    if merged:
        selector = merge_labels_into(merged, selector)
    return Constraint(
        max_skew=int(raw.get("maxSkew") or 0),
        topology_key=raw.get("topologyKey") or "",
        selector=selector,
        min_domains=int(raw.get("minDomains") or 1),
        node_affinity_policy=raw.get("nodeAffinityPolicy") or "Honor",
        node_taints_policy=raw.get("nodeTaintsPolicy") or "Ignore",
        selector_key=repr((raw.get("labelSelector"), merged)),
    )


class PodTopologySpread(Plugin):
    """Filter by hard topology spread constraints; score by soft ones (see the module docstring).

    `default_constraints` apply to pods without constraints when `defaulting_type` is "List";
    "System" (the default) uses SYSTEM_DEFAULT_CONSTRAINTS. `default_selector(pod)` returns the
    label selector (a metav1.LabelSelector dict) of the workloads selecting the pod, or None.
    """

    name = "PodTopologySpread"
    extends = ("pre_filter", "filter", "pre_score", "score", "normalize")

    def __init__(
        self,
        default_constraints: Sequence[Mapping] = (),
        defaulting_type: str = SYSTEM_DEFAULTING,
        default_selector: Callable[[dict], Mapping | None] | None = None,
    ) -> None:
        errors = []
        if defaulting_type not in (SYSTEM_DEFAULTING, LIST_DEFAULTING):
            supported = [SYSTEM_DEFAULTING, LIST_DEFAULTING]
            errors.append(not_supported("defaultingType", defaulting_type, supported))
        elif defaulting_type == SYSTEM_DEFAULTING and default_constraints:
            errors.append(
                invalid("defaultingType", defaulting_type, "when .defaultConstraints are not empty")
            )
        for index, constraint in enumerate(default_constraints):
            path = f"defaultConstraints[{index}]"
            if int(constraint.get("maxSkew") or 0) <= 0:
                detail = "not in valid range (0, inf)"
                errors.append(invalid(f"{path}.maxSkew", constraint.get("maxSkew"), detail))
            if not constraint.get("topologyKey"):
                errors.append(required(f"{path}.topologyKey", "can not be empty"))
            action = constraint.get("whenUnsatisfiable")
            if action not in (DO_NOT_SCHEDULE, SCHEDULE_ANYWAY):
                supported = [DO_NOT_SCHEDULE, SCHEDULE_ANYWAY]
                errors.append(not_supported(f"{path}.whenUnsatisfiable", action, supported))
            if constraint.get("labelSelector") is not None:
                detail = "constraint must not define a selector, as they deduced for each pod"
                errors.append(invalid(f"{path}.labelSelector", constraint["labelSelector"], detail))
        if errors:
            raise K8sLabError(f"PodTopologySpread: {aggregate(errors)}")
        self.system_defaulted = defaulting_type == SYSTEM_DEFAULTING
        self.default_constraints = (
            SYSTEM_DEFAULT_CONSTRAINTS if self.system_defaulted else tuple(default_constraints)
        )
        self.default_selector = default_selector

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> PodTopologySpread:
        """PodTopologySpreadArgs: {defaultConstraints: [...], defaultingType: System | List}."""
        unknown = sorted(set(args) - {"defaultConstraints", "defaultingType"})
        if unknown:
            raise K8sLabError(f"PodTopologySpreadArgs: unknown field(s) {', '.join(unknown)}")
        return cls(
            default_constraints=args.get("defaultConstraints") or (),
            defaulting_type=args.get("defaultingType") or SYSTEM_DEFAULTING,
        )

    def constraints(self, pod: dict, action: str) -> list[Constraint]:
        """The pod's constraints with this whenUnsatisfiable, or the defaults (getConstraints)."""
        labels = pod_labels(pod)
        own = (pod.get("spec") or {}).get("topologySpreadConstraints") or []
        if own:
            return [
                _parse_constraint(c, labels) for c in own if c.get("whenUnsatisfiable") == action
            ]
        defaults = [c for c in self.default_constraints if c.get("whenUnsatisfiable") == action]
        if not defaults or self.default_selector is None:
            return []
        raw_selector = self.default_selector(pod)
        selector = label_selector(raw_selector)
        if selector.empty or selector.requirements is None:
            return []
        key = repr((raw_selector, {}))
        return [
            Constraint(int(c["maxSkew"]), c["topologyKey"], selector, 1, "Honor", "Ignore", key)
            for c in defaults
        ]

    # -- Filter: DoNotSchedule constraints -------------------------------------------------------

    def pre_filter(self, state: CycleState, pod: dict, nodes: Sequence[NodeInfo]) -> Status | None:
        """Count matching pods per domain over all nodes once; Skip without hard constraints."""
        constraints = self.constraints(pod, DO_NOT_SCHEDULE)
        if not constraints:
            return SKIP_STATUS
        required = RequiredNodeAffinity(pod)
        namespace = pod_namespace(pod)
        counts: list[dict[str, int]] = [{} for _ in constraints]
        for info in nodes:
            if not has_all_keys(info.labels, constraints):
                continue
            for index, constraint in enumerate(constraints):
                if not constraint.includes(pod, info, required):
                    continue
                domain = info.labels[constraint.topology_key]
                matching = count_matching(info.pods, constraint.selector, namespace)
                counts[index][domain] = counts[index].get(domain, 0) + matching
        state[PRE_FILTER_STATE_KEY] = SpreadState(constraints, counts)
        return None

    def pre_filter_add_pod(
        self, state: CycleState, pod: dict, pod_to_add: dict, node_info: NodeInfo
    ) -> None:
        """Count a pod added to `node_info` (a nominated pod, a reprieved victim)."""
        if PRE_FILTER_STATE_KEY in state:
            state[PRE_FILTER_STATE_KEY].update(pod, pod_to_add, node_info, 1)

    def pre_filter_remove_pod(
        self, state: CycleState, pod: dict, pod_to_remove: dict, node_info: NodeInfo
    ) -> None:
        """Uncount a pod removed from `node_info` (a preemption victim)."""
        if PRE_FILTER_STATE_KEY in state:
            state[PRE_FILTER_STATE_KEY].update(pod, pod_to_remove, node_info, -1)

    def filter(self, state: CycleState, pod: dict, node_info: NodeInfo) -> Status | None:
        """Reject the node if placing the pod there would exceed a constraint's maxSkew."""
        spread: SpreadState = state[PRE_FILTER_STATE_KEY]
        labels = pod_labels(pod)
        for index, constraint in enumerate(spread.constraints):
            domain = node_info.labels.get(constraint.topology_key)
            if domain is None:
                return unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH)
            self_match = 1 if constraint.selector.matches(labels) else 0
            matching = spread.counts[index].get(domain, 0)
            if matching + self_match - spread.min_match(index) > constraint.max_skew:
                return unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH)
        return None

    # -- Score: ScheduleAnyway constraints -------------------------------------------------------

    def pre_score(self, state: CycleState, pod: dict, nodes: Sequence[NodeInfo]) -> Status | None:
        """Count matching pods per domain of the feasible nodes; Skip without soft constraints.

        Nodes missing a topology key are ignored (scored 0) unless the constraints are the
        system defaults, so that nodes without a zone label still get hostname spreading.
        """
        if not state.nodes:
            return SKIP_STATUS
        constraints = self.constraints(pod, SCHEDULE_ANYWAY)
        if not constraints:
            return SKIP_STATUS
        own = bool((pod.get("spec") or {}).get("topologySpreadConstraints"))
        require_all = own or not self.system_defaulted
        ignored: set[str] = set()
        counts: list[dict[str, int]] = [{} for _ in constraints]
        for info in nodes:
            if require_all and not has_all_keys(info.labels, constraints):
                ignored.add(info.name)
                continue
            for index, constraint in enumerate(constraints):
                if constraint.topology_key != LABEL_HOSTNAME:
                    counts[index].setdefault(info.labels.get(constraint.topology_key, ""), 0)
        weights = []
        for index, constraint in enumerate(constraints):
            size = len(counts[index])
            if constraint.topology_key == LABEL_HOSTNAME:
                size = len(nodes) - len(ignored)
            weights.append(math.log(size + 2))
        required = RequiredNodeAffinity(pod)
        namespace = pod_namespace(pod)
        for info in state.nodes:
            if require_all and not has_all_keys(info.labels, constraints):
                continue
            for index, constraint in enumerate(constraints):
                if not constraint.includes(pod, info, required):
                    continue
                domain = info.labels.get(constraint.topology_key, "")
                if domain in counts[index]:
                    counts[index][domain] += count_matching(
                        info.pods, constraint.selector, namespace
                    )
        state[PRE_SCORE_STATE_KEY] = (constraints, ignored, counts, weights)
        return None

    def score(self, state: CycleState, pod: dict, node_info: NodeInfo) -> int:
        """Σ over constraints of count(node's domain) × weight + (maxSkew − 1), rounded."""
        constraints, ignored, counts, weights = state[PRE_SCORE_STATE_KEY]
        if node_info.name in ignored:
            return 0
        namespace = pod_namespace(pod)
        total = 0.0
        for index, constraint in enumerate(constraints):
            domain = node_info.labels.get(constraint.topology_key)
            if domain is None:
                continue
            if constraint.topology_key == LABEL_HOSTNAME:
                count = count_matching(node_info.pods, constraint.selector, namespace)
            else:
                count = counts[index].get(domain, 0)
            total += count * weights[index] + (constraint.max_skew - 1)
        return math.floor(total + 0.5)

    def normalize(self, state: CycleState, pod: dict, scores: dict[str, int]) -> dict[str, int]:
        """Fewest matching pods gets 100: 100 × (max + min − score) div max; ignored nodes 0."""
        ignored = state[PRE_SCORE_STATE_KEY][1]
        counted = [score for node, score in scores.items() if node not in ignored]
        lowest, highest = min(counted, default=0), max([0, *counted])
        normalized = {}
        for node, score in scores.items():
            if node in ignored:
                normalized[node] = 0
            elif highest == 0:
                normalized[node] = MAX_NODE_SCORE
            else:
                normalized[node] = MAX_NODE_SCORE * (highest + lowest - score) // highest
        return normalized

    # -- the array forms, for the vectorized cycle -----------------------------------------------

    def _includes(self, table: NodeTable, pod: dict, constraint: Constraint) -> np.ndarray | bool:
        """Constraint.includes for every node, cached by the pod fields it reads."""
        spec = pod.get("spec") or {}
        affinity = constraint.node_affinity_policy == "Honor"
        taints = constraint.node_taints_policy == "Honor"
        if not affinity and not taints:
            return True
        key = (
            "PodTopologySpread includes",
            repr((spec.get("nodeSelector"), spec.get("affinity"))) if affinity else "",
            repr(pod_tolerations(pod)) if taints else "",
        )
        required = RequiredNodeAffinity(pod)
        return table.fixed(key, lambda info: constraint.includes(pod, info, required), bool)

    @staticmethod
    def _matching(table: NodeTable, constraint: Constraint, namespace: str) -> np.ndarray:
        """count_matching per node, kept current by the table as pods come and go."""
        if not constraint.selector_key:
            raise Unvectorizable("a topology spread constraint without a selector key")
        key = ("PodTopologySpread", namespace, constraint.selector_key)
        selector = constraint.selector
        return table.matching(key, lambda other: count_matching([other], selector, namespace) == 1)

    def pre_filter_array(self, state: CycleState, pod: dict, table: NodeTable) -> Status | None:
        """PreFilter over the table: matching pods per domain and the minimum, per constraint."""
        constraints = self.constraints(pod, DO_NOT_SCHEDULE)
        if not constraints:
            return SKIP_STATUS
        namespace, labels = pod_namespace(pod), pod_labels(pod)
        eligible = table.has_labels([c.topology_key for c in constraints])
        entries = []
        for constraint in constraints:
            include = eligible & self._includes(table, pod, constraint)
            codes, values = table.domains(constraint.topology_key)
            matching = self._matching(table, constraint, namespace)
            picked = codes[include]
            counts = np.bincount(picked, weights=matching[include], minlength=len(values))
            present = np.bincount(picked, minlength=len(values)) > 0
            domains = int(present.sum())
            minimum = int(counts[present].min()) if domains else _NO_DOMAIN_MIN
            min_match = 0 if domains < constraint.min_domains else minimum
            self_match = 1 if constraint.selector.matches(labels) else 0
            entries.append((constraint, codes, counts.astype(np.int64), min_match, self_match))
        state[PRE_FILTER_ARRAYS_KEY] = entries
        return None

    def filter_array(
        self, state: CycleState, pod: dict, table: NodeTable, rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Filter over the table: (Status or None per row, passed)."""
        statuses = np.full(len(rows), None, dtype=object)
        undecided = np.ones(len(rows), dtype=bool)
        for constraint, codes, counts, min_match, self_match in state[PRE_FILTER_ARRAYS_KEY]:
            code = codes[rows]
            missing = undecided & (code < 0)
            if missing.any():
                status = unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH)
                statuses[missing] = [status] * int(missing.sum())
                undecided &= ~missing
            matching = counts[np.maximum(code, 0)] if len(counts) else np.zeros(len(rows), int)
            skewed = undecided & (matching + self_match - min_match > constraint.max_skew)
            if skewed.any():
                status = unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH)
                statuses[skewed] = [status] * int(skewed.sum())
                undecided &= ~skewed
        return statuses, undecided

    def pre_score_array(
        self, state: CycleState, pod: dict, table: NodeTable, rows: np.ndarray
    ) -> Status | None:
        """PreScore over the table: per constraint, each feasible row's domain count and weight."""
        constraints = self.constraints(pod, SCHEDULE_ANYWAY)
        if not constraints:
            return SKIP_STATUS
        own = bool((pod.get("spec") or {}).get("topologySpreadConstraints"))
        require_all = own or not self.system_defaulted
        has_all = table.has_labels([c.topology_key for c in constraints])
        ignored = ~has_all[rows] if require_all else np.zeros(len(rows), dtype=bool)
        counted = rows[~ignored]
        namespace = pod_namespace(pod)
        entries = []
        for constraint in constraints:
            matching = self._matching(table, constraint, namespace)
            has_key = table.domains(constraint.topology_key)[0][rows] >= 0
            if constraint.topology_key == LABEL_HOSTNAME:
                size = len(rows) - int(ignored.sum())
                entries.append((constraint, has_key, matching[rows], math.log(size + 2)))
                continue
            codes, values = table.domains(constraint.topology_key, missing_is_empty=True)
            present = np.bincount(codes[counted], minlength=len(values)) > 0
            include = self._includes(table, pod, constraint)
            if require_all:
                include = include & has_all
            elif include is True:
                include = np.ones(table.size, dtype=bool)
            counts = np.bincount(codes[include], weights=matching[include], minlength=len(values))
            counts = np.where(present, counts, 0).astype(np.int64)
            weight = math.log(int(present.sum()) + 2)
            entries.append((constraint, has_key, counts[codes[rows]], weight))
        state[PRE_SCORE_ARRAYS_KEY] = (entries, ignored)
        return None

    def score_array(
        self, state: CycleState, pod: dict, table: NodeTable, rows: np.ndarray
    ) -> np.ndarray:
        """Score over the table, from pre_score_array's counts."""
        entries, ignored = state[PRE_SCORE_ARRAYS_KEY]
        total = np.zeros(len(rows))
        for constraint, has_key, count, weight in entries:
            total = total + np.where(has_key, count * weight + (constraint.max_skew - 1), 0.0)
        scores = np.floor(total + 0.5).astype(np.int64)
        scores[ignored] = 0
        return scores

    def normalize_array(self, state: CycleState, pod: dict, raw: np.ndarray) -> np.ndarray:
        """normalize over an array of raw scores (ignored rows: 0)."""
        ignored = state[PRE_SCORE_ARRAYS_KEY][1]
        kept = raw[~ignored]
        lowest, highest = (int(kept.min()), max(0, int(kept.max()))) if len(kept) else (0, 0)
        if highest == 0:
            normalized = np.full(len(raw), MAX_NODE_SCORE, dtype=np.int64)
        else:
            normalized = MAX_NODE_SCORE * (highest + lowest - raw) // highest
        normalized[ignored] = 0
        return normalized

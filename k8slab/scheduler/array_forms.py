"""The default plugins' formulas over arrays of nodes, for the vectorized scheduling cycle.

Each form computes what its plugin's per-node methods compute, for many nodes at once, with the
same integer arithmetic (numpy's // floors as Python's does) and the same float operations in
the same order, so that decisions are identical. A form defines only the extension points worth
vectorizing: pre_filter(state, pod, table), filter(state, pod, table, rows) → (Status or None
per row, passed), pre_score(state, pod, table, rows), score(...) → int64 per row (None: use the
plugin's per-node score), normalize(state, pod, raw). Plugins whose Filter or Score depends only
on fixed node data need no form: they declare Plugin.node_signature instead. A form raises
Unvectorizable to hand the cycle back to the per-node path.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from k8slab.scheduler.framework import (
    MAX_NODE_SCORE,
    SKIP_STATUS,
    UNSCHEDULABLE,
    CycleState,
    Framework,
    Plugin,
    Status,
    unresolvable,
    unschedulable,
)
from k8slab.scheduler.node_info import non_zero_requests, pod_labels, pod_namespace
from k8slab.scheduler.node_table import EXACT_LIMIT, NodeTable
from k8slab.scheduler.plugins import node_resources_balanced_allocation as balanced
from k8slab.scheduler.plugins import node_resources_fit as fit
from k8slab.scheduler.plugins import pod_topology_spread as spread
from k8slab.scheduler.plugins.helper import RequiredNodeAffinity
from k8slab.scheduler.plugins.image_locality import ImageLocality
from k8slab.scheduler.plugins.inter_pod_affinity import InterPodAffinity, PodAffinityInfo
from k8slab.scheduler.plugins.node_affinity import NodeAffinity
from k8slab.scheduler.plugins.taint_toleration import TaintToleration, pod_tolerations


class Unvectorizable(Exception):
    """This cycle needs the per-node path (a huge quantity, a selector without a key, ...)."""


def default_normalize_array(raw: np.ndarray, reverse: bool = False) -> np.ndarray:
    """framework.default_normalize_score over an array: MAX × raw div max, maybe reversed."""
    highest = int(raw.max()) if len(raw) else 0
    if highest == 0:
        return np.full(len(raw), MAX_NODE_SCORE, dtype=np.int64) if reverse else raw.copy()
    scaled = MAX_NODE_SCORE * raw // highest
    return MAX_NODE_SCORE - scaled if reverse else scaled


def _exact(amounts: Any) -> None:
    if any(not -EXACT_LIMIT < amount < EXACT_LIMIT for amount in amounts):
        raise Unvectorizable("a request too large for exact int64 and float64 arithmetic")


class Form:
    """The array form of one plugin instance."""

    def __init__(self, plugin: Any) -> None:
        self.plugin = plugin


class TaintTolerationForm(Form):
    """Filter and Score come from node_signature; NormalizeScore is reversed."""

    def normalize(self, state: CycleState, pod: dict, raw: np.ndarray) -> np.ndarray:
        return default_normalize_array(raw, reverse=True)


class NodeAffinityForm(Form):
    """Filter and Score come from node_signature; NormalizeScore scales to the best node."""

    def normalize(self, state: CycleState, pod: dict, raw: np.ndarray) -> np.ndarray:
        return default_normalize_array(raw)


class NodeResourcesFitForm(Form):
    """The fit check and LeastAllocated / MostAllocated over the table's resource columns."""

    def filter(
        self, state: CycleState, pod: dict, table: NodeTable, rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        plugin: fit.NodeResourcesFit = self.plugin
        requests = state.get(fit.PRE_FILTER_STATE_KEY)
        if not isinstance(requests, fit.FitRequests):
            raise Unvectorizable("NodeResourcesFit has no PreFilter state")
        ignoring = plugin.ignored_resources or plugin.ignored_resource_groups
        checks = [
            (resource, wanted)
            for resource, wanted in requests.checks
            if not (ignoring and fit._is_extended(resource) and plugin._ignored(resource))
        ]
        _exact(wanted for _, wanted in checks)
        code = (table.pod_count[rows] >= table.max_pods[rows]).astype(np.int64)
        for bit, (resource, wanted) in enumerate(checks, start=1):
            j = table.column(resource)
            free = table.free[:, j][rows]
            code |= (free < wanted).astype(np.int64) << bit
        passed = code == 0
        statuses = np.full(len(rows), None, dtype=object)
        failed = np.flatnonzero(~passed)
        if len(failed):
            reasons = [fit.ERR_REASON_TOO_MANY_PODS]
            reasons += [fit.ERR_REASON_INSUFFICIENT.format(resource) for resource, _ in checks]
            codes = code[failed]
            for value in np.unique(codes).tolist():
                shortages = tuple(r for bit, r in enumerate(reasons) if value >> bit & 1)
                status = Status(UNSCHEDULABLE, shortages)
                statuses[failed[codes == value]] = [status] * int((codes == value).sum())
        return statuses, passed

    def score(
        self, state: CycleState, pod: dict, table: NodeTable, rows: np.ndarray
    ) -> np.ndarray | None:
        plugin: fit.NodeResourcesFit = self.plugin
        if plugin.scoring_strategy == fit.REQUESTED_TO_CAPACITY_RATIO:
            return None
        pod_request = state.get(fit.PRE_SCORE_STATE_KEY)
        if pod_request is None:
            pod_request = fit.scoring_requests(non_zero_requests(pod), plugin.resources)
        _exact(pod_request)
        least = plugin.scoring_strategy == fit.LEAST_ALLOCATED
        total = weight_sum = np.zeros(len(rows), dtype=np.int64)
        for (resource, weight), request in zip(plugin.resources.items(), pod_request, strict=True):
            if resource in ("cpu", "memory"):
                used = table.non_zero[:, 0 if resource == "cpu" else 1][rows]
            elif resource != "ephemeral-storage" and request == 0:
                continue
            else:
                j = table.column(resource)
                used = table.requested[:, j][rows]
            j = table.column(resource)
            capacity, has = _capacity(table, j, rows)
            wanted = used + request
            divisor = capacity if has is True else np.where(has, capacity, 1)
            if least:  # over capacity: (capacity − wanted) < 0 floors below 0, hence the max
                score = np.maximum((capacity - wanted) * MAX_NODE_SCORE // divisor, 0)
            else:
                score = np.minimum(wanted, capacity) * MAX_NODE_SCORE // divisor
            total = total + score * (weight * has)
            weight_sum = weight_sum + weight * has
        return np.where(weight_sum > 0, total // np.maximum(weight_sum, 1), 0)


def _capacity(table: NodeTable, column: int, rows: np.ndarray) -> tuple[np.ndarray, Any]:
    """The allocatable of `column` at `rows`, and where it is not 0 (True: everywhere)."""
    capacity = table.allocatable[:, column][rows]
    return capacity, True if table.offered_everywhere(column) else capacity != 0


class BalancedAllocationForm(Form):
    """int((1 − std of the usage fractions) × 100) with the per-node path's float operations."""

    def score(self, state: CycleState, pod: dict, table: NodeTable, rows: np.ndarray) -> np.ndarray:
        plugin: balanced.NodeResourcesBalancedAllocation = self.plugin
        request = state.get(balanced.PRE_SCORE_STATE_KEY)
        if request is None:
            raise Unvectorizable("NodeResourcesBalancedAllocation has no PreScore state")
        _exact(request)
        fractions, counted = [], np.zeros(len(rows), dtype=np.int64)
        for resource, amount in zip(plugin.resources, request, strict=True):
            if resource not in ("cpu", "memory", "ephemeral-storage") and amount == 0:
                continue
            j = table.column(resource)
            capacity, has = _capacity(table, j, rows)
            counted += has
            divisor = capacity if has is True else np.where(has, capacity, 1)
            fraction = (table.requested[:, j][rows] + amount) / divisor
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
            scores[i] = plugin.score(state, pod, table.infos[int(rows[i])])
        return scores


def _sum_in_order(arrays: list[np.ndarray]) -> np.ndarray:
    """Σ left to right, as Python's sum() adds a list of floats."""
    total = arrays[0]
    for array in arrays[1:]:
        total = total + array
    return total


SPREAD_FILTER_KEY = "PreFilterPodTopologySpread/arrays"
SPREAD_SCORE_KEY = "PreScorePodTopologySpread/arrays"


class PodTopologySpreadForm(Form):
    """Domain counts from per-node matching-pod counts the table keeps current."""

    def _includes(
        self, table: NodeTable, pod: dict, constraint: spread.Constraint
    ) -> np.ndarray | bool:
        """matchNodeInclusionPolicies for every node, cached by the pod fields it reads."""
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

    def _matching(self, table: NodeTable, constraint: spread.Constraint, namespace: str) -> Any:
        if not constraint.selector_key:
            raise Unvectorizable("a topology spread constraint without a selector key")
        selector = constraint.selector

        def matches(other: dict) -> bool:
            return spread.count_matching([other], selector, namespace) == 1

        return table.matching(("PodTopologySpread", namespace, constraint.selector_key), matches)

    def pre_filter(self, state: CycleState, pod: dict, table: NodeTable) -> Status | None:
        plugin: spread.PodTopologySpread = self.plugin
        constraints = plugin.constraints(pod, spread.DO_NOT_SCHEDULE)
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
            minimum = int(counts[present].min()) if domains else spread._NO_DOMAIN_MIN
            min_match = 0 if domains < constraint.min_domains else minimum
            self_match = 1 if constraint.selector.matches(labels) else 0
            entries.append((constraint, codes, counts.astype(np.int64), min_match, self_match))
        state[SPREAD_FILTER_KEY] = entries
        return None

    def filter(
        self, state: CycleState, pod: dict, table: NodeTable, rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        statuses = np.full(len(rows), None, dtype=object)
        undecided = np.ones(len(rows), dtype=bool)
        for constraint, codes, counts, min_match, self_match in state[SPREAD_FILTER_KEY]:
            code = codes[rows]
            missing = undecided & (code < 0)
            if missing.any():
                status = unresolvable(spread.ERR_REASON_NODE_LABEL_NOT_MATCH)
                statuses[missing] = [status] * int(missing.sum())
                undecided &= ~missing
            matching = counts[np.maximum(code, 0)] if len(counts) else np.zeros(len(rows), int)
            skewed = undecided & (matching + self_match - min_match > constraint.max_skew)
            if skewed.any():
                status = unschedulable(spread.ERR_REASON_CONSTRAINTS_NOT_MATCH)
                statuses[skewed] = [status] * int(skewed.sum())
                undecided &= ~skewed
        return statuses, undecided

    def pre_score(
        self, state: CycleState, pod: dict, table: NodeTable, rows: np.ndarray
    ) -> Status | None:
        plugin: spread.PodTopologySpread = self.plugin
        constraints = plugin.constraints(pod, spread.SCHEDULE_ANYWAY)
        if not constraints:
            return SKIP_STATUS
        own = bool((pod.get("spec") or {}).get("topologySpreadConstraints"))
        require_all = own or not plugin.system_defaulted
        has_all = table.has_labels([c.topology_key for c in constraints])
        ignored = ~has_all[rows] if require_all else np.zeros(len(rows), dtype=bool)
        counted = rows[~ignored]
        namespace = pod_namespace(pod)
        entries = []
        for constraint in constraints:
            matching = self._matching(table, constraint, namespace)
            has_key = table.domains(constraint.topology_key)[0][rows] >= 0
            if constraint.topology_key == spread.LABEL_HOSTNAME:
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
        state[SPREAD_SCORE_KEY] = (entries, ignored)
        return None

    def score(self, state: CycleState, pod: dict, table: NodeTable, rows: np.ndarray) -> np.ndarray:
        entries, ignored = state[SPREAD_SCORE_KEY]
        total = np.zeros(len(rows))
        for constraint, has_key, count, weight in entries:
            total = total + np.where(has_key, count * weight + (constraint.max_skew - 1), 0.0)
        scores = np.floor(total + 0.5).astype(np.int64)
        scores[ignored] = 0
        return scores

    def normalize(self, state: CycleState, pod: dict, raw: np.ndarray) -> np.ndarray:
        ignored = state[SPREAD_SCORE_KEY][1]
        counted = raw[~ignored]
        lowest = int(counted.min()) if len(counted) else 0
        highest = max(0, int(counted.max())) if len(counted) else 0
        if highest == 0:
            normalized = np.full(len(raw), MAX_NODE_SCORE, dtype=np.int64)
        else:
            normalized = MAX_NODE_SCORE * (highest + lowest - raw) // highest
        normalized[ignored] = 0
        return normalized


class InterPodAffinityForm(Form):
    """Skip at once when no pod anywhere has the terms that would make the cluster-wide walk
    find something; otherwise the plugin's own PreFilter / PreScore."""

    def pre_filter(self, state: CycleState, pod: dict, table: NodeTable) -> Status | None:
        info = PodAffinityInfo(pod)
        if not table.pods_with_required_anti_affinity and not (
            info.required_affinity or info.required_anti
        ):
            return SKIP_STATUS
        return self.plugin.pre_filter(state, pod, state.nodes)

    def pre_score(
        self, state: CycleState, pod: dict, table: NodeTable, rows: np.ndarray
    ) -> Status | None:
        info = PodAffinityInfo(pod)
        if not table.pods_with_affinity and not (info.preferred_affinity or info.preferred_anti):
            return SKIP_STATUS
        return self.plugin.pre_score(state, pod, [table.infos[row] for row in rows.tolist()])


class ImageLocalityForm(Form):
    """Score comes from node_signature (the images each node holds are fixed), so PreScore's
    cluster-wide count is left to the first node scored for a new set of images."""

    def pre_score(
        self, state: CycleState, pod: dict, table: NodeTable, rows: np.ndarray
    ) -> Status | None:
        return None


FORMS: dict[type[Plugin], type[Form]] = {
    TaintToleration: TaintTolerationForm,
    NodeAffinity: NodeAffinityForm,
    fit.NodeResourcesFit: NodeResourcesFitForm,
    balanced.NodeResourcesBalancedAllocation: BalancedAllocationForm,
    spread.PodTopologySpread: PodTopologySpreadForm,
    InterPodAffinity: InterPodAffinityForm,
    ImageLocality: ImageLocalityForm,
}


def array_forms(framework: Framework) -> dict[str, Form]:
    """The array forms of the framework's plugins, by plugin name (exact classes only: a
    subclass may change the formulas), built once per framework."""
    forms = framework.__dict__.get("_array_forms")
    if forms is None:
        forms = {
            plugin.name: FORMS[type(plugin)](plugin)
            for plugin in framework.plugins
            if type(plugin) in FORMS
        }
        framework._array_forms = forms
    return forms

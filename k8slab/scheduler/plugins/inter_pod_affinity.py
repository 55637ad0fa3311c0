"""InterPodAffinity: place a pod near (affinity) or away from (anti-affinity) other pods.

Filter (required terms): the node's domain for each affinity term must already hold a pod
matching every affinity term (or, for the first pod of a group that matches its own terms, no
such pod may exist anywhere); no pod matching an anti-affinity term may be in the node's domain;
and no existing pod's required anti-affinity may match this pod in that domain. PreFilter counts
those matches per (topologyKey, value) once per cycle. Score (preferred terms, both the pod's and
the existing pods', plus existing pods' required affinity at hardPodAffinityWeight): sum per
domain, then normalize (score − min) / (max − min) × 100. A term's namespaceSelector is matched
against `namespace_labels(namespace)` (k8slab's stand-in for the Namespace lister; none by
default). Upstream: kk pkg/scheduler/framework/plugins/interpodaffinity/ (filtering.go,
scoring.go) and pkg/scheduler/framework/types.go (AffinityTerm).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from k8slab.api.validation.field import invalid
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
from k8slab.scheduler.node_table import NodeTable
from k8slab.scheduler.plugins.helper import Selector, label_selector

ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = (
    "node(s) didn't satisfy existing pods anti-affinity rules"
)
ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules"
ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules"

# kk pkg/scheduler/apis/config/v1/defaults.go: InterPodAffinityArgs defaults.
DEFAULT_HARD_POD_AFFINITY_WEIGHT = 1
PRE_FILTER_STATE_KEY = "PreFilterInterPodAffinity"
PRE_SCORE_STATE_KEY = "PreScoreInterPodAffinity"

Pair = tuple[str, str]


class AffinityTerm:
    """A parsed PodAffinityTerm: namespaces, label selector, namespace selector, topology key."""

    __slots__ = ("namespaces", "selector", "namespace_selector", "topology_key", "weight")

    def __init__(self, owner: dict, term: Mapping, weight: int = 0) -> None:
        namespaces = term.get("namespaces") or []
        raw_namespace_selector = term.get("namespaceSelector")
        if not namespaces and raw_namespace_selector is None:
            namespaces = [pod_namespace(owner)]
        self.namespaces = frozenset(namespaces)
        self.selector: Selector = label_selector(term.get("labelSelector"))
        self.namespace_selector: Selector = label_selector(raw_namespace_selector)
        self.topology_key: str = term.get("topologyKey") or ""
        self.weight = weight

    def matches(self, pod: dict, namespace_labels: Callable[[str], Mapping[str, str]]) -> bool:
        """AffinityTerm.Matches: the pod's namespace is selected and its labels match."""
        namespace = pod_namespace(pod)
        if namespace not in self.namespaces and not self.namespace_selector.matches(
            namespace_labels(namespace)
        ):
            return False
        return self.selector.matches(pod_labels(pod))


class PodAffinityInfo:
    """A pod's four lists of affinity terms, parsed once."""

    __slots__ = ("required_affinity", "required_anti", "preferred_affinity", "preferred_anti")

    def __init__(self, pod: dict) -> None:
        affinity = (pod.get("spec") or {}).get("affinity") or {}
        near = affinity.get("podAffinity") or {}
        away = affinity.get("podAntiAffinity") or {}
        required_key = "requiredDuringSchedulingIgnoredDuringExecution"
        preferred_key = "preferredDuringSchedulingIgnoredDuringExecution"
        self.required_affinity = [AffinityTerm(pod, t) for t in near.get(required_key) or []]
        self.required_anti = [AffinityTerm(pod, t) for t in away.get(required_key) or []]
        self.preferred_affinity = _weighted(pod, near.get(preferred_key) or [])
        self.preferred_anti = _weighted(pod, away.get(preferred_key) or [])


def _weighted(pod: dict, terms: Sequence[Mapping]) -> list[AffinityTerm]:
    return [
        AffinityTerm(pod, t.get("podAffinityTerm") or {}, int(t.get("weight") or 0)) for t in terms
    ]


def _no_namespace_labels(namespace: str) -> Mapping[str, str]:
    return {}


def _bump(counts: dict[Pair, int], pair: Pair, delta: int) -> None:
    value = counts.get(pair, 0) + delta
    if value:
        counts[pair] = value
    else:
        counts.pop(pair, None)


class AffinityState:
    """PreFilter state: matches per (topologyKey, value) for the three Filter checks."""

    def __init__(self, info: PodAffinityInfo) -> None:
        self.info = info
        self.existing_anti: dict[Pair, int] = {}
        self.affinity: dict[Pair, int] = {}
        self.anti: dict[Pair, int] = {}

    def clone(self) -> AffinityState:
        """A copy whose counts can change (preemption's dry run, nominated pods)."""
        copy = AffinityState(self.info)
        copy.existing_anti = dict(self.existing_anti)
        copy.affinity = dict(self.affinity)
        copy.anti = dict(self.anti)
        return copy

    def count(
        self,
        pod: dict,
        other: dict,
        labels: Mapping[str, str],
        delta: int,
        namespace_labels: Callable[[str], Mapping[str, str]],
    ) -> None:
        """Add (delta 1) or take away (−1) `other`, on a node with `labels`, from the counts."""
        for term in PodAffinityInfo(other).required_anti:
            if term.topology_key in labels and term.matches(pod, namespace_labels):
                _bump(self.existing_anti, (term.topology_key, labels[term.topology_key]), delta)
        self.count_incoming(other, labels, delta, namespace_labels)

    def count_incoming(
        self,
        other: dict,
        labels: Mapping[str, str],
        delta: int,
        namespace_labels: Callable[[str], Mapping[str, str]],
    ) -> None:
        """Count `other` against the incoming pod's own required affinity and anti-affinity."""
        terms = self.info.required_affinity
        if terms and all(term.matches(other, namespace_labels) for term in terms):
            for term in terms:
                if term.topology_key in labels:
                    _bump(self.affinity, (term.topology_key, labels[term.topology_key]), delta)
        for term in self.info.required_anti:
            if term.topology_key in labels and term.matches(other, namespace_labels):
                _bump(self.anti, (term.topology_key, labels[term.topology_key]), delta)


class InterPodAffinity(Plugin):
    """Filter by required pod (anti-)affinity; score by preferred pod (anti-)affinity."""

    name = "InterPodAffinity"
    extends = ("pre_filter", "filter", "pre_score", "score", "normalize")

    def __init__(
        self,
        hard_pod_affinity_weight: int = DEFAULT_HARD_POD_AFFINITY_WEIGHT,
        ignore_preferred_terms_of_existing_pods: bool = False,
        namespace_labels: Callable[[str], Mapping[str, str]] | None = None,
    ) -> None:
        weight = hard_pod_affinity_weight
        if not isinstance(weight, int) or isinstance(weight, bool) or not 0 <= weight <= 100:
            error = invalid("hardPodAffinityWeight", weight, "not in valid range [0, 100]")
            raise K8sLabError(f"InterPodAffinity: {error}")
        self.hard_pod_affinity_weight = weight
        self.ignore_preferred_terms_of_existing_pods = ignore_preferred_terms_of_existing_pods
        self.namespace_labels = namespace_labels or _no_namespace_labels

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> InterPodAffinity:
        """InterPodAffinityArgs: {hardPodAffinityWeight, ignorePreferredTermsOfExistingPods}."""
        known = {"hardPodAffinityWeight", "ignorePreferredTermsOfExistingPods"}
        unknown = sorted(set(args) - known)
        if unknown:
            raise K8sLabError(f"InterPodAffinityArgs: unknown field(s) {', '.join(unknown)}")
        return cls(
            args.get("hardPodAffinityWeight", DEFAULT_HARD_POD_AFFINITY_WEIGHT),
            bool(args.get("ignorePreferredTermsOfExistingPods", False)),
        )

    # -- Filter ----------------------------------------------------------------------------------

    def pre_filter(self, state: CycleState, pod: dict, nodes: Sequence[NodeInfo]) -> Status | None:
        """Count the matches once; Skip when the pod has no required terms and no existing pod's
        required anti-affinity matches it."""
        info = PodAffinityInfo(pod)
        spread = AffinityState(info)
        labels = self.namespace_labels
        for node in nodes:
            for other in node.pods_with_required_anti_affinity:
                for term in PodAffinityInfo(other).required_anti:
                    key = term.topology_key
                    if key in node.labels and term.matches(pod, labels):
                        _bump(spread.existing_anti, (key, node.labels[key]), 1)
        if info.required_affinity or info.required_anti:
            for node in nodes:
                for other in node.pods:
                    spread.count_incoming(other, node.labels, 1, labels)
        if not spread.existing_anti and not info.required_affinity and not info.required_anti:
            return SKIP_STATUS
        state[PRE_FILTER_STATE_KEY] = spread
        return None

    def pre_filter_array(self, state: CycleState, pod: dict, table: NodeTable) -> Status | None:
        """The vectorized cycle's PreFilter: Skip at once when neither the pod nor any pod on the
        table has required terms (the walk over every pod would find nothing), else pre_filter."""
        info = PodAffinityInfo(pod)
        if not table.pods_with_required_anti_affinity and not (
            info.required_affinity or info.required_anti
        ):
            return SKIP_STATUS
        return self.pre_filter(state, pod, state.nodes)

    def pre_filter_add_pod(
        self, state: CycleState, pod: dict, pod_to_add: dict, node_info: NodeInfo
    ) -> None:
        """Count a pod added to `node_info`."""
        if PRE_FILTER_STATE_KEY in state:
            state[PRE_FILTER_STATE_KEY].count(
                pod, pod_to_add, node_info.labels, 1, self.namespace_labels
            )

    def pre_filter_remove_pod(
        self, state: CycleState, pod: dict, pod_to_remove: dict, node_info: NodeInfo
    ) -> None:
        """Uncount a pod removed from `node_info`."""
        if PRE_FILTER_STATE_KEY in state:
            state[PRE_FILTER_STATE_KEY].count(
                pod, pod_to_remove, node_info.labels, -1, self.namespace_labels
            )

    def filter(self, state: CycleState, pod: dict, node_info: NodeInfo) -> Status | None:
        """Affinity first (Unresolvable), then the pod's anti-affinity, then existing pods'."""
        spread: AffinityState = state[PRE_FILTER_STATE_KEY]
        labels = node_info.labels
        if not self._satisfies_affinity(spread, pod, labels):
            return unresolvable(ERR_REASON_AFFINITY_RULES_NOT_MATCH)
        if spread.anti:
            for term in spread.info.required_anti:
                key = term.topology_key
                if key in labels and spread.anti.get((key, labels[key]), 0) > 0:
                    return unschedulable(ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH)
        if spread.existing_anti and any(pair in spread.existing_anti for pair in labels.items()):
            return unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH)
        return None

    def _satisfies_affinity(self, spread: AffinityState, pod: dict, labels: Mapping) -> bool:
        """satisfyPodAffinity, with its escape for the first pod of a self-affine group."""
        pods_exist = True
        for term in spread.info.required_affinity:
            key = term.topology_key
            if key not in labels:
                return False
            if spread.affinity.get((key, labels[key]), 0) <= 0:
                pods_exist = False
        if pods_exist:
            return True
        terms = spread.info.required_affinity
        return not spread.affinity and all(t.matches(pod, self.namespace_labels) for t in terms)

    # -- Score -----------------------------------------------------------------------------------

    def pre_score(self, state: CycleState, pod: dict, nodes: Sequence[NodeInfo]) -> Status | None:
        """Sum the weights per (topologyKey, value) over the cluster; Skip if nothing scored."""
        info = PodAffinityInfo(pod)
        has_preferred = bool(info.preferred_affinity or info.preferred_anti)
        if self.ignore_preferred_terms_of_existing_pods and not has_preferred:
            return SKIP_STATUS
        scores: dict[str, dict[str, int]] = {}
        for node in state.nodes:
            others = node.pods if has_preferred else node.pods_with_affinity
            if not node.labels:
                continue
            for other in others:
                self._process_existing(scores, info, pod, other, node.labels)
        if not scores:
            return SKIP_STATUS
        state[PRE_SCORE_STATE_KEY] = scores
        return None

    def pre_score_array(
        self, state: CycleState, pod: dict, table: NodeTable, rows: np.ndarray
    ) -> Status | None:
        """The vectorized cycle's PreScore: Skip at once when neither the pod nor any pod on the
        table has affinity terms to score, else pre_score on the feasible rows."""
        info = PodAffinityInfo(pod)
        if not table.pods_with_affinity and not (info.preferred_affinity or info.preferred_anti):
            return SKIP_STATUS
        return self.pre_score(state, pod, [table.infos[row] for row in rows.tolist()])

    def _process_existing(
        self,
        scores: dict[str, dict[str, int]],
        info: PodAffinityInfo,
        pod: dict,
        other: dict,
        labels: Mapping[str, str],
    ) -> None:
        """processExistingPod: what one existing pod adds to each topology domain's score."""
        ns = self.namespace_labels

        def add(terms: Sequence[AffinityTerm], target: dict, sign: int, weight: int = 0) -> None:
            for term in terms:
                key = term.topology_key
                if key in labels and term.matches(target, ns):
                    domain = scores.setdefault(key, {})
                    domain[labels[key]] = domain.get(labels[key], 0) + sign * (
                        weight or term.weight
                    )

        add(info.preferred_affinity, other, 1)
        add(info.preferred_anti, other, -1)
        existing = PodAffinityInfo(other)
        if self.hard_pod_affinity_weight > 0:
            add(existing.required_affinity, pod, 1, self.hard_pod_affinity_weight)
        add(existing.preferred_affinity, pod, 1)
        add(existing.preferred_anti, pod, -1)

    def score(self, state: CycleState, pod: dict, node_info: NodeInfo) -> int:
        """The sum of the domain scores for the node's topology labels."""
        scores = state[PRE_SCORE_STATE_KEY]
        labels = node_info.labels
        return sum(values.get(labels[key], 0) for key, values in scores.items() if key in labels)

    def normalize(self, state: CycleState, pod: dict, scores: dict[str, int]) -> dict[str, int]:
        """int(100 × (score − min) / (max − min)); all 0 when every node scored the same."""
        if not scores:
            return {}
        lowest, highest = min(scores.values()), max(scores.values())
        spread = highest - lowest
        return {
            node: int(MAX_NODE_SCORE * ((score - lowest) / spread)) if spread > 0 else 0
            for node, score in scores.items()
        }

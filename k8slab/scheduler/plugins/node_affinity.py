"""NodeAffinity: a pod's nodeSelector and required node affinity say which nodes it may use; its
preferred terms add their weights to the nodes they match.

PreFilter parses the pod's selectors once (Skip when there are none) and, when every term names
nodes by `matchFields: metadata.name In`, narrows the search to those nodes. Filter rejects a node
that does not match (UnschedulableAndUnresolvable); Score sums the weights of the preferred terms
a node matches, normalized so the best node gets 100. `added_affinity` (NodeAffinityArgs) applies
to every pod of the profile. Upstream: kk pkg/scheduler/framework/plugins/nodeaffinity/.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from k8slab.errors import K8sLabError
from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.interface import (
    SKIP_STATUS,
    Plugin,
    PreFilterResult,
    Status,
    unresolvable,
)
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.plugins.helper import (
    OBJECT_NAME_FIELD,
    NodeSelectorTerm,
    RequiredNodeAffinity,
    preferred_node_terms,
)
from k8slab.scheduler.plugins.normalize_score import DefaultNormalizeScore

ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector"
ERR_REASON_ENFORCED = "node(s) didn't match scheduler-enforced node affinity"
ERR_REASON_CONFLICT = "pod affinity terms conflict"
PRE_FILTER_STATE_KEY = "PreFilterNodeAffinity"
PRE_SCORE_STATE_KEY = "PreScoreNodeAffinity"


def _required_terms(pod: dict) -> list[dict] | None:
    node_affinity = ((pod.get("spec") or {}).get("affinity") or {}).get("nodeAffinity") or {}
    required = node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
    return None if required is None else list(required.get("nodeSelectorTerms") or [])


def named_nodes(terms: list[dict]) -> frozenset[str] | None:
    """The node names the terms allow by `metadata.name In`, or None if some term allows any node.

    Within a term the names are intersected (requirements are ANDed); across terms united (ORed).
    """
    names: set[str] = set()
    for term in terms:
        term_names: set[str] | None = None
        for field in term.get("matchFields") or []:
            if field.get("key") == OBJECT_NAME_FIELD and field.get("operator") == "In":
                values = set(field.get("values") or [])
                term_names = values if term_names is None else term_names & values
        if term_names is None:
            return None
        names |= term_names
    return frozenset(names)


class NodeAffinity(Plugin):
    """Filter by nodeSelector and required node affinity; score by preferred node affinity."""

    name = "NodeAffinity"
    extends = ("pre_filter", "filter", "pre_score", "score", "normalize")
    # score × 100 div the highest score (all stay 0 when no node matched any term).
    normalize = DefaultNormalizeScore()

    def __init__(self, added_affinity: Mapping[str, Any] | None = None) -> None:
        added = dict(added_affinity or {})
        unknown = sorted(
            set(added)
            - {
                "requiredDuringSchedulingIgnoredDuringExecution",
                "preferredDuringSchedulingIgnoredDuringExecution",
            }
        )
        if unknown:
            raise K8sLabError(f"NodeAffinity addedAffinity: unknown field(s) {', '.join(unknown)}")
        fake_pod = {"spec": {"affinity": {"nodeAffinity": added}}}
        required = added.get("requiredDuringSchedulingIgnoredDuringExecution")
        self.added_selector = RequiredNodeAffinity(fake_pod) if required is not None else None
        self.added_preferred = preferred_node_terms(fake_pod)

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> NodeAffinity:
        """NodeAffinityArgs: {addedAffinity: {requiredDuring..., preferredDuring...}}."""
        unknown = sorted(set(args) - {"addedAffinity"})
        if unknown:
            raise K8sLabError(f"NodeAffinityArgs: unknown field(s) {', '.join(unknown)}")
        return cls(args.get("addedAffinity"))

    def node_signature(self, pod: dict, point: str) -> Hashable | None:
        """Filter reads the node's labels and name, the pod's nodeSelector and required affinity;
        Score the labels, name and the pod's preferred terms."""
        spec = pod.get("spec") or {}
        node_affinity = (spec.get("affinity") or {}).get("nodeAffinity") or {}
        if point == "filter":
            required = node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
            return repr((spec.get("nodeSelector"), required))
        return repr(node_affinity.get("preferredDuringSchedulingIgnoredDuringExecution"))

    def pre_filter(
        self, state: CycleState, pod: dict, nodes: Sequence[NodeInfo]
    ) -> PreFilterResult | Status | None:
        """Parse the pod's required affinity once; narrow to named nodes; Skip if nothing to do."""
        terms = _required_terms(pod)
        if (
            terms is None
            and self.added_selector is None
            and not (pod.get("spec") or {}).get("nodeSelector")
        ):
            return SKIP_STATUS
        state[PRE_FILTER_STATE_KEY] = RequiredNodeAffinity(pod)
        if not terms:
            return None
        names = named_nodes(terms)
        if names is None:
            return None
        if not names:
            return unresolvable(ERR_REASON_CONFLICT)
        return PreFilterResult(names)

    def filter(self, state: CycleState, pod: dict, node_info: NodeInfo) -> Status | None:
        """Reject the node unless it matches the profile's and the pod's required affinity."""
        if self.added_selector is not None and not self.added_selector.matches(
            node_info.labels, node_info.name
        ):
            return unresolvable(ERR_REASON_ENFORCED)
        required = state.get(PRE_FILTER_STATE_KEY) or RequiredNodeAffinity(pod)
        if not required.matches(node_info.labels, node_info.name):
            return unresolvable(ERR_REASON_POD)
        return None

    def pre_score(self, state: CycleState, pod: dict, nodes: Sequence[NodeInfo]) -> Status | None:
        """Parse the preferred terms once; Skip if neither the pod nor the profile has any."""
        preferred = preferred_node_terms(pod)
        if not preferred and not self.added_preferred:
            return SKIP_STATUS
        state[PRE_SCORE_STATE_KEY] = preferred + self.added_preferred
        return None

    def score(self, state: CycleState, pod: dict, node_info: NodeInfo) -> int:
        """The sum of the weights of the preferred terms this node matches."""
        terms: list[tuple[int, NodeSelectorTerm]] = state.get(PRE_SCORE_STATE_KEY)
        if terms is None:
            terms = preferred_node_terms(pod) + self.added_preferred
        return sum(w for w, term in terms if term.matches(node_info.labels, node_info.name))

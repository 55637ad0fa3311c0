"""TaintToleration: a node's taints repel pods that do not tolerate them.

Filter: an untolerated NoSchedule or NoExecute taint rules the node out, as
UnschedulableAndUnresolvable (evicting pods does not remove a taint). Score: count the node's
PreferNoSchedule taints the pod does not tolerate; fewer is better (normalize is reversed).
Upstream: kk pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from k8slab.api.tolerations import tolerations_tolerate_taint
from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.interface import Plugin, Status, unresolvable
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.plugins.normalize_score import DefaultNormalizeScore

# The Filter reason as v1.35 words it: generic, so pod status (and the FailedScheduling event)
# does not leak taint keys and values, which may be sensitive; upstream logs the taint instead
# (kk PR #134740, in v1.35.0 and cherry-picked to v1.34 patches, #135023). Before it the reason
# named the taint, "node(s) had untolerated taint {<key>: <value>}"; long ago it read
# "node(s) had taints that the pod didn't tolerate".
ERR_REASON_UNTOLERATED = "node(s) had untolerated taint(s)"

DO_NOT_SCHEDULE_EFFECTS = ("NoSchedule", "NoExecute")
PRE_SCORE_STATE_KEY = "PreScoreTaintToleration"


def pod_tolerations(pod: dict) -> list[dict]:
    """The pod's spec.tolerations."""
    return list((pod.get("spec") or {}).get("tolerations") or [])


def find_untolerated_taint(
    taints: list[dict], tolerations: list[dict], effects: tuple[str, ...] = DO_NOT_SCHEDULE_EFFECTS
) -> dict | None:
    """The first taint with one of `effects` that no toleration tolerates, or None."""
    for taint in taints:
        if taint.get("effect") in effects and not tolerations_tolerate_taint(tolerations, taint):
            return taint
    return None


def prefer_no_schedule_tolerations(pod: dict) -> list[dict]:
    """The tolerations that count for scoring: effect PreferNoSchedule or no effect."""
    return [t for t in pod_tolerations(pod) if (t.get("effect") or "") in ("", "PreferNoSchedule")]


class TaintToleration(Plugin):
    """Filter out nodes with untolerated NoSchedule/NoExecute taints; prefer nodes with fewer
    untolerated PreferNoSchedule taints."""

    name = "TaintToleration"
    extends = ("filter", "pre_score", "score", "normalize")
    # Reversed: the most untolerated PreferNoSchedule taints gets 0, none gets 100 (upstream:
    # helper.DefaultNormalizeScore(framework.MaxNodeScore, true, scores)).
    normalize = DefaultNormalizeScore(reverse=True)

    def node_signature(self, pod: dict, point: str) -> Hashable | None:
        """Both Filter and Score read only the node's taints and the pod's tolerations."""
        if point == "filter":
            return repr(pod_tolerations(pod))
        return repr(prefer_no_schedule_tolerations(pod))

    def filter(self, state: CycleState, pod: dict, node_info: NodeInfo) -> Status | None:
        """Reject the node if it has a NoSchedule or NoExecute taint the pod does not tolerate."""
        if not node_info.taints:
            return None
        taint = find_untolerated_taint(node_info.taints, pod_tolerations(pod))
        return unresolvable(ERR_REASON_UNTOLERATED) if taint else None

    def pre_score(self, state: CycleState, pod: dict, nodes: Sequence[NodeInfo]) -> Status | None:
        """Keep the pod's PreferNoSchedule-relevant tolerations for Score."""
        state[PRE_SCORE_STATE_KEY] = prefer_no_schedule_tolerations(pod)
        return None

    def score(self, state: CycleState, pod: dict, node_info: NodeInfo) -> int:
        """How many PreferNoSchedule taints the pod does not tolerate."""
        tolerations = state.get(PRE_SCORE_STATE_KEY)
        if tolerations is None:
            tolerations = prefer_no_schedule_tolerations(pod)
        return sum(
            1
            for taint in node_info.taints
            if taint.get("effect") == "PreferNoSchedule"
            and not tolerations_tolerate_taint(tolerations, taint)
        )

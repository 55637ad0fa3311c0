"""DefaultPreemption: when no node fits, find one where evicting lower-priority pods makes room.

The PostFilter plugin (kk pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go
and pkg/scheduler/framework/preemption/preemption.go), simplified:

1. A pod with preemptionPolicy Never, or whose nominated node still has a victim of an earlier
   preemption terminating, does not preempt.
2. Only nodes rejected as Unschedulable are candidates (UnschedulableAndUnresolvable ones cannot
   be helped). Starting at a random offset, each is dry-run on a copy: remove every pod of lower
   priority; if the pod still does not fit, the node is out; else put the removed pods back, most
   important first (priority, then earliest start), keeping each one that still lets the pod fit.
   Those not kept are the victims. The search stops after max(10 % of the candidates, 100).
3. The best candidate: the fewest PodDisruptionBudget violations (always 0 here: k8slab has no
   PDBs), then the lowest highest-victim priority, the lowest sum of victim priorities, the
   fewest victims, the latest start among the highest-priority victims, then the first found.

The result nominates the pod to that node and lists the victims; the scheduler loop evicts them
(upstream also clears lower-priority pods' nominations to that node; the loop's job here).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from k8slab.api.timestamps import from_time
from k8slab.api.validation.field import aggregate, invalid
from k8slab.errors import K8sLabError
from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.diagnosis import fit_error_message
from k8slab.scheduler.framework.interface import (
    UNSCHEDULABLE,
    Plugin,
    PostFilterResult,
    Status,
    unresolvable,
    unschedulable,
)
from k8slab.scheduler.node_info import NodeInfo, pod_priority

# kk pkg/scheduler/apis/config/v1/defaults.go: DefaultPreemptionArgs defaults.
DEFAULT_MIN_CANDIDATE_NODES_PERCENTAGE = 10
DEFAULT_MIN_CANDIDATE_NODES_ABSOLUTE = 100

ERR_PREEMPT_NEVER = "not eligible due to preemptionPolicy=Never."
ERR_TERMINATING_VICTIM = "not eligible due to a terminating pod on the nominated node."
ERR_NO_VICTIMS = "No preemption victims found for incoming pod"
ERR_NOT_HELPFUL = "Preemption is not helpful for scheduling"
PREFIX = "preemption: "
# corev1helpers / preemption.go: priorities are shifted by MaxInt32 + 1 before summing.
_PRIORITY_SHIFT = 2**31


def start_time(pod: dict) -> float:
    """status.startTime in simulated seconds; +inf (just started) for a pod not started yet."""
    text = (pod.get("status") or {}).get("startTime")
    return from_time(text) if text else float("inf")


def more_important_first(pods: Sequence[dict]) -> list[dict]:
    """MoreImportantPod order: higher priority first, then the one running longer."""
    return sorted(pods, key=lambda pod: (-pod_priority(pod), start_time(pod)))


def terminating_by_preemption(pod: dict) -> bool:
    """True if the pod is being deleted with a DisruptionTarget condition set by preemption."""
    if not (pod.get("metadata") or {}).get("deletionTimestamp"):
        return False
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "DisruptionTarget":
            return (
                condition.get("status") == "True"
                and condition.get("reason") == "PreemptionByScheduler"
            )
    return False


class DefaultPreemption(Plugin):
    """Nominate a node and victims when nothing fits (see the module docstring)."""

    name = "DefaultPreemption"
    extends = ("post_filter",)

    def __init__(
        self,
        min_candidate_nodes_percentage: int = DEFAULT_MIN_CANDIDATE_NODES_PERCENTAGE,
        min_candidate_nodes_absolute: int = DEFAULT_MIN_CANDIDATE_NODES_ABSOLUTE,
    ) -> None:
        percentage, absolute = min_candidate_nodes_percentage, min_candidate_nodes_absolute
        errors = []
        if not 0 <= percentage <= 100:
            errors.append(
                invalid("minCandidateNodesPercentage", percentage, "not in valid range [0, 100]")
            )
        if absolute < 0:
            errors.append(
                invalid("minCandidateNodesAbsolute", absolute, "not in valid range [0, inf)")
            )
        if percentage == 0 and absolute == 0:
            errors += [
                invalid(
                    "minCandidateNodesPercentage",
                    percentage,
                    "cannot be zero at the same time as minCandidateNodesAbsolute",
                ),
                invalid(
                    "minCandidateNodesAbsolute",
                    absolute,
                    "cannot be zero at the same time as minCandidateNodesPercentage",
                ),
            ]
        if errors:
            raise K8sLabError(f"DefaultPreemption: {aggregate(errors)}")
        self.min_candidate_nodes_percentage = percentage
        self.min_candidate_nodes_absolute = absolute

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> DefaultPreemption:
        """DefaultPreemptionArgs: {minCandidateNodesPercentage, minCandidateNodesAbsolute}."""
        known = {"minCandidateNodesPercentage", "minCandidateNodesAbsolute"}
        unknown = sorted(set(args) - known)
        if unknown:
            raise K8sLabError(f"DefaultPreemptionArgs: unknown field(s) {', '.join(unknown)}")
        return cls(
            args.get("minCandidateNodesPercentage", DEFAULT_MIN_CANDIDATE_NODES_PERCENTAGE),
            args.get("minCandidateNodesAbsolute", DEFAULT_MIN_CANDIDATE_NODES_ABSOLUTE),
        )

    def candidates_to_find(self, potential: int) -> int:
        """calculateNumCandidates: max(potential × percentage div 100, absolute), at most all."""
        wanted = potential * self.min_candidate_nodes_percentage // 100
        return min(max(wanted, self.min_candidate_nodes_absolute), potential)

    def post_filter(
        self, state: CycleState, pod: dict, filtered: Mapping[str, Any]
    ) -> PostFilterResult:
        """Preempt: the nominated node and its victims, or why preemption cannot help."""
        reason = self.ineligible(state, pod, filtered)
        if reason:
            return PostFilterResult(status=unschedulable(PREFIX + reason))
        by_name = {info.name: info for info in state.nodes}
        potential = [
            by_name[name]
            for name in by_name
            if name in filtered and filtered[name].code == UNSCHEDULABLE
        ]
        statuses: dict[str, Status] = {}
        candidates: list[tuple[str, list[dict]]] = []
        if potential:
            offset = state.rng.randrange(len(potential)) if state.rng else 0
            wanted = self.candidates_to_find(len(potential))
            for index in range(len(potential)):
                info = potential[(offset + index) % len(potential)]
                victims, status = self.select_victims_on_node(state, pod, info)
                if victims:
                    candidates.append((info.name, victims))
                    if len(candidates) >= wanted:
                        break
                else:
                    statuses[info.name] = status
        if not candidates:
            reasons = [
                statuses[name].reasons if name in statuses else (ERR_NOT_HELPFUL,)
                for name in by_name
            ]
            message = fit_error_message(len(by_name), reasons)
            return PostFilterResult(status=unschedulable(PREFIX + message))
        node, victims = pick_one_node_for_preemption(candidates)
        return PostFilterResult(nominated_node=node, victims=tuple(victims))

    def ineligible(self, state: CycleState, pod: dict, filtered: Mapping[str, Any]) -> str:
        """PodEligibleToPreemptOthers: why the pod may not preempt ("" if it may)."""
        if (pod.get("spec") or {}).get("preemptionPolicy") == "Never":
            return ERR_PREEMPT_NEVER
        nominated = (pod.get("status") or {}).get("nominatedNodeName") or ""
        if not nominated:
            return ""
        rejection = filtered.get(nominated)
        if rejection is not None and rejection.code != UNSCHEDULABLE:
            return ""
        priority = pod_priority(pod)
        for info in state.nodes:
            if info.name == nominated and any(
                pod_priority(other) < priority and terminating_by_preemption(other)
                for other in info.pods
            ):
                return ERR_TERMINATING_VICTIM
        return ""

    def select_victims_on_node(
        self, state: CycleState, pod: dict, node_info: NodeInfo
    ) -> tuple[list[dict], Status | None]:
        """SelectVictimsOnNode on copies of the state and node: the fewest pods to evict."""
        framework = state.framework
        priority = pod_priority(pod)
        potential = [other for other in node_info.pods if pod_priority(other) < priority]
        if not potential:
            return [], unresolvable(ERR_NO_VICTIMS)
        trial_state, trial_node = state.clone(), node_info.clone()
        for other in potential:
            trial_node.remove_pod(other)
            framework.run_pre_filter_remove_pod(trial_state, pod, other, trial_node)
        rejection = framework.run_filters_with_nominated_pods(trial_state, pod, trial_node)
        if rejection is not None:
            return [], Status(rejection.code, rejection.reasons, rejection.plugin)
        victims = []
        for other in more_important_first(potential):
            trial_node.add_pod(other)
            framework.run_pre_filter_add_pod(trial_state, pod, other, trial_node)
            if framework.run_filters_with_nominated_pods(trial_state, pod, trial_node) is not None:
                trial_node.remove_pod(other)
                framework.run_pre_filter_remove_pod(trial_state, pod, other, trial_node)
                victims.append(other)
        return victims, None


def pick_one_node_for_preemption(candidates: Sequence[tuple[str, list[dict]]]) -> tuple[str, list]:
    """The candidate (node, victims) upstream's ordering rules prefer; ties go to the first.

    Victims are listed most important first, so victims[0] has the highest priority.
    """

    def highest_priority_start(victims: list[dict]) -> float:
        top = pod_priority(victims[0])
        return min(start_time(v) for v in victims if pod_priority(v) == top)

    rules = (
        lambda victims: -pod_priority(victims[0]),
        lambda victims: -sum(pod_priority(v) + _PRIORITY_SHIFT for v in victims),
        lambda victims: -len(victims),
        highest_priority_start,
    )
    remaining = list(candidates)
    for rule in rules:
        best = max(rule(victims) for _, victims in remaining)
        remaining = [(node, victims) for node, victims in remaining if rule(victims) == best]
        if len(remaining) == 1:
            break
    return remaining[0]

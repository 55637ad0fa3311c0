"""One scheduling cycle for one pod, node by node: PreFilter, Filter until enough nodes fit,
PostFilter (preemption) when none does, then PreScore, Score, NormalizeScore and the best total.

`schedule_pod` returns a `Decision` that explains itself: why each node was filtered out, and
each plugin's raw, normalized and weighted score. Reserve, Permit, PreBind and Bind are run by the
scheduler loop through the Framework's runners. k8slab.scheduler.vectorized makes the same
decisions over arrays. Upstream: kk pkg/scheduler/schedule_one.go (schedulePod,
findNodesThatFitPod, numFeasibleNodesToFind, selectHost; updatePod for the status it writes).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from k8slab.errors import K8sLabError
from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.diagnosis import Decision, NodeScore, Rejection
from k8slab.scheduler.framework.interface import UNRESOLVABLE
from k8slab.scheduler.framework.runtime import Framework
from k8slab.scheduler.node_info import NodeInfo, pod_key
from k8slab.scheduler.snapshot import Snapshot

# kk pkg/scheduler/schedule_one.go: how many feasible nodes are enough to stop filtering.
MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5


def num_feasible_nodes_to_find(num_all_nodes: int, percentage: int) -> int:
    """How many feasible nodes end the Filter phase (numFeasibleNodesToFind, schedule_one.go).

    Fewer than 100 nodes: all. Otherwise `percentage` of them (0 means adaptive: 50 − N div 125,
    at least 5 %), and never fewer than 100. 5,000 nodes → 10 % → 500.
    """
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND:
        return num_all_nodes
    if percentage == 0:
        percentage = max(50 - num_all_nodes // 125, MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)
    return max(num_all_nodes * percentage // 100, MIN_FEASIBLE_NODES_TO_FIND)


def feasible_nodes_wanted(framework: Framework, num_nodes: int, percentage: int) -> int:
    """How many feasible nodes this profile's cycle looks for among `num_nodes` candidates.

    The profile's percentageOfNodesToScore wins over the scheduler's `percentage`; a profile
    without score plugins stops at the first feasible node, as upstream's does.
    """
    if framework.percentage_of_nodes_to_score is not None:
        percentage = framework.percentage_of_nodes_to_score
    if not framework.score_plugins:
        return 1
    return num_feasible_nodes_to_find(num_nodes, percentage)


def select_host(scores: Sequence[NodeScore], rng: random.Random) -> str:
    """The node with the highest total; ties broken uniformly by reservoir sampling.

    As upstream selectHost (kk pkg/scheduler/schedule_one.go): walk the list once; the k-th node
    seen with the current maximum replaces the pick with probability 1/k. (v1.35 replaced this
    with a heap keyed by (total, a random number per node): also a uniform choice among the best.)
    """
    if not scores:
        raise K8sLabError("select_host needs at least one scored node")
    best = scores[0].total
    selected = scores[0].node
    ties = 1
    for score in scores[1:]:
        total = score.total
        if total > best:
            best, selected, ties = total, score.node, 1
        elif total == best:
            ties += 1
            if rng.randrange(ties) == 0:
                selected = score.node
    return selected


def schedule_pod(
    framework: Framework,
    snapshot: Snapshot,
    pod: dict,
    rng: random.Random,
    *,
    start_index: int = 0,
    percentage_of_nodes_to_score: int = 0,
    nominated_pods: Mapping[str, Sequence[dict]] | None = None,
) -> Decision:
    """One scheduling cycle, node by node (schedulePod in kk pkg/scheduler/schedule_one.go).

    Filtering walks the nodes from `start_index` round the list and stops once
    feasible_nodes_wanted(...) nodes fit; a pod already nominated to a node (after preemption)
    tries that node first. With exactly one feasible node it is taken without scoring; with none,
    PostFilter runs. `nominated_pods` maps node names to pods nominated there, which count against
    the node for pods of equal or lower priority.
    """
    node_infos, names = snapshot.node_infos, snapshot.names
    state = CycleState(snapshot, framework=framework, rng=rng, nominated=nominated_pods)
    base = {"pod": pod_key(pod), "nodes": names, "state": state}
    all_score_names = tuple(plugin.name for plugin in framework.score_plugins)
    if not node_infos:
        return Decision(**base, filtered={}, scores=(), score_plugins=all_score_names, node=None)
    result, status = framework.run_pre_filter(state, pod)
    filtered: dict[str, Rejection] = {}
    if status is not None:
        for name in names:
            filtered[name] = Rejection(status.plugin, status.reasons, status.code)
        return _failed(
            framework, state, pod, base, filtered, all_score_names, start_index, status.message
        )
    candidates: Sequence[NodeInfo] = node_infos
    if result is not None:
        candidates = [info for info in node_infos if info.name in result.node_names]
        plugins = " ".join(sorted(state.narrowed_by))
        absent = Rejection(
            ", ".join(state.narrowed_by),
            (f"node(s) didn't satisfy plugin(s) [{plugins}]",),
            UNRESOLVABLE,
        )
        for info in node_infos:
            if info.name not in result.node_names:
                filtered[info.name] = absent
    feasible, next_start = find_nodes_that_fit(
        framework, state, pod, candidates, filtered, start_index, percentage_of_nodes_to_score
    )
    if not feasible:
        return _failed(framework, state, pod, base, filtered, all_score_names, next_start)
    found = {info.name for info in feasible}
    unexamined = tuple(n for n in names if n not in found and n not in filtered)
    common = {
        **base,
        "filtered": {n: filtered[n] for n in names if n in filtered},
        "unexamined": unexamined,
        "next_start_index": next_start,
    }
    if len(feasible) == 1:
        return Decision(**common, scores=(), score_plugins=all_score_names, node=feasible[0].name)
    scores = framework.score_nodes(state, pod, feasible)
    ran = tuple(n for n in all_score_names if n not in state.skip_score_plugins)
    return Decision(
        **common,
        scores=scores,
        score_plugins=ran,
        skipped_score_plugins=tuple(n for n in all_score_names if n not in ran),
        node=select_host(scores, rng),
    )


def find_nodes_that_fit(
    framework: Framework,
    state: CycleState,
    pod: dict,
    candidates: Sequence[NodeInfo],
    filtered: dict[str, Rejection],
    start_index: int,
    percentage: int,
) -> tuple[list[NodeInfo], int]:
    """findNodesThatFitPod: the feasible nodes, and where the next cycle starts its search.

    Each node rejected on the way is added to `filtered`.
    """
    nominated = ((pod.get("status") or {}).get("nominatedNodeName")) or ""
    by_name = {info.name: info for info in candidates}
    if nominated in by_name:
        rejection = framework.run_filters_with_nominated_pods(state, pod, by_name[nominated])
        if rejection is None:
            return [by_name[nominated]], start_index
    to_find = feasible_nodes_wanted(framework, len(candidates), percentage)
    feasible: list[NodeInfo] = []
    rejected = 0
    count = len(candidates)
    for offset in range(count):
        info = candidates[(start_index + offset) % count]
        rejection = framework.run_filters_with_nominated_pods(state, pod, info)
        if rejection is None:
            feasible.append(info)
            if len(feasible) >= to_find:
                break
        else:
            filtered[info.name] = rejection
            rejected += 1
    return feasible, (start_index + len(feasible) + rejected) % len(state.nodes)


def _failed(
    framework: Framework,
    state: CycleState,
    pod: dict,
    base: dict,
    filtered: dict[str, Rejection],
    score_names: tuple[str, ...],
    next_start: int,
    pre_filter_message: str = "",
) -> Decision:
    """No feasible node: run PostFilter (preemption) and say why."""
    names = base["nodes"]
    ordered = {n: filtered[n] for n in names if n in filtered}
    post = framework.run_post_filter(state, pod, ordered) if framework.post_filter_plugins else None
    post_message = post.status.message if post and post.status else ""
    return Decision(
        **base,
        filtered=ordered,
        scores=(),
        score_plugins=score_names,
        node=None,
        pre_filter_message=pre_filter_message,
        post_filter_message=post_message,
        nominated_node=post.nominated_node if post else None,
        victims=post.victims if post else (),
        next_start_index=next_start,
    )


def unschedulable_status(
    pod: dict, message: str, nominated: str | None, now: str, reason: str = "Unschedulable"
) -> dict | None:
    """The pod's status with PodScheduled=False (`reason`, `message`) and the nomination, or None
    when both are already so (upstream's updatePod writes nothing then).

    `reason` is Unschedulable when no node fits, SchedulerError when the binding failed
    (handleSchedulingFailure). `now` (RFC 3339) becomes the condition's lastTransitionTime unless
    it was already False.
    """
    status = dict(pod.get("status") or {})
    conditions = list(status.get("conditions") or [])
    old = next((c for c in conditions if c.get("type") == "PodScheduled"), None)
    unchanged = old is not None and (old.get("status"), old.get("reason"), old.get("message")) == (
        "False",
        reason,
        message,
    )
    if unchanged and (not nominated or status.get("nominatedNodeName") == nominated):
        return None
    since = old["lastTransitionTime"] if old and old.get("status") == "False" else None
    condition = {
        "type": "PodScheduled",
        "status": "False",
        "reason": reason,
        "message": message,
        "lastTransitionTime": since or now,
    }
    status["phase"] = status.get("phase") or "Pending"
    others = [c for c in conditions if c.get("type") != "PodScheduled"]
    status["conditions"] = [*others, condition]
    if nominated:
        status["nominatedNodeName"] = nominated
    return status

"""Why a scheduling cycle chose what it chose: per node the filter that rejected it, per feasible
node every score plugin's raw, normalized and weighted score, and the FitError message a user reads.

A `Decision` is what one cycle returns; it is kept in the trace, so `explain` can read it back
long after the cycle ran. Upstream: kk pkg/scheduler/framework/types.go (Diagnosis, FitError,
NodeToStatus) and pkg/scheduler/schedule_one.go (ScheduleResult, the "Scheduled" event text).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from k8slab.errors import K8sLabError
from k8slab.scheduler.framework.cycle_state import CycleState

# kk pkg/scheduler/framework/types.go (NoNodeAvailableMsg) and pkg/scheduler/schedule_one.go
# (ErrNoNodesAvailable, the "Scheduled" event text).
NO_NODE_AVAILABLE_MSG = "0/{} nodes are available"
NO_NODES_REGISTERED_MSG = "no nodes available to schedule pods"
SCHEDULED_MSG = "Successfully assigned {} to {}"

# Which cycle made a decision: the vectorized one (k8slab.scheduler.vectorized) or the per-node
# one (k8slab.scheduler.schedule_one). Both decide alike; the vectorized one is faster at scale.
VECTORIZED = "vectorized"
PER_NODE = "per-node"


class Rejection(NamedTuple):
    """The filter plugin that rejected a node, its reasons, and its status code (Unschedulable, or
    UnschedulableAndUnresolvable when preemption cannot help)."""

    plugin: str
    reasons: tuple[str, ...]
    code: str


@dataclass(frozen=True, slots=True)
class PluginScore:
    """One score plugin's view of one node: raw, after normalize, and times the plugin weight."""

    plugin: str
    raw: int
    normalized: int
    weight: int

    @property
    def weighted(self) -> int:
        """The normalized score times the plugin's weight: what goes into the node's total."""
        return self.normalized * self.weight


@dataclass(frozen=True, slots=True)
class NodeScore:
    """Every score plugin's contribution for one feasible node, and their sum."""

    node: str
    plugins: tuple[PluginScore, ...]

    @property
    def total(self) -> int:
        """Σ normalized × weight over the score plugins (kk pkg/scheduler/framework/runtime)."""
        return sum(score.weighted for score in self.plugins)

    def of(self, plugin: str) -> PluginScore:
        """The score given by `plugin`."""
        for score in self.plugins:
            if score.plugin == plugin:
                return score
        raise K8sLabError(f"node {self.node} has no score from plugin {plugin!r}")


def reason_histogram(reasons_by_node: Iterable[Sequence[str]]) -> list[str]:
    """ "<count> <reason>" for each reason over the nodes, sorted as strings (FitError.Error())."""
    counts: dict[str, int] = {}
    for reasons in reasons_by_node:
        for reason in reasons:
            counts[reason] = counts.get(reason, 0) + 1
    return sorted(f"{count} {reason}" for reason, count in counts.items())


def fit_error_message(
    num_nodes: int,
    reasons_by_node: Iterable[Sequence[str]],
    pre_filter_message: str = "",
    post_filter_message: str = "",
) -> str:
    """FitError.Error() (kk pkg/scheduler/framework/types.go).

    "0/N nodes are available: <PreFilter message>." or "...: <histogram>.", then what PostFilter
    said, e.g. " preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.".
    """
    message = NO_NODE_AVAILABLE_MSG.format(num_nodes) + ":"
    if pre_filter_message:
        message += f" {pre_filter_message}."
    else:
        histogram = reason_histogram(reasons_by_node)
        if histogram:
            message += f" {', '.join(histogram)}."
    if post_filter_message:
        message += f" {post_filter_message}"
    return message


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one scheduling cycle for one pod, with everything needed to explain it.

    `filtered` maps each rejected node (in the order nodes were given) to its Rejection;
    `unexamined` lists the nodes Filter never reached (enough feasible nodes were found first);
    `scores` lists the feasible nodes' scores in the order they were found (empty when zero or one
    node was feasible: upstream skips scoring then). When no node was feasible, `nominated_node`
    and `victims` say what preemption chose; `next_start_index` is where the next cycle's search
    starts, and `state` the cycle's CycleState for Reserve, Permit and Bind. A vectorized cycle
    gives `filtered`, `unexamined` and `scores` as read-only views built on first read. `path`
    says which cycle decided (VECTORIZED or PER_NODE), and `why_per_node` why a per-node cycle
    ran when the scheduler chose it or the vectorized one handed the pod over (empty otherwise).
    """

    pod: str
    nodes: tuple[str, ...]
    filtered: Mapping[str, Rejection]
    scores: Sequence[NodeScore]
    score_plugins: tuple[str, ...]
    node: str | None
    unexamined: Sequence[str] = ()
    skipped_score_plugins: tuple[str, ...] = ()
    pre_filter_message: str = ""
    post_filter_message: str = ""
    nominated_node: str | None = None
    victims: tuple[dict, ...] = ()
    next_start_index: int = 0
    state: CycleState | None = field(default=None, compare=False, repr=False)
    path: str = field(default=PER_NODE, compare=False)
    why_per_node: str = field(default="", compare=False)

    @property
    def feasible(self) -> tuple[str, ...]:
        """The nodes that passed every filter, in the order they were given."""
        skipped = set(self.filtered) | set(self.unexamined)
        return tuple(node for node in self.nodes if node not in skipped)

    @property
    def scheduled(self) -> bool:
        """True if a node was chosen."""
        return self.node is not None

    @property
    def message(self) -> str:
        """What `kubectl describe pod` shows: the Scheduled event, or the FailedScheduling FitError.

        The FitError counts every reason over the rejected nodes (a node short of cpu and memory
        counts under both), sorted as strings (so "10 ..." comes before "2 ..."), then appends
        what PostFilter (preemption) said.
        """
        if self.node is not None:
            return SCHEDULED_MSG.format(self.pod, self.node)
        if not self.nodes:
            return NO_NODES_REGISTERED_MSG
        return fit_error_message(
            len(self.nodes),
            (rejection.reasons for rejection in self.filtered.values()),
            self.pre_filter_message,
            self.post_filter_message,
        )

    def reason_histogram(self) -> list[str]:
        """The "<count> <reason>" strings of the FitError message, in upstream's (string) order."""
        return reason_histogram(rejection.reasons for rejection in self.filtered.values())

    def rows(self) -> list[dict]:
        """One flat dict per node, in the order given, ready to show as a table.

        Columns: node, filter ("passed", "not examined" or "Plugin: reason; reason"), then for each
        score plugin that ran its raw, normalized and weighted score, then total and chosen.
        """
        scores = {score.node: score for score in self.scores}
        unexamined = set(self.unexamined)
        rows = []
        for node in self.nodes:
            rejection = self.filtered.get(node)
            if rejection is not None:
                verdict = f"{rejection.plugin}: {'; '.join(rejection.reasons)}"
            else:
                verdict = "not examined" if node in unexamined else "passed"
            node_score = scores.get(node)
            row: dict = {"node": node, "filter": verdict}
            for plugin in self.score_plugins:
                score = node_score.of(plugin) if node_score is not None else None
                row[f"{plugin} raw"] = score.raw if score else None
                row[f"{plugin} normalized"] = score.normalized if score else None
                row[f"{plugin} weighted"] = score.weighted if score else None
            row["total"] = node_score.total if node_score is not None else None
            row["chosen"] = node == self.node
            rows.append(row)
        return rows

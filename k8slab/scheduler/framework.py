"""The kube-scheduler framework: plugins filter out nodes, score the rest, and the best node wins.

One call to `Framework.schedule` is one scheduling cycle for one pod, and returns a `Decision` that
explains itself: why each node was filtered out, and each plugin's raw, normalized, weighted score.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from k8slab.errors import K8sLabError
from k8slab.scheduler.node_info import NodeInfo, pod_key

# kk staging/src/k8s.io/kube-scheduler/framework/interface.go: the range of a normalized score.
MIN_NODE_SCORE = 0
MAX_NODE_SCORE = 100

# kk pkg/scheduler/framework/types.go (NoNodeAvailableMsg) and pkg/scheduler/schedule_one.go
# (ErrNoNodesAvailable, the "Scheduled" event text).
NO_NODE_AVAILABLE_MSG = "0/{} nodes are available"
NO_NODES_REGISTERED_MSG = "no nodes available to schedule pods"
SCHEDULED_MSG = "Successfully assigned {} to {}"

EXTENSION_POINTS = ("filter", "score", "normalize")


class Plugin:
    """A scheduler plugin: it implements an extension point by defining the method of that name.

    `filter` returns None when the node passes, else the reason shown by `kubectl describe pod`
    (a tuple of reasons when several things are wrong, as upstream's Status can carry several).
    `score` returns a raw score; `normalize` maps all raw scores into 0..100 (default: unchanged).
    """

    name: str = ""

    def filter(self, pod: dict, node_info: NodeInfo) -> str | tuple[str, ...] | None:
        """Why `node_info` cannot run `pod`, or None if it can."""
        return None

    def score(self, pod: dict, node_info: NodeInfo) -> int:
        """How much this plugin likes `node_info` for `pod` (any integer, before normalize)."""
        raise NotImplementedError(f"{self.name} has no score extension point")

    def normalize(self, scores: dict[str, int]) -> dict[str, int]:
        """Map raw scores by node name into MIN_NODE_SCORE..MAX_NODE_SCORE."""
        return dict(scores)

    def implements(self, point: str) -> bool:
        """True if this plugin defines the extension point `point` (filter, score, normalize)."""
        if point not in EXTENSION_POINTS:
            raise K8sLabError(
                f"unknown extension point {point!r}; known: {', '.join(EXTENSION_POINTS)}"
            )
        return getattr(type(self), point) is not getattr(Plugin, point)

    def extension_points(self) -> tuple[str, ...]:
        """The extension points this plugin implements, in the order the framework runs them."""
        return tuple(point for point in EXTENSION_POINTS if self.implements(point))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def default_normalize_score(scores: Mapping[str, int], reverse: bool = False) -> dict[str, int]:
    """Scale scores so the highest becomes MAX_NODE_SCORE; `reverse` makes low raw scores high.

    Integer arithmetic as upstream (kk pkg/scheduler/framework/plugins/helper/normalize_score.go):
    score = MAX × raw div max_raw, reversed = MAX − that; when every raw score is 0, reversed
    gives everyone MAX and unreversed leaves them at 0.
    """
    highest = max(scores.values(), default=0)
    if highest == 0:
        return {node: MAX_NODE_SCORE if reverse else score for node, score in scores.items()}
    scaled = {node: MAX_NODE_SCORE * score // highest for node, score in scores.items()}
    if reverse:
        return {node: MAX_NODE_SCORE - score for node, score in scaled.items()}
    return scaled


class Rejection(NamedTuple):
    """The first filter plugin that rejected a node, and its reasons."""

    plugin: str
    reasons: tuple[str, ...]


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


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one scheduling cycle for one pod, with everything needed to explain it.

    `filtered` maps each rejected node (in the order nodes were given) to its Rejection; `scores`
    lists the feasible nodes' scores (empty when zero or one node was feasible: upstream skips
    scoring then).
    """

    pod: str
    nodes: tuple[str, ...]
    filtered: dict[str, Rejection]
    scores: tuple[NodeScore, ...]
    score_plugins: tuple[str, ...]
    node: str | None

    @property
    def feasible(self) -> tuple[str, ...]:
        """The nodes that passed every filter, in the order they were given."""
        return tuple(node for node in self.nodes if node not in self.filtered)

    @property
    def scheduled(self) -> bool:
        """True if a node was chosen."""
        return self.node is not None

    @property
    def message(self) -> str:
        """What `kubectl describe pod` shows: the Scheduled event, or the FailedScheduling FitError.

        FitError.Error() (kk pkg/scheduler/framework/types.go) counts every reason over the
        rejected nodes (a node short of cpu and memory counts under both), formats each as
        "<count> <reason>", sorts those as strings (so "10 ..." comes before "2 ..."), joins them
        with ", ". Newer schedulers then append what PostFilter said, e.g. " preemption: 0/5 nodes
        are available: 5 Preemption is not helpful for scheduling."; we leave that out (no
        preemption modelled).
        """
        if self.node is not None:
            return SCHEDULED_MSG.format(self.pod, self.node)
        if not self.nodes:
            return NO_NODES_REGISTERED_MSG
        histogram = ", ".join(self.reason_histogram())
        return f"{NO_NODE_AVAILABLE_MSG.format(len(self.nodes))}: {histogram}."

    def reason_histogram(self) -> list[str]:
        """The "<count> <reason>" strings of the FitError message, in upstream's (string) order."""
        counts: dict[str, int] = {}
        for rejection in self.filtered.values():
            for reason in rejection.reasons:
                counts[reason] = counts.get(reason, 0) + 1
        return sorted(f"{count} {reason}" for reason, count in counts.items())

    def rows(self) -> list[dict]:
        """One flat dict per node, in the order given, ready to show as a table.

        Columns: node, filter ("passed" or "Plugin: reason; reason"), then for each score plugin
        its raw, normalized and weighted score, then total and chosen. None where not computed.
        """
        scores = {score.node: score for score in self.scores}
        rows = []
        for node in self.nodes:
            rejection = self.filtered.get(node)
            node_score = scores.get(node)
            row: dict = {
                "node": node,
                "filter": "passed"
                if rejection is None
                else f"{rejection.plugin}: {'; '.join(rejection.reasons)}",
            }
            for plugin in self.score_plugins:
                score = node_score.of(plugin) if node_score is not None else None
                row[f"{plugin} raw"] = score.raw if score else None
                row[f"{plugin} normalized"] = score.normalized if score else None
                row[f"{plugin} weighted"] = score.weighted if score else None
            row["total"] = node_score.total if node_score is not None else None
            row["chosen"] = node == self.node
            rows.append(row)
        return rows


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
        if score.total > best:
            best, selected, ties = score.total, score.node, 1
        elif score.total == best:
            ties += 1
            if rng.randrange(ties) == 0:
                selected = score.node
    return selected


def _as_reasons(result: str | tuple[str, ...] | None, plugin: str) -> tuple[str, ...]:
    """A filter result as a tuple of reasons (empty = passed)."""
    if result is None:
        return ()
    if isinstance(result, str):
        return (result,)
    if isinstance(result, tuple) and result and all(isinstance(reason, str) for reason in result):
        return result
    raise K8sLabError(
        f"filter of plugin {plugin} returned {result!r}; expected None, a reason string, "
        "or a non-empty tuple of reason strings"
    )


class Framework:
    """A scheduling profile: filter plugins and score plugins, each score plugin with a weight.

    Plugins run in the order given (upstream runs them in the profile's order). A score plugin's
    weight defaults to 1, as upstream's does when the profile leaves it unset.
    """

    def __init__(self, plugins: Sequence[Plugin], weights: Mapping[str, int] | None = None) -> None:
        weights = dict(weights or {})
        names = [plugin.name for plugin in plugins]
        for plugin in plugins:
            if not plugin.name:
                raise K8sLabError(f"plugin {plugin!r} has no name; set the class attribute `name`")
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise K8sLabError(f"plugins listed twice in one profile: {', '.join(duplicates)}")
        score_names = [plugin.name for plugin in plugins if plugin.implements("score")]
        for name, weight in weights.items():
            if name not in score_names:
                raise K8sLabError(
                    f"weight given for {name!r}, which is not a score plugin of this profile; "
                    f"score plugins: {', '.join(score_names) or 'none'}"
                )
            if not isinstance(weight, int) or isinstance(weight, bool) or weight < 1:
                raise K8sLabError(f"weight of {name} must be a positive integer, got {weight!r}")
        self.plugins = tuple(plugins)
        self.filter_plugins = tuple(plugin for plugin in plugins if plugin.implements("filter"))
        self.score_plugins = tuple(plugin for plugin in plugins if plugin.implements("score"))
        self.weights = {name: weights.get(name, 1) for name in score_names}

    def __repr__(self) -> str:
        parts = [
            f"{plugin.name}(w={self.weights[plugin.name]})"
            if plugin.name in self.weights
            else plugin.name
            for plugin in self.plugins
        ]
        return f"Framework([{', '.join(parts)}])"

    def run_filters(self, pod: dict, node_info: NodeInfo) -> Rejection | None:
        """Run the filter plugins on one node; stop at the first that rejects it (as upstream)."""
        for plugin in self.filter_plugins:
            reasons = _as_reasons(plugin.filter(pod, node_info), plugin.name)
            if reasons:
                return Rejection(plugin.name, reasons)
        return None

    def score_nodes(self, pod: dict, node_infos: Sequence[NodeInfo]) -> tuple[NodeScore, ...]:
        """Score every node with every score plugin, normalize per plugin, and apply the weights."""
        per_plugin = []
        for plugin in self.score_plugins:
            raw = {info.name: plugin.score(pod, info) for info in node_infos}
            normalized = plugin.normalize(raw)
            for node, score in normalized.items():
                if not MIN_NODE_SCORE <= score <= MAX_NODE_SCORE:
                    raise K8sLabError(
                        f"plugin {plugin.name} gave node {node} the normalized score {score}; "
                        f"it must be in {MIN_NODE_SCORE}..{MAX_NODE_SCORE}"
                    )
            per_plugin.append((plugin.name, raw, normalized))
        return tuple(
            NodeScore(
                info.name,
                tuple(
                    PluginScore(name, raw[info.name], normalized[info.name], self.weights[name])
                    for name, raw, normalized in per_plugin
                ),
            )
            for info in node_infos
        )

    def schedule(self, pod: dict, node_infos: Sequence[NodeInfo], rng: random.Random) -> Decision:
        """One scheduling cycle: filter every node, score the feasible ones, pick the best.

        With exactly one feasible node upstream takes it without scoring (schedulePod in
        kk pkg/scheduler/schedule_one.go), so `scores` is empty then and `rng` is not used.
        """
        names = [info.name for info in node_infos]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise K8sLabError(f"nodes given twice to the scheduler: {', '.join(duplicates)}")
        filtered: dict[str, Rejection] = {}
        feasible = []
        for info in node_infos:
            rejection = self.run_filters(pod, info)
            if rejection is None:
                feasible.append(info)
            else:
                filtered[info.name] = rejection
        scores: tuple[NodeScore, ...] = ()
        if not feasible:
            node = None
        elif len(feasible) == 1:
            node = feasible[0].name
        else:
            scores = self.score_nodes(pod, feasible)
            node = select_host(scores, rng)
        return Decision(
            pod=pod_key(pod),
            nodes=tuple(names),
            filtered=filtered,
            scores=scores,
            score_plugins=tuple(plugin.name for plugin in self.score_plugins),
            node=node,
        )

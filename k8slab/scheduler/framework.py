"""The kube-scheduler framework: plugins filter out nodes, score the rest, and the best node wins.

One call to `Framework.schedule` is one scheduling cycle for one pod: PreFilter, Filter (until
enough feasible nodes are found), PostFilter (preemption) when none is feasible, then PreScore,
Score, NormalizeScore and the weighted sum. It returns a `Decision` that explains itself: why each
node was filtered out, and each plugin's raw, normalized and weighted score. Reserve, Permit,
PreBind and Bind are run by the caller (the scheduler loop) through `run_reserve` and friends.
Upstream: kk pkg/scheduler/schedule_one.go and pkg/scheduler/framework/runtime/framework.go.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from k8slab.errors import K8sLabError
from k8slab.scheduler.node_info import NodeInfo, pod_key, pod_priority

# kk staging/src/k8s.io/kube-scheduler/framework/interface.go: the range of a normalized score.
MIN_NODE_SCORE = 0
MAX_NODE_SCORE = 100

# kk pkg/scheduler/framework/types.go (NoNodeAvailableMsg) and pkg/scheduler/schedule_one.go
# (ErrNoNodesAvailable, the "Scheduled" event text).
NO_NODE_AVAILABLE_MSG = "0/{} nodes are available"
NO_NODES_REGISTERED_MSG = "no nodes available to schedule pods"
SCHEDULED_MSG = "Successfully assigned {} to {}"

# kk pkg/scheduler/schedule_one.go: how many feasible nodes are enough to stop filtering.
MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5
# Clusters this big or bigger are scheduled by the vectorized cycle (k8slab.scheduler.vectorized)
# unless Framework.schedule is told otherwise; its decisions are the per-node path's.
VECTORIZED_MIN_NODES = 100

# Status codes (kk staging/src/k8s.io/kube-scheduler/framework/interface.go). A node rejected as
# Unschedulable may fit after preemption; UnschedulableAndUnresolvable says preemption won't help.
SUCCESS = "Success"
UNSCHEDULABLE = "Unschedulable"
UNRESOLVABLE = "UnschedulableAndUnresolvable"
SKIP = "Skip"
WAIT = "Wait"
REJECTED = (UNSCHEDULABLE, UNRESOLVABLE)

# Extension points in the order a cycle runs them, with the method a plugin defines for each.
EXTENSION_POINTS = (
    "queue_sort",
    "pre_filter",
    "filter",
    "post_filter",
    "pre_score",
    "score",
    "normalize",
    "reserve",
    "permit",
    "pre_bind",
    "bind",
)
_METHODS = {"queue_sort": ("less",), "reserve": ("reserve", "unreserve")}


@dataclass(frozen=True, slots=True)
class Status:
    """What a plugin says: a code (Unschedulable, Skip, ...) and the reasons a user will read."""

    code: str
    reasons: tuple[str, ...] = ()
    plugin: str = ""

    @property
    def message(self) -> str:
        """The reasons joined as upstream's Status.Message() joins them."""
        return ", ".join(self.reasons)

    @property
    def rejected(self) -> bool:
        """True for Unschedulable and UnschedulableAndUnresolvable."""
        return self.code in REJECTED


def unschedulable(*reasons: str) -> Status:
    """Rejected here, but preemption might make room."""
    return Status(UNSCHEDULABLE, reasons)


def unresolvable(*reasons: str) -> Status:
    """Rejected here whatever is evicted (UnschedulableAndUnresolvable)."""
    return Status(UNRESOLVABLE, reasons)


SKIP_STATUS = Status(SKIP)


@dataclass(frozen=True, slots=True)
class PreFilterResult:
    """A PreFilter plugin's answer that only these nodes can fit (e.g. node affinity by name)."""

    node_names: frozenset[str]

    def merge(self, other: PreFilterResult | None) -> PreFilterResult:
        """Both results at once: the intersection of their nodes."""
        if other is None:
            return self
        return PreFilterResult(self.node_names & other.node_names)


@dataclass(frozen=True, slots=True)
class PostFilterResult:
    """What PostFilter (preemption) did: the node the pod is nominated to and the pods to evict.

    `status` None means success; otherwise why nothing could be done.
    """

    nominated_node: str | None = None
    victims: tuple[dict, ...] = ()
    status: Status | None = None


class CycleState(dict):
    """Per-cycle scratch space the plugins share, keyed like upstream ("PreFilterNodePorts").

    Also carries the cycle's snapshot of all nodes (`nodes`), the framework running it, the random
    generator, the pods nominated to each node, which plugins were skipped or narrowed the node
    list, and (`table`) the NodeTable of a vectorized cycle. `clone()` copies the values that
    have a `clone()` method.
    """

    def __init__(
        self,
        nodes: Sequence[NodeInfo] = (),
        *,
        framework: Framework | None = None,
        rng: random.Random | None = None,
        nominated: Mapping[str, Sequence[dict]] | None = None,
    ) -> None:
        super().__init__()
        self.nodes = tuple(nodes)
        self.framework = framework
        self.rng = rng
        self.nominated = dict(nominated or {})
        self.skip_filter_plugins: set[str] = set()
        self.skip_score_plugins: set[str] = set()
        self.narrowed_by: tuple[str, ...] = ()
        self.table: Any = None

    def clone(self) -> CycleState:
        """A copy whose plugin states can be changed without touching this one."""
        copy = CycleState(self.nodes, framework=self.framework, rng=self.rng)
        copy.nominated = self.nominated
        copy.skip_filter_plugins = set(self.skip_filter_plugins)
        copy.skip_score_plugins = set(self.skip_score_plugins)
        copy.narrowed_by = self.narrowed_by
        copy.table = self.table
        for key, value in self.items():
            copy[key] = value.clone() if hasattr(value, "clone") else value
        return copy


class Plugin:
    """A scheduler plugin: it implements an extension point by defining the method of that name.

    `filter` returns None when the node passes, else a reason string, a tuple of reasons
    (Unschedulable) or a Status; `score` returns a raw score; `normalize` maps all raw scores into
    0..100. PreFilter and PreScore may return SKIP_STATUS to switch off their plugin for a cycle.
    """

    name: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> Plugin:
        """Build the plugin from a profile's pluginConfig args (camelCase keys, as in YAML)."""
        if args:
            raise K8sLabError(f"plugin {cls.name} takes no args; got {', '.join(args)}")
        return cls()

    def less(self, a: Any, b: Any) -> bool:
        """QueueSort: True if queued pod `a` should be scheduled before `b`."""
        raise NotImplementedError(f"{self.name} has no queue_sort extension point")

    def pre_filter(
        self, state: CycleState, pod: dict, nodes: Sequence[NodeInfo]
    ) -> PreFilterResult | Status | None:
        """Compute, once per cycle, what Filter needs; may narrow or reject, or SKIP."""
        return None

    def pre_filter_add_pod(
        self, state: CycleState, pod: dict, pod_to_add: dict, node_info: NodeInfo
    ) -> None:
        """Update this plugin's PreFilter state as if `pod_to_add` ran on `node_info`."""

    def pre_filter_remove_pod(
        self, state: CycleState, pod: dict, pod_to_remove: dict, node_info: NodeInfo
    ) -> None:
        """Update this plugin's PreFilter state as if `pod_to_remove` left `node_info`."""

    def filter(
        self, state: CycleState, pod: dict, node_info: NodeInfo
    ) -> Status | str | tuple[str, ...] | None:
        """Why `node_info` cannot run `pod`, or None if it can."""
        return None

    def post_filter(
        self, state: CycleState, pod: dict, filtered: Mapping[str, Rejection]
    ) -> PostFilterResult:
        """Run when no node is feasible: try to make one feasible (preemption)."""
        return PostFilterResult(status=unschedulable())

    def pre_score(self, state: CycleState, pod: dict, nodes: Sequence[NodeInfo]) -> Status | None:
        """Compute, once per cycle, what Score needs; SKIP_STATUS switches Score off."""
        return None

    def score(self, state: CycleState, pod: dict, node_info: NodeInfo) -> int:
        """How much this plugin likes `node_info` for `pod` (any integer, before normalize)."""
        raise NotImplementedError(f"{self.name} has no score extension point")

    def normalize(self, state: CycleState, pod: dict, scores: dict[str, int]) -> dict[str, int]:
        """Map raw scores by node name into MIN_NODE_SCORE..MAX_NODE_SCORE."""
        return dict(scores)

    def reserve(self, state: CycleState, pod: dict, node: str) -> Status | None:
        """Claim what the pod needs on `node` before binding; a rejection aborts the cycle."""
        return None

    def unreserve(self, state: CycleState, pod: dict, node: str) -> None:
        """Give back what `reserve` claimed (the cycle failed after Reserve)."""

    def permit(self, state: CycleState, pod: dict, node: str) -> Status | None:
        """Allow (None) or reject the binding; k8slab models no Wait."""
        return None

    def pre_bind(self, state: CycleState, pod: dict, node: str) -> Status | None:
        """Prepare the node for the pod (volumes, in upstream) before Bind."""
        return None

    def bind(self, state: CycleState, pod: dict, node: str) -> Any:
        """Bind the pod to `node`; SKIP_STATUS passes the job to the next bind plugin."""
        return SKIP_STATUS

    def node_signature(self, pod: dict, point: str) -> Hashable | None:
        """A key such that this plugin's "filter" or "score" (`point`) answer for any node depends
        only on the key and the node's fixed data (labels, taints, name, images), or None.

        The vectorized cycle then computes the answers for all nodes once per key and reuses them.
        """
        return None

    def implements(self, point: str) -> bool:
        """True if this plugin defines the extension point `point` (see EXTENSION_POINTS)."""
        if point not in EXTENSION_POINTS:
            raise K8sLabError(
                f"unknown extension point {point!r}; known: {', '.join(EXTENSION_POINTS)}"
            )
        methods = _METHODS.get(point, (point,))
        return any(getattr(type(self), m) is not getattr(Plugin, m) for m in methods)

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


class Rejection(NamedTuple):
    """The filter plugin that rejected a node, its reasons, and its status code."""

    plugin: str
    reasons: tuple[str, ...]
    code: str = UNSCHEDULABLE


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
    gives `filtered`, `unexamined` and `scores` as read-only views built on first read.
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


def as_status(result: Any, plugin: str) -> Status | None:
    """A filter result as a Status (None = passed)."""
    if result is None:
        return None
    if isinstance(result, str):
        return Status(UNSCHEDULABLE, (result,), plugin)
    if isinstance(result, Status):
        if result.code == SUCCESS:
            return None
        if result.rejected:
            return replace(result, plugin=plugin)
    elif isinstance(result, tuple) and result and all(isinstance(r, str) for r in result):
        return Status(UNSCHEDULABLE, result, plugin)
    raise K8sLabError(
        f"filter of plugin {plugin} returned {result!r}; expected None, a reason string, "
        "a non-empty tuple of reason strings, or a rejecting Status"
    )


def _positive_weight(name: str, weight: Any) -> int:
    if not isinstance(weight, int) or isinstance(weight, bool) or weight < 1:
        raise K8sLabError(f"weight of {name} must be a positive integer, got {weight!r}")
    return weight


class Framework:
    """A scheduling profile: plugins at each extension point, each score plugin with a weight.

    By default every plugin runs at every extension point it implements, in the order given
    (upstream's MultiPoint); `points` may instead list, per extension point, the plugin names to
    run there in order. A score plugin's weight defaults to 1, as upstream's does when unset.
    `percentage_of_nodes_to_score` (0..100, None = use the scheduler's) is the profile's setting.
    """

    def __init__(
        self,
        plugins: Sequence[Plugin],
        weights: Mapping[str, int] | None = None,
        *,
        name: str = "default-scheduler",
        percentage_of_nodes_to_score: int | None = None,
        points: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        for plugin in plugins:
            if not plugin.name:
                raise K8sLabError(f"plugin {plugin!r} has no name; set the class attribute `name`")
        names = [plugin.name for plugin in plugins]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise K8sLabError(f"plugins listed twice in one profile: {', '.join(duplicates)}")
        self.name = name
        self.plugins = tuple(plugins)
        self.percentage_of_nodes_to_score = percentage_of_nodes_to_score
        by_name = {plugin.name: plugin for plugin in plugins}
        lists = {point: self._plugins_at(point, by_name, points) for point in EXTENSION_POINTS}
        self.queue_sort_plugins = lists["queue_sort"]
        self.pre_filter_plugins = lists["pre_filter"]
        self.filter_plugins = lists["filter"]
        self.post_filter_plugins = lists["post_filter"]
        self.pre_score_plugins = lists["pre_score"]
        self.score_plugins = lists["score"]
        self.reserve_plugins = lists["reserve"]
        self.permit_plugins = lists["permit"]
        self.pre_bind_plugins = lists["pre_bind"]
        self.bind_plugins = lists["bind"]
        score_names = [plugin.name for plugin in self.score_plugins]
        weights = dict(weights or {})
        for plugin_name, weight in weights.items():
            if plugin_name not in score_names:
                raise K8sLabError(
                    f"weight given for {plugin_name!r}, which is not a score plugin of this "
                    f"profile; score plugins: {', '.join(score_names) or 'none'}"
                )
            _positive_weight(plugin_name, weight)
        self.weights = {n: weights.get(n, 1) for n in score_names}
        self._normalizers = {p.name for p in self.score_plugins if p.implements("normalize")}
        self._table: Any = None
        self._add_remove = [
            p
            for p in self.pre_filter_plugins
            if type(p).pre_filter_add_pod is not Plugin.pre_filter_add_pod
            or type(p).pre_filter_remove_pod is not Plugin.pre_filter_remove_pod
        ]

    @staticmethod
    def _plugins_at(
        point: str, by_name: Mapping[str, Plugin], points: Mapping[str, Sequence[str]] | None
    ) -> tuple[Plugin, ...]:
        if points is None:
            return tuple(plugin for plugin in by_name.values() if plugin.implements(point))
        chosen = []
        for plugin_name in points.get(point, ()):
            plugin = by_name.get(plugin_name)
            if plugin is None:
                raise K8sLabError(
                    f"plugin {plugin_name!r} is listed at {point} but not given to the framework"
                )
            if not plugin.implements(point):
                raise K8sLabError(f"plugin {plugin_name!r} does not extend {point}")
            chosen.append(plugin)
        return tuple(chosen)

    def __repr__(self) -> str:
        parts = [
            f"{plugin.name}(w={self.weights[plugin.name]})"
            if plugin.name in self.weights
            else plugin.name
            for plugin in self.plugins
        ]
        return f"Framework([{', '.join(parts)}])"

    # -- queue sort ------------------------------------------------------------------------------

    def less(self, a: Any, b: Any) -> bool:
        """The QueueSort plugin's order: True if queued pod `a` goes before `b`."""
        if not self.queue_sort_plugins:
            raise K8sLabError(f"profile {self.name} has no queue sort plugin")
        return self.queue_sort_plugins[0].less(a, b)

    # -- one scheduling cycle --------------------------------------------------------------------

    def schedule(
        self,
        pod: dict,
        node_infos: Sequence[NodeInfo],
        rng: random.Random,
        *,
        start_index: int = 0,
        percentage_of_nodes_to_score: int = 0,
        nominated_pods: Mapping[str, Sequence[dict]] | None = None,
        vectorized: bool | None = None,
    ) -> Decision:
        """One scheduling cycle (schedulePod in kk pkg/scheduler/schedule_one.go).

        Filtering walks the nodes from `start_index` round the list and stops once
        num_feasible_nodes_to_find(...) nodes fit; a pod already nominated to a node (after
        preemption) tries that node first. With exactly one feasible node it is taken without
        scoring; with none, PostFilter runs. `nominated_pods` maps node names to pods nominated
        there, which count against the node for pods of equal or lower priority. `vectorized`
        chooses the vectorized cycle (same decisions, faster on many nodes) or the per-node path;
        None means vectorized from VECTORIZED_MIN_NODES nodes on.
        """
        if vectorized is None:
            vectorized = len(node_infos) >= VECTORIZED_MIN_NODES
        nominated = ((pod.get("status") or {}).get("nominatedNodeName")) or ""
        if vectorized and not nominated and not any((nominated_pods or {}).values()):
            from k8slab.scheduler import vectorized as fast

            self._table = fast.table_for(self._table, node_infos)
            decision = fast.schedule(
                self, self._table, pod, rng, start_index, percentage_of_nodes_to_score
            )
            if decision is not None:
                return decision
        names = [info.name for info in node_infos]
        if len(set(names)) != len(names):
            duplicates = sorted(name for name, n in Counter(names).items() if n > 1)
            raise K8sLabError(f"nodes given twice to the scheduler: {', '.join(duplicates)}")
        state = CycleState(node_infos, framework=self, rng=rng, nominated=nominated_pods)
        base = {"pod": pod_key(pod), "nodes": tuple(names), "state": state}
        all_score_names = tuple(plugin.name for plugin in self.score_plugins)
        if not node_infos:
            return Decision(
                **base, filtered={}, scores=(), score_plugins=all_score_names, node=None
            )
        result, status = self.run_pre_filter(state, pod)
        filtered: dict[str, Rejection] = {}
        if status is not None:
            for name in names:
                filtered[name] = Rejection(status.plugin, status.reasons, status.code)
            return self._failed(
                state, pod, base, filtered, all_score_names, start_index, status.message
            )
        candidates = list(node_infos)
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
        feasible, next_start = self._find_feasible(
            state, pod, node_infos, candidates, filtered, start_index, percentage_of_nodes_to_score
        )
        if not feasible:
            return self._failed(state, pod, base, filtered, all_score_names, next_start)
        found = {info.name for info in feasible}
        unexamined = tuple(n for n in names if n not in found and n not in filtered)
        common = {
            **base,
            "filtered": {n: filtered[n] for n in names if n in filtered},
            "unexamined": unexamined,
            "next_start_index": next_start,
        }
        if len(feasible) == 1:
            return Decision(
                **common, scores=(), score_plugins=all_score_names, node=feasible[0].name
            )
        scores = self.score_nodes(state, pod, feasible)
        ran = tuple(n for n in all_score_names if n not in state.skip_score_plugins)
        return Decision(
            **common,
            scores=scores,
            score_plugins=ran,
            skipped_score_plugins=tuple(n for n in all_score_names if n not in ran),
            node=select_host(scores, rng),
        )

    def _find_feasible(
        self,
        state: CycleState,
        pod: dict,
        node_infos: Sequence[NodeInfo],
        candidates: Sequence[NodeInfo],
        filtered: dict[str, Rejection],
        start_index: int,
        percentage: int,
    ) -> tuple[list[NodeInfo], int]:
        """findNodesThatFitPod: the feasible nodes, and where the next cycle starts its search."""
        nominated = ((pod.get("status") or {}).get("nominatedNodeName")) or ""
        by_name = {info.name: info for info in candidates}
        if nominated in by_name:
            rejection = self.run_filters_with_nominated_pods(state, pod, by_name[nominated])
            if rejection is None:
                return [by_name[nominated]], start_index
        if self.percentage_of_nodes_to_score is not None:
            percentage = self.percentage_of_nodes_to_score
        to_find = num_feasible_nodes_to_find(len(candidates), percentage)
        if not self.score_plugins:
            to_find = 1
        feasible: list[NodeInfo] = []
        rejected = 0
        count = len(candidates)
        for offset in range(count):
            info = candidates[(start_index + offset) % count]
            rejection = self.run_filters_with_nominated_pods(state, pod, info)
            if rejection is None:
                feasible.append(info)
                if len(feasible) >= to_find:
                    break
            else:
                filtered[info.name] = rejection
                rejected += 1
        return feasible, (start_index + len(feasible) + rejected) % len(node_infos)

    def _failed(
        self,
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
        post = self.run_post_filter(state, pod, ordered) if self.post_filter_plugins else None
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

    # -- the extension points, one runner each ---------------------------------------------------

    def run_pre_filter(
        self,
        state: CycleState,
        pod: dict,
        answer_of: Callable[[Plugin], PreFilterResult | Status | None] | None = None,
    ) -> tuple[PreFilterResult | None, Status | None]:
        """RunPreFilterPlugins: the merged node restriction, or the status that rejects the pod.

        A plugin returning Skip is switched off (with its Filter) for this cycle. Unresolvable
        stops at once; Unschedulable lets the others run (preemption may still help).
        `answer_of(plugin)` runs one plugin's PreFilter (default: plugin.pre_filter).
        """
        result: PreFilterResult | None = None
        rejection: Status | None = None
        narrowing: list[str] = []
        for plugin in self.pre_filter_plugins:
            if answer_of is None:
                answer = plugin.pre_filter(state, pod, state.nodes)
            else:
                answer = answer_of(plugin)
            if isinstance(answer, Status):
                if answer.code == SKIP:
                    state.skip_filter_plugins.add(plugin.name)
                    continue
                if answer.rejected:
                    status = replace(answer, plugin=plugin.name)
                    if status.code == UNRESOLVABLE:
                        return None, status
                    rejection = status
                    continue
                if answer.code != SUCCESS:
                    raise K8sLabError(f"running PreFilter plugin {plugin.name!r}: {answer}")
            elif isinstance(answer, PreFilterResult):
                narrowing.append(plugin.name)
                result = answer.merge(result)
                state.narrowed_by = tuple(narrowing)
                if not result.node_names:
                    label = (
                        f"plugin {narrowing[0]}"
                        if len(narrowing) == 1
                        else f"plugin(s) [{' '.join(sorted(narrowing))}] simultaneously"
                    )
                    return result, Status(
                        UNRESOLVABLE, (f"node(s) didn't satisfy {label}",), narrowing[0]
                    )
        return result, rejection

    def run_pre_filter_add_pod(
        self, state: CycleState, pod: dict, pod_to_add: dict, node_info: NodeInfo
    ) -> None:
        """RunPreFilterExtensionAddPod on the plugins not skipped this cycle."""
        for plugin in self._add_remove:
            if plugin.name not in state.skip_filter_plugins:
                plugin.pre_filter_add_pod(state, pod, pod_to_add, node_info)

    def run_pre_filter_remove_pod(
        self, state: CycleState, pod: dict, pod_to_remove: dict, node_info: NodeInfo
    ) -> None:
        """RunPreFilterExtensionRemovePod on the plugins not skipped this cycle."""
        for plugin in self._add_remove:
            if plugin.name not in state.skip_filter_plugins:
                plugin.pre_filter_remove_pod(state, pod, pod_to_remove, node_info)

    def run_filters(self, state: CycleState, pod: dict, node_info: NodeInfo) -> Rejection | None:
        """Run the filter plugins on one node; stop at the first that rejects it (as upstream)."""
        for plugin in self.filter_plugins:
            if plugin.name in state.skip_filter_plugins:
                continue
            status = as_status(plugin.filter(state, pod, node_info), plugin.name)
            if status is not None:
                return Rejection(plugin.name, status.reasons, status.code)
        return None

    def run_filters_with_nominated_pods(
        self, state: CycleState, pod: dict, node_info: NodeInfo
    ) -> Rejection | None:
        """RunFilterPluginsWithNominatedPods: filter as if pods nominated here were running.

        Only nominated pods of equal or higher priority count. The node must pass with them and,
        if any were added, also without them (pod affinity may need them absent).
        """
        waiting = state.nominated.get(node_info.name)
        if not waiting:
            return self.run_filters(state, pod, node_info)
        key, priority = pod_key(pod), pod_priority(pod)
        nominated = [
            other for other in waiting if pod_priority(other) >= priority and pod_key(other) != key
        ]
        if not nominated:
            return self.run_filters(state, pod, node_info)
        state_with, info_with = state.clone(), node_info.clone()
        for other in nominated:
            if not info_with.has_pod(other):
                info_with.add_pod(other)
                self.run_pre_filter_add_pod(state_with, pod, other, info_with)
        rejection = self.run_filters(state_with, pod, info_with)
        if rejection is not None:
            return rejection
        return self.run_filters(state, pod, node_info)

    def run_post_filter(
        self, state: CycleState, pod: dict, filtered: Mapping[str, Rejection]
    ) -> PostFilterResult:
        """RunPostFilterPlugins: stop at the first success or Unresolvable; else gather reasons."""
        reasons: list[str] = []
        nominating: PostFilterResult | None = None
        for plugin in self.post_filter_plugins:
            answer = plugin.post_filter(state, pod, filtered)
            status = answer.status
            if status is None or status.code == SUCCESS or status.code == UNRESOLVABLE:
                return answer
            if not status.rejected:
                raise K8sLabError(f"running PostFilter plugin {plugin.name!r}: {status}")
            if answer.nominated_node is not None:
                nominating = answer
            reasons.extend(status.reasons)
        return PostFilterResult(
            nominating.nominated_node if nominating else None,
            nominating.victims if nominating else (),
            Status(UNSCHEDULABLE, tuple(reasons)),
        )

    @staticmethod
    def note_pre_score(state: CycleState, plugin: Plugin, status: Status | None) -> None:
        """Act on a PreScore result: Skip leaves the plugin out of this cycle's scores."""
        if status is None or status.code == SUCCESS:
            return
        if status.code == SKIP:
            state.skip_score_plugins.add(plugin.name)
            return
        raise K8sLabError(f"running PreScore plugin {plugin.name!r}: {status.message}")

    def score_nodes(
        self, state: CycleState, pod: dict, node_infos: Sequence[NodeInfo]
    ) -> tuple[NodeScore, ...]:
        """PreScore, Score, NormalizeScore and the weights, for every feasible node.

        A score plugin whose PreScore returned Skip does not score this cycle (upstream leaves it
        out of the total, which is the same as adding 0).
        """
        for plugin in self.pre_score_plugins:
            self.note_pre_score(state, plugin, plugin.pre_score(state, pod, node_infos))
        per_plugin = []
        for plugin in self.score_plugins:
            if plugin.name in state.skip_score_plugins:
                continue
            raw = {info.name: plugin.score(state, pod, info) for info in node_infos}
            normalized = (
                plugin.normalize(state, pod, raw) if plugin.name in self._normalizers else raw
            )
            for node, score in normalized.items():
                if not MIN_NODE_SCORE <= score <= MAX_NODE_SCORE:
                    raise K8sLabError(
                        f"plugin {plugin.name!r} returns an invalid score {score} for node "
                        f"{node}, it should in the range of [{MIN_NODE_SCORE}, {MAX_NODE_SCORE}] "
                        "after normalizing"
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

    def run_reserve(self, state: CycleState, pod: dict, node: str) -> Status | None:
        """RunReservePluginsReserve: stop at the first rejection (then call run_unreserve)."""
        for plugin in self.reserve_plugins:
            status = plugin.reserve(state, pod, node)
            if status is not None and status.code != SUCCESS:
                return replace(status, plugin=plugin.name)
        return None

    def run_unreserve(self, state: CycleState, pod: dict, node: str) -> None:
        """RunReservePluginsUnreserve: every reserve plugin, in reverse order."""
        for plugin in reversed(self.reserve_plugins):
            plugin.unreserve(state, pod, node)

    def run_permit(self, state: CycleState, pod: dict, node: str) -> Status | None:
        """RunPermitPlugins: None to allow, or the first rejection. Wait is not modelled."""
        for plugin in self.permit_plugins:
            status = plugin.permit(state, pod, node)
            if status is None or status.code in (SUCCESS, SKIP):
                continue
            if status.code == WAIT:
                raise K8sLabError(f"permit plugin {plugin.name!r} asked to Wait; not modelled")
            return replace(status, plugin=plugin.name)
        return None

    def run_pre_bind(self, state: CycleState, pod: dict, node: str) -> Status | None:
        """RunPreBindPlugins: None, or the first plugin's failure."""
        for plugin in self.pre_bind_plugins:
            status = plugin.pre_bind(state, pod, node)
            if status is not None and status.code not in (SUCCESS, SKIP):
                return replace(status, plugin=plugin.name)
        return None

    def run_bind(self, state: CycleState, pod: dict, node: str) -> Any:
        """RunBindPlugins: the answer of the first bind plugin that does not Skip.

        (DefaultBinder returns what its bind callback returns, e.g. a SimPy process.)
        """
        for plugin in self.bind_plugins:
            answer = plugin.bind(state, pod, node)
            if not (isinstance(answer, Status) and answer.code == SKIP):
                return answer
        return SKIP_STATUS

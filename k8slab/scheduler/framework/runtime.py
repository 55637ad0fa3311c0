"""The framework runtime: a scheduling profile's plugins at each extension point, and one runner per
point (RunPreFilterPlugins, RunFilterPlugins, ...), each following upstream's rules for merging
and stopping.

Both scheduling cycles (k8slab.scheduler.schedule_one, node by node, and
k8slab.scheduler.vectorized, over arrays) run their plugins through these runners; the Framework
itself knows neither cycle. Upstream: kk pkg/scheduler/framework/runtime/framework.go.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from k8slab.errors import K8sLabError
from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.diagnosis import NodeScore, PluginScore, Rejection
from k8slab.scheduler.framework.interface import (
    EXTENSION_POINTS,
    MAX_NODE_SCORE,
    MIN_NODE_SCORE,
    SKIP,
    SKIP_STATUS,
    SUCCESS,
    UNRESOLVABLE,
    UNSCHEDULABLE,
    WAIT,
    Plugin,
    PostFilterResult,
    PreFilterResult,
    Status,
    as_status,
    check_extends,
)
from k8slab.scheduler.node_info import NodeInfo, pod_key, pod_priority


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
            check_extends(type(plugin))
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
        self.normalize_plugins = {p.name for p in self.score_plugins if p.implements("normalize")}
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
                plugin.normalize(state, pod, raw) if plugin.name in self.normalize_plugins else raw
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
        return self.bind_by(state, pod, node)[1]

    def bind_by(self, state: CycleState, pod: dict, node: str) -> tuple[str | None, Any]:
        """run_bind's answer with the name of the plugin that gave it (None if all Skip), for
        upstream's error text `running Bind plugin "<name>": <error>`."""
        for plugin in self.bind_plugins:
            answer = plugin.bind(state, pod, node)
            if not (isinstance(answer, Status) and answer.code == SKIP):
                return plugin.name, answer
        return None, SKIP_STATUS

"""The plugin interface: what a plugin returns (Status and its codes, PreFilter and PostFilter
results), the range of a score, and `Plugin`, whose methods are the extension points.

A plugin declares the extension points it implements in its class attribute `extends` (as upstream
writes `var _ framework.FilterPlugin = &TaintToleration{}`); `check_extends` holds the declaration
against the methods the class really defines. Upstream: kk staging/src/k8s.io/kube-scheduler/
framework/interface.go.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from k8slab.errors import K8sLabError
from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.diagnosis import Rejection
from k8slab.scheduler.node_info import NodeInfo

# kk staging/src/k8s.io/kube-scheduler/framework/interface.go: the range of a normalized score.
MIN_NODE_SCORE = 0
MAX_NODE_SCORE = 100

# Status codes (interface.go). A node rejected as Unschedulable may fit after preemption;
# UnschedulableAndUnresolvable says preemption won't help.
SUCCESS = "Success"
UNSCHEDULABLE = "Unschedulable"
UNRESOLVABLE = "UnschedulableAndUnresolvable"
SKIP = "Skip"
WAIT = "Wait"
REJECTED = (UNSCHEDULABLE, UNRESOLVABLE)

# Extension points in the order a cycle runs them.
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
# The methods that make up each point: the first group says the plugin implements it; any of the
# others (PreFilter's add/remove extensions, the array forms of the vectorized cycle) belong to it.
_MAIN_METHODS = {"queue_sort": ("less",), "reserve": ("reserve", "unreserve")}
_OTHER_METHODS = {
    "pre_filter": ("pre_filter_add_pod", "pre_filter_remove_pod", "pre_filter_array"),
    "filter": ("filter_array",),
    "pre_score": ("pre_score_array",),
    "score": ("score_array",),
    "normalize": ("normalize_array",),
}


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


class Plugin:
    """A scheduler plugin: it implements an extension point by defining the method of that name.

    `filter` returns None when the node passes, else a reason string, a tuple of reasons
    (Unschedulable) or a Status; `score` returns a raw score; `normalize` maps all raw scores into
    0..100. PreFilter and PreScore may return SKIP_STATUS to switch off their plugin for a cycle.
    A plugin may also give the vectorized cycle an array form of a point, `<point>_array`, written
    beside the per-node method it mirrors (see k8slab.scheduler.vectorized).

    `extends` lists the extension points the plugin implements, e.g. ("filter", "score"); every
    built-in plugin declares it. Left None (a quick plugin of your own), it is read off the
    methods the class defines.
    """

    name: str = ""
    extends: ClassVar[tuple[str, ...] | None] = None

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
        """True if this plugin implements the extension point `point` (see EXTENSION_POINTS)."""
        if point not in EXTENSION_POINTS:
            raise K8sLabError(
                f"unknown extension point {point!r}; known: {', '.join(EXTENSION_POINTS)}"
            )
        if self.extends is not None:
            return point in self.extends
        return _defines_point(type(self), point)

    def extension_points(self) -> tuple[str, ...]:
        """The extension points this plugin implements, in the order the framework runs them."""
        return tuple(point for point in EXTENSION_POINTS if self.implements(point))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _defined(cls: type, method: str) -> bool:
    """True if `cls` (or a base below Plugin) defines `method` itself."""
    return getattr(cls, method, None) is not getattr(Plugin, method, None)


def _defines_point(cls: type, point: str) -> bool:
    return any(_defined(cls, method) for method in _MAIN_METHODS.get(point, (point,)))


def check_extends(cls: type[Plugin]) -> None:
    """Hold a plugin class's `extends` declaration against the methods it defines.

    Every declared point needs its method, and every extension-point method the class defines
    needs its point declared; the error names the plugin and each mismatch.
    """
    declared = cls.extends
    if declared is None:
        return
    who = cls.name or cls.__name__
    problems = [
        f"{point!r} is not an extension point"
        for point in declared
        if point not in EXTENSION_POINTS
    ]
    for point in EXTENSION_POINTS:
        methods = _MAIN_METHODS.get(point, (point,))
        defined = [m for m in (*methods, *_OTHER_METHODS.get(point, ())) if _defined(cls, m)]
        if point in declared and not _defines_point(cls, point):
            problems.append(f"it declares {point!r} but defines no {' or '.join(methods)}()")
        elif point not in declared and defined:
            problems.append(
                f"it defines {', '.join(m + '()' for m in defined)} but does not declare {point!r}"
            )
    if problems:
        raise K8sLabError(
            f"plugin {who} declares extends = {tuple(declared)!r}, but {'; '.join(problems)}"
        )


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

"""CycleState: the scratch space of one scheduling cycle, shared by the plugins that run in it.

PreFilter and PreScore plugins compute something once per cycle and leave it under a key
("PreFilterNodePorts"); Filter and Score read it back. The state also carries the cycle's
snapshot of the nodes, the random generator, the pods nominated to each node, and which plugins
were skipped or narrowed the nodes. Upstream: kk staging/src/k8s.io/kube-scheduler/framework/
cycle_state.go.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.snapshot import Snapshot


class FilterRunner(Protocol):
    """What a PostFilter plugin may ask of the framework running the cycle (the part of upstream's
    framework.Handle that preemption uses): run the cycle's filters on a trial copy of a node."""

    def run_filters_with_nominated_pods(
        self, state: CycleState, pod: dict, node_info: NodeInfo
    ) -> Any:
        """The Rejection of the first filter that rejects the node, or None."""

    def run_pre_filter_add_pod(
        self, state: CycleState, pod: dict, pod_to_add: dict, node_info: NodeInfo
    ) -> None:
        """Tell the PreFilter states that `pod_to_add` now runs on `node_info`."""

    def run_pre_filter_remove_pod(
        self, state: CycleState, pod: dict, pod_to_remove: dict, node_info: NodeInfo
    ) -> None:
        """Tell the PreFilter states that `pod_to_remove` left `node_info`."""


class CycleState(dict):
    """Per-cycle scratch space the plugins share, keyed like upstream ("PreFilterNodePorts").

    Also carries the cycle's `snapshot` of all nodes, the `framework` running it, the random
    generator, the pods `nominated` to each node, and which plugins were skipped or narrowed the
    node list. `clone()` copies the values that have a `clone()` method.
    """

    def __init__(
        self,
        snapshot: Snapshot | None = None,
        *,
        framework: FilterRunner | None = None,
        rng: random.Random | None = None,
        nominated: Mapping[str, Sequence[dict]] | None = None,
    ) -> None:
        super().__init__()
        self.snapshot = snapshot if snapshot is not None else Snapshot()
        self.framework = framework
        self.rng = rng
        self.nominated = dict(nominated or {})
        self.skip_filter_plugins: set[str] = set()
        self.skip_score_plugins: set[str] = set()
        self.narrowed_by: tuple[str, ...] = ()

    @property
    def nodes(self) -> tuple[NodeInfo, ...]:
        """Every node of the cycle's snapshot, in the order Filter walks them."""
        return self.snapshot.node_infos

    def clone(self) -> CycleState:
        """A copy whose plugin states can be changed without touching this one."""
        copy = CycleState(self.snapshot, framework=self.framework, rng=self.rng)
        copy.nominated = self.nominated
        copy.skip_filter_plugins = set(self.skip_filter_plugins)
        copy.skip_score_plugins = set(self.skip_score_plugins)
        copy.narrowed_by = self.narrowed_by
        for key, value in self.items():
            copy[key] = value.clone() if hasattr(value, "clone") else value
        return copy

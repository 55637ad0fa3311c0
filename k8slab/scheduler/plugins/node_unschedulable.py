"""NodeUnschedulable: a cordoned node (spec.unschedulable, set by `kubectl cordon`) takes no pods.

A pod that tolerates the taint node.kubernetes.io/unschedulable:NoSchedule may still go there
(DaemonSet pods do). Evicting pods cannot help, so the rejection is UnschedulableAndUnresolvable.
Upstream: kk pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go.
"""

from __future__ import annotations

from collections.abc import Hashable

from k8slab.api.tolerations import tolerations_tolerate_taint
from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.interface import Plugin, Status, unresolvable
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.plugins.taint_toleration import pod_tolerations

ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable"

# kk staging/src/k8s.io/api/core/v1/well_known_taints.go: TaintNodeUnschedulable.
UNSCHEDULABLE_TAINT = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}


class NodeUnschedulable(Plugin):
    """Filter out cordoned nodes unless the pod tolerates the unschedulable taint."""

    name = "NodeUnschedulable"
    extends = ("filter",)

    def node_signature(self, pod: dict, point: str) -> Hashable | None:
        """Filter reads only spec.unschedulable and the pod's tolerations."""
        return repr(pod_tolerations(pod))

    def filter(self, state: CycleState, pod: dict, node_info: NodeInfo) -> Status | None:
        """Reject the node if spec.unschedulable is true and the pod does not tolerate that."""
        if not node_info.unschedulable:
            return None
        if tolerations_tolerate_taint(pod_tolerations(pod), UNSCHEDULABLE_TAINT):
            return None
        return unresolvable(ERR_REASON_UNSCHEDULABLE)

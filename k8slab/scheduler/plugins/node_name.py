"""NodeName: a pod that names its node (spec.nodeName) fits only that node.

Upstream: kk pkg/scheduler/framework/plugins/nodename/node_name.go (UnschedulableAndUnresolvable:
preemption cannot change a node's name). We model the Filter only. (A pod created with
spec.nodeName set never reaches the scheduler: the kubelet of that node just runs it.)
"""

from __future__ import annotations

from collections.abc import Hashable

from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.interface import Plugin, Status, unresolvable
from k8slab.scheduler.node_info import NodeInfo

ERR_REASON = "node(s) didn't match the requested node name"


class NodeName(Plugin):
    """Filter out every node but the one named in the pod's spec.nodeName (if set)."""

    name = "NodeName"
    extends = ("filter",)

    def node_signature(self, pod: dict, point: str) -> Hashable | None:
        """Filter reads only the node's name and the pod's spec.nodeName."""
        return (pod.get("spec") or {}).get("nodeName") or ""

    def filter(self, state: CycleState, pod: dict, node_info: NodeInfo) -> Status | None:
        """Reject the node if the pod asks for a different node by name."""
        wanted = (pod.get("spec") or {}).get("nodeName") or ""
        if wanted and wanted != node_info.name:
            return unresolvable(ERR_REASON)
        return None

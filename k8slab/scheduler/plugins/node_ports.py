"""NodePorts: a pod that asks for a hostPort fits only where that port is free.

Upstream: kk pkg/scheduler/framework/plugins/nodeports/node_ports.go. PreFilter lists the pod's
host ports once per cycle (Skip when it has none); Filter checks them against the node's used
ports (an empty hostIP means 0.0.0.0, which clashes with every address; an empty protocol is TCP).
"""

from __future__ import annotations

from collections.abc import Sequence

from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.interface import SKIP_STATUS, Plugin, Status, unschedulable
from k8slab.scheduler.node_info import NodeInfo, host_ports

ERR_REASON = "node(s) didn't have free ports for the requested pod ports"
PRE_FILTER_STATE_KEY = "PreFilterNodePorts"


class NodePorts(Plugin):
    """Filter out nodes where one of the pod's host ports is already taken."""

    name = "NodePorts"
    extends = ("pre_filter", "filter")

    def pre_filter(self, state: CycleState, pod: dict, nodes: Sequence[NodeInfo]) -> Status | None:
        """Remember the pod's host ports; Skip the plugin if there are none."""
        ports = host_ports(pod)
        if not ports:
            return SKIP_STATUS
        state[PRE_FILTER_STATE_KEY] = tuple(ports)
        return None

    def filter(self, state: CycleState, pod: dict, node_info: NodeInfo) -> Status | None:
        """Reject the node if any wanted (ip, protocol, port) conflicts with one in use."""
        wanted = state.get(PRE_FILTER_STATE_KEY)
        if wanted is None:
            wanted = tuple(host_ports(pod))
        if any(node_info.port_conflicts(*port) for port in wanted):
            return unschedulable(ERR_REASON)
        return None

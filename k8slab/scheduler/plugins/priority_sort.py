"""PrioritySort: the QueueSort plugin. Higher spec.priority first; among equals, first queued first.

Upstream: kk pkg/scheduler/framework/plugins/queuesort/priority_sort.go (Less compares the pods'
priorities, then the time each was added to the queue).
"""

from __future__ import annotations

from typing import Any

from k8slab.scheduler.framework.interface import Plugin
from k8slab.scheduler.node_info import pod_priority


class PrioritySort(Plugin):
    """Order the scheduling queue by priority, then by queue timestamp."""

    name = "PrioritySort"
    extends = ("queue_sort",)

    def less(self, a: Any, b: Any) -> bool:
        """True if queued pod `a` (with .pod and .timestamp) goes before `b`."""
        first, second = pod_priority(a.pod), pod_priority(b.pod)
        return first > second or (first == second and a.timestamp < b.timestamp)

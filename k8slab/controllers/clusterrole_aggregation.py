"""The clusterrole-aggregation controller: a ClusterRole with an aggregationRule gets the rules
of every ClusterRole its selectors match, so `admin`, `edit` and `view` grow as roles labelled
`rbac.authorization.k8s.io/aggregate-to-<name>: "true"` appear.

pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.go: any ClusterRole
change re-queues every aggregated role; a sync gathers the matching roles' rules in name order,
each rule once, and writes them if they differ (upstream with server-side apply; here an
update, retried through the queue on a conflict).
"""

from __future__ import annotations

import copy
from collections.abc import Generator

from k8slab.api.labels import selector_matches
from k8slab.client.workqueue import WorkQueue, run_workers
from k8slab.controllers.context import ControllerContext

WORKERS = 5  # kk: go crc.Run(ctx, 5)


class ClusterRoleAggregationController:
    """Fills aggregated ClusterRoles' rules from the ClusterRoles their selectors match."""

    NAME = "clusterrole-aggregation-controller"

    def __init__(self, ctx: ControllerContext) -> None:
        self.client = ctx.client
        self.roles = ctx.informers.informer("clusterroles")
        self.queue = WorkQueue(ctx.group, "clusterrole-aggregation")

    def start(self) -> None:
        """Re-queue every aggregated role on any ClusterRole change; start the workers."""
        self.roles.on_add.append(lambda _role: self._enqueue_aggregated())
        self.roles.on_update.append(lambda _old, _new: self._enqueue_aggregated())
        self.roles.on_delete.append(lambda _role: self._enqueue_aggregated())
        run_workers(self.queue, self.sync, WORKERS)

    def _enqueue_aggregated(self) -> None:
        for role in self._all():
            if role.get("aggregationRule"):
                self.queue.add(role["metadata"]["name"])

    def _all(self) -> list[dict]:
        return sorted(self.roles.cache.values(), key=lambda r: r["metadata"]["name"])

    def aggregated_rules(self, role: dict) -> list[dict]:
        """The rules of every other ClusterRole a selector of `role` matches, each once."""
        selectors = (role.get("aggregationRule") or {}).get("clusterRoleSelectors") or []
        rules: list[dict] = []
        for other in self._all():
            if other["metadata"]["name"] == role["metadata"]["name"]:
                continue
            labels = other["metadata"].get("labels") or {}
            if not any(selector_matches(s, labels) for s in selectors):
                continue
            rules += [r for r in other.get("rules") or [] if r not in rules]
        return rules

    def sync(self, name: str) -> Generator:
        """Write the aggregated rules of ClusterRole `name` if they changed."""
        role = next((r for r in self._all() if r["metadata"]["name"] == name), None)
        if role is None or not role.get("aggregationRule"):
            return
        rules = self.aggregated_rules(role)
        if rules == (role.get("rules") or []):
            return
        updated = copy.deepcopy(role)
        updated["rules"] = rules
        yield from self.client.update(updated)

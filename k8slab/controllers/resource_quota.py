"""The resource quota controller (kk pkg/controller/resourcequota/resource_quota_controller.go
and resource_quota_monitor.go): keeps every ResourceQuota's status.hard equal to its spec.hard
and its status.used equal to what the namespace really uses.

Quota admission charges a quota when something is created; only this controller gives usage
back. It recounts a quota when it is created or its spec.hard changes, every namespace's quotas
when a pod there stops being charged (it went Succeeded/Failed) or is deleted, a Service changes
type or is deleted, or any other object a quota counts is deleted; and every quota on a full
resync every --resource-quota-sync-period (5m0s). Usage is counted from the informers' caches
with k8slab.api.quota, as upstream's evaluators list their listers.
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.api import quota
from k8slab.api.kinds import KINDS, Kind, resource_info
from k8slab.client.informer import Informer, cache_key
from k8slab.client.workqueue import WorkQueue, run_workers
from k8slab.controllers.context import ControllerContext

# --resource-quota-sync-period and --concurrent-resource-quota-syncs defaults
# (kk pkg/controller/resourcequota/config/v1alpha1/defaults.go).
SYNC_PERIOD = 300.0
WORKERS = 5
# The kinds a quota can count: every namespaced kind once (Events have two views of one store).
COUNTED: tuple[Kind, ...] = tuple(
    kind for kind in KINDS if kind.namespaced and resource_info(kind.resource) is kind)


class ResourceQuotaController:
    """Recounts ResourceQuotas' status.used from the objects in their namespace."""

    NAME = "resourcequota-controller"

    def __init__(self, ctx: ControllerContext) -> None:
        self.ctx = ctx
        self.client = ctx.client
        self.quotas = ctx.informers.informer("resourcequotas")
        self.quotas.add_index("namespace", lambda q: [q["metadata"].get("namespace", "")])
        self.monitors: dict[str, Informer] = {
            kind.resource: ctx.informers.informer(kind.resource)
            for kind in COUNTED if kind.resource in ("pods", "services")}
        self.queue = WorkQueue(ctx.group, "resourcequota_primary")

    def start(self) -> None:
        """Watch quotas and the objects they count, start the workers and the resync."""
        self.quotas.on_add.append(self._enqueue)
        self.quotas.on_update.append(self._quota_updated)
        for kind in COUNTED:
            if kind.resource in self.monitors:
                self._monitor(kind, self.monitors[kind.resource])
        run_workers(self.queue, self.sync, WORKERS)
        self.ctx.group.spawn(self._resync())

    def _monitor(self, kind: Kind, informer: Informer) -> None:
        # resource_quota_monitor.go: deletes always give usage back; a pod that stops being
        # charged and a Service that changes type do too.
        informer.on_delete.append(lambda obj: self._replenish(obj))
        if kind.resource == "pods":
            informer.on_update.append(lambda old, new: self._pod_updated(old, new))
        if kind.resource == "services":
            informer.on_update.append(lambda old, new: self._service_updated(old, new))

    def _pod_updated(self, old: dict, new: dict) -> None:
        now = self.ctx.group.sim.now
        if quota.pod_charged(old, now) and not quota.pod_charged(new, now):
            self._replenish(new)

    def _service_updated(self, old: dict, new: dict) -> None:
        if (old.get("spec") or {}).get("type") != (new.get("spec") or {}).get("type"):
            self._replenish(new)

    def _replenish(self, obj: dict) -> None:
        for item in self.quotas.by_index("namespace", obj["metadata"].get("namespace", "")):
            self._enqueue(item)

    def _enqueue(self, item: dict) -> None:
        self.queue.add(cache_key(item))

    def _quota_updated(self, old: dict, new: dict) -> None:
        # Status writes (ours and admission's) do not start a recount; a new spec.hard does.
        if (old.get("spec") or {}).get("hard") != (new.get("spec") or {}).get("hard"):
            self._enqueue(new)

    def _resync(self) -> Generator:
        while True:
            yield self.ctx.group.env.timeout(SYNC_PERIOD)
            for item in self.quotas.list():
                self._enqueue(item)

    def _informer(self, kind: Kind) -> Informer:
        """The informer of `kind`, made and started the first time a quota counts it."""
        if kind.resource not in self.monitors:
            informer = self.ctx.informers.informer(kind.resource)
            self._monitor(kind, informer)
            informer.start()
            self.monitors[kind.resource] = informer
        return self.monitors[kind.resource]

    def sync(self, key: str) -> Generator:
        """syncResourceQuota: status.hard = spec.hard, status.used recounted; written only
        when either changed (a stale quota is a Conflict, and the key comes back later)."""
        item = self.quotas.get(key)
        if item is None:
            return
        spec, status = item.get("spec") or {}, item.get("status") or {}
        hard = quota.parse_list(spec.get("hard"))
        names = sorted(hard)
        counted = [kind for kind in COUNTED if quota.matching_resources(kind, names)]
        informers = [self._informer(kind) for kind in counted]
        if not all(informer.synced for informer in informers):
            self.queue.add_after(key, 1.0)  # WaitForCacheSync on a monitor added just now
            return
        namespace = item["metadata"]["namespace"]
        objects = [(kind, [obj for obj in informer.list()
                           if obj["metadata"].get("namespace") == namespace])
                   for kind, informer in zip(counted, informers, strict=True)]
        used = quota.calculate_usage(names, quota.scope_selectors(item), objects,
                                     self.ctx.group.sim.now)
        # Counted values replace the stored ones; only what spec.hard names is kept.
        used = quota.mask({**quota.parse_list(status.get("used")), **used}, names)
        new_status = {"hard": quota.to_strings(hard), "used": quota.to_strings(used)}
        if new_status == {"hard": status.get("hard"), "used": status.get("used")}:
            return
        item = dict(item, status=new_status)
        yield from self.client.update_status(item)

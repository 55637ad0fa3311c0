"""The EndpointSlice controller (kk pkg/controller/endpointslice/endpointslice_controller.go):
for every Service with a selector, EndpointSlices listing the pods it selects, at most 100
endpoints each, which kube-proxy and CoreDNS read to find a Service's backends.

A sync reads the Service, its pods and its slices from the informers and hands them to the
reconciler (endpointslice_reconciler.py), then writes what it planned. Slices are owned by their
Service, so the garbage collector removes them when it goes; this controller never deletes a
deleted Service's slices itself. Because its own writes come back through the slice informer, a
tracker remembers which versions it wrote: a sync on a cache that has not caught up would
create duplicates, so it waits and retries instead (EndpointSliceTracker.StaleSlices).
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.api.labels import set_selector_matches
from k8slab.client.workqueue import WorkQueue
from k8slab.controllers.context import COMPONENT, ControllerContext
from k8slab.controllers.endpointslice_desired import (
    CONTROLLER_NAME,
    LABEL_MANAGED_BY,
    LABEL_SERVICE_NAME,
)
from k8slab.controllers.endpointslice_reconciler import (
    MAX_ENDPOINTS_PER_SLICE,
    SlicePlan,
    reconcile,
)
from k8slab.controllers.workers import start_when_synced
from k8slab.errors import K8sLabError, NotFoundError

# --concurrent-service-endpoint-syncs' default (pkg/controller/endpointslice/config/v1alpha1).
CONCURRENT_SERVICE_ENDPOINT_SYNCS = 5
DELETION_EXPECTED = -1


class StaleInformerCache(K8sLabError):
    """The slice informer has not yet seen this controller's last writes; retry later."""


class SliceTracker:
    """EndpointSliceTracker: per Service, the version of each slice this controller last wrote
    (by uid), or that it deleted one. Upstream tracks generations; the model tracks
    resourceVersion, which in k8slab is etcd's revision and so grows with every write."""

    def __init__(self) -> None:
        self.by_service: dict[str, dict[str, int]] = {}

    def update(self, slice_: dict) -> None:
        """Record a slice this controller created or updated, at the version it got back."""
        meta = slice_["metadata"]
        self.by_service.setdefault(_service_key(slice_), {})[meta["uid"]] = _version(slice_)

    def expect_deletion(self, slice_: dict) -> None:
        """Record that this controller deleted `slice_`."""
        self.by_service.setdefault(_service_key(slice_), {})[
            slice_["metadata"]["uid"]] = DELETION_EXPECTED

    def should_sync(self, slice_: dict) -> bool:
        """A slice change the controller did not make itself (or newer than its own)."""
        known = self.by_service.get(_service_key(slice_), {}).get(slice_["metadata"].get("uid"))
        return known is None or _version(slice_) > known

    def handle_deletion(self, slice_: dict) -> bool:
        """Forget a deleted slice; True if this controller was the one that deleted it."""
        known = self.by_service.get(_service_key(slice_), {}).pop(
            slice_["metadata"].get("uid"), None)
        return known == DELETION_EXPECTED

    def stale(self, service_key: str, slices: list[dict]) -> bool:
        """StaleSlices: the cache lacks a slice written, holds an older version, or still holds
        one deleted."""
        known = self.by_service.get(service_key)
        if not known:
            return False
        cached = {s["metadata"].get("uid"): _version(s) for s in slices}
        for uid, version in known.items():
            if version == DELETION_EXPECTED:
                if uid in cached:
                    return True
            elif uid not in cached or cached[uid] < version:
                return True
        return False

    def delete_service(self, service_key: str) -> None:
        """The Service is gone: nothing more to expect of its slices."""
        self.by_service.pop(service_key, None)


class EndpointSliceController:
    """Keeps every selector Service's EndpointSlices listing the pods it selects."""

    NAME = "endpointslice-controller"
    # The Events' source (v1.EventSource{Component: "endpoint-slice-controller"}).
    SOURCE = "endpoint-slice-controller"

    def __init__(self, ctx: ControllerContext,
                 max_endpoints_per_slice: int = MAX_ENDPOINTS_PER_SLICE) -> None:
        self.ctx = ctx
        self.group = ctx.group
        self.queue = WorkQueue(ctx.group, self.NAME)
        self.recorder = ctx.recorder(self.SOURCE)
        self.max_endpoints_per_slice = max_endpoints_per_slice
        self.tracker = SliceTracker()
        self.services = ctx.informers.informer("services")
        self.pods = ctx.informers.informer("pods")
        self.slices = ctx.informers.informer("endpointslices")
        self.nodes = ctx.informers.informer("nodes")

    def start(self) -> None:
        """Watch Services, pods, slices and nodes; run the workers once all have synced."""
        self.services.on_add.append(lambda svc: self.queue.add(_key(svc)))
        self.services.on_update.append(lambda _old, new: self.queue.add(_key(new)))
        self.services.on_delete.append(lambda svc: self.queue.add(_key(svc)))
        self.pods.on_add.append(self._pod_changed)
        self.pods.on_update.append(self._update_pod)
        self.pods.on_delete.append(self._pod_changed)
        self.slices.on_add.append(self._slice_changed)
        self.slices.on_update.append(lambda _old, new: self._slice_changed(new))
        self.slices.on_delete.append(self._delete_slice)
        start_when_synced(self.queue, [self.services, self.pods, self.slices, self.nodes],
                          self.sync, CONCURRENT_SERVICE_ENDPOINT_SYNCS)

    # -- event handlers ----------------------------------------------------------------------

    def _services_selecting(self, pod: dict) -> list[str]:
        namespace = pod["metadata"].get("namespace")
        labels = pod["metadata"].get("labels") or {}
        return [_key(svc) for svc in self.services.list()
                if svc["metadata"].get("namespace") == namespace and _selector(svc)
                and set_selector_matches(_selector(svc), labels)]

    def _pod_changed(self, pod: dict) -> None:
        for key in self._services_selecting(pod):
            self.queue.add(key)

    def _update_pod(self, old: dict, new: dict) -> None:
        if old["metadata"].get("resourceVersion") == new["metadata"].get("resourceVersion"):
            return
        # Both label sets: a pod whose labels changed leaves one Service and joins another.
        for key in sorted(set(self._services_selecting(old) + self._services_selecting(new))):
            self.queue.add(key)

    def _managed(self, slice_: dict) -> bool:
        labels = slice_["metadata"].get("labels") or {}
        return labels.get(LABEL_MANAGED_BY) == CONTROLLER_NAME and bool(
            labels.get(LABEL_SERVICE_NAME))

    def _slice_changed(self, slice_: dict) -> None:
        if self._managed(slice_) and self.tracker.should_sync(slice_):
            self.queue.add(_service_key(slice_))

    def _delete_slice(self, slice_: dict) -> None:
        if self._managed(slice_) and not self.tracker.handle_deletion(slice_):
            self.queue.add(_service_key(slice_))

    # -- one reconcile -----------------------------------------------------------------------

    def sync(self, key: str) -> Generator:
        """syncService: reconcile one Service's slices with the pods it selects now."""
        service = self.services.get(key)
        if service is None:
            # Deleted: its slices go with it through their ownerReference (garbage collector).
            self.tracker.delete_service(key)
            return
        spec = service.get("spec") or {}
        if spec.get("type") == "ExternalName" or not _selector(service):
            return  # no slices from this controller (selector-less ones are the user's)
        namespace = service["metadata"]["namespace"]
        pods = [pod for pod in self.pods.list()
                if pod["metadata"].get("namespace") == namespace
                and set_selector_matches(_selector(service), pod["metadata"].get("labels"))]
        slices = [s for s in self.slices.list()
                  if s["metadata"].get("namespace") == namespace and self._managed(s)
                  and s["metadata"]["labels"][LABEL_SERVICE_NAME] == service["metadata"]["name"]]
        if self.tracker.stale(key, slices):
            raise StaleInformerCache("EndpointSlice informer cache is out of date")
        nodes = {node["metadata"]["name"]: node for node in self.nodes.list()}
        plan = reconcile(service, pods, nodes, slices, self.max_endpoints_per_slice)
        errors = list(plan.errors)
        try:
            yield from self._write(service, plan)
        except K8sLabError as failure:
            errors.append(failure.message)
        if errors:
            # utilerrors.NewAggregate: one error as it is, several as "[a, b]".
            text = errors[0] if len(errors) == 1 else f"[{', '.join(errors)}]"
            self.recorder.event(service, "Warning", "FailedToUpdateEndpointSlices",
                                f"Error updating Endpoint Slices for Service {key}: {text}")
            raise K8sLabError(text)

    def _write(self, service: dict, plan: SlicePlan) -> Generator:
        """finalize: create (unless the Service is being deleted), update, then delete."""
        client, key = self.ctx.client, _key(service)
        created = updated = deleted = 0
        if not service["metadata"].get("deletionTimestamp"):
            for slice_ in plan.create:
                try:
                    answer = yield from client.create(slice_)
                except K8sLabError as failure:
                    raise K8sLabError(f"failed to create EndpointSlice for Service {key}: "
                                      f"{failure.message}") from failure
                self.tracker.update(answer)
                created += 1
        for slice_ in plan.update:
            name = slice_["metadata"]["name"]
            try:
                answer = yield from client.update(slice_)
            except K8sLabError as failure:
                raise K8sLabError(f"failed to update {name} EndpointSlice for Service {key}: "
                                  f"{failure.message}") from failure
            self.tracker.update(answer)
            updated += 1
        for slice_ in plan.delete:
            name = slice_["metadata"]["name"]
            try:
                yield from client.delete("endpointslices", name, slice_["metadata"]["namespace"])
            except NotFoundError:
                continue  # already gone: what deleteEndpointSlice tolerates
            except K8sLabError as failure:
                raise K8sLabError(f"failed to delete {name} EndpointSlice for Service {key}: "
                                  f"{failure.message}") from failure
            self.tracker.expect_deletion(slice_)
            deleted += 1
        if created or updated or deleted:
            self.group.sim.record(self.group.host.name, COMPONENT, "EndpointSlices synced",
                                  f"service/{key}", controller=self.NAME, created=created,
                                  updated=updated, deleted=deleted)


def _key(obj: dict) -> str:
    return f"{obj['metadata']['namespace']}/{obj['metadata']['name']}"


def _service_key(slice_: dict) -> str:
    meta = slice_["metadata"]
    return f"{meta.get('namespace')}/{(meta.get('labels') or {}).get(LABEL_SERVICE_NAME, '')}"


def _selector(service: dict) -> dict:
    """spec.selector, a plain map; empty and absent are alike (the API drops an empty map)."""
    return (service.get("spec") or {}).get("selector") or {}


def _version(slice_: dict) -> int:
    return int(slice_["metadata"].get("resourceVersion") or 0)

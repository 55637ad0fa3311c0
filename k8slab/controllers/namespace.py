"""The namespace controller (kk pkg/controller/namespace, deletion/namespaced_resources_deleter.go):
empties a Terminating namespace, then removes its `kubernetes` finalizer so the API server can
let the namespace go.

For a namespace with a deletionTimestamp it deletes every object of every namespaced kind the
API server serves (a pod gets its grace period, as any DELETE does) and lists again; while
something is left it looks again after half the longest remaining pod grace period plus a
second, as upstream re-queues on ResourcesRemainingError. Once every list comes back empty it
writes the finalizers without `kubernetes` through namespaces/finalize. Each pass writes
upstream's NamespaceDeletion*/Namespace*Remaining status conditions (namespace_conditions).
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.api.kinds import KINDS, resource_info
from k8slab.api.timestamps import to_time
from k8slab.client.workqueue import WorkQueue, run_workers
from k8slab.controllers.context import ControllerContext
from k8slab.controllers.namespace_conditions import deletion_conditions, merged
from k8slab.errors import K8sLabError, NotFoundError

FINALIZER = "kubernetes"
# --concurrent-namespace-syncs' default (kk cmd/kube-controller-manager/app/options).
WORKERS = 10
# Every namespaced resource once (Event has two API versions over one storage).
RESOURCES = tuple(sorted({kind.resource for kind in KINDS if kind.namespaced}))


class NamespaceController:
    """Deletes a Terminating namespace's contents, then finalizes it."""

    NAME = "namespace-controller"

    def __init__(self, ctx: ControllerContext) -> None:
        self.client = ctx.client
        self.now = lambda: ctx.group.sim.now
        self.namespaces = ctx.informers.informer("namespaces")
        self.queue = WorkQueue(ctx.group, "namespace")

    def start(self) -> None:
        """Queue every namespace that is being deleted, and start the workers."""
        self.namespaces.on_add.append(self._enqueue)
        self.namespaces.on_update.append(lambda _old, new: self._enqueue(new))
        run_workers(self.queue, self.sync, WORKERS)

    def _enqueue(self, namespace: dict) -> None:
        if namespace["metadata"].get("deletionTimestamp"):
            self.queue.add(namespace["metadata"]["name"])

    def sync(self, name: str) -> Generator:
        """One pass over a Terminating namespace: delete what is left, or finalize it."""
        try:
            namespace = yield from self.client.get("namespaces", name)
        except NotFoundError:
            return
        finalizers = (namespace.get("spec") or {}).get("finalizers") or []
        if not namespace["metadata"].get("deletionTimestamp") or FINALIZER not in finalizers:
            return
        remaining: dict[str, int] = {}
        finalizing: dict[str, int] = {}
        failures: list[str] = []
        estimate = 0
        for resource in RESOURCES:
            items, _ = yield from self.client.list(resource, name)
            group = resource_info(resource).group
            for obj in items:
                qualified = f"{resource}.{group}" if group else resource
                remaining[qualified] = remaining.get(qualified, 0) + 1
                for finalizer in obj["metadata"].get("finalizers") or []:
                    finalizing[finalizer] = finalizing.get(finalizer, 0) + 1
                if resource == "pods":
                    grace = obj["metadata"].get("deletionGracePeriodSeconds")
                    if grace is None:
                        grace = obj.get("spec", {}).get("terminationGracePeriodSeconds", 30)
                    estimate = max(estimate, grace)
                if obj["metadata"].get("deletionTimestamp"):
                    continue
                try:
                    yield from self.client.delete(resource, obj["metadata"]["name"], name)
                except NotFoundError:
                    continue
                except K8sLabError as error:
                    failures.append(error.message)
        yield from self._write_conditions(namespace, deletion_conditions(
            remaining, finalizing, failures))
        if remaining:
            self.queue.add_after(name, estimate / 2 + 1)
            return
        namespace = yield from self.client.get("namespaces", name)
        finalizers = (namespace.get("spec") or {}).get("finalizers") or []
        namespace.setdefault("spec", {})["finalizers"] = [f for f in finalizers
                                                          if f != FINALIZER]
        yield from self.client.finalize(namespace)

    def _write_conditions(self, namespace: dict, conditions: dict) -> Generator:
        status = namespace.setdefault("status", {})
        written = merged(status.get("conditions") or [], conditions, to_time(self.now()))
        if written == status.get("conditions"):
            return
        status["conditions"] = written
        yield from self.client.update_status(namespace)

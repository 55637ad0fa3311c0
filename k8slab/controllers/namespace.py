"""The namespace controller (kk pkg/controller/namespace, deletion/namespaced_resources_deleter.go):
empties a Terminating namespace, then removes its `kubernetes` finalizer so the API server can
let the namespace go.

For a namespace with a deletionTimestamp it deletes every object of every namespaced kind the
API server serves (a pod gets its grace period, as any DELETE does) and lists again; while
something is left it looks again after half the longest remaining pod grace period plus a
second, as upstream re-queues on ResourcesRemainingError. Once every list comes back empty it
writes the finalizers without `kubernetes` through namespaces/finalize. Each pass writes
upstream's NamespaceDeletion*/Namespace*Remaining status conditions (namespace_conditions).
Custom resources are emptied too: the namespaced kinds of the Established CRDs, which upstream
finds through discovery.
It is written with the controller toolkit (k8slab.client.controller), as an operator would be.
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.api.custom_kinds import established
from k8slab.api.kinds import KINDS, resource_info
from k8slab.api.timestamps import to_time
from k8slab.client.controller import Controller, Result
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
        self.controller = Controller(
            ctx.client, "namespaces", lambda _ctl, name: self.sync(name), name="namespace",
            workers=WORKERS, informers=ctx.informers, enqueue_if=_terminating)
        self.queue = self.controller.queue

    def start(self) -> None:
        """Queue every namespace that is being deleted, and start the workers."""
        self.controller.start()

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
        crds, _ = yield from self.client.list("customresourcedefinitions")
        custom = [f"{crd['spec']['names']['plural']}.{crd['spec']['group']}" for crd in crds
                  if established(crd) and crd["spec"].get("scope") == "Namespaced"]
        for resource in (*RESOURCES, *custom):
            items, _ = yield from self.client.list(resource, name)
            qualified = _qualified(resource)
            for obj in items:
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
            return Result(requeue_after=estimate / 2 + 1)
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


def _qualified(resource: str) -> str:
    """`pods`, `deployments.apps`, `webapps.example.com`: a resource as the conditions name it
    (a custom resource is already named with its group)."""
    if "." in resource:
        return resource
    group = resource_info(resource).group
    return f"{resource}.{group}" if group else resource


def _terminating(namespace: dict) -> bool:
    return bool(namespace["metadata"].get("deletionTimestamp"))

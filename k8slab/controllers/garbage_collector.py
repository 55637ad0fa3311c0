"""The garbage collector: it deletes objects whose owners are gone, and carries out the
foreground and orphan deletions that a DELETE's propagationPolicy asked for.

An object names its owners in metadata.ownerReferences (by uid). Background (the default): once
every owner of an object is gone, the object is deleted. Foreground: the owner waits, with
deletionTimestamp and the `foregroundDeletion` finalizer, while its dependents are deleted;
when no dependent with blockOwnerDeletion is left the finalizer is removed and the API server
removes the owner. Orphan: the owner's references are taken out of its dependents, then the
`orphan` finalizer is removed.
Upstream: kk pkg/controller/garbagecollector (garbagecollector.go attemptToDeleteItem,
processDeletingDependentsItem, orphanDependents; operations.go deletes with a uid precondition).
Simplified: instead of upstream's graph over every resource (metadata informers), the collector
watches the workload kinds and pods and reads owners from those caches, asking the API server
before it trusts that an owner is gone.
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.api.custom_kinds import established
from k8slab.api.kinds import resource_info
from k8slab.client.informer import Informer, cache_key
from k8slab.client.workqueue import WorkQueue, run_workers
from k8slab.controllers.context import COMPONENT, ControllerContext
from k8slab.errors import ConflictError, K8sLabError, NotFoundError

ORPHAN_FINALIZER = "orphan"
FOREGROUND_FINALIZER = "foregroundDeletion"
# The kinds whose objects own or are owned in k8slab's workloads, as resources.
RESOURCES = ("deployments", "replicasets", "replicationcontrollers", "daemonsets",
             "statefulsets", "jobs", "pods")


def owner_uids(obj: dict) -> list[str]:
    """The uids obj's ownerReferences name, in order."""
    return [ref["uid"] for ref in obj["metadata"].get("ownerReferences") or [] if ref.get("uid")]


def deleting_with(obj: dict, finalizer: str) -> bool:
    """True when obj is being deleted and still carries `finalizer`."""
    meta = obj["metadata"]
    return bool(meta.get("deletionTimestamp")) and finalizer in (meta.get("finalizers") or [])


def blocks(dependent: dict, owner_uid: str) -> bool:
    """True when dependent's reference to the owner says blockOwnerDeletion."""
    return any(ref.get("uid") == owner_uid and ref.get("blockOwnerDeletion")
               for ref in dependent["metadata"].get("ownerReferences") or [])


class GarbageCollector:
    """kube-controller-manager's garbage collector, over the informers of RESOURCES."""

    NAME = "garbage-collector-controller"

    def __init__(self, ctx: ControllerContext, resources: tuple[str, ...] = RESOURCES) -> None:
        self.ctx = ctx
        self.client = ctx.client
        self.sim = ctx.group.sim
        self.queue = WorkQueue(ctx.group, "garbage_collector_attempt_to_delete")
        self.informers: dict[str, Informer] = {}
        self.started = False
        for resource in resources:
            self._watch(resource)
        # Custom resources own and are owned too: upstream's collector discovers every
        # deletable resource; here each Established CRD's resource is watched as it appears.
        crds = ctx.informers.informer("customresourcedefinitions")
        crds.on_add.append(self._crd_seen)
        crds.on_update.append(lambda _old, new: self._crd_seen(new))
        self._crds = crds

    def _watch(self, resource: str) -> None:
        informer = self.ctx.informers.informer(resource)
        informer.add_index("uid", lambda o: [o["metadata"].get("uid", "")])
        informer.add_index("owner", owner_uids)
        informer.on_add.append(lambda o, r=resource: self._changed(r, None, o))
        informer.on_update.append(lambda old, new, r=resource: self._changed(r, old, new))
        informer.on_delete.append(lambda o, r=resource: self._gone(r, o))
        self.informers[resource] = informer
        if self.started:
            informer.start()

    def _crd_seen(self, crd: dict) -> None:
        if not established(crd):
            return
        resource = f"{crd['spec']['names']['plural']}.{crd['spec']['group']}"
        if resource not in self.informers:
            self._watch(resource)

    def start(self) -> None:
        """Start the informers and the workers (--concurrent-gc-syncs)."""
        self.started = True
        for informer in [*self.informers.values(), self._crds]:
            informer.start()
        run_workers(self.queue, self.sync, self.ctx.options.concurrent_gc_syncs)

    def _record(self, kind: str, obj: str, **details) -> None:
        self.sim.record(self.ctx.group.host.name, COMPONENT, kind, obj, controller=self.NAME,
                        **details)

    # -- what to look at, when -----------------------------------------------------------------

    def _changed(self, resource: str, old: dict | None, obj: dict) -> None:
        # Only what the collector reads: owners, deletion, finalizers (not every status write).
        watched = ("ownerReferences", "deletionTimestamp", "finalizers")
        if old is not None and all(old["metadata"].get(f) == obj["metadata"].get(f)
                                   for f in watched):
            return
        if owner_uids(obj) or obj["metadata"].get("deletionTimestamp"):
            self.queue.add(f"{resource}|{cache_key(obj)}")
        self._wake_owners(obj)

    def _gone(self, resource: str, obj: dict) -> None:
        for dependent_resource, dependent in self.dependents(obj["metadata"].get("uid", "")):
            self.queue.add(f"{dependent_resource}|{cache_key(dependent)}")
        self._wake_owners(obj)

    def _wake_owners(self, obj: dict) -> None:
        # An owner deleting in the foreground waits for this dependent: look at it again.
        for uid in owner_uids(obj):
            for resource, owner in self._by_uid(uid):
                if deleting_with(owner, FOREGROUND_FINALIZER):
                    self.queue.add(f"{resource}|{cache_key(owner)}")

    def _by_uid(self, uid: str) -> list[tuple[str, dict]]:
        return [(r, o) for r, informer in self.informers.items()
                for o in informer.by_index("uid", uid)]

    def dependents(self, uid: str) -> list[tuple[str, dict]]:
        """(resource, object) of every cached object whose ownerReferences name `uid`."""
        return [(r, o) for r, informer in self.informers.items()
                for o in informer.by_index("owner", uid)]

    # -- the sync --------------------------------------------------------------------------------

    def sync(self, key: str) -> Generator:
        """Look at one object: finish its orphan or foreground deletion, or delete it if
        every owner is gone."""
        resource, _, object_key = key.partition("|")
        obj = self.informers[resource].get(object_key)
        if obj is None:
            return
        if deleting_with(obj, ORPHAN_FINALIZER):
            yield from self._orphan_dependents(resource, obj)
        elif deleting_with(obj, FOREGROUND_FINALIZER):
            yield from self._delete_dependents(resource, obj)
        elif owner_uids(obj) and not obj["metadata"].get("deletionTimestamp"):
            yield from self._attempt_to_delete(resource, obj)

    def _attempt_to_delete(self, resource: str, obj: dict) -> Generator:
        solid, gone, waiting = [], [], []
        for ref in obj["metadata"]["ownerReferences"]:
            owner = yield from self._owner(obj, ref)
            if owner is None:
                gone.append(ref["uid"])
            elif deleting_with(owner, FOREGROUND_FINALIZER):
                waiting.append(ref["uid"])
            else:
                solid.append(ref["uid"])
        if solid:
            if gone or waiting:  # keep only the references to owners that stay
                yield from self._drop_references(resource, obj, gone + waiting)
            return
        # No owner stays: delete it, in the foreground if an owner waits for it and it has
        # dependents of its own, else by the policy its own finalizers say, else Background.
        meta = obj["metadata"]
        finalizers = meta.get("finalizers") or []
        if ORPHAN_FINALIZER in finalizers:
            policy = "Orphan"
        elif FOREGROUND_FINALIZER in finalizers or (waiting and self.dependents(meta["uid"])):
            policy = "Foreground"
        else:
            policy = "Background"
        yield from self._delete(resource, obj, policy)

    def _owner(self, obj: dict, ref: dict) -> Generator:
        """The owner `ref` names, or None if it is gone (confirmed by a GET: the cache may lag)."""
        for _, owner in self._by_uid(ref["uid"]):
            return owner
        try:
            resource = resource_info(ref.get("kind", "")).resource
        except K8sLabError:
            # A custom kind: named as kind.version.group for the API server to resolve.
            group, _, version = str(ref.get("apiVersion", "")).rpartition("/")
            resource = f"{str(ref.get('kind', '')).lower()}.{version}.{group}"
        try:
            owner = yield from self.client.get(resource, ref.get("name", ""),
                                               obj["metadata"].get("namespace"))
        except NotFoundError:
            return None
        except K8sLabError:
            # A kind the API server does not serve: assumed to exist, as upstream's collector
            # keeps trying to resolve such an owner and never deletes its dependents for it.
            return {"metadata": {"uid": ref["uid"]}}
        return owner if owner["metadata"].get("uid") == ref["uid"] else None

    def _delete(self, resource: str, obj: dict, policy: str) -> Generator:
        meta = obj["metadata"]
        self._record("GarbageCollect", _ref(resource, obj), propagation_policy=policy)
        try:
            yield from self.client.delete(resource, meta["name"], meta.get("namespace"),
                                          propagation_policy=policy, uid=meta["uid"])
        except (NotFoundError, ConflictError):
            pass  # gone already, or a new object of that name: not this one to delete

    def _delete_dependents(self, resource: str, owner: dict) -> Generator:
        uid = owner["metadata"]["uid"]
        dependents = self.dependents(uid)
        for dependent_resource, dependent in dependents:
            if not dependent["metadata"].get("deletionTimestamp"):
                yield from self._attempt_to_delete(dependent_resource, dependent)
        if not any(blocks(d, uid) for _, d in dependents):
            yield from self._remove_finalizer(resource, owner, FOREGROUND_FINALIZER)

    def _orphan_dependents(self, resource: str, owner: dict) -> Generator:
        uid = owner["metadata"]["uid"]
        for dependent_resource, dependent in self.dependents(uid):
            yield from self._drop_references(dependent_resource, dependent, [uid])
        yield from self._remove_finalizer(resource, owner, ORPHAN_FINALIZER)

    def _drop_references(self, resource: str, obj: dict, uids: list[str]) -> Generator:
        meta = obj["metadata"]
        try:
            fresh = yield from self.client.get(resource, meta["name"], meta.get("namespace"))
        except NotFoundError:
            return
        refs = fresh["metadata"].get("ownerReferences") or []
        fresh["metadata"]["ownerReferences"] = [r for r in refs if r.get("uid") not in uids]
        self._record("OrphanDependent", _ref(resource, obj), owners=",".join(uids))
        yield from self.client.update(fresh)  # a Conflict is retried through the queue

    def _remove_finalizer(self, resource: str, obj: dict, finalizer: str) -> Generator:
        meta = obj["metadata"]
        try:
            fresh = yield from self.client.get(resource, meta["name"], meta.get("namespace"))
        except NotFoundError:
            return
        finalizers = fresh["metadata"].get("finalizers") or []
        if finalizer not in finalizers:
            return
        fresh["metadata"]["finalizers"] = [f for f in finalizers if f != finalizer]
        self._record("RemoveFinalizer", _ref(resource, obj), finalizer=finalizer)
        yield from self.client.update(fresh)


def _ref(resource: str, obj: dict) -> str:
    """`pod/default/web` for the trace."""
    try:
        singular = resource_info(resource).singular
    except K8sLabError:  # a custom resource
        singular = str(obj.get("kind", "")).lower()
    return f"{singular}/{cache_key(obj)}"

"""The Deployment controller (kk pkg/controller/deployment/deployment_controller.go).

It watches Deployments, ReplicaSets and pods; any change queues the Deployment concerned, and a
worker reconciles it (syncDeployment): claim its ReplicaSets, then pause, scale, or roll out
by its strategy. It manages ReplicaSets only; the ReplicaSet controller makes the pods.
"""

from __future__ import annotations

import copy
from collections.abc import Generator

from k8slab.api.labels import selector_matches
from k8slab.client.informer import cache_key
from k8slab.client.workqueue import WorkQueue, run_workers
from k8slab.controllers.context import ControllerContext
from k8slab.controllers.deployment import recreate, rolling, sync
from k8slab.controllers.deployment.util import RECREATE, strategy_type
from k8slab.errors import K8sLabError, NotFoundError

SOURCE = "deployment-controller"
CONTROLLER_UID_INDEX = "controller-uid"
NAMESPACE_INDEX = "namespace"


def controller_of(obj: dict) -> dict | None:
    """metav1.GetControllerOf: the ownerReference with controller=true, if any."""
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return ref
    return None


def _controller_uid(obj: dict) -> list[str]:
    ref = controller_of(obj)
    return [ref["uid"]] if ref is not None else []


def _namespace(obj: dict) -> list[str]:
    return [obj["metadata"].get("namespace", "")]


class DeploymentController:
    """Reconciles each Deployment with its ReplicaSets and writes the Deployment's status."""

    NAME = "deployment"

    def __init__(self, ctx: ControllerContext) -> None:
        self.ctx = ctx
        self.client = ctx.client
        self.sim = ctx.group.sim
        self.recorder = ctx.recorder(SOURCE)
        self.queue = WorkQueue(ctx.group, "deployment")
        self.deployments = ctx.informers.informer("deployments")
        self.replica_sets = ctx.informers.informer("replicasets")
        self.pods = ctx.informers.informer("pods")

    def now(self) -> float:
        """Simulated seconds: the controller's clock for conditions and deadlines."""
        return self.sim.now

    def start(self) -> None:
        """Register the informer handlers and start the workers."""
        self.deployments.on_add.append(self.enqueue)
        self.deployments.on_update.append(lambda _old, cur: self.enqueue(cur))
        self.deployments.on_delete.append(self.enqueue)
        self.deployments.add_index(NAMESPACE_INDEX, _namespace)
        self.replica_sets.add_index(NAMESPACE_INDEX, _namespace)
        self.pods.add_index(CONTROLLER_UID_INDEX, _controller_uid)
        self.replica_sets.on_add.append(self._add_replica_set)
        self.replica_sets.on_update.append(self._update_replica_set)
        self.replica_sets.on_delete.append(self._delete_replica_set)
        self.pods.on_delete.append(self._delete_pod)
        run_workers(self.queue, self.sync, self.ctx.options.concurrent_deployment_syncs)

    def enqueue(self, d: dict) -> None:
        """Queue a Deployment's key."""
        self.queue.add(cache_key(d))

    # -- handlers: which Deployment does a ReplicaSet or a pod concern? -------------------------

    def _resolve(self, namespace: str, ref: dict | None) -> dict | None:
        # resolveControllerRef: the Deployment a controllerRef names, if it is still that one.
        if ref is None or ref.get("kind") != "Deployment":
            return None
        d = self.deployments.get(f"{namespace}/{ref['name']}")
        return d if d is not None and d["metadata"].get("uid") == ref.get("uid") else None

    def deployments_for_replica_set(self, rs: dict) -> list[dict]:
        """getDeploymentsForReplicaSet: the Deployments whose selector takes this orphan in."""
        labels = rs["metadata"].get("labels") or {}
        return [d for d in self.deployments.by_index(NAMESPACE_INDEX,
                                                     rs["metadata"].get("namespace", ""))
                if d["spec"].get("selector") and selector_matches(d["spec"]["selector"], labels)]

    def _add_replica_set(self, rs: dict) -> None:
        if rs["metadata"].get("deletionTimestamp"):
            self._delete_replica_set(rs)
            return
        ref = controller_of(rs)
        if ref is not None:
            d = self._resolve(rs["metadata"]["namespace"], ref)
            if d is not None:
                self.enqueue(d)
            return
        for d in self.deployments_for_replica_set(rs):
            self.enqueue(d)

    def _update_replica_set(self, old: dict, cur: dict) -> None:
        if old["metadata"].get("resourceVersion") == cur["metadata"].get("resourceVersion"):
            return
        old_ref, cur_ref = controller_of(old), controller_of(cur)
        if old_ref != cur_ref and old_ref is not None:
            d = self._resolve(old["metadata"]["namespace"], old_ref)
            if d is not None:
                self.enqueue(d)
        if cur_ref is not None:
            d = self._resolve(cur["metadata"]["namespace"], cur_ref)
            if d is not None:
                self.enqueue(d)
            return
        if old_ref != cur_ref or old["metadata"].get("labels") != cur["metadata"].get("labels"):
            for d in self.deployments_for_replica_set(cur):
                self.enqueue(d)

    def _delete_replica_set(self, rs: dict) -> None:
        d = self._resolve(rs["metadata"]["namespace"], controller_of(rs))
        if d is not None:
            self.enqueue(d)

    def _delete_pod(self, pod: dict) -> None:
        # Only a Recreate rollout waits for pods to be gone: the last old pod's deletion
        # queues it (deletePod).
        ref = controller_of(pod)
        if ref is None or ref.get("kind") != "ReplicaSet":
            return
        rs = self.replica_sets.get(f"{pod['metadata']['namespace']}/{ref['name']}")
        if rs is None or rs["metadata"].get("uid") != ref.get("uid"):
            return
        d = self._resolve(rs["metadata"]["namespace"], controller_of(rs))
        if d is None or strategy_type(d) != RECREATE:
            return
        owned = [r for r in self.replica_sets.by_index(NAMESPACE_INDEX, rs["metadata"]["namespace"])
                 if _controller_uid(r) == [d["metadata"]["uid"]]]
        if not any(self.pod_map(owned).values()):
            self.enqueue(d)

    # -- reading what a Deployment owns ----------------------------------------------------------

    def pod_map(self, rss: list[dict]) -> dict[str, list[dict]]:
        """getPodMapForDeployment: each ReplicaSet's uid -> the pods it controls."""
        return {rs["metadata"]["uid"]: self.pods.by_index(CONTROLLER_UID_INDEX,
                                                          rs["metadata"]["uid"]) for rs in rss}

    def replica_sets_for(self, d: dict) -> Generator:
        """getReplicaSetsForDeployment: the ReplicaSets this Deployment controls, adopting the
        orphans its selector matches and releasing its own that no longer match
        (ControllerRefManager.ClaimReplicaSets); returns them in key order."""
        meta = d["metadata"]
        claimed = []
        can_adopt_checked = False
        for rs in self.replica_sets.by_index(NAMESPACE_INDEX, meta["namespace"]):
            ref = controller_of(rs)
            matches = selector_matches(d["spec"].get("selector"),
                                       rs["metadata"].get("labels") or {})
            if ref is not None:
                if ref.get("uid") != meta["uid"]:
                    continue
                if matches:
                    claimed.append(rs)
                elif not meta.get("deletionTimestamp"):
                    yield from self._write_owner(rs, None)
                continue
            if meta.get("deletionTimestamp") or not matches or rs["metadata"].get(
                    "deletionTimestamp"):
                continue
            if not can_adopt_checked:
                yield from self._can_adopt(d)
                can_adopt_checked = True
            adopted = yield from self._write_owner(rs, d)
            if adopted is not None:
                claimed.append(adopted)
        return claimed

    def _can_adopt(self, d: dict) -> Generator:
        # RecheckDeletionTimestamp: a fresh read, so a Deployment deleted and re-created under
        # the same name does not adopt for its predecessor.
        meta = d["metadata"]
        fresh = yield from self.client.get("deployments", meta["name"], meta["namespace"])
        if fresh["metadata"].get("uid") != meta["uid"]:
            raise K8sLabError(f"original Deployment {meta['namespace']}/{meta['name']} is gone: "
                              f"got uid {fresh['metadata'].get('uid')}, wanted {meta['uid']}")
        if fresh["metadata"].get("deletionTimestamp"):
            raise K8sLabError(f"{meta['namespace']}/{meta['name']} has just been deleted at "
                              f"{fresh['metadata']['deletionTimestamp']}")

    def _write_owner(self, rs: dict, d: dict | None) -> Generator:
        # Adopt (d given) or release (d None) a ReplicaSet. Upstream patches ownerReferences;
        # the lab's client has no PATCH, so this is an update with the cached resourceVersion.
        rs = copy.deepcopy(rs)
        refs = [r for r in rs["metadata"].get("ownerReferences") or []
                if not (d is None and r.get("controller"))]
        if d is not None:
            refs.append({"apiVersion": "apps/v1", "kind": "Deployment",
                         "name": d["metadata"]["name"], "uid": d["metadata"]["uid"],
                         "controller": True, "blockOwnerDeletion": True})
        rs["metadata"]["ownerReferences"] = refs
        try:
            return (yield from self.client.update(rs))
        except NotFoundError:
            return None

    # -- the reconcile ----------------------------------------------------------------------------

    def sync(self, key: str) -> Generator:
        """syncDeployment: one reconcile of the Deployment with this key."""
        cached = self.deployments.get(key)
        if cached is None:
            return  # deleted; the garbage collector removes its ReplicaSets
        d = copy.deepcopy(cached)
        if d["spec"].get("selector") in ({}, {"matchLabels": {}}):
            self.recorder.event(d, "Warning", "SelectingAll", "This deployment is selecting all "
                                "pods. A non-empty selector is required.")
            if (d.get("status") or {}).get("observedGeneration", 0) < d["metadata"].get(
                    "generation", 0):
                d.setdefault("status", {})["observedGeneration"] = d["metadata"]["generation"]
                yield from self.client.update_status(d)
            return
        rs_list = yield from self.replica_sets_for(d)
        if d["metadata"].get("deletionTimestamp"):
            yield from sync.sync_status_only(self, d, rs_list)
            return
        d = yield from sync.check_paused_conditions(self, d)
        if d["spec"].get("paused"):
            yield from sync.sync(self, d, rs_list)
            return
        if (yield from sync.is_scaling_event(self, d, rs_list)):
            yield from sync.sync(self, d, rs_list)
            return
        if strategy_type(d) == RECREATE:
            yield from recreate.rollout_recreate(self, d, rs_list, self.pod_map(rs_list))
        else:
            yield from rolling.rollout_rolling(self, d, rs_list)

"""The ReplicaSet controller, and the ReplicationController manager that is the same logic for
an older kind (kk pkg/controller/replicaset/replica_set.go; pkg/controller/replication/).

One sync reads a ReplicaSet and every pod, claims the pods its selector matches (adopting
orphans, releasing pods that stopped matching), creates or deletes pods until `replicas` are
active, and writes what it counted to status. Creates go out in slow-start batches; deletes
take the least established pods first. Expectations keep a sync from acting again before the
informer has seen the pods the previous one made.
"""

from __future__ import annotations

import copy
from collections.abc import Generator

from k8slab.api.labels import selector_matches
from k8slab.api.timestamps import to_time
from k8slab.client.workqueue import WorkQueue
from k8slab.controllers.context import ControllerContext
from k8slab.controllers.controller_ref_manager import PodClaimer, selected_by
from k8slab.controllers.controller_utils import (
    BURST_REPLICAS,
    CONTROLLER_UID_INDEX,
    ORPHAN_INDEX_KEY,
    controller_ref,
    controller_uid_index,
    filter_active_pods,
    is_pod_available,
    is_pod_ready,
    pod_from_template,
    pods_on_same_node_ranks,
    rank_pods_for_deletion,
)
from k8slab.controllers.expectations import Expectations
from k8slab.controllers.pod_control import PodControl, delete_pods, pod_key, slow_start_batch
from k8slab.controllers.workers import start_when_synced
from k8slab.errors import K8sLabError

STATUS_UPDATE_RETRIES = 1


class ReplicaSetController:
    """Keeps `spec.replicas` active pods for every ReplicaSet."""

    NAME = "replicaset"
    KIND = "ReplicaSet"
    RESOURCE = "replicasets"
    SOURCE = "replicaset-controller"

    def __init__(self, ctx: ControllerContext) -> None:
        self.ctx = ctx
        self.group = ctx.group
        self.queue = WorkQueue(ctx.group, self.NAME)
        self.expectations = Expectations(ctx.group.sim)
        self.pod_control = PodControl(ctx.client, ctx.recorder(self.SOURCE))
        self.owners = ctx.informers.informer(self.RESOURCE)
        self.pods = ctx.informers.informer("pods")
        self.burst_replicas = BURST_REPLICAS

    def workers(self) -> int:
        """--concurrent-replicaset-syncs."""
        return self.ctx.options.concurrent_replicaset_syncs

    def selector(self, owner: dict) -> dict | None:
        """The owner's pod selector as a metav1.LabelSelector."""
        return (owner.get("spec") or {}).get("selector")

    def start(self) -> None:
        """Watch owners and pods; run the workers once both caches have synced."""
        self.pods.add_index(CONTROLLER_UID_INDEX, controller_uid_index)
        self.owners.add_index(CONTROLLER_UID_INDEX, controller_uid_index)
        self.owners.on_add.append(lambda owner: self.queue.add(_key(owner)))
        self.owners.on_update.append(self._update_owner)
        self.owners.on_delete.append(self._delete_owner)
        self.pods.on_add.append(self._add_pod)
        self.pods.on_update.append(self._update_pod)
        self.pods.on_delete.append(self._delete_pod)
        start_when_synced(self.queue, [self.pods, self.owners], self.sync, self.workers())

    # -- event handlers ----------------------------------------------------------------------

    def _update_owner(self, old: dict, new: dict) -> None:
        if old["metadata"].get("uid") != new["metadata"].get("uid"):
            self.expectations.delete(_key(old))
        self.queue.add(_key(new))

    def _delete_owner(self, owner: dict) -> None:
        self.expectations.delete(_key(owner))
        self.queue.add(_key(owner))

    def _resolve(self, namespace: str, ref: dict | None) -> dict | None:
        if ref is None or ref.get("kind") != self.KIND:
            return None
        owner = self.owners.get(f"{namespace}/{ref.get('name')}")
        if owner is None or owner["metadata"].get("uid") != ref.get("uid"):
            return None
        return owner

    def _matching_owners(self, pod: dict) -> list[dict]:
        namespace = pod["metadata"].get("namespace")
        labels = pod["metadata"].get("labels") or {}
        return [owner for owner in self.owners.list()
                if owner["metadata"].get("namespace") == namespace
                and labels and selector_matches(self.selector(owner), labels)]

    def _add_pod(self, pod: dict) -> None:
        if pod["metadata"].get("deletionTimestamp"):
            self._delete_pod(pod)
            return
        ref = controller_ref(pod)
        if ref is not None:
            owner = self._resolve(pod["metadata"]["namespace"], ref)
            if owner is not None:
                self.expectations.creation_observed(_key(owner))
                self.queue.add(_key(owner))
            return
        for owner in self._matching_owners(pod):
            self.queue.add(_key(owner))

    def _update_pod(self, old: dict, new: dict) -> None:
        if old["metadata"].get("resourceVersion") == new["metadata"].get("resourceVersion"):
            return
        labels_changed = old["metadata"].get("labels") != new["metadata"].get("labels")
        if new["metadata"].get("deletionTimestamp"):
            # Graceful deletion: count the pod as gone now, not when the kubelet removes it.
            self._delete_pod(new)
            if labels_changed:
                self._delete_pod(old)
            return
        old_ref, new_ref = controller_ref(old), controller_ref(new)
        namespace = new["metadata"]["namespace"]
        if old_ref != new_ref and old_ref is not None:
            previous = self._resolve(namespace, old_ref)
            if previous is not None:
                self.queue.add(_key(previous))
        if new_ref is not None:
            owner = self._resolve(namespace, new_ref)
            if owner is None:
                return
            self.queue.add(_key(owner))
            min_ready = int(owner["spec"].get("minReadySeconds") or 0)
            if min_ready > 0 and not is_pod_ready(old) and is_pod_ready(new):
                # Check availability again once minReadySeconds have passed (+1 s for skew).
                self.queue.add_after(_key(owner), min_ready + 1)
            return
        if labels_changed or old_ref != new_ref:
            for owner in self._matching_owners(new):
                self.queue.add(_key(owner))

    def _delete_pod(self, pod: dict) -> None:
        owner = self._resolve(pod["metadata"]["namespace"], controller_ref(pod))
        if owner is not None:
            self.expectations.deletion_observed(_key(owner), pod_key(pod))
            self.queue.add(_key(owner))

    # -- one reconcile -----------------------------------------------------------------------

    def sync(self, key: str) -> Generator:
        """Reconcile one owner: claim its pods, create or delete to match, write status."""
        owner = self.owners.get(key)
        if owner is None:
            self.expectations.delete(key)
            return
        needs_sync = self.expectations.satisfied(key)
        namespace = owner["metadata"]["namespace"]
        candidates = (self.pods.by_index(CONTROLLER_UID_INDEX, owner["metadata"]["uid"])
                      + self.pods.by_index(CONTROLLER_UID_INDEX, f"{ORPHAN_INDEX_KEY}/{namespace}"))
        candidates.sort(key=pod_key)
        selector = self.selector(owner)
        claimer = PodClaimer(self.ctx.client, owner,
                             selected_by(selector))
        active = yield from claimer.claim(filter_active_pods(candidates))
        error: K8sLabError | None = None
        if needs_sync and not owner["metadata"].get("deletionTimestamp"):
            try:
                yield from self.manage_replicas(active, owner)
            except K8sLabError as failure:
                error = failure
        status = calculate_status(owner, active, error, self.group.sim.now)
        updated = yield from self._update_status(owner, status)
        replicas = _replicas(updated)
        min_ready = int(updated["spec"].get("minReadySeconds") or 0)
        if (error is None and min_ready > 0 and updated["status"].get("readyReplicas") == replicas
                and updated["status"].get("availableReplicas") != replicas):
            self.queue.add_after(key, min_ready)
        if error is not None:
            raise error

    def manage_replicas(self, active: list[dict], owner: dict) -> Generator:
        """Create or delete pods so that `replicas` are active, at most 500 per sync."""
        key = _key(owner)
        diff = len(active) - _replicas(owner)
        if diff < 0:
            wanted = min(-diff, self.burst_replicas)
            self.expectations.expect_creations(key, wanted)
            template = owner["spec"].get("template") or {}
            successes, error = yield from slow_start_batch(
                self.group, wanted,
                lambda: self.pod_control.create_pod(pod_from_template(template, owner), owner))
            for _ in range(wanted - successes):
                # Pods that failed or were never tried will not be seen by the informer.
                self.expectations.creation_observed(key)
            if error is not None:
                raise error
        elif diff > 0:
            victims = self.pods_to_delete(active, owner, min(diff, self.burst_replicas))
            self.expectations.expect_deletions(key, [pod_key(pod) for pod in victims])
            errors = yield from delete_pods(self.group, self.pod_control, self.expectations,
                                            key, victims, owner)
            if errors:
                raise errors[0]

    def pods_to_delete(self, active: list[dict], owner: dict, count: int) -> list[dict]:
        """The `count` pods to delete first (getPodsToDelete): ranked unless all go."""
        if count >= len(active):
            return active[:count]
        ranks = pods_on_same_node_ranks(active, self.related_pods(owner))
        return rank_pods_for_deletion(active, ranks, self.group.sim.now)[:count]

    def related_pods(self, owner: dict) -> list[dict]:
        """Pods of every ReplicaSet sharing this one's controller (getIndirectlyRelatedPods).

        A ReplicaSet without a controller (not made by a Deployment) has none, so for it the
        "doubled-up node" rule never decides, exactly as upstream.
        """
        ref = controller_ref(owner)
        if ref is None:
            return []
        related: list[dict] = []
        for sibling in self.owners.by_index(CONTROLLER_UID_INDEX, ref.get("uid", "")):
            related.extend(self.pods.by_index(CONTROLLER_UID_INDEX, sibling["metadata"]["uid"]))
        return related

    def _update_status(self, owner: dict, status: dict) -> Generator:
        generation = owner["metadata"].get("generation", 0)
        current = owner.get("status") or {}
        if _same_status(current, status) and current.get("observedGeneration") == generation:
            return owner
        client = self.ctx.client
        for attempt in range(STATUS_UPDATE_RETRIES + 1):
            if attempt:
                # Retry once on the latest version (updateReplicaSetStatus).
                meta = owner["metadata"]
                owner = yield from client.get(self.RESOURCE, meta["name"], meta["namespace"])
            changed = copy.deepcopy(owner)
            changed["status"] = dict(status, observedGeneration=generation)
            try:
                return (yield from client.update_status(changed))
            except K8sLabError:
                if attempt >= STATUS_UPDATE_RETRIES:
                    raise
        return owner


class ReplicationManager(ReplicaSetController):
    """The ReplicationController: a ReplicaSet whose selector is a plain label map."""

    NAME = "replicationcontroller"
    KIND = "ReplicationController"
    RESOURCE = "replicationcontrollers"
    SOURCE = "replication-controller"

    def workers(self) -> int:
        """--concurrent-rc-syncs."""
        return self.ctx.options.concurrent_rc_syncs

    def selector(self, owner: dict) -> dict | None:
        """spec.selector is a map; as a LabelSelector it is matchLabels (an empty one matches
        nothing here: the API server defaults it to the template's labels)."""
        labels = (owner.get("spec") or {}).get("selector") or {}
        return {"matchLabels": dict(labels)} if labels else None


def _key(obj: dict) -> str:
    return f"{obj['metadata']['namespace']}/{obj['metadata']['name']}"


def _replicas(owner: dict) -> int:
    replicas = (owner.get("spec") or {}).get("replicas")
    return 1 if replicas is None else int(replicas)


_COUNTS = ("replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas")


def _same_status(current: dict, new: dict) -> bool:
    return (all(current.get(f, 0) == new.get(f, 0) for f in _COUNTS)
            and current.get("conditions") == new.get("conditions"))


def calculate_status(owner: dict, active: list[dict], error: K8sLabError | None,
                     now: float) -> dict:
    """The status a sync writes (calculateStatus): counts of the claimed active pods, and a
    ReplicaFailure condition while creating or deleting fails."""
    status = copy.deepcopy(owner.get("status") or {})
    status.pop("observedGeneration", None)
    template_labels = ((owner["spec"].get("template") or {}).get("metadata") or {}).get(
        "labels") or {}
    min_ready = int(owner["spec"].get("minReadySeconds") or 0)
    status["replicas"] = len(active)
    status["fullyLabeledReplicas"] = sum(
        1 for pod in active
        if all((pod["metadata"].get("labels") or {}).get(key) == value
               for key, value in template_labels.items()))
    status["readyReplicas"] = sum(1 for pod in active if is_pod_ready(pod))
    status["availableReplicas"] = sum(1 for pod in active
                                      if is_pod_available(pod, min_ready, now))
    conditions = [c for c in status.get("conditions") or [] if c.get("type") != "ReplicaFailure"]
    failure = next((c for c in status.get("conditions") or []
                    if c.get("type") == "ReplicaFailure"), None)
    if error is not None:
        if failure is None:
            diff = len(active) - _replicas(owner)
            reason = "FailedCreate" if diff < 0 else "FailedDelete" if diff > 0 else ""
            failure = {"type": "ReplicaFailure", "status": "True",
                       "lastTransitionTime": to_time(now), "reason": reason,
                       "message": error.message}
        conditions.append(failure)
    if conditions:
        status["conditions"] = conditions
    else:
        status.pop("conditions", None)
    return status

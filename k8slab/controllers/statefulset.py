"""The StatefulSet controller: pods with stable names, made and removed in order
(kk pkg/controller/statefulset/stateful_set_control.go, stateful_pod_control.go).

Pod `web-2` is always `web-2`: same name, same hostname under the headless Service. With
OrderedReady (the default) a sync creates the lowest missing ordinal and stops until it is
Running and Ready, and scales down from the highest ordinal, one at a time; with Parallel it
creates and deletes all at once. A RollingUpdate deletes the highest-ordinal pod of an old
template, waits for its replacement to be healthy, then the next one down, stopping at the
partition.

Simplified: volumeClaimTemplates (one PersistentVolumeClaim per ordinal) are not modelled;
ControllerRevisions are not either, so a pod's revision is a hash of the template, and a pod
below the partition that is recreated gets the current template, not its old one.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Generator

from k8slab.client.workqueue import WorkQueue
from k8slab.controllers.context import ControllerContext
from k8slab.controllers.controller_ref_manager import PodClaimer, selected_by
from k8slab.controllers.controller_utils import (
    CONTROLLER_REVISION_HASH,
    CONTROLLER_UID_INDEX,
    ORPHAN_INDEX_KEY,
    compute_hash,
    controller_ref,
    controller_uid_index,
    is_pod_available,
    is_pod_ready,
    pod_from_template,
)
from k8slab.controllers.pod_control import pod_key, run_together
from k8slab.controllers.workers import start_when_synced
from k8slab.errors import AlreadyExistsError, K8sLabError

# Labels every StatefulSet pod carries (kk staging/src/k8s.io/api/apps/v1/types.go
# StatefulSetPodNameLabel; PodIndexLabel, on by default since v1.28 and GA in v1.32).
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"


def ordinal_of(set_name: str, pod: dict) -> int:
    """The ordinal in `<set>-<ordinal>`, or -1 if the pod is not named as this set's member."""
    match = re.fullmatch(rf"{re.escape(set_name)}-(0|[1-9][0-9]*)", pod["metadata"]["name"])
    return int(match.group(1)) if match else -1


def _revision(pod: dict) -> str:
    return (pod["metadata"].get("labels") or {}).get(CONTROLLER_REVISION_HASH, "")


def _terminating(pod: dict) -> bool:
    return bool(pod["metadata"].get("deletionTimestamp"))


def _running(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") == "Running"


def _finished(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Failed", "Succeeded")


class StatefulSetController:
    """Keeps each StatefulSet's ordinals 0..replicas-1 running, in order."""

    NAME = "statefulset"
    SOURCE = "statefulset-controller"

    def __init__(self, ctx: ControllerContext) -> None:
        self.ctx = ctx
        self.group = ctx.group
        self.queue = WorkQueue(ctx.group, self.NAME)
        self.recorder = ctx.recorder(self.SOURCE)
        self.sets = ctx.informers.informer("statefulsets")
        self.pods = ctx.informers.informer("pods")

    def start(self) -> None:
        """Watch StatefulSets and pods; run workers once both caches have synced."""
        self.pods.add_index(CONTROLLER_UID_INDEX, controller_uid_index)
        self.sets.on_add.append(lambda s: self.queue.add(pod_key(s)))
        self.sets.on_update.append(lambda _old, new: self.queue.add(pod_key(new)))
        self.sets.on_delete.append(lambda s: self.queue.add(pod_key(s)))
        self.pods.on_add.append(self._pod_changed)
        self.pods.on_update.append(lambda old, new: (self._pod_changed(old),
                                                     self._pod_changed(new)))
        self.pods.on_delete.append(self._pod_changed)
        start_when_synced(self.queue, [self.sets, self.pods], self.sync,
                          self.ctx.options.concurrent_statefulset_syncs)

    def _pod_changed(self, pod: dict) -> None:
        ref = controller_ref(pod)
        namespace = pod["metadata"]["namespace"]
        if ref is not None:
            if ref.get("kind") == "StatefulSet":
                self.queue.add(f"{namespace}/{ref.get('name')}")
            return
        for owner in self.sets.list():
            if (owner["metadata"]["namespace"] == namespace and ordinal_of(
                    owner["metadata"]["name"], pod) >= 0
                    and selected_by(owner["spec"].get("selector"))(pod)):
                self.queue.add(pod_key(owner))

    # -- one reconcile -----------------------------------------------------------------------

    def sync(self, key: str) -> Generator:
        """Reconcile one StatefulSet: create, delete or update at most what its policy allows."""
        owner = self.sets.get(key)
        if owner is None:
            return
        name, namespace = owner["metadata"]["name"], owner["metadata"]["namespace"]
        candidates = (self.pods.by_index(CONTROLLER_UID_INDEX, owner["metadata"]["uid"])
                      + self.pods.by_index(CONTROLLER_UID_INDEX,
                                           f"{ORPHAN_INDEX_KEY}/{namespace}"))
        selector = selected_by(owner["spec"].get("selector"))
        claimer = PodClaimer(self.ctx.client, owner,
                             lambda pod: ordinal_of(name, pod) >= 0 and selector(pod))
        pods = yield from claimer.claim(sorted(candidates, key=pod_key))
        update_revision = compute_hash(owner["spec"]["template"],
                                       (owner.get("status") or {}).get("collisionCount"))
        if not owner["metadata"].get("deletionTimestamp"):
            yield from self._reconcile(owner, pods, update_revision)
        yield from self._update_status(owner, pods, update_revision)

    def _reconcile(self, owner: dict, pods: list[dict], revision: str) -> Generator:
        spec = owner["spec"]
        name = owner["metadata"]["name"]
        start = int((spec.get("ordinals") or {}).get("start") or 0)
        count = 1 if spec.get("replicas") is None else int(spec["replicas"])
        monotonic = spec.get("podManagementPolicy", "OrderedReady") != "Parallel"
        min_ready = int(spec.get("minReadySeconds") or 0)
        now = self.group.sim.now

        def healthy(pod: dict) -> bool:
            # isRunningAndAvailable, and not on its way out.
            return _running(pod) and is_pod_available(pod, min_ready, now) and not _terminating(pod)

        by_ordinal = {ordinal_of(name, pod): pod for pod in pods}
        wanted = range(start, start + count)
        condemned = sorted((o for o in by_ordinal if o not in wanted), reverse=True)
        creates = []
        for ordinal in wanted:
            pod = by_ordinal.get(ordinal)
            if pod is not None and _finished(pod):
                # A failed (or finished) member is deleted; the next sync makes it anew.
                if not _terminating(pod):
                    yield from self._delete(owner, pod)
                if monotonic:
                    return
                continue
            if pod is None:
                creates.append(ordinal)
                if monotonic:
                    break
                continue
            if monotonic and not healthy(pod):
                return  # OrderedReady: wait for this one before touching the next
        if creates:
            results = yield from run_together(
                self.group, [self._create(owner, o, revision) for o in creates])
            errors = [r for r in results if isinstance(r, K8sLabError)]
            if errors:
                raise errors[0]
            if monotonic:
                return
        for ordinal in condemned:
            pod = by_ordinal[ordinal]
            if _terminating(pod):
                if monotonic:
                    return
                continue
            yield from self._delete(owner, pod)
            if monotonic:
                return
        strategy = spec.get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            return  # OnDelete: pods are replaced only when someone deletes them
        partition = int((strategy.get("rollingUpdate") or {}).get("partition") or 0)
        for ordinal in reversed(wanted):
            if ordinal - start < partition:
                break
            pod = by_ordinal.get(ordinal)
            if pod is None:
                return
            if _revision(pod) != revision and not _terminating(pod):
                yield from self._delete(owner, pod)
                return
            if not healthy(pod):
                return  # wait for the updated pod before the next one down

    def _create(self, owner: dict, ordinal: int, revision: str) -> Generator:
        set_name = owner["metadata"]["name"]
        name = f"{set_name}-{ordinal}"
        template = copy.deepcopy(owner["spec"]["template"])
        labels = template.setdefault("metadata", {}).setdefault("labels", {})
        labels.update({POD_NAME_LABEL: name, POD_INDEX_LABEL: str(ordinal),
                       CONTROLLER_REVISION_HASH: revision})
        pod = pod_from_template(template, owner, name=name)
        pod["spec"]["hostname"] = name
        if owner["spec"].get("serviceName"):
            pod["spec"]["subdomain"] = owner["spec"]["serviceName"]
        try:
            yield from self.ctx.client.create(pod)
        except AlreadyExistsError:
            raise  # the informer has not seen it yet: no Event, retry later
        except K8sLabError as error:
            self.recorder.event(owner, "Warning", "FailedCreate",
                                f"create Pod {name} in StatefulSet {set_name} failed error: "
                                f"{error.message}")
            raise
        self.recorder.event(owner, "Normal", "SuccessfulCreate",
                            f"create Pod {name} in StatefulSet {set_name} successful")

    def _delete(self, owner: dict, pod: dict) -> Generator:
        set_name, name = owner["metadata"]["name"], pod["metadata"]["name"]
        try:
            yield from self.ctx.client.delete("pods", name, pod["metadata"]["namespace"])
        except K8sLabError as error:
            self.recorder.event(owner, "Warning", "FailedDelete",
                                f"delete Pod {name} in StatefulSet {set_name} failed error: "
                                f"{error.message}")
            raise
        self.recorder.event(owner, "Normal", "SuccessfulDelete",
                            f"delete Pod {name} in StatefulSet {set_name} successful")

    def _update_status(self, owner: dict, pods: list[dict], revision: str) -> Generator:
        now = self.group.sim.now
        min_ready = int(owner["spec"].get("minReadySeconds") or 0)
        current_status = owner.get("status") or {}
        current_revision = current_status.get("currentRevision") or revision
        # computeReplicaStatus: a pod counts once it has a phase; terminating pods count
        # as replicas but neither as current nor as updated.
        created = [p for p in pods if (p.get("status") or {}).get("phase")]
        staying = [p for p in created if not _terminating(p)]
        status = {
            "replicas": len(created),
            "readyReplicas": sum(1 for p in created if _running(p) and is_pod_ready(p)),
            "availableReplicas": sum(1 for p in created
                                     if _running(p) and is_pod_available(p, min_ready, now)),
            "currentReplicas": sum(1 for p in staying if _revision(p) == current_revision),
            "updatedReplicas": sum(1 for p in staying if _revision(p) == revision),
            "currentRevision": current_revision,
            "updateRevision": revision,
            "observedGeneration": owner["metadata"].get("generation", 0),
        }
        strategy = (owner["spec"].get("updateStrategy") or {}).get("type", "RollingUpdate")
        if (strategy == "RollingUpdate" and status["updatedReplicas"] == status["replicas"]
                and status["readyReplicas"] == status["replicas"]):
            # completeRollingUpdate: every pod is of the new revision and ready.
            status["currentReplicas"] = status["updatedReplicas"]
            status["currentRevision"] = revision
        if all(current_status.get(k) == v for k, v in status.items()):
            return
        changed = copy.deepcopy(owner)
        changed["status"] = dict(current_status, **status)
        yield from self.ctx.client.update_status(changed)

"""The taint eviction controller (kk pkg/controller/tainteviction/taint_eviction.go): deletes
pods from nodes with NoExecute taints they do not tolerate.

A pod that tolerates none of a node's NoExecute taints is deleted at once. One that tolerates
them all for a while (tolerationSeconds, 300 s from the DefaultTolerationSeconds admission plugin
for `not-ready` and `unreachable`) is deleted when the smallest of those runs out, counted from
when this controller saw the taint; if the taints go away first, the deletion is cancelled.
Before deleting, the pod gets the condition DisruptionTarget (reason DeletionByTaintManager).
Split out of the node lifecycle controller in v1.29 (SeparateTaintEvictionController, GA 1.34).
"""

from __future__ import annotations

import copy
from collections.abc import Generator
from dataclasses import dataclass

from k8slab.api.timestamps import to_time
from k8slab.client.workqueue import WorkQueue, run_workers
from k8slab.controllers import taints
from k8slab.controllers.context import ControllerContext
from k8slab.controllers.node_lifecycle import NODE_NAME_INDEX, pod_node_index
from k8slab.errors import K8sLabError, NotFoundError

SOURCE = "taint-eviction-controller"
REASON = "TaintManagerEviction"
DISRUPTION_TARGET = {"type": "DisruptionTarget", "status": "True",
                     "reason": "DeletionByTaintManager",
                     "message": "Taint manager: deleting due to NoExecute taint"}
# deletePodHandler tries 5 times, 10 ms apart.
DELETE_TRIES = 5
DELETE_RETRY = 0.01
UPDATE_WORKERS = 8


@dataclass
class TimedWork:
    """A pod deletion waiting to fire: when it was planned and when it fires."""

    created_at: float
    fire_at: float
    cancelled: bool = False


class TaintEvictionController:
    """Watches nodes' NoExecute taints and pods' tolerations; deletes pods when due."""

    NAME = "taint-eviction-controller"

    def __init__(self, ctx: ControllerContext) -> None:
        self.ctx = ctx
        self.client = ctx.client
        self.sim = ctx.group.sim
        self.recorder = ctx.recorder(SOURCE)
        self.nodes = ctx.informers.informer("nodes")
        self.pods = ctx.informers.informer("pods")
        self.pods.add_index(NODE_NAME_INDEX, pod_node_index)
        self.tainted: dict[str, list[dict]] = {}  # node -> its NoExecute taints, as last seen
        self.work: dict[str, TimedWork | None] = {}  # pod key -> planned deletion (None: running)
        self.node_queue = WorkQueue(ctx.group, "noexec_taint_node")
        self.pod_queue = WorkQueue(ctx.group, "noexec_taint_pod")

    def start(self) -> None:
        """Register the handlers and start the workers."""
        self.nodes.on_add.append(lambda node: self._node_updated(None, node))
        self.nodes.on_update.append(self._node_updated)
        self.nodes.on_delete.append(lambda node: self._node_updated(node, None))
        self.pods.on_add.append(lambda pod: self._pod_updated(None, pod))
        self.pods.on_update.append(self._pod_updated)
        self.pods.on_delete.append(lambda pod: self._pod_updated(pod, None))
        run_workers(self.node_queue, self.handle_node, UPDATE_WORKERS)
        run_workers(self.pod_queue, self.handle_pod, UPDATE_WORKERS)

    # -- handlers -------------------------------------------------------------------------

    def _node_updated(self, old: dict | None, new: dict | None) -> None:
        if old is not None and new is not None and (
                taints.no_execute_taints(old) == taints.no_execute_taints(new)):
            return
        self.node_queue.add((new or old)["metadata"]["name"])

    def _pod_updated(self, old: dict | None, new: dict | None) -> None:
        if old is not None and new is not None and (
                old["spec"].get("tolerations") == new["spec"].get("tolerations")
                and old["spec"].get("nodeName") == new["spec"].get("nodeName")):
            return
        pod = new or old
        meta = pod["metadata"]
        # The key carries the node too: a worker acts only if the pod is still there.
        node = pod["spec"].get("nodeName") or ""
        self.pod_queue.add(f"{meta.get('namespace')}/{meta['name']}@{node}")

    # -- workers --------------------------------------------------------------------------

    def handle_node(self, name: str) -> Generator:
        """The node's NoExecute taints changed: plan, move or cancel each of its pods' deletion."""
        yield from ()
        node = self.nodes.get(name)
        if node is None:
            self.tainted.pop(name, None)
            return
        found = taints.no_execute_taints(node)
        if found:
            self.tainted[name] = found
        else:
            self.tainted.pop(name, None)
        pods = self.pods.by_index(NODE_NAME_INDEX, name)
        now = self.sim.now
        for pod in pods:
            key = _key(pod)
            if not found:
                self._cancel(key)
            else:
                self._process_pod(key, pod["spec"].get("tolerations") or [], found, now)

    def handle_pod(self, item: str) -> Generator:
        """A pod was bound, deleted or changed its tolerations: plan or cancel its deletion."""
        yield from ()
        key, node = item.rsplit("@", 1)
        pod = self.pods.get(key)
        if pod is None:
            self._cancel(key)
            return
        if pod["spec"].get("nodeName") != node or not node:
            return
        found = self.tainted.get(node)
        if found is None:
            return
        self._process_pod(key, pod["spec"].get("tolerations") or [], found, self.sim.now)

    def _process_pod(self, key: str, tolerations: list[dict], found: list[dict],
                     now: float) -> None:
        """processPodOnNode: delete now, later, or never."""
        if not found:
            self._cancel(key)
        tolerated, used = taints.matching_tolerations(found, tolerations)
        if not tolerated:
            self._cancel(key)
            self._add_work(key, now, now)
            return
        seconds = taints.min_toleration_seconds(used)
        if seconds < 0:
            self._cancel(key)  # tolerated for ever
            return
        start, trigger = now, now + seconds
        planned = self.work.get(key)
        if planned is not None:
            start = planned.created_at
            # Upstream keeps the planned deletion if it fires before the new one would (Before);
            # simulated time often makes them equal, and keeping it then avoids a cancel Event.
            if start + seconds <= trigger:
                return
            self._cancel(key)
        self._add_work(key, start, start + seconds)

    # -- the timed deletions --------------------------------------------------------------

    def _add_work(self, key: str, created_at: float, fire_at: float) -> None:
        if key in self.work:
            return  # already planned or running
        if fire_at <= self.sim.now:
            self.work[key] = None
            self.ctx.group.spawn(self._delete(key))
            return
        work = TimedWork(created_at, fire_at)
        self.work[key] = work
        self._record("EvictionPlanned", key, fire_at=fire_at)
        self.ctx.group.spawn(self._fire_later(key, work))

    def _fire_later(self, key: str, work: TimedWork) -> Generator:
        yield self.ctx.group.env.timeout(work.fire_at - self.sim.now)
        if not work.cancelled and self.work.get(key) is work:
            # Running now: a cancel that comes while the DELETE is under way (the pod's own
            # deletion seen by the informer) has nothing left to cancel.
            self.work[key] = None
            yield from self._delete(key)

    def _cancel(self, key: str) -> None:
        """CancelWork, with the Event upstream sends when a planned deletion is dropped."""
        if key not in self.work:
            return
        work = self.work.pop(key)
        if work is not None:
            work.cancelled = True
            namespace, name = key.split("/", 1)
            self.recorder.event(_pod_ref(namespace, name), "Normal", REASON,
                                f"Cancelling deletion of Pod {key}")

    def _delete(self, key: str) -> Generator:
        """deletePodHandler: the Event, then DisruptionTarget and DELETE, tried 5 times."""
        namespace, name = key.split("/", 1)
        self.recorder.event(_pod_ref(namespace, name), "Normal", REASON,
                            f"Marking for deletion Pod {key}")
        for attempt in range(DELETE_TRIES):
            if attempt:
                yield self.ctx.group.env.timeout(DELETE_RETRY)
            try:
                yield from self._condition_and_delete(namespace, name)
                break
            except NotFoundError:
                break
            except K8sLabError as error:
                self._record("EvictionFailed", key, error=str(error))
        if key in self.work and self.work[key] is None:
            del self.work[key]

    def _condition_and_delete(self, namespace: str, name: str) -> Generator:
        pod = yield from self.client.get("pods", name, namespace)
        conditions = (pod.get("status") or {}).get("conditions") or []
        current = next((c for c in conditions if c.get("type") == "DisruptionTarget"), None)
        if current is None or any(current.get(k) != v for k, v in DISRUPTION_TARGET.items()):
            pod = copy.deepcopy(pod)
            status = pod.setdefault("status", {})
            status["conditions"] = [c for c in conditions if c.get("type") != "DisruptionTarget"]
            status["conditions"].append(dict(DISRUPTION_TARGET,
                                             lastTransitionTime=to_time(self.sim.now)))
            yield from self.client.update_status(pod)
        yield from self.client.delete("pods", name, namespace)
        self._record("PodDeleted", f"{namespace}/{name}")

    def _record(self, kind: str, key: str, **details) -> None:
        self.sim.record(self.ctx.group.host.name, "kube-controller-manager", kind, f"pod/{key}",
                        controller=SOURCE, **details)


def _key(pod: dict) -> str:
    return f"{pod['metadata'].get('namespace')}/{pod['metadata']['name']}"


def _pod_ref(namespace: str, name: str) -> dict:
    """The ObjectReference upstream's event names: apiVersion, kind, name, namespace only."""
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace}}

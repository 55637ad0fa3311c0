"""The kube-scheduler process: a queue of pods without a node, one scheduling cycle per pod
(`Framework.schedule`), then an asynchronous binding through the API server.

Its view of the cluster is two informers (pods, nodes). A pod is "assumed" on its node as soon as
it is chosen, so the next cycle already counts its requests, before the binding is confirmed.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Generator

from k8slab.api.timestamps import to_time
from k8slab.apiserver.client import Client, Informer, cache_key
from k8slab.apiserver.leader_election import LeaderElector
from k8slab.errors import K8sLabError
from k8slab.scheduler.framework import Decision, Framework
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.plugins import default_profile
from k8slab.sim.host import ProcessGroup

SCHEDULER_NAME = "default-scheduler"
# pkg/scheduler/apis/config/v1/defaults.go: podInitialBackoffSeconds 1, podMaxBackoffSeconds 10;
# pods stay in the unschedulable queue at most 5 minutes, checked every 30 s (scheduling_queue.go).
BACKOFF_INITIAL, BACKOFF_MAX = 1.0, 10.0
UNSCHEDULABLE_MAX_SECONDS = 300.0
UNSCHEDULABLE_FLUSH_SECONDS = 30.0
TERMINAL_PHASES = ("Succeeded", "Failed")


class Scheduler:
    """One kube-scheduler with one profile (`framework`)."""

    def __init__(
        self, group: ProcessGroup, server: str, framework: Framework | None = None
    ) -> None:
        self.group = group
        self.sim = group.sim
        self.host = group.host.name
        # Without DefaultPreemption until this loop evicts the victims a preemption nominates.
        self.framework = framework or default_profile(disabled=("DefaultPreemption",))
        self.client = Client(group, "system:kube-scheduler", server)
        self.nodes: dict[str, NodeInfo] = {}
        self._node_order: list[str] = []
        self._placed: dict[str, str] = {}
        self._active: list[tuple[int, int, str]] = []
        self._queued: dict[str, dict] = {}
        self._unschedulable: dict[str, float] = {}
        self._attempts: dict[str, int] = {}
        self._assumed: dict[str, str] = {}
        self._seq = 0
        self._wakeup = self.group.env.event()
        self.leading = False
        self._rng = self.sim.rng(f"scheduler/{self.host}")
        self.decisions: dict[str, Decision] = {}

    def start(self) -> None:
        """Start the informers, the scheduling loop and the unschedulable-queue flusher."""
        nodes = Informer(self.client, "nodes")
        nodes.on_add.append(self._node_added)
        nodes.on_update.append(lambda old, new: self._node_added(new))
        nodes.on_delete.append(self._node_deleted)
        pods = Informer(self.client, "pods")
        pods.on_add.append(self._pod_changed)
        pods.on_update.append(lambda old, new: self._pod_changed(new))
        pods.on_delete.append(self._pod_deleted)
        nodes.start()
        pods.start()
        self.group.spawn(self._loop())
        # kube-scheduler --leader-elect=true (kubeadm's setting): only the Lease holder schedules.
        self.elector = LeaderElector(self.client, "kube-scheduler",
                                     on_started=self._start_leading,
                                     on_stopped=self._stop_leading)
        self.elector.start()
        self.group.spawn(self._flush_unschedulable())

    # -- informer handlers ----------------------------------------------------------------

    def _node_added(self, node: dict) -> None:
        name = node["metadata"]["name"]
        old = self.nodes.get(name)
        self.nodes[name] = NodeInfo(node, old.pods if old else ())
        if old is None:
            bisect.insort(self._node_order, name)
        if old is None or _scheduling_properties(old.node) != _scheduling_properties(node):
            self._move_all_to_active()

    def _node_deleted(self, node: dict) -> None:
        name = node["metadata"]["name"]
        if self.nodes.pop(name, None) is not None:
            self._node_order.remove(name)

    def _pod_changed(self, pod: dict) -> None:
        key = cache_key(pod)
        node = pod["spec"].get("nodeName")
        if node:
            self._queued.pop(key, None)
            self._unschedulable.pop(key, None)
            self._assumed.pop(key, None)
            if pod.get("status", {}).get("phase") in TERMINAL_PHASES:
                self._forget(key)
            elif self._placed.get(key) != node:
                self._forget(key)
                self._place(key, pod, node)
        elif pod["spec"].get("schedulerName", SCHEDULER_NAME) == SCHEDULER_NAME:
            if key not in self._placed:
                self._enqueue(key, pod)

    def _pod_deleted(self, pod: dict) -> None:
        key = cache_key(pod)
        self._queued.pop(key, None)
        self._unschedulable.pop(key, None)
        self._forget(key)
        self._move_all_to_active()

    def _place(self, key: str, pod: dict, node: str) -> None:
        info = self.nodes.get(node)
        if info is not None:
            info.add_pod(pod)
        self._placed[key] = node

    def _forget(self, key: str) -> None:
        node = self._placed.pop(key, None)
        info = self.nodes.get(node) if node else None
        if info is not None and any(cache_key(p) == key for p in info.pods):
            info.remove_pod(next(p for p in info.pods if cache_key(p) == key))

    # -- the queue ------------------------------------------------------------------------

    def _enqueue(self, key: str, pod: dict) -> None:
        fresh = key not in self._queued
        self._queued[key] = pod
        if fresh and key not in self._unschedulable:
            self._push(key, pod)

    def _push(self, key: str, pod: dict) -> None:
        # PrioritySort: higher spec.priority first, then first come first served.
        self._seq += 1
        heapq.heappush(self._active, (-int(pod["spec"].get("priority", 0)), self._seq, key))
        if not self._wakeup.triggered:
            self._wakeup.succeed()

    def _move_all_to_active(self) -> None:
        for key in list(self._unschedulable):
            del self._unschedulable[key]
            if key in self._queued:
                self._push(key, self._queued[key])

    def _flush_unschedulable(self) -> Generator:
        while True:
            yield self.group.env.timeout(UNSCHEDULABLE_FLUSH_SECONDS)
            for key, since in list(self._unschedulable.items()):
                if self.sim.now - since >= UNSCHEDULABLE_MAX_SECONDS:
                    del self._unschedulable[key]
                    if key in self._queued:
                        self._push(key, self._queued[key])

    # -- scheduling and binding -----------------------------------------------------------

    def _start_leading(self) -> None:
        self.leading = True
        if not self._wakeup.triggered:
            self._wakeup.succeed()

    def _stop_leading(self) -> None:
        # Upstream kube-scheduler exits here and is restarted; this one just stops scheduling.
        self.leading = False

    def _loop(self) -> Generator:
        while True:
            if not self.leading or not self._active:
                self._wakeup = self.group.env.event()
                yield self._wakeup
                continue
            _, _, key = heapq.heappop(self._active)
            pod = self._queued.get(key)
            if pod is None or key in self._placed or key in self._unschedulable:
                continue
            self.schedule_one(key, pod)

    def schedule_one(self, key: str, pod: dict) -> Decision:
        """One scheduling cycle for `pod`: decide, record, assume, and start binding."""
        infos = [self.nodes[name] for name in self._node_order]
        decision = self.framework.schedule(pod, infos, self._rng)
        self.decisions[key] = decision
        ref = f"pod/{key}"
        if decision.node is None:
            self._unschedulable[key] = self.sim.now
            self.sim.record(
                self.host, "scheduler", "FailedScheduling", ref, message=decision.message
            )
            self.group.spawn(self._report_unschedulable(pod, decision.message))
            return decision
        self.sim.record(
            self.host,
            "scheduler",
            "Scheduled",
            ref,
            node=decision.node,
            feasible=len(decision.feasible),
            message=decision.message,
        )
        del self._queued[key]
        assumed = dict(pod, spec=dict(pod["spec"], nodeName=decision.node))
        self._place(key, assumed, decision.node)
        self._assumed[key] = decision.node
        self.group.spawn(self._bind(key, pod, decision.node))
        return decision

    def _bind(self, key: str, pod: dict, node: str) -> Generator:
        meta = pod["metadata"]
        try:
            yield from self.client.bind(meta["namespace"], meta["name"], node)
            self._attempts.pop(key, None)
            self.sim.record(self.host, "scheduler", "Bound", f"pod/{key}", node=node)
        except K8sLabError as error:
            self.sim.record(
                self.host, "scheduler", "BindingFailed", f"pod/{key}", node=node, error=str(error)
            )
            if self._assumed.pop(key, None) is None:
                return  # the informer already saw the pod bound (by us or by someone else)
            self._forget(key)
            attempts = self._attempts.get(key, 0) + 1
            self._attempts[key] = attempts
            yield self.group.env.timeout(min(BACKOFF_INITIAL * 2 ** (attempts - 1), BACKOFF_MAX))
            if key not in self._placed:
                self._enqueue(key, pod)

    def _report_unschedulable(self, pod: dict, message: str) -> Generator:
        meta = pod["metadata"]
        status = {
            "phase": "Pending",
            "conditions": [
                {
                    "type": "PodScheduled",
                    "status": "False",
                    "reason": "Unschedulable",
                    "message": message,
                    "lastTransitionTime": to_time(self.sim.now),
                }
            ],
        }
        body = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": meta["name"], "namespace": meta["namespace"]},
            "status": status,
        }
        try:
            yield from self.client.update_status(body)
        except K8sLabError:
            pass


def _scheduling_properties(node: dict) -> tuple:
    """What a node update must change to be worth retrying unschedulable pods for (upstream's
    NodeSchedulingPropertiesChange): a heartbeat-only status update changes none of it."""
    meta, spec, status = node["metadata"], node.get("spec", {}), node.get("status", {})
    conditions = [(c["type"], c["status"]) for c in status.get("conditions", [])]
    return (spec.get("unschedulable"), status.get("allocatable"), meta.get("labels"),
            spec.get("taints"), conditions, meta.get("annotations"))

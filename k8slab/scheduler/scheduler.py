"""The kube-scheduler process: a scheduling queue of pods without a node, one scheduling cycle per
pod (`scheduling_cycle`), preemption when nothing fits, then an asynchronous binding cycle.

Its view of the cluster is two informers (pods, nodes). A pod is "assumed" on its node as soon as
it is chosen, so the next cycle already counts its requests, before the binding is confirmed.
Pods wait in a `SchedulingQueue`: activeQ in PrioritySort order, backoffQ (1 s doubling to 10 s
per attempt) and the unschedulable pods, which cluster events (a node added or changed, a bound
pod deleted) move back, and which are retried anyway after 5 minutes. Each decision is recorded in
the trace, as the data of its Assumed or FailedScheduling record (see k8slab.scheduler.view); the
Scheduled record, upstream's event, follows only once the binding has succeeded.
Upstream: kk pkg/scheduler/schedule_one.go, eventhandlers.go, backend/cache (the assume cache).
"""

from __future__ import annotations

import random
from collections.abc import Generator, Mapping
from dataclasses import replace
from types import GeneratorType
from typing import Any

import simpy

from k8slab.api.kubeconfig import ANONYMOUS_CREDENTIALS, Credentials
from k8slab.api.timestamps import to_time
from k8slab.client.events import EventRecorder
from k8slab.client.informer import Informer
from k8slab.client.leader_election import LeaderElector
from k8slab.client.rest import Client
from k8slab.errors import K8sLabError, NotFoundError
from k8slab.scheduler import schedule_one, vectorized
from k8slab.scheduler.framework.diagnosis import Decision
from k8slab.scheduler.framework.interface import Status
from k8slab.scheduler.framework.runtime import Framework
from k8slab.scheduler.node_info import NodeInfo, pod_key, pod_priority
from k8slab.scheduler.plugins.default_binder import DefaultBinder
from k8slab.scheduler.plugins.registry import default_profile
from k8slab.scheduler.profile import DEFAULT_SCHEDULER_NAME, SchedulerConfiguration
from k8slab.scheduler.queue import (
    ACTIVE,
    BACKOFF,
    IN_FLIGHT,
    POD_INITIAL_BACKOFF_SECONDS,
    POD_MAX_BACKOFF_SECONDS,
    UNSCHEDULABLE,
    UNSCHEDULABLE_FLUSH_INTERVAL,
    QueuedPodInfo,
    SchedulingQueue,
    node_scheduling_properties_changed,
)
from k8slab.scheduler.snapshot import Snapshot
from k8slab.scheduler.view import COMPONENT, ProfileView, SchedulerView
from k8slab.sim.host import ProcessGroup

TERMINAL_PHASES = ("Succeeded", "Failed")
# kk pkg/scheduler/framework/preemption/preemption.go: the event a victim receives.
PREEMPTED_MSG = "Preempted by pod {} on node {}"
# From this many nodes on, a cycle runs over arrays (k8slab.scheduler.vectorized); below it, node
# by node, which is quicker there. Both make the same decisions.
VECTORIZED_MIN_NODES = 100


def scheduling_cycle(
    framework: Framework, snapshot: Snapshot, pod: dict, rng: random.Random, **options: Any
) -> Decision:
    """One scheduling cycle as the Scheduler runs it: over arrays from VECTORIZED_MIN_NODES nodes
    on (the vectorized cycle hands what it cannot do to the per-node one), node by node below.

    `options` are schedule_one.schedule_pod's (start_index, percentage_of_nodes_to_score,
    nominated_pods), which both cycles take alike."""
    if len(snapshot) >= VECTORIZED_MIN_NODES:
        return vectorized.schedule_pod(framework, snapshot, pod, rng, **options)
    decision = schedule_one.schedule_pod(framework, snapshot, pod, rng, **options)
    why = f"{len(snapshot)} nodes, fewer than {VECTORIZED_MIN_NODES}: node by node is quicker"
    return replace(decision, why_per_node=why)


class Scheduler:
    """One kube-scheduler: one Framework per profile (keyed by the schedulerName it serves).

    A Framework belongs to one scheduler: its DefaultBinder binds through this scheduler's client.
    """

    def __init__(
        self,
        group: ProcessGroup,
        server: str,
        profiles: Mapping[str, Framework] | None = None,
        *,
        percentage_of_nodes_to_score: int = 0,
        pod_initial_backoff_seconds: float = POD_INITIAL_BACKOFF_SECONDS,
        pod_max_backoff_seconds: float = POD_MAX_BACKOFF_SECONDS,
        credentials: Credentials = ANONYMOUS_CREDENTIALS,
    ) -> None:
        self.group = group
        self.sim = group.sim
        self.host = group.host.name
        self.profiles = dict(profiles or {DEFAULT_SCHEDULER_NAME: default_profile()})
        if not self.profiles:
            raise K8sLabError("a scheduler needs at least one profile (schedulerName: Framework)")
        for name, framework in self.profiles.items():
            if not isinstance(framework, Framework):
                raise K8sLabError(f"profile {name!r} must be a Framework, got {framework!r}")
            for plugin in framework.bind_plugins:
                if isinstance(plugin, DefaultBinder) and plugin.binder is None:
                    plugin.binder = self._api_bind
        self.percentage_of_nodes_to_score = percentage_of_nodes_to_score
        first = next(iter(self.profiles.values()))
        self.queue = SchedulingQueue(
            first.less,
            initial_backoff=pod_initial_backoff_seconds,
            max_backoff=pod_max_backoff_seconds,
        )
        # scheduler.conf's credentials: system:kube-scheduler (kubeadm's).
        self.client = Client(group, credentials, server)
        # Events say source "default-scheduler" (the profile's schedulerName, as upstream's
        # recorder per profile does); their trace records are the scheduler's own.
        self.recorder = EventRecorder(self.client, DEFAULT_SCHEDULER_NAME,
                                      trace_component=COMPONENT)
        self.nodes: dict[str, NodeInfo] = {}
        self.snapshot = Snapshot()
        self._node_order: list[str] = []
        self._node_of: dict[str, str] = {}
        self._bound: dict[str, dict[str, dict]] = {}
        self._assumed: dict[str, str] = {}
        self.next_start_index = 0
        self._wakeup = self.group.env.event()
        self.leading = False
        self._rng = self.sim.rng(f"scheduler/{self.host}")

    @classmethod
    def from_config(
        cls, group: ProcessGroup, server: str, config: SchedulerConfiguration,
        credentials: Credentials = ANONYMOUS_CREDENTIALS,
    ) -> Scheduler:
        """A scheduler built from a loaded KubeSchedulerConfiguration (`profile.load_config`)."""
        return cls(
            group,
            server,
            config.profiles,
            credentials=credentials,
            percentage_of_nodes_to_score=config.percentage_of_nodes_to_score or 0,
            pod_initial_backoff_seconds=config.pod_initial_backoff_seconds,
            pod_max_backoff_seconds=config.pod_max_backoff_seconds,
        )

    @property
    def framework(self) -> Framework:
        """The default-scheduler profile (or the first profile when there is none by that name)."""
        return self.profiles.get(DEFAULT_SCHEDULER_NAME) or next(iter(self.profiles.values()))

    def framework_for(self, pod: dict) -> Framework:
        """The profile named by the pod's spec.schedulerName."""
        name = (pod.get("spec") or {}).get("schedulerName") or DEFAULT_SCHEDULER_NAME
        framework = self.profiles.get(name)
        if framework is None:
            raise K8sLabError(
                f"pod {pod_key(pod)} asks for schedulerName {name!r}; this scheduler runs the "
                f"profiles {', '.join(self.profiles)}"
            )
        return framework

    def start(self) -> None:
        """Start the informers, the scheduling loop, leader election and the 5-minute flusher."""
        nodes = Informer(self.client, "nodes")
        nodes.on_add.append(self._node_added)
        nodes.on_update.append(lambda old, new: self._node_added(new))
        nodes.on_delete.append(self._node_deleted)
        # Its pod informer drops managedFields to save memory (scheduler.go newPodInformer).
        pods = Informer(self.client, "pods", strip_managed_fields=True)
        pods.on_add.append(self._pod_changed)
        pods.on_update.append(lambda old, new: self._pod_changed(new))
        pods.on_delete.append(self._pod_deleted)
        nodes.start()
        pods.start()
        self.group.spawn(self._loop())
        # kube-scheduler --leader-elect=true (kubeadm's setting): only the Lease holder schedules.
        self.elector = LeaderElector(
            self.client,
            "kube-scheduler",
            on_started=self._start_leading,
            on_stopped=self._stop_leading,
        )
        self.elector.start()
        self.group.spawn(self._flush_unschedulable())

    def node_infos(self) -> list[NodeInfo]:
        """The scheduler's NodeInfos in the order a cycle examines them (sorted by name)."""
        return [self.nodes[name] for name in self._node_order]

    def view(self) -> SchedulerView:
        """What the lab may read of this scheduler now (see k8slab.scheduler.view)."""
        pending = self.queue.pending()
        return SchedulerView(
            host=self.host,
            leading=self.leading,
            profiles=tuple(ProfileView.of(name, fw) for name, fw in self.profiles.items()),
            nodes_seen=len(self.nodes),
            pods_active=len(pending[ACTIVE]),
            pods_backing_off=len(pending[BACKOFF]),
            pods_unschedulable=len(pending[UNSCHEDULABLE]),
        )

    # -- informer handlers ----------------------------------------------------------------

    def _node_added(self, node: dict) -> None:
        name = node["metadata"]["name"]
        old = self.nodes.get(name)
        self.nodes[name] = NodeInfo(node, list(self._bound.get(name, {}).values()))
        if old is None:
            self._node_order.append(name)
            self._node_order.sort()
        if old is None or node_scheduling_properties_changed(old.node, node):
            self._move_all()

    def _node_deleted(self, node: dict) -> None:
        name = node["metadata"]["name"]
        if self.nodes.pop(name, None) is not None:
            self._node_order.remove(name)

    def _pod_changed(self, pod: dict) -> None:
        key = pod_key(pod)
        node = pod["spec"].get("nodeName")
        terminal = (pod.get("status") or {}).get("phase") in TERMINAL_PHASES
        if node:
            self.queue.delete(pod)
            self._assumed.pop(key, None)
            if terminal:
                if self._forget(key):
                    self._move_all()
                return
            self._forget(key)
            self._place(key, pod, node)
            return
        if key in self._assumed or self._scheduler_name(pod) not in self.profiles:
            return  # assumed pods wait for their binding; other schedulers' pods are not ours
        if terminal:
            self.queue.delete(pod)
        elif self.queue.where(pod) is None:
            self.queue.add(pod, self.sim.now)
        else:
            self.queue.update(pod, self.sim.now)
        self._wake()

    def _pod_deleted(self, pod: dict) -> None:
        key = pod_key(pod)
        self.queue.delete(pod)
        self._assumed.pop(key, None)
        if self._forget(key):
            self._move_all()

    @staticmethod
    def _scheduler_name(pod: dict) -> str:
        return pod["spec"].get("schedulerName") or DEFAULT_SCHEDULER_NAME

    def _place(self, key: str, pod: dict, node: str) -> None:
        self._node_of[key] = node
        self._bound.setdefault(node, {})[key] = pod
        info = self.nodes.get(node)
        if info is not None:
            info.add_pod(pod)

    def _forget(self, key: str) -> bool:
        """Stop counting the pod on its node; True if it was counted somewhere."""
        node = self._node_of.pop(key, None)
        if node is None:
            return False
        pod = self._bound[node].pop(key)
        if not self._bound[node]:
            del self._bound[node]
        info = self.nodes.get(node)
        if info is not None and info.has_pod(pod):
            info.remove_pod(pod)
        return True

    # -- the queue ------------------------------------------------------------------------

    def _wake(self) -> None:
        if not self._wakeup.triggered:
            self._wakeup.succeed()

    def _move_all(self) -> None:
        """A cluster event that may make unschedulable pods fit: retry them all."""
        self.queue.move_all_to_active_or_backoff(self.sim.now)
        self._wake()

    def _flush_unschedulable(self) -> Generator:
        while True:
            yield self.group.env.timeout(UNSCHEDULABLE_FLUSH_INTERVAL)
            if self.queue.flush_unschedulable_leftover(self.sim.now):
                self._wake()

    def _start_leading(self) -> None:
        self.leading = True
        self._wake()

    def _stop_leading(self) -> None:
        # Upstream kube-scheduler exits here and is restarted; this one just stops scheduling.
        self.leading = False

    def _loop(self) -> Generator:
        """Pop and schedule while leading; sleep until woken or until the next backoff ends.

        (Upstream flushes backoffQ every second; k8slab wakes exactly when a backoff ends.)
        """
        env = self.group.env
        while True:
            now = self.sim.now
            self.queue.flush_backoff_completed(now)
            info = self.queue.pop(now) if self.leading else None
            if info is not None:
                self.schedule_one(info)
                continue
            self._wakeup = env.event()
            expiry = self.queue.next_backoff_expiry()
            if expiry is None:
                yield self._wakeup
            else:
                yield self._wakeup | env.timeout(max(expiry - now, 0.0))

    # -- one scheduling cycle -------------------------------------------------------------

    def what_if(self, pod: dict) -> Decision:
        """The decision a cycle would make for `pod` now, changing nothing (no rng draw kept)."""
        rng = random.Random()
        rng.setstate(self._rng.getstate())
        return self._decide(pod, rng)

    def _decide(self, pod: dict, rng: random.Random) -> Decision:
        self.snapshot.update(self.node_infos())
        return scheduling_cycle(
            self.framework_for(pod),
            self.snapshot,
            pod,
            rng,
            start_index=self.next_start_index,
            percentage_of_nodes_to_score=self.percentage_of_nodes_to_score,
            nominated_pods=self.queue.nominated_pods(),
        )

    def schedule_one(self, info: QueuedPodInfo) -> Decision:
        """One scheduling cycle for a popped pod: decide, record, then assume and bind, or preempt.

        The search for feasible nodes starts where the previous cycle stopped (upstream's
        nextStartNodeIndex), so that examination rotates over the nodes.
        """
        pod, key = info.pod, info.key
        framework = self.framework_for(pod)
        decision = self._decide(pod, self._rng)
        self.next_start_index = decision.next_start_index
        if decision.node is None:
            self._unschedulable(info, decision)
            return decision
        node, state = decision.node, decision.state
        self._place(key, dict(pod, spec=dict(pod["spec"], nodeName=node)), node)
        self._assumed[key] = node
        status = framework.run_reserve(state, pod, node)
        if status is None:
            status = framework.run_permit(state, pod, node)
        if status is not None:
            framework.run_unreserve(state, pod, node)
            self._assumed.pop(key, None)
            self._forget(key)
            message = f"{status.plugin}: {status.message}"
            self._event(pod, "FailedScheduling", message, decision)
            self.queue.add_unschedulable(info, self.sim.now, (status.plugin,))
            self._wake()
            return decision
        self.queue.nominate(pod, None)
        self._record("Assumed", key, decision, node=node, feasible=len(decision.feasible))
        self.group.spawn(self._binding_cycle(info, framework, decision))
        return decision

    def _record(self, kind: str, key: str, decision: Decision | None = None, **details) -> None:
        """Add a record about the pod; a decision rides along as its data, without its scratch
        space (the CycleState), so explain can read it back from the trace."""
        data = None if decision is None else replace(decision, state=None)
        self.sim.record(self.host, COMPONENT, kind, f"pod/{key}", data=data, **details)

    def _event(self, pod: dict, reason: str, message: str, decision: Decision | None = None,
               **details) -> None:
        """An Event about the pod (Scheduled Normal, FailedScheduling Warning), stored through
        the API; its trace record carries the decision, as `_record` does."""
        kind = "Normal" if reason == "Scheduled" else "Warning"
        data = None if decision is None else replace(decision, state=None)
        self.recorder.event(pod, kind, reason, message, data=data, **details)

    def _unschedulable(self, info: QueuedPodInfo, decision: Decision) -> None:
        """No node fits: evict the victims preemption chose, nominate, and report the FitError."""
        pod = info.pod
        nominated = decision.nominated_node
        details = {}
        if nominated:
            details.update(nominated_node=nominated, victims=[pod_key(v) for v in decision.victims])
            self._nominate(pod, nominated)
            for victim in decision.victims:
                self.group.spawn(self._preempt(victim, pod, nominated))
        self._event(pod, "FailedScheduling", decision.message, decision, **details)
        plugins = tuple(dict.fromkeys(r.plugin for r in decision.filtered.values()))
        self.queue.add_unschedulable(info, self.sim.now, plugins)
        self._wake()
        self.group.spawn(self._report_unschedulable(pod, decision.message, nominated))

    def _nominate(self, pod: dict, node: str) -> None:
        """Nominate `pod` to `node`; lower-priority pods nominated there lose their nomination."""
        priority = pod_priority(pod)
        for other in self.queue.nominated_pods().get(node, []):
            if pod_priority(other) < priority:
                self.queue.nominate(other, None)
                status = dict(other.get("status") or {})
                status.pop("nominatedNodeName", None)
                self.group.spawn(self._write_status(other, status))
        self.queue.nominate(pod, node)

    def _preempt(self, victim: dict, preemptor: dict, node: str) -> Generator:
        meta = victim["metadata"]
        uid = preemptor["metadata"].get("uid") or pod_key(preemptor)
        self._record(
            "Preempted",
            pod_key(victim),
            node=node,
            preemptor=pod_key(preemptor),
            message=PREEMPTED_MSG.format(uid, node),
        )
        try:
            yield from self.client.delete("pods", meta["name"], meta.get("namespace"))
        except NotFoundError:
            pass  # already gone: nothing left to evict
        except K8sLabError as error:
            self._record("PreemptionFailed", pod_key(victim), node=node, error=str(error))

    # -- binding --------------------------------------------------------------------------

    def _api_bind(self, pod: dict, node: str) -> Generator:
        """DefaultBinder's callback: POST pods/<name>/binding through the API server."""
        meta = pod["metadata"]
        return self.client.bind(meta.get("namespace") or "default", meta["name"], node)

    def _binding_cycle(
        self, info: QueuedPodInfo, framework: Framework, decision: Decision
    ) -> Generator:
        pod, key, node, state = info.pod, info.key, decision.node, decision.state
        try:
            status = framework.run_pre_bind(state, pod, node)
            if status is not None:
                raise K8sLabError(f'running PreBind plugin "{status.plugin}": {status.message}')
            binder, answer = framework.bind_by(state, pod, node)
            try:
                if isinstance(answer, GeneratorType):
                    yield from answer
                elif isinstance(answer, simpy.Event):
                    yield answer
                elif isinstance(answer, Status) and answer.rejected:
                    raise K8sLabError(answer.message)
            except K8sLabError as error:
                raise K8sLabError(f'running Bind plugin "{binder}": {error}') from error
            if binder is None:
                raise K8sLabError("no bind plugin bound the pod")
        except K8sLabError as error:
            # handleBindingCycleError → handleSchedulingFailure: a Warning FailedScheduling event
            # with the error's text, and no Scheduled event (kk pkg/scheduler/schedule_one.go).
            self._event(pod, "FailedScheduling", str(error), node=node)
            framework.run_unreserve(state, pod, node)
            if self._assumed.pop(key, None) is None:
                return  # the informer already saw the pod bound (by us or by someone else)
            self._forget(key)
            # The pod is still unbound: PodScheduled=False, reason SchedulerError, the error's text
            # (handleSchedulingFailure; upstream patches it even when the pod turned out bound).
            self.group.spawn(self._report_unschedulable(pod, str(error), None, "SchedulerError"))
            self.queue.move_all_to_active_or_backoff(self.sim.now)
            if self.queue.where(pod) == IN_FLIGHT:
                self.queue.add_unschedulable(info, self.sim.now, error=True)
            self._wake()
            return
        self.queue.done(info)
        # finishBinding records the Scheduled event only once the bind plugins have succeeded, then
        # bindingCycle logs "Successfully bound pod to node" (kk pkg/scheduler/schedule_one.go).
        self._event(pod, "Scheduled", decision.message, node=node)
        self._record("Bound", key, node=node)

    # -- the pod's status -----------------------------------------------------------------

    def _report_unschedulable(
        self, pod: dict, message: str, nominated: str | None, reason: str = "Unschedulable"
    ) -> Generator:
        """Write PodScheduled=False (`reason`) and any nomination, if they changed."""
        now = to_time(self.sim.now)
        status = schedule_one.unschedulable_status(pod, message, nominated, now, reason)
        if status is not None:
            yield from self._write_status(pod, status)

    def _write_status(self, pod: dict, status: dict) -> Generator:
        meta = pod["metadata"]
        body = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": meta["name"], "namespace": meta.get("namespace") or "default"},
            "status": status,
        }
        try:
            yield from self.client.update_status(body)
        except K8sLabError:
            pass  # the next attempt reports again

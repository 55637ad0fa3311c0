"""The node lifecycle controller (kk pkg/controller/nodelifecycle/node_lifecycle_controller.go).

Every --node-monitor-period (5 s) it checks each node's signs of life (k8slab.controllers.
node_health). A node silent for --node-monitor-grace-period (50 s) gets Ready=Unknown, a
`NodeNotReady` Event, and its pods' Ready condition False. The next pass queues it for the
NoExecute `unreachable` taint (`not-ready` when the kubelet itself reports Ready=False), added no
faster than the zone's eviction rate allows; the taint eviction controller then deletes the pods
that do not tolerate it. Conditions also map to NoSchedule taints at once (TaintNodesByCondition),
so the scheduler stops placing pods there. A node Ready again loses its taints.

Simplified: nodes are checked one after another (upstream: 8 at a time), and the tainting pass
sleeps while no node waits for a taint (upstream polls every 100 ms regardless).
"""

from __future__ import annotations

import copy
from collections.abc import Generator

from k8slab.api.timestamps import to_time
from k8slab.client.workqueue import WorkQueue, run_workers
from k8slab.controllers import node_health, taints
from k8slab.controllers.context import ControllerContext
from k8slab.controllers.node_health import NodeHealth
from k8slab.controllers.rate_limited_queue import (
    NODE_EVICTION_PERIOD,
    RateLimitedTimedQueue,
    TimedValue,
    TokenBucket,
)
from k8slab.errors import K8sLabError, NotFoundError

SOURCE = "node-controller"  # the EventSource component upstream's recorder uses
UNREACHABLE_NO_EXECUTE = {"key": taints.UNREACHABLE, "effect": taints.NO_EXECUTE}
NOT_READY_NO_EXECUTE = {"key": taints.NOT_READY, "effect": taints.NO_EXECUTE}
# nodeConditionToTaintKeyStatusMap: which condition status means which NoSchedule taint.
CONDITION_TAINTS = {
    "Ready": {"False": taints.NOT_READY, "Unknown": taints.UNREACHABLE},
    "MemoryPressure": {"True": taints.MEMORY_PRESSURE},
    "DiskPressure": {"True": taints.DISK_PRESSURE},
    "NetworkUnavailable": {"True": taints.NETWORK_UNAVAILABLE},
    "PIDPressure": {"True": taints.PID_PRESSURE},
}
CONDITION_TAINT_KEYS = {k for by_status in CONDITION_TAINTS.values() for k in by_status.values()}
# NodeHealthUpdateRetry tries to write a node's health, reading it again between tries.
HEALTH_UPDATE_TRIES = 5
NODE_UPDATE_WORKERS, POD_UPDATE_WORKERS = 8, 4
NODE_NAME_INDEX = "spec.nodeName"
NODE_NOT_READY = "NodeNotReady"


def pod_node_index(pod: dict) -> list[str]:
    """The index the controllers share: pods by the node they are bound to."""
    node = (pod.get("spec") or {}).get("nodeName")
    return [node] if node else []


class NodeLifecycleController:
    """Watches Leases, Nodes and Pods; writes node conditions, taints and pods' Ready."""

    NAME = "node-lifecycle-controller"

    def __init__(self, ctx: ControllerContext) -> None:
        self.ctx = ctx
        self.client = ctx.client
        self.options = ctx.options
        self.sim = ctx.group.sim
        self.recorder = ctx.recorder(SOURCE)
        self.nodes = ctx.informers.informer("nodes")
        self.leases = ctx.informers.informer("leases", "kube-node-lease")
        self.pods = ctx.informers.informer("pods")
        self.pods.add_index(NODE_NAME_INDEX, pod_node_index)
        self.health: dict[str, NodeHealth] = {}
        self.known: dict[str, dict] = {}
        self.zone_states: dict[str, str] = {}
        self.tainters: dict[str, RateLimitedTimedQueue] = {}
        self.to_retry: set[str] = set()
        self.node_queue = WorkQueue(ctx.group, "node_lifecycle_controller")
        self.pod_queue = WorkQueue(ctx.group, "node_lifecycle_controller_pods")
        self._taint_wanted = ctx.group.env.event()

    def start(self) -> None:
        """Register handlers, start the workers, the health monitor and the tainting pass."""
        self.nodes.on_add.append(lambda node: self.node_queue.add(node["metadata"]["name"]))
        self.nodes.on_update.append(
            lambda old, new: self.node_queue.add(new["metadata"]["name"]))
        self.nodes.on_delete.append(lambda node: self.to_retry.discard(node["metadata"]["name"]))
        self.pods.on_add.append(lambda pod: self._pod_updated(None, pod))
        self.pods.on_update.append(self._pod_updated)
        run_workers(self.node_queue, self.sync_no_schedule_taints, NODE_UPDATE_WORKERS)
        run_workers(self.pod_queue, self.process_pod, POD_UPDATE_WORKERS)
        self.ctx.group.spawn(self._monitor_loop())
        self.ctx.group.spawn(self._tainting_loop())

    def _record(self, kind: str, ref: str, **details) -> None:
        self.sim.record(self.ctx.group.host.name, "kube-controller-manager", kind, ref,
                        controller=SOURCE, **details)

    # -- the health monitor -------------------------------------------------------------

    def _monitor_loop(self) -> Generator:
        env = self.ctx.group.env
        while not (self.nodes.synced and self.leases.synced and self.pods.synced):
            yield env.timeout(0.1)  # WaitForNamedCacheSync polls every 100 ms
        while True:
            yield from self.monitor_node_health()
            yield env.timeout(self.options.node_monitor_period)

    def monitor_node_health(self) -> Generator:
        """One pass over every node: judge its health, write Unknown where it went silent,
        queue or clear its NoExecute taint, mark its pods not ready, update the zone states."""
        nodes = self.nodes.list()
        names = {n["metadata"]["name"] for n in nodes}
        for node in nodes:
            name = node["metadata"]["name"]
            zone = node_health.zone_key(node)
            if zone not in self.zone_states:
                self._add_zone(zone)
            if name not in self.known:
                self.recorder.event(node, "Normal", "RegisteredNode",
                                    f"Registered Node {name} in Controller")
                self.known[name] = node
                yield from self._mark_reachable_quietly(node)
        for name in [n for n in self.known if n not in names]:
            self.recorder.event(self.known.pop(name), "Normal", "RemovingNode",
                                f"Removing Node {name} from Controller")
        by_zone: dict[str, list[dict | None]] = {}
        for node in nodes:
            judged = yield from self._update_health(node)
            if judged is None:
                continue
            node, observed, current = judged
            if node["metadata"].get("labels", {}).get("node.kubernetes.io/exclude-disruption") \
                    is None:
                by_zone.setdefault(node_health.zone_key(node), []).append(current)
            if current is not None:
                yield from self._after_health(node, observed, current)
        self._handle_disruption(by_zone, nodes)

    def _update_health(self, node: dict) -> Generator:
        name = node["metadata"]["name"]
        for attempt in range(HEALTH_UPDATE_TRIES):
            try:
                # The informer's copy is only read; a write works on its own copy.
                return (yield from self._try_update_health(node))
            except K8sLabError as error:
                if attempt == HEALTH_UPDATE_TRIES - 1:
                    self._record("NodeHealthUpdateFailed", f"node/{name}", error=str(error))
                    return None
                try:
                    node = yield from self.client.get("nodes", name)
                except K8sLabError:
                    return None
        return None

    def _try_update_health(self, node: dict) -> Generator:
        """tryUpdateNodeHealth: (node, observed Ready, current Ready); writes Unknown when due,
        and then the node is the one written."""
        name = node["metadata"]["name"]
        now = self.sim.now
        lease = self.leases.get(f"kube-node-lease/{name}")
        health, observed, current, grace = node_health.observe(
            self.health.get(name), node, lease, now, self.options.node_monitor_grace_period,
            self.options.node_startup_grace_period)
        self.health[name] = health
        if now > health.probe_timestamp + grace:
            silent = node_health.silent_status(node, now)
            current = node_health.condition(silent, "Ready")
            if current != observed:
                node = yield from self.client.update_status(silent)
                self.health[name] = NodeHealth(health.probe_timestamp, self.sim.now,
                                               copy.deepcopy(current), health.lease_renew_time)
                self._record("NodeStatusUnknown", f"node/{name}",
                             silent_for=round(now - health.probe_timestamp, 6))
        return node, observed, current

    def _after_health(self, node: dict, observed: dict, current: dict) -> Generator:
        name = node["metadata"]["name"]
        yield from self._taint_based_eviction(node, observed)
        was_ready = observed.get("status") == "True"
        if current.get("status") != "True" and was_ready:
            # RecordNodeStatusChange: reported once, when the status changes.
            self.recorder.event(node, "Normal", NODE_NOT_READY,
                                f"Node {name} status is now: {NODE_NOT_READY}")
        if (current.get("status") != "True" and was_ready) or (
                name in self.to_retry and not was_ready):
            if not (yield from self.mark_pods_not_ready(self.pods.by_index(NODE_NAME_INDEX, name),
                                                        name)):
                self.to_retry.add(name)
                return
        self.to_retry.discard(name)

    def mark_pods_not_ready(self, pods: list[dict], node_name: str) -> Generator:
        """MarkPodsNotReady: set each pod's Ready condition False, with a `NodeNotReady` Warning
        Event; True when every write succeeded (a pod already gone is fine)."""
        ok = True
        for pod in pods:
            if pod["spec"].get("nodeName") != node_name:
                continue
            pod = copy.deepcopy(pod)
            conditions = (pod.get("status") or {}).get("conditions") or []
            ready = next((c for c in conditions if c.get("type") == "Ready"), None)
            if ready is None or ready.get("status") == "False":
                continue
            ready.update(status="False", lastTransitionTime=to_time(self.sim.now))
            try:
                yield from self.client.update_status(pod)
            except NotFoundError:
                continue
            except K8sLabError:
                ok = False
                continue
            self.recorder.event(pod, "Warning", NODE_NOT_READY, "Node is not ready")
        return ok

    # -- taints ---------------------------------------------------------------------------

    def _taint_based_eviction(self, node: dict, observed: dict) -> Generator:
        status = observed.get("status")
        spec_taints = (node.get("spec") or {}).get("taints") or []
        if status in ("False", "Unknown"):
            wanted, opposite = ((NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE) if status == "False"
                                else (UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE))
            if taints.has_taint(spec_taints, opposite):
                # The Ready status flipped on a tainted node: swap the taint straight away.
                try:
                    yield from taints.swap_taints(self.client, node, [wanted], [opposite])
                except K8sLabError:
                    pass  # tried again in the next pass
            else:
                self._mark_for_tainting(node, wanted)
        elif status == "True":
            yield from self._mark_reachable_quietly(node)

    def _mark_for_tainting(self, node: dict, wanted: dict) -> None:
        name = node["metadata"]["name"]
        queue = self.tainters[node_health.zone_key(node)]
        if not taints.has_taint(node["spec"].get("taints"), wanted):
            queue.remove(name)
        if queue.add(name, node["metadata"].get("uid", ""), self.sim.now):
            self._record("NodeQueuedForTaint", f"node/{name}", taint=wanted["key"])
            if not self._taint_wanted.triggered:
                self._taint_wanted.succeed()

    def _mark_reachable(self, node: dict) -> Generator:
        """markNodeAsReachable: remove both NoExecute taints and forget the node's tainting."""
        yield from taints.swap_taints(self.client, node, [],
                                      [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE])
        queue = self.tainters.get(node_health.zone_key(node))
        return queue.remove(node["metadata"]["name"]) if queue is not None else False

    def _tainting_loop(self) -> Generator:
        """doNoExecuteTaintingPass, every 100 ms while some zone has nodes waiting."""
        env = self.ctx.group.env
        while True:
            if not any(len(q) for q in self.tainters.values()):
                self._taint_wanted = env.event()
                yield self._taint_wanted
            for zone in list(self.tainters):
                yield from self.tainters[zone].try_each(lambda: self.sim.now, self._taint_one)
            yield env.timeout(NODE_EVICTION_PERIOD)

    def _taint_one(self, value: TimedValue) -> Generator:
        node = self.nodes.get(value.value)
        if node is None:
            return True, 0.0
        ready = node_health.condition(node, "Ready")
        if ready is None:
            return False, 0.05
        status = ready.get("status")
        if status not in ("False", "Unknown"):
            return True, 0.0  # Ready again: nothing to taint
        wanted, opposite = ((NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE) if status == "False"
                            else (UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE))
        try:
            yield from taints.swap_taints(self.client, node, [wanted], [opposite])
        except K8sLabError:
            return False, 0.0
        self._record("NoExecuteTaintAdded", f"node/{value.value}", taint=wanted["key"],
                     queued_at=value.added_at)
        return True, 0.0

    def sync_no_schedule_taints(self, name: str) -> Generator:
        """doNoScheduleTaintingPass: the node's NoSchedule taints follow its conditions (and
        spec.unschedulable) at once, so the scheduler avoids it."""
        node = self.nodes.get(name)
        if node is None:
            return
        wanted = []
        for found in (node.get("status") or {}).get("conditions") or []:
            key = CONDITION_TAINTS.get(found.get("type"), {}).get(found.get("status"))
            if key is not None:
                wanted.append({"key": key, "effect": taints.NO_SCHEDULE})
        if (node.get("spec") or {}).get("unschedulable"):
            wanted.append({"key": taints.UNSCHEDULABLE, "effect": taints.NO_SCHEDULE})
        have = [t for t in (node.get("spec") or {}).get("taints") or []
                if t.get("effect") == taints.NO_SCHEDULE
                and (t.get("key") == taints.UNSCHEDULABLE or t.get("key") in CONDITION_TAINT_KEYS)]
        add = [t for t in wanted if not taints.has_taint(have, t)]
        remove = [t for t in have if not taints.has_taint(wanted, t)]
        if add or remove:
            yield from taints.swap_taints(self.client, node, add, remove)

    # -- pods -----------------------------------------------------------------------------

    def _pod_updated(self, old: dict | None, new: dict) -> None:
        node = new["spec"].get("nodeName")
        if node and (old is None or old["spec"].get("nodeName") != node):
            meta = new["metadata"]
            self.pod_queue.add(f"{meta.get('namespace')}/{meta['name']}")

    def process_pod(self, key: str) -> Generator:
        """A pod newly bound to a node this controller sees not Ready is marked not ready too."""
        pod = self.pods.get(key)
        if pod is None:
            return
        name = pod["spec"].get("nodeName")
        health = self.health.get(name)
        if health is None or health.ready is None or self.nodes.get(name) is None:
            return
        if health.ready.get("status") != "True":
            if not (yield from self.mark_pods_not_ready([pod], name)):
                raise K8sLabError(f"unable to mark pod {key} NotReady on node {name}")

    # -- zones ----------------------------------------------------------------------------

    def _add_zone(self, zone: str) -> None:
        self.zone_states[zone] = "Initial"
        self.tainters[zone] = RateLimitedTimedQueue(
            TokenBucket(self.options.node_eviction_rate, self.sim.now))

    def _zone_rate(self, state: str, size: int) -> float:
        if state == "PartialDisruption":
            # ReducedQPSFunc: a large zone taints slower; a small one stops tainting.
            if size > self.options.large_cluster_size_threshold:
                return self.options.secondary_node_eviction_rate
            return 0.0
        return self.options.node_eviction_rate  # Normal, and FullDisruption (HealthyQPSFunc)

    def _handle_disruption(self, by_zone: dict[str, list[dict | None]], nodes: list[dict]) -> None:
        """handleDisruption: each zone's state sets its tainting rate; when every zone is fully
        disrupted the fault is likely the control plane's, so all tainting stops."""
        now = self.sim.now
        new_states = {}
        for zone in sorted(by_zone):
            _, new_states[zone] = node_health.zone_state(
                by_zone[zone], self.options.unhealthy_zone_threshold)
            self.zone_states.setdefault(zone, "Initial")
        for zone in [z for z in self.zone_states if z not in by_zone]:
            del self.zone_states[zone]
        all_are = all(s == "FullDisruption" for s in new_states.values())
        all_were = all(s == "FullDisruption" for s in self.zone_states.values())
        if all_are and all_were:
            return
        if all_are:
            self._record("FullDisruption", "", zones=len(new_states))
            for node in nodes:
                self.ctx.group.spawn(self._mark_reachable_quietly(node))
            for zone in self.zone_states:
                self.tainters[zone].swap_limiter(0.0, now)
                self.zone_states[zone] = "FullDisruption"
            return
        if all_were:
            for health in self.health.values():
                health.probe_timestamp = now
                health.ready_transition_timestamp = now
        for zone, state in sorted(self.zone_states.items()):
            new = new_states[zone]
            if state == new and not all_were:
                continue
            self.tainters[zone].swap_limiter(self._zone_rate(new, len(by_zone[zone])), now)
            self.zone_states[zone] = new
            self._record("ZoneState", f"zone/{zone}", state=new)

    def _mark_reachable_quietly(self, node: dict) -> Generator:
        try:
            yield from self._mark_reachable(node)
        except K8sLabError:
            pass

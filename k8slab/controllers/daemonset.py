"""The DaemonSet controller: one pod on every eligible node (kk pkg/controller/daemon/
daemon_controller.go, update.go).

A sync groups the DaemonSet's pods by the node they are for, creates a pod for each eligible
node that has none, deletes pods from nodes that may no longer run them (and failed pods,
with back-off, and extras), then replaces pods of an old template, at most maxUnavailable
(default 1) nodes at a time, and writes the counts to status.

Simplified: upstream keeps each template in a ControllerRevision and labels pods with that
revision's hash; ControllerRevisions are not modelled, so the hash is computed from the
template itself (compute_hash) and `kubectl rollout undo` has no history to return to. The
deprecated `pod-template-generation` label and maxSurge > 0 (surge updates) are not modelled.
"""

from __future__ import annotations

import copy
from collections.abc import Generator

from k8slab.api.labels import selector_matches
from k8slab.api.timestamps import from_time
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
)
from k8slab.controllers.daemonset_util import daemon_pod, node_should_run_daemon_pod, target_node
from k8slab.controllers.expectations import Expectations
from k8slab.controllers.pod_control import PodControl, delete_pods, pod_key, slow_start_batch
from k8slab.controllers.workers import start_when_synced

# daemon_controller.go: BurstReplicas 250 ("values that are too high can cause registry DoS");
# failed pods are deleted with a back-off from 1 s doubling to 15 min (failedPodsBackoff).
BURST_REPLICAS = 250
FAILED_POD_BACKOFF_INITIAL = 1.0
FAILED_POD_BACKOFF_MAX = 900.0


def _created_order(pod: dict) -> tuple:
    # podByCreationTimestampAndPhase: scheduled pods first, then oldest, then by name.
    stamp = pod["metadata"].get("creationTimestamp")
    return (not pod["spec"].get("nodeName"), from_time(stamp) if stamp else 0.0,
            pod["metadata"]["name"])


def _max_unavailable(daemon_set: dict, desired: int) -> int:
    rolling = (daemon_set["spec"].get("updateStrategy") or {}).get("rollingUpdate") or {}
    value = rolling.get("maxUnavailable", 1)
    if isinstance(value, str) and value.endswith("%"):
        # GetScaledValueFromIntOrPercent(..., roundUp=true)
        value = -(-int(value[:-1]) * desired // 100)
    value = int(value)
    return value if value > 0 else 1  # maxSurge is 0 here, so 0 unavailable becomes 1


class DaemonSetsController:
    """Keeps one pod of each DaemonSet on every node that should run it."""

    NAME = "daemonset"
    SOURCE = "daemonset-controller"

    def __init__(self, ctx: ControllerContext) -> None:
        self.ctx = ctx
        self.group = ctx.group
        self.queue = WorkQueue(ctx.group, self.NAME)
        self.expectations = Expectations(ctx.group.sim)
        self.recorder = ctx.recorder(self.SOURCE)
        self.pod_control = PodControl(ctx.client, self.recorder)
        self.daemon_sets = ctx.informers.informer("daemonsets")
        self.pods = ctx.informers.informer("pods")
        self.nodes = ctx.informers.informer("nodes")
        self._backoff: dict[str, tuple[float, float]] = {}  # key -> (delay, last update)

    def start(self) -> None:
        """Watch DaemonSets, pods and nodes; run workers once all three have synced."""
        self.pods.add_index(CONTROLLER_UID_INDEX, controller_uid_index)
        self.daemon_sets.on_add.append(self._enqueue)
        self.daemon_sets.on_update.append(lambda _old, new: self._enqueue(new))
        self.daemon_sets.on_delete.append(self._delete_daemon_set)
        self.pods.on_add.append(self._add_pod)
        self.pods.on_update.append(self._update_pod)
        self.pods.on_delete.append(self._delete_pod)
        self.nodes.on_add.append(lambda _node: self._enqueue_all())
        self.nodes.on_update.append(self._update_node)
        self.nodes.on_delete.append(lambda _node: self._enqueue_all())
        start_when_synced(self.queue, [self.daemon_sets, self.pods, self.nodes], self.sync,
                          self.ctx.options.concurrent_daemonset_syncs)

    # -- event handlers ----------------------------------------------------------------------

    def _enqueue(self, daemon_set: dict) -> None:
        self.queue.add(pod_key(daemon_set))

    def _enqueue_all(self) -> None:
        for daemon_set in self.daemon_sets.list():
            self._enqueue(daemon_set)

    def _delete_daemon_set(self, daemon_set: dict) -> None:
        self.expectations.delete(pod_key(daemon_set))
        self._enqueue(daemon_set)

    def _update_node(self, old: dict, new: dict) -> None:
        for daemon_set in self.daemon_sets.list():
            if node_should_run_daemon_pod(old, daemon_set) != node_should_run_daemon_pod(
                    new, daemon_set):
                self._enqueue(daemon_set)

    def _owner_of(self, pod: dict) -> dict | None:
        ref = controller_ref(pod)
        if ref is None or ref.get("kind") != "DaemonSet":
            return None
        owner = self.daemon_sets.get(f"{pod['metadata']['namespace']}/{ref.get('name')}")
        return owner if owner and owner["metadata"].get("uid") == ref.get("uid") else None

    def _enqueue_selecting(self, pod: dict) -> None:
        labels = pod["metadata"].get("labels") or {}
        for daemon_set in self.daemon_sets.list():
            if (daemon_set["metadata"].get("namespace") == pod["metadata"].get("namespace")
                    and labels and selector_matches(daemon_set["spec"].get("selector"), labels)):
                self._enqueue(daemon_set)

    def _add_pod(self, pod: dict) -> None:
        if pod["metadata"].get("deletionTimestamp"):
            self._delete_pod(pod)
            return
        owner = self._owner_of(pod)
        if owner is not None:
            self.expectations.creation_observed(pod_key(owner))
            self._enqueue(owner)
        elif controller_ref(pod) is None:
            self._enqueue_selecting(pod)

    def _update_pod(self, old: dict, new: dict) -> None:
        if new["metadata"].get("deletionTimestamp"):
            self._delete_pod(new)
            return
        for pod in (old, new):
            owner = self._owner_of(pod)
            if owner is not None:
                self._enqueue(owner)
        if controller_ref(new) is None:
            self._enqueue_selecting(new)

    def _delete_pod(self, pod: dict) -> None:
        owner = self._owner_of(pod)
        if owner is not None:
            self.expectations.deletion_observed(pod_key(owner), pod_key(pod))
            self._enqueue(owner)

    # -- one reconcile -----------------------------------------------------------------------

    def sync(self, key: str) -> Generator:
        """Reconcile one DaemonSet: pods onto eligible nodes, off the others, then update."""
        daemon_set = self.daemon_sets.get(key)
        if daemon_set is None:
            self.expectations.delete(key)
            return
        revision = compute_hash(daemon_set["spec"]["template"],
                                (daemon_set.get("status") or {}).get("collisionCount"))
        by_node = yield from self._pods_by_node(daemon_set)
        nodes = self.nodes.list()
        if (not daemon_set["metadata"].get("deletionTimestamp")
                and self.expectations.satisfied(key)):
            yield from self._manage(daemon_set, nodes, by_node, revision)
            strategy = (daemon_set["spec"].get("updateStrategy") or {}).get("type",
                                                                             "RollingUpdate")
            if self.expectations.satisfied(key) and strategy == "RollingUpdate":
                by_node = yield from self._pods_by_node(daemon_set)
                yield from self._rolling_update(daemon_set, nodes, by_node, revision)
        by_node = yield from self._pods_by_node(daemon_set)
        yield from self._update_status(daemon_set, nodes, by_node, revision)

    def _pods_by_node(self, daemon_set: dict) -> Generator:
        namespace = daemon_set["metadata"]["namespace"]
        candidates = (self.pods.by_index(CONTROLLER_UID_INDEX, daemon_set["metadata"]["uid"])
                      + self.pods.by_index(CONTROLLER_UID_INDEX,
                                           f"{ORPHAN_INDEX_KEY}/{namespace}"))
        candidates.sort(key=pod_key)
        selector = daemon_set["spec"].get("selector")
        claimer = PodClaimer(self.ctx.client, daemon_set,
                             selected_by(selector))
        claimed = yield from claimer.claim(candidates)
        by_node: dict[str, list[dict]] = {}
        for pod in claimed:
            by_node.setdefault(target_node(pod), []).append(pod)
        return by_node

    def _manage(self, daemon_set: dict, nodes: list[dict], by_node: dict[str, list[dict]],
                revision: str) -> Generator:
        needing: list[str] = []
        doomed: list[dict] = []
        for node in nodes:
            name = node["metadata"]["name"]
            create, delete = self._pods_should_be_on_node(daemon_set, node,
                                                          by_node.get(name, []))
            needing += create
            doomed += delete
        known = {node["metadata"]["name"] for node in nodes}
        for name in sorted(by_node):
            if name not in known:  # pods for a node that no longer exists
                doomed += [p for p in by_node[name] if not p["metadata"].get("deletionTimestamp")]
        yield from self._sync_nodes(daemon_set, doomed, needing, revision)

    def _pods_should_be_on_node(self, daemon_set: dict, node: dict,
                                pods: list[dict]) -> tuple[list[str], list[dict]]:
        name = node["metadata"]["name"]
        should_run, should_continue = node_should_run_daemon_pod(node, daemon_set)
        if should_run and not pods:
            return [name], []
        if not should_continue:
            return [], [p for p in pods if not p["metadata"].get("deletionTimestamp")]
        doomed, running = [], []
        for pod in pods:
            phase = (pod.get("status") or {}).get("phase")
            if pod["metadata"].get("deletionTimestamp"):
                continue
            if phase == "Failed":
                if self._in_backoff(daemon_set, name):
                    continue
                self.recorder.event(daemon_set, "Warning", "FailedDaemonPod",
                                    f"Found failed daemon pod {pod_key(pod)} on node {name}, "
                                    "will try to kill it")
                doomed.append(pod)
            elif phase == "Succeeded":
                doomed.append(pod)
            else:
                running.append(pod)
        running.sort(key=_created_order)
        return [], doomed + running[1:]  # more than one: keep the oldest

    def _in_backoff(self, daemon_set: dict, node_name: str) -> bool:
        # flowcontrol.Backoff per (DaemonSet, node): while in back-off, look again when it
        # ends; otherwise allow one deletion and double the delay (1 s ... 15 min).
        now = self.group.sim.now
        key = f"{daemon_set['metadata']['uid']}/{node_name}"
        delay, last = self._backoff.get(key, (0.0, -1e18))
        if now - last < delay:
            self.queue.add_after(pod_key(daemon_set), delay)
            return True
        fresh = now - last > 2 * FAILED_POD_BACKOFF_MAX
        delay = FAILED_POD_BACKOFF_INITIAL if fresh else min(2 * delay, FAILED_POD_BACKOFF_MAX)
        self._backoff[key] = (delay, now)
        return False

    def _sync_nodes(self, daemon_set: dict, doomed: list[dict], needing: list[str],
                    revision: str) -> Generator:
        key = pod_key(daemon_set)
        needing, doomed = needing[:BURST_REPLICAS], doomed[:BURST_REPLICAS]
        self.expectations.expect(key, len(needing), [pod_key(p) for p in doomed])
        targets = iter(needing)
        created, error = yield from slow_start_batch(
            self.group, len(needing),
            lambda: self.pod_control.create_pod(daemon_pod(daemon_set, next(targets), revision),
                                                daemon_set))
        for _ in range(len(needing) - created):
            self.expectations.creation_observed(key)
        errors = [error] if error is not None else []
        errors += yield from delete_pods(self.group, self.pod_control, self.expectations, key,
                                         doomed, daemon_set)
        if errors:
            raise errors[0]

    def _rolling_update(self, daemon_set: dict, nodes: list[dict],
                        by_node: dict[str, list[dict]], revision: str) -> Generator:
        now = self.group.sim.now
        min_ready = int(daemon_set["spec"].get("minReadySeconds") or 0)
        desired = sum(1 for node in nodes if node_should_run_daemon_pod(node, daemon_set)[0])
        max_unavailable = _max_unavailable(daemon_set, desired)
        unavailable, replace_now, candidates = 0, [], []
        for name in sorted(by_node):
            live = [p for p in by_node[name] if not p["metadata"].get("deletionTimestamp")]
            new = [p for p in live if _revision(p) == revision]
            old = [p for p in live if _revision(p) != revision]
            if len(new) > 1 or len(old) > 1 or (bool(new) == bool(old)):
                unavailable += 1  # manage will create or delete here first
            elif new:
                unavailable += not is_pod_available(new[0], min_ready, now)
            elif not is_pod_available(old[0], min_ready, now):
                replace_now.append(old[0])  # not serving anyway: replace it at once
            elif unavailable < max_unavailable:
                candidates.append(old[0])
        room = min(max(max_unavailable - unavailable, 0), len(candidates))
        yield from self._sync_nodes(daemon_set, replace_now + candidates[:room], [], revision)

    def _update_status(self, daemon_set: dict, nodes: list[dict],
                       by_node: dict[str, list[dict]], revision: str) -> Generator:
        now = self.group.sim.now
        min_ready = int(daemon_set["spec"].get("minReadySeconds") or 0)
        counts = dict.fromkeys(("currentNumberScheduled", "numberMisscheduled",
                                "desiredNumberScheduled", "numberReady",
                                "updatedNumberScheduled", "numberAvailable"), 0)
        for node in nodes:
            pods = sorted(by_node.get(node["metadata"]["name"], []), key=_created_order)
            if not node_should_run_daemon_pod(node, daemon_set)[0]:
                counts["numberMisscheduled"] += bool(pods)
                continue
            counts["desiredNumberScheduled"] += 1
            if not pods:
                continue
            counts["currentNumberScheduled"] += 1
            oldest = pods[0]
            if is_pod_ready(oldest):
                counts["numberReady"] += 1
                counts["numberAvailable"] += is_pod_available(oldest, min_ready, now)
            counts["updatedNumberScheduled"] += _revision(oldest) == revision
        counts["numberUnavailable"] = counts["desiredNumberScheduled"] - counts["numberAvailable"]
        counts["observedGeneration"] = daemon_set["metadata"].get("generation", 0)
        current = daemon_set.get("status") or {}
        if min_ready > 0 and counts["numberReady"] != counts["numberAvailable"]:
            self.queue.add_after(pod_key(daemon_set), min_ready)
        if all(current.get(field, 0) == value for field, value in counts.items()):
            return
        changed = copy.deepcopy(daemon_set)
        changed["status"] = dict(current, **counts)
        yield from self.ctx.client.update_status(changed)


def _revision(pod: dict) -> str:
    return (pod["metadata"].get("labels") or {}).get(CONTROLLER_REVISION_HASH, "")

"""The Job controller: run pods until `completions` of them succeed, `parallelism` at a time,
and give up after `backoffLimit` failures (kk pkg/controller/job/job_controller.go).

Each sync counts the Job's pods: active, succeeded, failed. Too many failures (more than
backoffLimit) or a passed activeDeadlineSeconds ends the Job as Failed; enough successes end
it as Complete; otherwise it creates pods (slow start, after the failure back-off of 10 s
doubling) or deletes extras so that min(parallelism, completions - succeeded) are active.

Simplified: only NonIndexed Jobs; counts are read from the pods that exist (upstream keeps a
`batch.kubernetes.io/job-tracking` finalizer on each pod so a deleted pod is still counted,
and first writes FailureTarget / SuccessCriteriaMet before Failed / Complete); suspend, pod
failure policies, success policies and podReplacementPolicy are not modelled.
"""

from __future__ import annotations

import copy
from collections.abc import Generator

from k8slab.api.timestamps import from_time, to_time
from k8slab.client.workqueue import WorkQueue
from k8slab.controllers.context import ControllerContext
from k8slab.controllers.controller_ref_manager import PodClaimer, selected_by
from k8slab.controllers.controller_utils import (
    CONTROLLER_UID_INDEX,
    ORPHAN_INDEX_KEY,
    controller_ref,
    controller_uid_index,
    is_pod_active,
    is_pod_ready,
    pod_from_template,
    rank_pods_for_deletion,
)
from k8slab.controllers.expectations import Expectations
from k8slab.controllers.pod_control import PodControl, delete_pods, pod_key, slow_start_batch
from k8slab.controllers.workers import start_when_synced

# job_controller.go: MaxPodCreateDeletePerSync 500; a failed pod delays the next creation by
# DefaultJobPodFailureBackOff 10 s, doubling per failure up to MaxJobPodFailureBackOff [K].
MAX_POD_CREATE_DELETE_PER_SYNC = 500
POD_FAILURE_BACKOFF = 10.0
MAX_POD_FAILURE_BACKOFF = 600.0
BACKOFF_LIMIT_MESSAGE = "Job has reached the specified backoff limit"
DEADLINE_MESSAGE = "Job was active longer than specified deadline"


def _phase(pod: dict) -> str:
    return (pod.get("status") or {}).get("phase") or ""


def _finished(job: dict) -> bool:
    return any(c.get("type") in ("Complete", "Failed") and c.get("status") == "True"
               for c in (job.get("status") or {}).get("conditions") or [])


class JobController:
    """Runs each Job's pods to completion or failure."""

    NAME = "job"
    SOURCE = "job-controller"

    def __init__(self, ctx: ControllerContext) -> None:
        self.ctx = ctx
        self.group = ctx.group
        self.queue = WorkQueue(ctx.group, self.NAME)
        self.expectations = Expectations(ctx.group.sim)
        self.recorder = ctx.recorder(self.SOURCE)
        self.pod_control = PodControl(ctx.client, self.recorder)
        self.jobs = ctx.informers.informer("jobs")
        self.pods = ctx.informers.informer("pods")
        self._failures_seen: dict[str, tuple[int, float]] = {}  # key -> (failed, when seen)

    def start(self) -> None:
        """Watch Jobs and pods; run workers once both caches have synced."""
        self.pods.add_index(CONTROLLER_UID_INDEX, controller_uid_index)
        self.jobs.on_add.append(lambda job: self.queue.add(pod_key(job)))
        self.jobs.on_update.append(lambda _old, new: self.queue.add(pod_key(new)))
        self.jobs.on_delete.append(self._job_deleted)
        self.pods.on_add.append(lambda pod: self._pod_changed(pod, added=True))
        self.pods.on_update.append(lambda _old, new: self._pod_changed(new))
        self.pods.on_delete.append(lambda pod: self._pod_changed(pod, deleted=True))
        start_when_synced(self.queue, [self.jobs, self.pods], self.sync,
                          self.ctx.options.concurrent_job_syncs)

    def _job_deleted(self, job: dict) -> None:
        self.expectations.delete(pod_key(job))
        self._failures_seen.pop(pod_key(job), None)

    def _pod_changed(self, pod: dict, added: bool = False, deleted: bool = False) -> None:
        ref = controller_ref(pod)
        if ref is None or ref.get("kind") != "Job":
            return
        key = f"{pod['metadata']['namespace']}/{ref.get('name')}"
        job = self.jobs.get(key)
        if job is None or job["metadata"].get("uid") != ref.get("uid"):
            return
        if added and not pod["metadata"].get("deletionTimestamp"):
            self.expectations.creation_observed(key)
        if deleted or pod["metadata"].get("deletionTimestamp"):
            self.expectations.deletion_observed(key, pod_key(pod))
        self.queue.add(key)

    def sync(self, key: str) -> Generator:
        """Reconcile one Job: finish it, or bring its active pods to what it wants."""
        job = self.jobs.get(key)
        if job is None or _finished(job):
            return
        now = self.group.sim.now
        namespace = job["metadata"]["namespace"]
        candidates = (self.pods.by_index(CONTROLLER_UID_INDEX, job["metadata"]["uid"])
                      + self.pods.by_index(CONTROLLER_UID_INDEX,
                                           f"{ORPHAN_INDEX_KEY}/{namespace}"))
        claimer = PodClaimer(self.ctx.client, job, selected_by(job["spec"].get("selector")))
        pods = yield from claimer.claim(sorted(candidates, key=pod_key))
        active = [p for p in pods if is_pod_active(p)]
        succeeded = sum(1 for p in pods if _phase(p) == "Succeeded")
        failed = sum(1 for p in pods if _phase(p) == "Failed")
        status = copy.deepcopy(job.get("status") or {})
        status.setdefault("startTime", to_time(now))
        spec = job["spec"]
        deadline = spec.get("activeDeadlineSeconds")
        condition = None
        if failed > int(spec.get("backoffLimit", 6)):
            condition = ("Failed", "BackoffLimitExceeded", BACKOFF_LIMIT_MESSAGE)
        elif deadline is not None:
            left = from_time(status["startTime"]) + int(deadline) - now
            if left <= 0:
                condition = ("Failed", "DeadlineExceeded", DEADLINE_MESSAGE)
            else:
                self.queue.add_after(key, left)  # look again when the deadline passes
        completions = spec.get("completions")
        ready = sum(1 for p in active if is_pod_ready(p))
        running = len(active)
        if condition is not None:
            yield from self._delete(job, active)
            running = ready = 0
        elif self.expectations.satisfied(key):
            running = yield from self._manage(job, active, succeeded, failed)
        if condition is None and not running and succeeded and (
                completions is None or succeeded >= int(completions)):
            condition = ("Complete", "", "")
        status.update(active=running, succeeded=succeeded, failed=failed, ready=ready)
        if condition is not None:
            kind, reason, message = condition
            entry = {"type": kind, "status": "True", "lastProbeTime": to_time(now),
                     "lastTransitionTime": to_time(now)}
            if reason:
                entry.update(reason=reason, message=message)
            status["conditions"] = [*(status.get("conditions") or []), entry]
            if kind == "Complete":
                status["completionTime"] = to_time(now)
                self.recorder.event(job, "Normal", "Completed", "Job completed")
            else:
                self.recorder.event(job, "Warning", reason, message)
        if status != (job.get("status") or {}):
            yield from self.ctx.client.update_status({**copy.deepcopy(job), "status": status})

    def _manage(self, job: dict, active: list[dict], succeeded: int, failed: int) -> Generator:
        """Delete extras or create the missing pods; return how many are active after."""
        key = pod_key(job)
        spec = job["spec"]
        parallelism = int(spec.get("parallelism", 1))
        completions = spec.get("completions")
        if completions is None:
            want = len(active) if succeeded > 0 else parallelism
        else:
            want = max(0, min(parallelism, int(completions) - succeeded))
        if len(active) > want:
            doomed = rank_pods_for_deletion(active, [0] * len(active), None)
            doomed = doomed[:min(len(active) - want, MAX_POD_CREATE_DELETE_PER_SYNC)]
            yield from self._delete(job, doomed)
            return len(active) - len(doomed)
        if len(active) < want:
            wait = self._backoff_remaining(key, failed)
            if wait > 0:
                self.queue.add_after(key, wait)
                return len(active)
            count = min(want - len(active), MAX_POD_CREATE_DELETE_PER_SYNC)
            self.expectations.expect_creations(key, count)
            template = spec.get("template") or {}
            made, error = yield from slow_start_batch(
                self.group, count,
                lambda: self.pod_control.create_pod(pod_from_template(template, job), job))
            for _ in range(count - made):
                self.expectations.creation_observed(key)
            if error is not None:
                raise error
            return len(active) + made
        return len(active)

    def _backoff_remaining(self, key: str, failed: int) -> float:
        # Each newly seen failure restarts the wait: 10 s × 2^(failures − 1), capped.
        now = self.group.sim.now
        seen, since = self._failures_seen.get(key, (0, now))
        if failed != seen:
            self._failures_seen[key] = (failed, now)
            since = now
        if failed == 0:
            return 0.0
        delay = min(POD_FAILURE_BACKOFF * 2 ** (failed - 1), MAX_POD_FAILURE_BACKOFF)
        return max(0.0, since + delay - now)

    def _delete(self, job: dict, pods: list[dict]) -> Generator:
        key = pod_key(job)
        self.expectations.expect_deletions(key, [pod_key(p) for p in pods])
        errors = yield from delete_pods(self.group, self.pod_control, self.expectations, key,
                                        pods, job)
        if errors:
            raise errors[0]

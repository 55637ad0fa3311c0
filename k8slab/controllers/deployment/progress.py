"""Progress during a rollout, and the deadline (kk pkg/controller/deployment/progress.go).

Every sync that sees progress (more updated, ready or available pods, fewer old ones) moves
the Progressing condition's lastUpdateTime to now. When progressDeadlineSeconds pass without
progress, Progressing turns False with ProgressDeadlineExceeded. The controller does not
poll: a sync that sees no change queues the Deployment again for the moment the deadline falls.
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.api.timestamps import from_time
from k8slab.client.informer import cache_key
from k8slab.controllers.deployment import conditions as cond
from k8slab.controllers.deployment.sync import calculate_status, normalized_status
from k8slab.controllers.deployment.util import progress_deadline_seconds


def _replica_failure(rs_conditions: list[dict]) -> list[dict]:
    # ReplicaSetToDeploymentCondition: a ReplicaSet's ReplicaFailure, carried over.
    return [{"type": c["type"], "status": c["status"],
             "lastUpdateTime": c.get("lastTransitionTime"),
             "lastTransitionTime": c.get("lastTransitionTime"),
             "reason": c.get("reason", ""), "message": c.get("message", "")}
            for c in rs_conditions if c.get("type") == cond.REPLICA_FAILURE]


def replica_failures(all_rss: list[dict | None], new_rs: dict | None) -> list[dict]:
    """getReplicaFailures: the new ReplicaSet's ReplicaFailure conditions, else the old ones'."""
    if new_rs is not None:
        found = _replica_failure((new_rs.get("status") or {}).get("conditions") or [])
        if found:
            return found
    return [c for rs in all_rss if rs is not None
            for c in _replica_failure((rs.get("status") or {}).get("conditions") or [])]


def sync_rollout_status(dc, all_rss: list[dict | None], new_rs: dict | None,
                        d: dict) -> Generator:
    """syncRolloutStatus: the status of a rollout, with the Progressing condition."""
    now = dc.now()
    status = calculate_status(all_rss, new_rs, d, now)
    has_deadline = progress_deadline_seconds(d) is not None
    if not has_deadline:
        cond.remove_condition(status, cond.PROGRESSING)
    current = cond.get_condition(d.get("status") or {}, cond.PROGRESSING)
    complete_before = (status["replicas"] == status["updatedReplicas"] and current is not None
                       and current["reason"] == cond.NEW_RS_AVAILABLE)
    which = (f'ReplicaSet "{new_rs["metadata"]["name"]}"' if new_rs is not None
             else f'Deployment "{d["metadata"]["name"]}"')
    if has_deadline and not complete_before:
        if cond.deployment_complete(d, status):
            cond.set_condition(status, cond.new_condition(
                cond.PROGRESSING, "True", cond.NEW_RS_AVAILABLE,
                f"{which} has successfully progressed.", now))
        elif cond.deployment_progressing(d, status):
            condition = cond.new_condition(cond.PROGRESSING, "True", cond.REPLICA_SET_UPDATED,
                                           f"{which} is progressing.", now)
            # Unlike the other conditions, Progressing is rewritten with the same reason so
            # that its lastUpdateTime records this progress.
            if current is not None:
                if current["status"] == "True":
                    condition["lastTransitionTime"] = current["lastTransitionTime"]
                cond.remove_condition(status, cond.PROGRESSING)
            cond.set_condition(status, condition)
        elif cond.deployment_timed_out(d, status, now):
            cond.set_condition(status, cond.new_condition(
                cond.PROGRESSING, "False", cond.TIMED_OUT, f"{which} has timed out progressing.",
                now))
    failures = replica_failures(all_rss, new_rs)
    if failures:
        cond.set_condition(status, failures[0])
    else:
        cond.remove_condition(status, cond.REPLICA_FAILURE)
    if normalized_status(d.get("status")) == normalized_status(status):
        requeue_stuck_deployment(dc, d, status)
        return
    d["status"] = normalized_status(status)
    yield from dc.client.update_status(d)


def requeue_stuck_deployment(dc, d: dict, status: dict) -> float:
    """requeueStuckDeployment: queue the Deployment for when its deadline falls (plus a second,
    as upstream adds); the seconds until then, 0 if now, -1 if no check is needed."""
    current = cond.get_condition(d.get("status") or {}, cond.PROGRESSING)
    deadline = progress_deadline_seconds(d)
    if deadline is None or current is None:
        return -1
    if cond.deployment_complete(d, status) or current["reason"] == cond.TIMED_OUT:
        return -1
    after = from_time(current["lastUpdateTime"]) + deadline - dc.now()
    if after < 1:
        dc.queue.add_rate_limited(cache_key(d))
        return 0
    dc.queue.add_after(cache_key(d), after + 1)
    return after

"""The Recreate strategy (kk pkg/controller/deployment/recreate.go).

Scale every old ReplicaSet to 0, wait until none of their pods is left (a pod that is
terminating still counts), and only then create the new ReplicaSet at full size: there is a
moment with no pods at all, which is what Recreate promises and RollingUpdate avoids.
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.controllers.deployment.conditions import deployment_complete
from k8slab.controllers.deployment.history import cleanup_deployment
from k8slab.controllers.deployment.progress import sync_rollout_status
from k8slab.controllers.deployment.sync import (
    get_all_replica_sets_and_sync_revision,
    scale_replica_set_and_record_event,
)
from k8slab.controllers.deployment.util import active, actual_replicas, replicas


def rollout_recreate(dc, d: dict, rs_list: list[dict],
                     pod_map: dict[str, list[dict]]) -> Generator:
    """rolloutRecreate: old to 0, wait for their pods to go, then the new at spec.replicas."""
    new_rs, old_rss = yield from get_all_replica_sets_and_sync_revision(dc, d, rs_list, False)
    all_rss = [*old_rss, new_rs]
    scaled_down = False
    for rs in active(old_rss):
        scaled, _ = yield from scale_replica_set_and_record_event(dc, rs, 0, d)
        scaled_down = scaled_down or scaled
    if scaled_down or old_pods_running(new_rs, old_rss, pod_map):
        yield from sync_rollout_status(dc, all_rss, new_rs, d)
        return
    if new_rs is None:
        new_rs, old_rss = yield from get_all_replica_sets_and_sync_revision(dc, d, rs_list, True)
        all_rss = [*old_rss, new_rs]
    yield from scale_replica_set_and_record_event(dc, new_rs, replicas(d), d)
    if deployment_complete(d, d.get("status") or {}):
        yield from cleanup_deployment(dc, old_rss, d)
    yield from sync_rollout_status(dc, all_rss, new_rs, d)


def old_pods_running(new_rs: dict | None, old_rss: list[dict],
                     pod_map: dict[str, list[dict]]) -> bool:
    """oldPodsRunning: an old ReplicaSet still reports pods, or a pod of one is not yet
    Succeeded or Failed."""
    if actual_replicas(old_rss) > 0:
        return True
    new_uid = new_rs["metadata"]["uid"] if new_rs is not None else None
    return any(pod.get("status", {}).get("phase") not in ("Failed", "Succeeded")
               for uid, pods in pod_map.items() if uid != new_uid for pod in pods)

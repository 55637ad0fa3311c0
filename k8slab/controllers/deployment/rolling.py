"""The RollingUpdate strategy (kk pkg/controller/deployment/rolling.go).

Each sync makes one move: scale the new ReplicaSet up as far as maxSurge allows, or else scale
old ReplicaSets down as far as maxUnavailable allows, first taking away replicas that were not
available anyway. Availability is read from the ReplicaSets' status.availableReplicas, which
counts pods ready for at least minReadySeconds. The next move waits for the next sync, which
the ReplicaSets' status changes trigger.
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
from k8slab.controllers.deployment.util import (
    active,
    available,
    available_replicas,
    by_creation,
    max_unavailable,
    new_rs_new_replicas,
    replicas,
    spec_replicas,
)
from k8slab.errors import K8sLabError


def rollout_rolling(dc, d: dict, rs_list: list[dict]) -> Generator:
    """rolloutRolling: scale up if we can, else scale down if we can, then the status."""
    new_rs, old_rss = yield from get_all_replica_sets_and_sync_revision(dc, d, rs_list, True)
    all_rss = [*old_rss, new_rs]
    if (yield from reconcile_new_replica_set(dc, all_rss, new_rs, d)):
        yield from sync_rollout_status(dc, all_rss, new_rs, d)
        return
    if (yield from reconcile_old_replica_sets(dc, all_rss, active(old_rss), new_rs, d)):
        yield from sync_rollout_status(dc, all_rss, new_rs, d)
        return
    if deployment_complete(d, d.get("status") or {}):
        yield from cleanup_deployment(dc, old_rss, d)
    yield from sync_rollout_status(dc, all_rss, new_rs, d)


def reconcile_new_replica_set(dc, all_rss: list[dict], new_rs: dict, d: dict) -> Generator:
    """reconcileNewReplicaSet: bring the new ReplicaSet to NewRSNewReplicas (or down to
    spec.replicas if it has more); True if it scaled."""
    if replicas(new_rs) == replicas(d):
        return False
    if replicas(new_rs) > replicas(d):
        scaled, _ = yield from scale_replica_set_and_record_event(dc, new_rs, replicas(d), d)
        return scaled
    count = new_rs_new_replicas(d, all_rss, new_rs)
    scaled, _ = yield from scale_replica_set_and_record_event(dc, new_rs, count, d)
    return scaled


def reconcile_old_replica_sets(dc, all_rss: list[dict], old_rss: list[dict], new_rs: dict,
                               d: dict) -> Generator:
    """reconcileOldReplicaSets: scale old ReplicaSets down by at most
    all pods - minAvailable - unavailable new pods; True if any scaled."""
    if spec_replicas(old_rss) == 0:
        return False
    min_available = replicas(d) - max_unavailable(d)
    new_unavailable = replicas(new_rs) - available(new_rs)
    max_scaled_down = spec_replicas(all_rss) - min_available - new_unavailable
    if max_scaled_down <= 0:
        return False
    try:
        old_rss, cleaned = yield from cleanup_unhealthy_replicas(dc, old_rss, d, max_scaled_down)
        scaled = yield from scale_down_old_replica_sets_for_rolling_update(
            dc, [*old_rss, new_rs], old_rss, d)
    except K8sLabError:
        return False  # upstream drops the error here; the next sync tries again
    return cleaned + scaled > 0


def cleanup_unhealthy_replicas(dc, old_rss: list[dict], d: dict,
                               max_cleanup: int) -> Generator:
    """cleanupUnhealthyReplicas: oldest first, take away old replicas that are not available,
    at most `max_cleanup`: that cannot lower availability. Returns (old sets, count)."""
    old_rss = sorted(old_rss, key=by_creation)
    total = 0
    for i, rs in enumerate(old_rss):
        if total >= max_cleanup:
            break
        if replicas(rs) == 0 or replicas(rs) == available(rs):
            continue
        count = min(max_cleanup - total, replicas(rs) - available(rs))
        if count < 0:
            # A status not yet caught up with a scale-down reports more available than wanted.
            raise K8sLabError(f"when cleaning up unhealthy replicas, got invalid request to "
                              f"scale down {rs['metadata']['namespace']}/"
                              f"{rs['metadata']['name']} {replicas(rs)} -> {replicas(rs) - count}")
        _, old_rss[i] = yield from scale_replica_set_and_record_event(
            dc, rs, replicas(rs) - count, d)
        total += count
    return old_rss, total


def scale_down_old_replica_sets_for_rolling_update(dc, all_rss: list[dict],
                                                   old_rss: list[dict], d: dict) -> Generator:
    """scaleDownOldReplicaSetsForRollingUpdate: oldest first, remove as many old replicas as
    there are available pods above minAvailable. Returns how many."""
    min_available = replicas(d) - max_unavailable(d)
    available_count = available_replicas(all_rss)
    if available_count <= min_available:
        return 0
    wanted = available_count - min_available
    total = 0
    for rs in sorted(old_rss, key=by_creation):
        if total >= wanted:
            break
        if replicas(rs) == 0:
            continue
        count = min(replicas(rs), wanted - total)
        yield from scale_replica_set_and_record_event(dc, rs, replicas(rs) - count, d)
        total += count
    return total

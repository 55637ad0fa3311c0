"""Scaling and status, shared by every strategy (kk pkg/controller/deployment/sync.go).

`get_all_replica_sets_and_sync_revision` finds (or creates) the ReplicaSet of the current pod
template; `scale` handles `kubectl scale` mid-rollout by spreading the change over the active
ReplicaSets in proportion to their size; `calculate_status` counts replicas for the status.
As upstream, the functions change the Deployment `d` they are given in place (its revision
annotation, its conditions) and write it back with an UpdateStatus.
"""

from __future__ import annotations

import copy
from collections.abc import Generator

from k8slab.controllers.deployment import conditions as cond
from k8slab.controllers.deployment.hash import compute_hash
from k8slab.controllers.deployment.history import (
    cleanup_deployment,
    set_deployment_revision,
    set_new_replica_set_annotations,
)
from k8slab.controllers.deployment.util import (
    POD_TEMPLATE_HASH_LABEL,
    REVISION_ANNOTATION,
    active,
    actual_replicas,
    available_replicas,
    by_size_older,
    desired_replicas_annotation,
    equal_ignore_hash,
    find_active_or_latest,
    find_new_replica_set,
    find_old_replica_sets,
    get_proportion,
    is_rolling_update,
    is_saturated,
    max_revision,
    max_surge,
    max_unavailable,
    min_ready_seconds,
    new_rs_new_replicas,
    progress_deadline_seconds,
    ready_replicas,
    replicas,
    replicas_annotations_need_update,
    set_replicas_annotations,
    sorted_by_size_newer,
    spec_replicas,
)
from k8slab.errors import AlreadyExistsError, K8sLabError

STATUS_COUNTS = ("observedGeneration", "replicas", "updatedReplicas", "readyReplicas",
                 "availableReplicas", "unavailableReplicas")


def normalized_status(status: dict | None) -> dict:
    """A DeploymentStatus as its JSON has it: zero counts and empty conditions left out."""
    status = status or {}
    out = {k: status[k] for k in STATUS_COUNTS if status.get(k)}
    if status.get("conditions"):
        out["conditions"] = copy.deepcopy(status["conditions"])
    if status.get("collisionCount") is not None:
        out["collisionCount"] = status["collisionCount"]
    return out


def sync_status_only(dc, d: dict, rs_list: list[dict]) -> Generator:
    """syncStatusOnly: a Deployment being deleted only has its status brought up to date."""
    new_rs, old_rss = yield from get_all_replica_sets_and_sync_revision(dc, d, rs_list, False)
    yield from sync_deployment_status(dc, [*old_rss, new_rs], new_rs, d)


def sync(dc, d: dict, rs_list: list[dict]) -> Generator:
    """sync: a scaling event or a paused Deployment: scale, no rollout."""
    new_rs, old_rss = yield from get_all_replica_sets_and_sync_revision(dc, d, rs_list, False)
    yield from scale(dc, d, new_rs, old_rss)
    if d["spec"].get("paused"):
        yield from cleanup_deployment(dc, old_rss, d)
    yield from sync_deployment_status(dc, [*old_rss, new_rs], new_rs, d)


def check_paused_conditions(dc, d: dict) -> Generator:
    """checkPausedConditions: Progressing Unknown "DeploymentPaused" while paused,
    "DeploymentResumed" on resume, so a long pause never counts against the deadline."""
    if progress_deadline_seconds(d) is None:
        return d
    status = d.setdefault("status", {})
    current = cond.get_condition(status, cond.PROGRESSING)
    if current is not None and current["reason"] == cond.TIMED_OUT:
        return d
    paused_exists = current is not None and current["reason"] == cond.PAUSED
    if d["spec"].get("paused") and not paused_exists:
        condition = cond.new_condition(cond.PROGRESSING, "Unknown", cond.PAUSED,
                                       "Deployment is paused", dc.now())
    elif not d["spec"].get("paused") and paused_exists:
        condition = cond.new_condition(cond.PROGRESSING, "Unknown", cond.RESUMED,
                                       "Deployment is resumed", dc.now())
    else:
        return d
    cond.set_condition(status, condition)
    return (yield from dc.client.update_status(d))


def get_all_replica_sets_and_sync_revision(dc, d: dict, rs_list: list[dict],
                                           create: bool) -> Generator:
    """getAllReplicaSetsAndSyncRevision: (new ReplicaSet or None, every old ReplicaSet)."""
    old_rss = find_old_replica_sets(d, rs_list)
    new_rs = yield from get_new_replica_set(dc, d, rs_list, old_rss, create)
    return new_rs, old_rss


def _controller_ref(d: dict) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "name": d["metadata"]["name"],
            "uid": d["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}


def _new_replica_set(d: dict) -> dict:
    # The ReplicaSet of the current template: named and labelled by the pod-template-hash.
    template = copy.deepcopy(d["spec"]["template"])
    pod_hash = compute_hash(template, (d.get("status") or {}).get("collisionCount"))
    labels = dict((template.get("metadata") or {}).get("labels") or {})
    labels[POD_TEMPLATE_HASH_LABEL] = pod_hash
    template.setdefault("metadata", {})["labels"] = labels
    selector = copy.deepcopy(d["spec"]["selector"])
    selector["matchLabels"] = {**(selector.get("matchLabels") or {}),
                               POD_TEMPLATE_HASH_LABEL: pod_hash}
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": f"{d['metadata']['name']}-{pod_hash}",
                         "namespace": d["metadata"]["namespace"],
                         "ownerReferences": [_controller_ref(d)], "labels": dict(labels)},
            "spec": {"replicas": 0, "minReadySeconds": min_ready_seconds(d),
                     "selector": selector, "template": template}}


def get_new_replica_set(dc, d: dict, rs_list: list[dict], old_rss: list[dict],
                        create: bool) -> Generator:
    """getNewReplicaSet: the ReplicaSet of the current template with its revision raised to
    max(old revisions) + 1, created when `create` and missing."""
    status = d.setdefault("status", {})
    existing = find_new_replica_set(d, rs_list)
    new_revision = str(max_revision(old_rss) + 1)
    if existing is not None:
        rs = copy.deepcopy(existing)
        annotations_updated = set_new_replica_set_annotations(d, rs, new_revision, True)
        if annotations_updated or min_ready_seconds(rs) != min_ready_seconds(d):
            rs["spec"]["minReadySeconds"] = min_ready_seconds(d)
            return (yield from dc.client.update(rs))
        needs_update = set_deployment_revision(d, rs["metadata"]["annotations"].get(
            REVISION_ANNOTATION, ""))
        if (progress_deadline_seconds(d) is not None
                and cond.get_condition(status, cond.PROGRESSING) is None):
            cond.set_condition(status, cond.new_condition(
                cond.PROGRESSING, "True", cond.FOUND_NEW_RS,
                f'Found new replica set "{rs["metadata"]["name"]}"', dc.now()))
            needs_update = True
        if needs_update:
            yield from dc.client.update_status(d)
        return rs
    if not create:
        return None
    new_rs = _new_replica_set(d)
    count = new_rs_new_replicas(d, [*old_rss, new_rs], new_rs)
    new_rs["spec"]["replicas"] = count
    set_new_replica_set_annotations(d, new_rs, new_revision, False)
    already_exists = False
    try:
        created = yield from dc.client.create(new_rs)
    except AlreadyExistsError:
        # A slow cache, or a hash collision with a ReplicaSet that is not ours.
        already_exists = True
        name = new_rs["metadata"]["name"]
        created = dc.replica_sets.get(f"{d['metadata']['namespace']}/{name}")
        if created is None:
            raise
        ref = next((r for r in created["metadata"].get("ownerReferences") or []
                    if r.get("controller")), None)
        if not (ref is not None and ref.get("uid") == d["metadata"]["uid"] and equal_ignore_hash(
                d["spec"]["template"], created["spec"].get("template"))):
            status["collisionCount"] = (status.get("collisionCount") or 0) + 1
            yield from dc.client.update_status(d)
            raise
    except K8sLabError as error:
        message = f'Failed to create new replica set "{new_rs["metadata"]["name"]}": {error}'
        if progress_deadline_seconds(d) is not None:
            cond.set_condition(status, cond.new_condition(
                cond.PROGRESSING, "False", cond.FAILED_RS_CREATE, message, dc.now()))
            try:
                yield from dc.client.update_status(d)
            except K8sLabError:
                pass  # the bigger problem is already being reported
        dc.recorder.event(d, "Warning", cond.FAILED_RS_CREATE, message)
        raise
    if not already_exists and count > 0:
        dc.recorder.event(d, "Normal", "ScalingReplicaSet",
                          f"Scaled up replica set {created['metadata']['name']} from 0 to {count}")
    needs_update = set_deployment_revision(d, new_revision)
    if not already_exists and progress_deadline_seconds(d) is not None:
        cond.set_condition(status, cond.new_condition(
            cond.PROGRESSING, "True", cond.NEW_REPLICA_SET,
            f'Created new replica set "{created["metadata"]["name"]}"', dc.now()))
        needs_update = True
    if needs_update:
        yield from dc.client.update_status(d)
    return created


def scale(dc, d: dict, new_rs: dict | None, old_rss: list[dict]) -> Generator:
    """scale: one active ReplicaSet takes spec.replicas; a saturated new one lets the old go
    to 0; otherwise a rolling Deployment spreads the change proportionally."""
    only = find_active_or_latest(new_rs, old_rss)
    if only is not None:
        if replicas(only) != replicas(d):
            yield from scale_replica_set_and_record_event(dc, only, replicas(d), d)
        return
    if is_saturated(d, new_rs):
        for old in active(old_rss):
            yield from scale_replica_set_and_record_event(dc, old, 0, d)
        return
    if not is_rolling_update(d):
        return
    all_rss = active([*old_rss, new_rs])
    allowed = replicas(d) + max_surge(d) if replicas(d) > 0 else 0
    to_add = allowed - spec_replicas(all_rss)
    # Scaling up, the larger (then newer) ReplicaSets first; down, the larger (then older).
    operation = ""
    if to_add > 0:
        all_rss = sorted_by_size_newer(all_rss)
        operation = "up"
    elif to_add < 0:
        all_rss = sorted(all_rss, key=by_size_older)
        operation = "down"
    added = 0
    sizes = []
    for rs in all_rss:
        share = get_proportion(rs, d, to_add, added) if to_add else 0
        sizes.append(replicas(rs) + share)
        added += share
    if all_rss and to_add:
        sizes[0] = max(sizes[0] + to_add - added, 0)  # leftovers go to the largest
    for rs, size in zip(all_rss, sizes, strict=True):
        yield from scale_replica_set(dc, rs, size, d, operation)


def scale_replica_set_and_record_event(dc, rs: dict, new_scale: int, d: dict) -> Generator:
    """scaleReplicaSetAndRecordEvent: (scaled, the ReplicaSet after)."""
    if replicas(rs) == new_scale:
        return False, rs
    operation = "up" if replicas(rs) < new_scale else "down"
    return (yield from scale_replica_set(dc, rs, new_scale, d, operation))


def scale_replica_set(dc, rs: dict, new_scale: int, d: dict, operation: str) -> Generator:
    """scaleReplicaSet: write spec.replicas and the replica annotations; a size change is a
    ScalingReplicaSet Event in v1.31+ words (kk PR #125118)."""
    desired, most = replicas(d), replicas(d) + max_surge(d)
    size_changed = replicas(rs) != new_scale
    if not size_changed and not replicas_annotations_need_update(rs, desired, most):
        return False, rs
    old_scale = replicas(rs)
    rs = copy.deepcopy(rs)
    rs["spec"]["replicas"] = new_scale
    set_replicas_annotations(rs, desired, most)
    rs = yield from dc.client.update(rs)
    if size_changed:
        dc.recorder.event(d, "Normal", "ScalingReplicaSet", f"Scaled {operation} replica set "
                          f"{rs['metadata']['name']} from {old_scale} to {new_scale}")
    return size_changed, rs


def calculate_status(all_rss: list[dict | None], new_rs: dict | None, d: dict,
                     now: float) -> dict:
    """calculateStatus: the counts, and Available True when at least spec.replicas -
    maxUnavailable pods are available."""
    available = available_replicas(all_rss)
    total = spec_replicas(all_rss)
    status = {
        "observedGeneration": d["metadata"].get("generation", 0),
        "replicas": actual_replicas(all_rss),
        "updatedReplicas": actual_replicas([new_rs]),
        "readyReplicas": ready_replicas(all_rss),
        "availableReplicas": available,
        "unavailableReplicas": max(total - available, 0),
        "conditions": copy.deepcopy((d.get("status") or {}).get("conditions") or []),
    }
    if (d.get("status") or {}).get("collisionCount") is not None:
        status["collisionCount"] = d["status"]["collisionCount"]
    if available >= replicas(d) - max_unavailable(d):
        condition = cond.new_condition(cond.AVAILABLE, "True", cond.MINIMUM_REPLICAS_AVAILABLE,
                                       "Deployment has minimum availability.", now)
    else:
        condition = cond.new_condition(cond.AVAILABLE, "False",
                                       cond.MINIMUM_REPLICAS_UNAVAILABLE,
                                       "Deployment does not have minimum availability.", now)
    cond.set_condition(status, condition)
    return status


def sync_deployment_status(dc, all_rss: list[dict | None], new_rs: dict | None,
                           d: dict) -> Generator:
    """syncDeploymentStatus: write the status if it changed."""
    status = calculate_status(all_rss, new_rs, d, dc.now())
    if normalized_status(d.get("status")) == normalized_status(status):
        return
    d["status"] = normalized_status(status)
    yield from dc.client.update_status(d)


def is_scaling_event(dc, d: dict, rs_list: list[dict]) -> Generator:
    """isScalingEvent: an active ReplicaSet was last sized for another spec.replicas."""
    new_rs, old_rss = yield from get_all_replica_sets_and_sync_revision(dc, d, rs_list, False)
    for rs in active([*old_rss, new_rs]):
        desired = desired_replicas_annotation(rs)
        if desired is not None and desired != replicas(d):
            return True
    return False

"""Revision history: the revision annotations and the cleanup of old ReplicaSets.

Each ReplicaSet of a Deployment carries `deployment.kubernetes.io/revision`; the new one always
holds the highest. Rolling back (kubectl copies an old ReplicaSet's template into the
Deployment) makes that old ReplicaSet the new one again, so it gets the next revision and its
old number moves to `revision-history`: the old number is gone from `kubectl rollout history`.
Old ReplicaSets scaled to 0 beyond revisionHistoryLimit are deleted, lowest revision first.
Upstream: kk pkg/controller/deployment/util/deployment_util.go (SetNewReplicaSetAnnotations)
and sync.go (cleanupDeployment).
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.controllers.deployment.util import (
    MAX_REVISION_HISTORY_CHARS,
    REVISION_ANNOTATION,
    REVISION_HISTORY_ANNOTATION,
    SKIPPED_ANNOTATIONS,
    by_revision,
    max_surge,
    replicas,
    revision_history_limit,
    set_replicas_annotations,
)
from k8slab.errors import NotFoundError


def copy_deployment_annotations(d: dict, rs: dict) -> bool:
    """copyDeploymentAnnotationsToReplicaSet: the Deployment's own annotations, but not the
    revision and replica bookkeeping or kubectl's last-applied; True if any changed."""
    annotations = rs["metadata"].setdefault("annotations", {})
    changed = False
    for key, value in sorted((d["metadata"].get("annotations") or {}).items()):
        if key in SKIPPED_ANNOTATIONS or annotations.get(key) == value:
            continue
        annotations[key] = value
        changed = True
    return changed


def set_new_replica_set_annotations(d: dict, rs: dict, new_revision: str, exists: bool,
                                    history_chars: int = MAX_REVISION_HISTORY_CHARS) -> bool:
    """SetNewReplicaSetAnnotations: copy the Deployment's annotations, raise the revision to
    `new_revision` if it is lower (keeping the old one in revision-history, at most
    `history_chars` long), and for a ReplicaSet about to be created record the replica counts."""
    changed = copy_deployment_annotations(d, rs)
    annotations = rs["metadata"]["annotations"]
    old_text = annotations.get(REVISION_ANNOTATION)
    try:
        old_revision = int(old_text) if old_text else 0
        new = int(new_revision)
    except ValueError:
        return False  # upstream logs "Updating replica set revision ... not int" and stops
    if old_revision < new:
        annotations[REVISION_ANNOTATION] = new_revision
        changed = True
        if old_text is not None:
            _remember_revision(annotations, old_text, history_chars)
    if not exists and set_replicas_annotations(rs, replicas(d), replicas(d) + max_surge(d)):
        changed = True
    return changed


def _remember_revision(annotations: dict, old: str, limit: int) -> None:
    history = annotations.get(REVISION_HISTORY_ANNOTATION, "")
    if not history:
        annotations[REVISION_HISTORY_ANNOTATION] = old
        return
    kept = history.split(",")
    total = len(history) + len(old) + 1
    start = 0
    while total > limit and start < len(kept):  # forget the oldest entries first
        total -= len(kept[start]) + 1
        start += 1
    if total <= limit:
        annotations[REVISION_HISTORY_ANNOTATION] = ",".join([*kept[start:], old])


def set_deployment_revision(d: dict, revision: str) -> bool:
    """SetDeploymentRevision: the Deployment's own revision annotation; True if it changed."""
    annotations = d["metadata"].setdefault("annotations", {})
    if annotations.get(REVISION_ANNOTATION) == revision:
        return False
    annotations[REVISION_ANNOTATION] = revision
    return True


def cleanup_deployment(dc, old_rss: list[dict], d: dict) -> Generator:
    """cleanupDeployment: delete the oldest old ReplicaSets beyond revisionHistoryLimit, but
    only those scaled to 0, with no pods left, whose controller has seen their last change."""
    alive = [rs for rs in old_rss if not rs["metadata"].get("deletionTimestamp")]
    surplus = len(alive) - revision_history_limit(d)
    if surplus <= 0:
        return
    for rs in sorted(alive, key=by_revision)[:surplus]:
        status = rs.get("status") or {}
        if (status.get("replicas", 0) != 0 or replicas(rs) != 0
                or rs["metadata"].get("generation", 0) > status.get("observedGeneration", 0)):
            continue
        try:
            yield from dc.client.delete("replicasets", rs["metadata"]["name"],
                                        rs["metadata"]["namespace"])
        except NotFoundError:
            pass

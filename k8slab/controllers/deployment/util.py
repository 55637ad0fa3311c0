"""The Deployment's arithmetic, as upstream's deployment/util/deployment_util.go has it.

maxSurge and maxUnavailable resolved against spec.replicas (ResolveFenceposts), how many
replicas the new ReplicaSet may have next (NewRSNewReplicas), the proportion of a scaling that
falls to each ReplicaSet mid-rollout (GetProportion), and the annotations a Deployment keeps on
its ReplicaSets: revision, revision-history, desired-replicas, max-replicas.
Spec fields are read with apps/v1's defaults (kk pkg/apis/apps/v1/defaults.go), so a Deployment
reads the same whether the API server defaulted it or a test wrote it by hand.
"""

from __future__ import annotations

import copy
import math

from k8slab.api.timestamps import from_time
from k8slab.errors import K8sLabError

# kk staging/src/k8s.io/api/apps/v1/types.go and deployment_util.go.
POD_TEMPLATE_HASH_LABEL = "pod-template-hash"
REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas"
ROLLBACK_TO_ANNOTATION = "deprecated.deployment.rollback.to"
LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"
# Annotations a Deployment never copies onto its ReplicaSets (annotationsToSkip).
SKIPPED_ANNOTATIONS = (LAST_APPLIED_ANNOTATION, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION,
                       DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION,
                       ROLLBACK_TO_ANNOTATION)
# kk pkg/controller/deployment/deployment_controller.go: maxRevHistoryLengthInChars.
MAX_REVISION_HISTORY_CHARS = 2000
ROLLING_UPDATE = "RollingUpdate"
RECREATE = "Recreate"
DEFAULT_MAX_SURGE = "25%"
DEFAULT_MAX_UNAVAILABLE = "25%"
DEFAULT_REVISION_HISTORY_LIMIT = 10
DEFAULT_PROGRESS_DEADLINE_SECONDS = 600


# -- the spec, read with apps/v1 defaults ---------------------------------------------------------

def replicas(obj: dict) -> int:
    """spec.replicas of a Deployment or ReplicaSet (defaulted to 1)."""
    value = (obj.get("spec") or {}).get("replicas")
    return 1 if value is None else value


def strategy_type(d: dict) -> str:
    """spec.strategy.type: RollingUpdate unless it says Recreate."""
    return ((d["spec"].get("strategy") or {}).get("type")) or ROLLING_UPDATE


def is_rolling_update(d: dict) -> bool:
    """True for a RollingUpdate Deployment."""
    return strategy_type(d) == ROLLING_UPDATE


def rolling_params(d: dict) -> tuple[int | str, int | str]:
    """(maxSurge, maxUnavailable) as written, each defaulted to 25%."""
    rolling = (d["spec"].get("strategy") or {}).get("rollingUpdate") or {}
    surge = rolling.get("maxSurge")
    unavailable = rolling.get("maxUnavailable")
    return (DEFAULT_MAX_SURGE if surge is None else surge,
            DEFAULT_MAX_UNAVAILABLE if unavailable is None else unavailable)


def min_ready_seconds(obj: dict) -> int:
    """spec.minReadySeconds (0 when absent)."""
    return obj["spec"].get("minReadySeconds") or 0


def revision_history_limit(d: dict) -> int:
    """spec.revisionHistoryLimit (10 when absent)."""
    value = d["spec"].get("revisionHistoryLimit")
    return DEFAULT_REVISION_HISTORY_LIMIT if value is None else value


def progress_deadline_seconds(d: dict) -> int | None:
    """spec.progressDeadlineSeconds (600 when absent); None when it is MaxInt32, i.e. no
    deadline (HasProgressDeadline)."""
    value = d["spec"].get("progressDeadlineSeconds")
    value = DEFAULT_PROGRESS_DEADLINE_SECONDS if value is None else value
    return None if value == 2**31 - 1 else value


# -- maxSurge and maxUnavailable ----------------------------------------------------------------

def scaled_value(value: int | str, total: int, round_up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent: an int as is, "25%" of `total` rounded up or down."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise K8sLabError(f"invalid value for IntOrString: {value!r} (an integer or a percent "
                          'such as "25%")')
    if isinstance(value, int):
        return value
    if not value.endswith("%"):
        raise K8sLabError("invalid value for IntOrString: invalid type: string is not a "
                          f'percentage ({value!r}; write e.g. "25%")')
    number = value[:-1]
    if not number.lstrip("-").isdigit():
        raise K8sLabError(f'invalid value "{value}": strconv.Atoi: parsing "{number}": '
                          "invalid syntax")
    share = int(number) * total / 100
    return math.ceil(share) if round_up else math.floor(share)


def resolve_fenceposts(max_surge: int | str | None, max_unavailable: int | str | None,
                       desired: int) -> tuple[int, int]:
    """ResolveFenceposts: (surge, unavailable) for `desired` replicas; surge rounds up,
    unavailable down, and when both come to 0 unavailable becomes 1 so a rollout can move."""
    surge = scaled_value(0 if max_surge is None else max_surge, desired, True)
    unavailable = scaled_value(0 if max_unavailable is None else max_unavailable, desired, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def max_surge(d: dict) -> int:
    """MaxSurge: how many pods above spec.replicas a rolling Deployment may run (0 for Recreate)."""
    if not is_rolling_update(d):
        return 0
    return resolve_fenceposts(*rolling_params(d), replicas(d))[0]


def max_unavailable(d: dict) -> int:
    """MaxUnavailable: how many of spec.replicas may be unavailable, at most spec.replicas."""
    if not is_rolling_update(d) or replicas(d) == 0:
        return 0
    return min(resolve_fenceposts(*rolling_params(d), replicas(d))[1], replicas(d))


# -- counting over ReplicaSets --------------------------------------------------------------------

def _status(rs: dict, field: str) -> int:
    return (rs.get("status") or {}).get(field) or 0


def spec_replicas(rss: list[dict | None]) -> int:
    """GetReplicaCountForReplicaSets: the sum of spec.replicas."""
    return sum(replicas(rs) for rs in rss if rs is not None)


def actual_replicas(rss: list[dict | None]) -> int:
    """GetActualReplicaCountForReplicaSets: the sum of status.replicas (pods that exist)."""
    return sum(_status(rs, "replicas") for rs in rss if rs is not None)


def ready_replicas(rss: list[dict | None]) -> int:
    """GetReadyReplicaCountForReplicaSets: the sum of status.readyReplicas."""
    return sum(_status(rs, "readyReplicas") for rs in rss if rs is not None)


def available_replicas(rss: list[dict | None]) -> int:
    """GetAvailableReplicaCountForReplicaSets: the sum of status.availableReplicas."""
    return sum(_status(rs, "availableReplicas") for rs in rss if rs is not None)


def available(rs: dict) -> int:
    """One ReplicaSet's status.availableReplicas."""
    return _status(rs, "availableReplicas")


def active(rss: list[dict | None]) -> list[dict]:
    """FilterActiveReplicaSets: those with spec.replicas above 0."""
    return [rs for rs in rss if rs is not None and replicas(rs) > 0]


# -- orders (kk pkg/controller/controller_utils.go) -----------------------------------------------

def by_creation(rs: dict) -> tuple[float, str]:
    """ReplicaSetsByCreationTimestamp: older first, then by name."""
    meta = rs["metadata"]
    return from_time(meta.get("creationTimestamp") or "2026-01-01T00:00:00Z"), meta["name"]


def by_size_older(rs: dict) -> tuple:
    """ReplicaSetsBySizeOlder: larger first; of equal size, older first."""
    return -replicas(rs), by_creation(rs)


def sorted_by_size_newer(rss: list[dict]) -> list[dict]:
    """ReplicaSetsBySizeNewer: larger first; of equal size, newer first."""
    newest_first = sorted(rss, key=by_creation, reverse=True)
    return sorted(newest_first, key=lambda rs: -replicas(rs))


def revision(obj: dict) -> int:
    """The revision annotation as a number, 0 when absent; ValueError when not a number."""
    text = (obj["metadata"].get("annotations") or {}).get(REVISION_ANNOTATION)
    return 0 if text is None else int(text)


def _revision_or_zero(obj: dict) -> int:
    try:
        return revision(obj)
    except ValueError:
        return 0  # MaxRevision skips a ReplicaSet whose revision it cannot parse


def by_revision(rs: dict) -> tuple:
    """ReplicaSetsByRevision: lower revision first, then older first."""
    return _revision_or_zero(rs), by_creation(rs)


def max_revision(rss: list[dict]) -> int:
    """MaxRevision: the highest revision among the ReplicaSets."""
    return max((_revision_or_zero(rs) for rs in rss), default=0)


# -- finding the new and the old ReplicaSets -----------------------------------------------------

def equal_ignore_hash(template1: dict, template2: dict) -> bool:
    """EqualIgnoreHash: the two pod templates are equal once pod-template-hash is left out."""
    def without_hash(template: dict) -> dict:
        template = copy.deepcopy(template or {})
        labels = (template.get("metadata") or {}).get("labels")
        if labels is not None:
            labels.pop(POD_TEMPLATE_HASH_LABEL, None)
        return template
    return without_hash(template1) == without_hash(template2)


def find_new_replica_set(d: dict, rss: list[dict]) -> dict | None:
    """FindNewReplicaSet: the oldest ReplicaSet whose template is the Deployment's."""
    for rs in sorted(rss, key=by_creation):
        if equal_ignore_hash(rs["spec"].get("template"), d["spec"].get("template")):
            return rs
    return None


def find_old_replica_sets(d: dict, rss: list[dict]) -> list[dict]:
    """FindOldReplicaSets' second answer: every ReplicaSet but the new one."""
    new = find_new_replica_set(d, rss)
    new_uid = new["metadata"]["uid"] if new is not None else None
    return [rs for rs in rss if rs["metadata"]["uid"] != new_uid]


def find_active_or_latest(new_rs: dict | None, old_rss: list[dict]) -> dict | None:
    """FindActiveOrLatest: the only active ReplicaSet, or the newest when none is active, or
    None when several are active (then they are scaled proportionally)."""
    if new_rs is None and not old_rss:
        return None
    newest_first = sorted(old_rss, key=by_creation, reverse=True)
    running = active([*newest_first, new_rs])
    if not running:
        return new_rs if new_rs is not None else newest_first[0]
    return running[0] if len(running) == 1 else None


# -- replica annotations and proportions ------------------------------------------------------

def _int_annotation(rs: dict, key: str) -> int | None:
    text = (rs["metadata"].get("annotations") or {}).get(key)
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def desired_replicas_annotation(rs: dict) -> int | None:
    """The desired-replicas annotation, None when absent or not a number."""
    return _int_annotation(rs, DESIRED_REPLICAS_ANNOTATION)


def replicas_annotations_need_update(rs: dict, desired: int, max_replicas: int) -> bool:
    """ReplicasAnnotationsNeedUpdate: desired-replicas or max-replicas differ."""
    annotations = rs["metadata"].get("annotations") or {}
    return (annotations.get(DESIRED_REPLICAS_ANNOTATION) != str(desired)
            or annotations.get(MAX_REPLICAS_ANNOTATION) != str(max_replicas))


def set_replicas_annotations(rs: dict, desired: int, max_replicas: int) -> bool:
    """SetReplicasAnnotations: record spec.replicas and spec.replicas + maxSurge on the
    ReplicaSet; True if that changed anything."""
    changed = replicas_annotations_need_update(rs, desired, max_replicas)
    annotations = rs["metadata"].setdefault("annotations", {})
    annotations[DESIRED_REPLICAS_ANNOTATION] = str(desired)
    annotations[MAX_REPLICAS_ANNOTATION] = str(max_replicas)
    return changed


def new_rs_new_replicas(d: dict, all_rss: list[dict], new_rs: dict) -> int:
    """NewRSNewReplicas: the new ReplicaSet's next size; rolling, as many as the surge allows
    without passing spec.replicas; Recreate, spec.replicas at once."""
    if strategy_type(d) == RECREATE:
        return replicas(d)
    if strategy_type(d) != ROLLING_UPDATE:
        raise K8sLabError(f"deployment type {strategy_type(d)} isn't supported "
                          f"(use {ROLLING_UPDATE} or {RECREATE})")
    surge = scaled_value(rolling_params(d)[0], replicas(d), True)
    current = spec_replicas(all_rss)
    max_total = replicas(d) + surge
    if current >= max_total:
        return replicas(new_rs)
    return replicas(new_rs) + min(max_total - current, replicas(d) - replicas(new_rs))


def is_saturated(d: dict, rs: dict | None) -> bool:
    """IsSaturated: the ReplicaSet has all of spec.replicas, knows it, and all are available."""
    if rs is None:
        return False
    return (replicas(rs) == replicas(d) and desired_replicas_annotation(rs) == replicas(d)
            and available(rs) == replicas(d))


def _replica_set_fraction(rs: dict, d: dict) -> int:
    # getReplicaSetFraction: the ReplicaSet's share of the new maximum, from its share of the
    # maximum it was last scaled for (max-replicas), rounded half away from zero.
    if replicas(d) == 0:
        return -replicas(rs)
    deployment_replicas = replicas(d) + max_surge(d)
    annotated = _int_annotation(rs, MAX_REPLICAS_ANNOTATION)
    if annotated is None:
        annotated = (d.get("status") or {}).get("replicas") or 0
    if annotated == 0:
        return 0  # never proportionally scale from zero: nothing to take a share of
    size = replicas(rs) * deployment_replicas / annotated
    return int(math.floor(size + 0.5)) - replicas(rs)


def get_proportion(rs: dict | None, d: dict, to_add: int, added: int) -> int:
    """GetProportion: how many of the `to_add` replicas (negative when scaling down) this
    ReplicaSet takes, given `added` already handed out, never more than is left."""
    if rs is None or replicas(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    fraction = _replica_set_fraction(rs, d)
    allowed = to_add - added
    return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)

"""What the workload controllers share, as upstream's pkg/controller/controller_utils.go:
which pods count, which pod goes first on scale-down, pods from templates, template hashes.

A pod is *active* until it Succeeded, Failed or was marked for deletion; *ready* when its
Ready condition is True; *available* once it has been ready for minReadySeconds. Scale-down
removes pods in ActivePodsWithRanks order: the least established first.
"""

from __future__ import annotations

import copy
import functools
import json
import math
from collections.abc import Sequence

from k8slab.api.timestamps import from_time

# The scale-down annotation (kk pkg/apis/core/annotation_key_constants.go PodDeletionCost;
# the PodDeletionCost feature gate is on by default since v1.22).
POD_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
# Label every DaemonSet and StatefulSet pod carries: its template's hash
# (kk staging/src/k8s.io/api/apps/v1/types.go ControllerRevisionHashLabelKey).
CONTROLLER_REVISION_HASH = "controller-revision-hash"
# kk pkg/controller/replicaset/replica_set.go BurstReplicas: at most 500 creates or deletes
# per sync; pkg/controller/controller_utils.go SlowStartInitialBatchSize 1.
BURST_REPLICAS = 500
SLOW_START_INITIAL_BATCH_SIZE = 1
# ExpectationsTimeout: an expectation unmet for 5 minutes no longer blocks a sync.
EXPECTATIONS_TIMEOUT = 300.0

# podPhaseToOrdinal: Pending < Unknown < Running (other phases are not active).
_PHASE_ORDINAL = {"Pending": 0, "Unknown": 1, "Running": 2}
# rand.SafeEncodeString's alphabet: no vowels, no 0/1/3, so a hash never spells a word.
_SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


# -- pods: active, ready, available -------------------------------------------------------------

def is_pod_active(pod: dict) -> bool:
    """Not Succeeded, not Failed, not being deleted (IsPodActive)."""
    phase = (pod.get("status") or {}).get("phase")
    return phase not in ("Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp")


def filter_active_pods(pods: Sequence[dict]) -> list[dict]:
    """The active pods, in their given order (FilterActivePods)."""
    return [pod for pod in pods if is_pod_active(pod)]


def ready_condition(pod: dict) -> dict | None:
    """The pod's Ready condition, if it has one."""
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            return condition
    return None


def is_pod_ready(pod: dict) -> bool:
    """True when the Ready condition is True (podutil.IsPodReady)."""
    condition = ready_condition(pod)
    return condition is not None and condition.get("status") == "True"


def _ready_since(pod: dict) -> float | None:
    condition = ready_condition(pod)
    if condition is None or condition.get("status") != "True":
        return None
    stamp = condition.get("lastTransitionTime")
    return from_time(stamp) if stamp else None


def is_pod_available(pod: dict, min_ready_seconds: int, now: float) -> bool:
    """Ready, and ready for longer than minReadySeconds (podutil.IsPodAvailable).

    With minReadySeconds 0 a ready pod is available at once; otherwise the Ready condition's
    lastTransitionTime + minReadySeconds must lie strictly before now.
    """
    if not is_pod_ready(pod):
        return False
    if not min_ready_seconds:
        return True
    since = _ready_since(pod)
    return since is not None and since + min_ready_seconds < now


def _max_restarts(pod: dict) -> int:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return max([int(s.get("restartCount") or 0) for s in statuses], default=0)


def deletion_cost(pod: dict) -> int:
    """The pod-deletion-cost annotation as an int32; absent or unparsable counts as 0."""
    text = (pod["metadata"].get("annotations") or {}).get(POD_DELETION_COST)
    try:
        value = int(text) if text is not None else 0
    except ValueError:
        return 0
    return value if -(2**31) <= value < 2**31 else 0


# -- scale-down victims: ActivePodsWithRanks ---------------------------------------------------

def _created(pod: dict) -> float | None:
    stamp = pod["metadata"].get("creationTimestamp")
    return from_time(stamp) if stamp else None


def _after_or_zero(first: float | None, second: float | None) -> bool:
    # afterOrZero: a missing time sorts first, then the later time.
    if first is None or second is None:
        return first is None
    return first > second


def _log_rank(moment: float, now: float) -> int:
    # logarithmicRankDiff works on Go durations: integer log2 of the nanoseconds elapsed.
    elapsed = round((now - moment) * 1e9)
    return int(math.log2(elapsed)) if elapsed > 0 else -1


def _time_rule(first: float | None, second: float | None, now: float | None,
               uids: tuple[str, str]) -> int:
    # Rules 6 and 8 with LogarithmicScaleDown (GA in v1.31): the same power-of-two bucket
    # counts as a tie, broken by UID so that equal pods go in a pseudo-random order.
    if now is None or first is None or second is None:
        return -1 if _after_or_zero(first, second) else 1
    difference = _log_rank(first, now) - _log_rank(second, now)
    if difference == 0:
        return (uids[0] > uids[1]) - (uids[0] < uids[1])
    return -1 if difference < 0 else 1


def compare_for_deletion(a: dict, b: dict, rank_a: int, rank_b: int,
                         now: float | None) -> int:
    """Negative if pod `a` should be deleted before `b` (ActivePodsWithRanks.Less).

    1 unscheduled first; 2 Pending < Unknown < Running; 3 not ready first; 4 lower
    pod-deletion-cost first; 5 higher rank (more related pods on its node) first; 6 ready for
    a shorter time first; 7 more container restarts first; 8 newer first. Rules 6 and 8
    compare log2 buckets of age when `now` is given, and break ties by UID.
    """
    node_a, node_b = a["spec"].get("nodeName") or "", b["spec"].get("nodeName") or ""
    if node_a != node_b and (not node_a or not node_b):
        return -1 if not node_a else 1
    phase_a = _PHASE_ORDINAL.get((a.get("status") or {}).get("phase"), 0)
    phase_b = _PHASE_ORDINAL.get((b.get("status") or {}).get("phase"), 0)
    if phase_a != phase_b:
        return -1 if phase_a < phase_b else 1
    ready_a, ready_b = is_pod_ready(a), is_pod_ready(b)
    if ready_a != ready_b:
        return -1 if not ready_a else 1
    cost_a, cost_b = deletion_cost(a), deletion_cost(b)
    if cost_a != cost_b:
        return -1 if cost_a < cost_b else 1
    if rank_a != rank_b:
        return -1 if rank_a > rank_b else 1
    uids = (a["metadata"].get("uid", ""), b["metadata"].get("uid", ""))
    if ready_a and ready_b:
        since_a, since_b = _ready_since(a), _ready_since(b)
        if since_a != since_b:
            return _time_rule(since_a, since_b, now, uids)
    restarts_a, restarts_b = _max_restarts(a), _max_restarts(b)
    if restarts_a != restarts_b:
        return -1 if restarts_a > restarts_b else 1
    created_a, created_b = _created(a), _created(b)
    if created_a != created_b:
        return _time_rule(created_a, created_b, now, uids)
    return 0  # no rule decides: neither is Less, and the sort keeps their order


def rank_pods_for_deletion(pods: Sequence[dict], ranks: Sequence[int],
                           now: float | None) -> list[dict]:
    """`pods` sorted so the first should be deleted first; `ranks[i]` belongs to `pods[i]`."""
    pairs = list(zip(pods, ranks, strict=True))
    pairs.sort(key=functools.cmp_to_key(
        lambda x, y: compare_for_deletion(x[0], y[0], x[1], y[1], now)))
    return [pod for pod, _rank in pairs]


def pods_on_same_node_ranks(pods: Sequence[dict], related: Sequence[dict]) -> list[int]:
    """Each pod's rank: how many active `related` pods share its node (getPodsRankedBy...)."""
    on_node: dict[str, int] = {}
    for pod in related:
        if is_pod_active(pod):
            node = pod["spec"].get("nodeName") or ""
            on_node[node] = on_node.get(node, 0) + 1
    return [on_node.get(pod["spec"].get("nodeName") or "", 0) for pod in pods]


# -- owners and templates -----------------------------------------------------------------------

# The informer index every workload controller reads its pods by (controllerUIDIndex), and
# the key orphans of one namespace share in it (OrphanPodIndexKey).
CONTROLLER_UID_INDEX = "controllerUID"
ORPHAN_INDEX_KEY = "_ORPHAN_POD"


def controller_uid_index(obj: dict) -> list[str]:
    """Index values: the controller's UID, or `_ORPHAN_POD/<namespace>` for an orphan."""
    ref = controller_ref(obj)
    if ref is not None:
        return [ref.get("uid", "")]
    return [f"{ORPHAN_INDEX_KEY}/{obj['metadata'].get('namespace', '')}"]


def controller_ref(obj: dict) -> dict | None:
    """The ownerReference with controller=true, if any (metav1.GetControllerOf)."""
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return ref
    return None


def new_controller_ref(owner: dict) -> dict:
    """An ownerReference naming `owner` as controller, blocking its deletion (NewControllerRef)."""
    meta = owner["metadata"]
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": meta["name"],
            "uid": meta["uid"], "controller": True, "blockOwnerDeletion": True}


def pod_from_template(template: dict, owner: dict, name: str = "") -> dict:
    """A new pod from `template`, controlled by `owner` (GetPodFromTemplate).

    Labels, annotations and finalizers come from the template, the spec is a copy; with no
    `name` it gets generateName `<owner>-` and the API server adds five random characters.
    """
    meta = template.get("metadata") or {}
    pod_meta: dict = {"namespace": owner["metadata"]["namespace"],
                      "labels": dict(meta.get("labels") or {}),
                      "ownerReferences": [new_controller_ref(owner)]}
    if name:
        pod_meta["name"] = name
    else:
        pod_meta["generateName"] = f"{owner['metadata']['name']}-"
    if meta.get("annotations"):
        pod_meta["annotations"] = dict(meta["annotations"])
    if meta.get("finalizers"):
        pod_meta["finalizers"] = list(meta["finalizers"])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta,
            "spec": copy.deepcopy(template.get("spec") or {})}


def compute_hash(template: dict, collision_count: int | None = None) -> str:
    """A short, stable hash of a pod template (controller.ComputeHash): FNV-32a, then the
    decimal digits spelled in rand.SafeEncodeString's alphabet.

    Simplified: upstream hashes the Go struct as go-spew prints it; we hash the template's
    sorted JSON, so the text differs from a real cluster's while keeping its properties.
    """
    data = json.dumps(template, sort_keys=True, separators=(",", ":")).encode()
    if collision_count is not None:
        data += str(collision_count).encode()
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return "".join(_SAFE_ALPHABET[ord(digit) % len(_SAFE_ALPHABET)] for digit in str(value))

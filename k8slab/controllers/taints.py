"""Taints and tolerations as the controllers read and write them (kk pkg/util/taints,
pkg/apis/core/v1/helper, pkg/controller/controller_utils.go, pkg/controller/util/node).

A taint on a Node repels pods; a pod's toleration lets it stay. The node lifecycle controller
adds and swaps the `not-ready` / `unreachable` taints; the taint eviction controller reads the
NoExecute ones and deletes pods that do not tolerate them.
"""

from __future__ import annotations

import copy
from collections.abc import Generator

from k8slab.api.timestamps import to_time
from k8slab.api.tolerations import toleration_tolerates_taint
from k8slab.client.rest import Client
from k8slab.errors import ConflictError, K8sLabError

# k8s.io/api/core/v1 well-known taint keys.
NOT_READY = "node.kubernetes.io/not-ready"
UNREACHABLE = "node.kubernetes.io/unreachable"
UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure"
DISK_PRESSURE = "node.kubernetes.io/disk-pressure"
PID_PRESSURE = "node.kubernetes.io/pid-pressure"
NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable"
NO_EXECUTE, NO_SCHEDULE = "NoExecute", "NoSchedule"
# pkg/controller/controller_utils.go UpdateTaintBackoff: 5 tries, 100 ms apart.
UPDATE_TAINT_TRIES = 5
UPDATE_TAINT_DELAY = 0.1


def same_taint(a: dict, b: dict) -> bool:
    """Taint.MatchTaint: the same key and effect (value and timeAdded aside)."""
    return a.get("key") == b.get("key") and a.get("effect") == b.get("effect")


def has_taint(taints: list[dict] | None, wanted: dict) -> bool:
    """taintutils.TaintExists: a taint with `wanted`'s key and effect is there."""
    return any(same_taint(t, wanted) for t in taints or [])


def no_execute_taints(node: dict | None) -> list[dict]:
    """The node's NoExecute taints, in their order."""
    taints = ((node or {}).get("spec") or {}).get("taints") or []
    return [t for t in taints if t.get("effect") == NO_EXECUTE]


def matching_tolerations(taints: list[dict], tolerations: list[dict]) -> tuple[bool, list[dict]]:
    """v1helper.GetMatchingTolerations: whether every taint is tolerated, and for each taint the
    first toleration that tolerates it."""
    used = []
    for taint in taints:
        toleration = next((t for t in tolerations if toleration_tolerates_taint(t, taint)), None)
        if toleration is None:
            return False, []
        used.append(toleration)
    return True, used


def min_toleration_seconds(used: list[dict]) -> float:
    """getMinTolerationTime: the smallest tolerationSeconds (0 when one is 0 or less, or when no
    toleration was used), or -1 when every toleration tolerates for ever."""
    if not used:
        return 0.0
    limits = [t["tolerationSeconds"] for t in used if t.get("tolerationSeconds") is not None]
    if not limits:
        return -1.0
    return float(max(min(limits), 0))


def _taints_after(taints: list[dict], add: list[dict], remove: list[dict]) -> list[dict]:
    kept = [t for t in taints if not any(same_taint(t, r) for r in remove)]
    for taint in add:
        kept = [t for t in kept if not same_taint(t, taint)] + [taint]
    return kept


def swap_taints(client: Client, node: dict, add: list[dict], remove: list[dict]) -> Generator:
    """controllerutil.SwapNodeControllerTaint: add `add` (stamped with timeAdded now) and remove
    `remove` on the node, retrying on conflicts with a fresh read; returns the node written, or
    None when nothing had to change."""
    now = to_time(client.group.sim.now)
    add = [dict(t, timeAdded=now) for t in add]
    current = node
    for attempt in range(UPDATE_TAINT_TRIES):
        if attempt:
            yield client.group.env.timeout(UPDATE_TAINT_DELAY)
            current = yield from client.get("nodes", node["metadata"]["name"])
        taints = (current.get("spec") or {}).get("taints") or []
        if all(has_taint(taints, t) for t in add) and not any(has_taint(taints, r)
                                                              for r in remove):
            return None
        wanted = _taints_after(taints, add, remove)
        body = copy.deepcopy(current)
        body.setdefault("spec", {})["taints"] = wanted
        try:
            return (yield from client.update(body))
        except ConflictError:
            continue
    raise K8sLabError(f"failed to swap taints of node {node['metadata']['name']}: "
                      f"the node kept changing for {UPDATE_TAINT_TRIES} tries")

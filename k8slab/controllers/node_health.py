"""What the node lifecycle controller remembers of each node's health, and how it judges it
(kk pkg/controller/nodelifecycle/node_lifecycle_controller.go, tryUpdateNodeHealth).

A node is alive while its kubelet's signals keep changing: the Lease's renewTime (every 10 s)
or the Ready condition's lastHeartbeatTime (when its status is posted). The controller notes
*its own* time when it last saw either change (probeTimestamp), not the times the kubelet wrote,
so clocks that disagree across machines do not matter. When more than the grace period has
passed since then, it writes Ready (and the pressure conditions) Unknown.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from k8slab.api.timestamps import from_time, to_time

# The conditions set to Unknown when the kubelet goes silent; NetworkUnavailable is left alone,
# as it is managed by the control plane.
SILENT_CONDITIONS = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")
STOPPED_REASON = "NodeStatusUnknown"
STOPPED_MESSAGE = "Kubelet stopped posting node status."
NEVER_REASON = "NodeStatusNeverUpdated"
NEVER_MESSAGE = "Kubelet never posted node status."


@dataclass
class NodeHealth:
    """nodeHealthData: when this controller last saw the node alive, when it last saw Ready
    change, the Ready condition it saw, and the Lease's renewTime it saw."""

    probe_timestamp: float
    ready_transition_timestamp: float
    ready: dict | None
    lease_renew_time: str | None = None


def condition(node: dict, kind: str) -> dict | None:
    """The node's condition of type `kind`, if it has one."""
    for found in (node.get("status") or {}).get("conditions") or []:
        if found.get("type") == kind:
            return found
    return None


def _created(node: dict) -> float:
    stamp = node["metadata"].get("creationTimestamp")
    return from_time(stamp) if stamp else 0.0


def _renewed_later(saved: str | None, seen: str | None) -> bool:
    if seen is None:
        return False
    return saved is None or from_time(saved) < from_time(seen)


def observe(health: NodeHealth | None, node: dict, lease: dict | None, now: float,
            grace: float, startup_grace: float) -> tuple[NodeHealth, dict, dict | None, float]:
    """Update what is remembered of `node` from the node and its Lease as seen now.

    Returns the new NodeHealth, the Ready condition observed (a stand-in Unknown one dated at the
    node's creation when the kubelet never posted one), the Ready condition as the API has it (or
    None), and the grace period this node is entitled to.
    """
    current = condition(node, "Ready")
    if current is None:
        created = _created(node)
        observed = {"type": "Ready", "status": "Unknown",
                    "lastHeartbeatTime": to_time(created), "lastTransitionTime": to_time(created)}
        period = startup_grace
        if health is None:
            health = NodeHealth(created, created, None)
        else:
            health.ready = None
    else:
        observed = copy.deepcopy(current)
        period = grace
    saved = health.ready if health is not None else None
    if health is None or (saved is None and current is not None):
        health = NodeHealth(now, now, copy.deepcopy(current))
    elif saved is not None and current is not None and (
            saved.get("lastHeartbeatTime") != current.get("lastHeartbeatTime")):
        changed = saved.get("lastTransitionTime") != current.get("lastTransitionTime")
        transition = now if changed else health.ready_transition_timestamp
        health = NodeHealth(now, transition, copy.deepcopy(current), health.lease_renew_time)
    renew = ((lease or {}).get("spec") or {}).get("renewTime")
    if _renewed_later(health.lease_renew_time, renew):
        health.lease_renew_time = renew
        health.probe_timestamp = now
    return health, observed, current, period


def silent_status(node: dict, now: float) -> dict:
    """The node with Ready and the pressure conditions set Unknown, as the controller writes it
    once the kubelet has been silent too long (a condition never posted is added)."""
    node = copy.deepcopy(node)
    status = node.setdefault("status", {})
    conditions = status.setdefault("conditions", [])
    stamp = to_time(now)
    for kind in SILENT_CONDITIONS:
        found = condition(node, kind)
        if found is None:
            conditions.append({"type": kind, "status": "Unknown", "reason": NEVER_REASON,
                               "message": NEVER_MESSAGE,
                               "lastHeartbeatTime": node["metadata"].get("creationTimestamp"),
                               "lastTransitionTime": stamp})
        elif found.get("status") != "Unknown":
            found.update(status="Unknown", reason=STOPPED_REASON, message=STOPPED_MESSAGE,
                         lastTransitionTime=stamp)
    return node


def zone_key(node: dict) -> str:
    """nodetopology.GetZoneKey: region and zone labels joined by ":\\x00:" ("" when neither);
    the deprecated failure-domain.beta labels win where a node still has them."""
    labels = node["metadata"].get("labels") or {}
    beta = "failure-domain.beta.kubernetes.io/"
    region = labels.get(beta + "region", labels.get("topology.kubernetes.io/region", ""))
    zone = labels.get(beta + "zone", labels.get("topology.kubernetes.io/zone", ""))
    return f"{region}:\x00:{zone}" if region or zone else ""


def zone_state(ready_conditions: list[dict | None], unhealthy_threshold: float) -> tuple[int, str]:
    """ComputeZoneState: (not-ready count, state): FullDisruption when no node is Ready,
    PartialDisruption when more than two are not and at least `unhealthy_threshold` of all,
    Normal otherwise."""
    ready = sum(1 for c in ready_conditions if c is not None and c.get("status") == "True")
    not_ready = len(ready_conditions) - ready
    if ready == 0 and not_ready > 0:
        return not_ready, "FullDisruption"
    if not_ready > 2 and not_ready / (not_ready + ready) >= unhealthy_threshold:
        return not_ready, "PartialDisruption"
    return not_ready, "Normal"

"""`kubectl describe deployment` and `kubectl describe replicaset`, in kubectl v1.35's layout
(pkg/describe/describe.go describeDeployment, describeReplicaSet, and pkg/util/deployment's
way of telling a Deployment's new ReplicaSet from its old ones).
"""

from __future__ import annotations

from k8slab.lab.kubectl.describe_pod import pod_template_block
from k8slab.lab.kubectl.describe_text import (
    DescribeWriter,
    annotations_block,
    conditions_table,
    controlled_by,
    events_section,
    labels_block,
    rfc1123z,
)
from k8slab.lab.kubectl.durations import parse_timestamp
from k8slab.lab.kubectl.selectors import format_label_selector, selector_string

HASH_LABEL = "pod-template-hash"  # apps/v1 DefaultDeploymentUniqueLabelKey


def describe_deployment(deployment: dict, replica_sets: list[dict], events: list[dict],
                        now: float) -> str:
    """The text of `kubectl describe deployment NAME`; `replica_sets` are the namespace's."""
    metadata, spec = deployment.get("metadata", {}), deployment.get("spec", {})
    status = deployment.get("status", {})
    w = DescribeWriter()
    w.write(0, f"Name:\t{metadata.get('name', '')}\n")
    w.write(0, f"Namespace:\t{metadata.get('namespace', '')}\n")
    created = rfc1123z(metadata.get("creationTimestamp"), "metadata.creationTimestamp")
    w.write(0, f"CreationTimestamp:\t{created}\n")
    labels_block(w, "Labels", metadata.get("labels"))
    annotations_block(w, "Annotations", metadata.get("annotations"))
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    w.write(0, f"Replicas:\t{spec.get('replicas', 0)} desired | "
               f"{status.get('updatedReplicas', 0)} updated | {status.get('replicas', 0)} total | "
               f"{status.get('availableReplicas', 0)} available | "
               f"{status.get('unavailableReplicas', 0)} unavailable\n")
    strategy = spec.get("strategy") or {}
    w.write(0, f"StrategyType:\t{strategy.get('type', '')}\n")
    w.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        w.write(0, f"RollingUpdateStrategy:\t{rolling.get('maxUnavailable', 0)} max unavailable, "
                   f"{rolling.get('maxSurge', 0)} max surge\n")
    pod_template_block(w, spec.get("template"))
    conditions_table(w, status.get("conditions") or [])
    owned = _owned_by(deployment, replica_sets)
    new = _new_replica_set(deployment, owned)
    old = [rs for rs in owned if rs is not new]
    if owned:
        w.write(0, f"OldReplicaSets:\t{_replica_sets_text(old)}\n")
        w.write(0, f"NewReplicaSet:\t{_replica_sets_text([new] if new else [])}\n")
    events_section(w, events, now)
    return w.text()


def _owned_by(deployment: dict, replica_sets: list[dict]) -> list[dict]:
    """The ReplicaSets whose controller is this Deployment, oldest first (then by name).

    kubectl lists by the Deployment's label selector first; a ReplicaSet the Deployment
    controls carries its labels, so the controller check alone decides here.
    """
    uid = deployment.get("metadata", {}).get("uid")
    owned = [
        rs for rs in replica_sets
        if any(o.get("controller") and o.get("uid") == uid
               for o in rs.get("metadata", {}).get("ownerReferences") or [])
    ]
    return sorted(owned, key=_created_then_name)


def _created_then_name(rs: dict) -> tuple[float, str]:
    metadata = rs.get("metadata", {})
    created = metadata.get("creationTimestamp")
    return (parse_timestamp(created, "metadata.creationTimestamp") if created else 0.0,
            metadata.get("name", ""))


def _new_replica_set(deployment: dict, owned: list[dict]) -> dict | None:
    """The oldest owned ReplicaSet whose pod template equals the Deployment's, the hash label
    aside (EqualIgnoreHash); None before the controller made one."""
    wanted = _without_hash(deployment.get("spec", {}).get("template") or {})
    for rs in owned:
        if _without_hash(rs.get("spec", {}).get("template") or {}) == wanted:
            return rs
    return None


def _without_hash(template: dict) -> dict:
    metadata = dict(template.get("metadata") or {})
    labels = {k: v for k, v in (metadata.get("labels") or {}).items() if k != HASH_LABEL}
    if labels:
        metadata["labels"] = labels
    else:
        metadata.pop("labels", None)
    return {**template, "metadata": metadata}


def _replica_sets_text(replica_sets: list[dict]) -> str:
    """`web-5d4f8 (3/3 replicas created)`, comma-separated; `<none>` for none."""
    return ", ".join(
        f"{rs['metadata'].get('name', '')} ({rs.get('status', {}).get('replicas', 0)}/"
        f"{rs.get('spec', {}).get('replicas', 0)} replicas created)"
        for rs in replica_sets
    ) or "<none>"


def describe_replica_set(replica_set: dict, pods: list[dict], events: list[dict],
                         now: float) -> str:
    """The text of `kubectl describe replicaset NAME`; `pods` are the namespace's pods."""
    metadata, spec = replica_set.get("metadata", {}), replica_set.get("spec", {})
    w = DescribeWriter()
    w.write(0, f"Name:\t{metadata.get('name', '')}\n")
    w.write(0, f"Namespace:\t{metadata.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    labels_block(w, "Labels", metadata.get("labels"))
    annotations_block(w, "Annotations", metadata.get("annotations"))
    if controlled_by(replica_set):
        w.write(0, f"Controlled By:\t{controlled_by(replica_set)}\n")
    w.write(0, f"Replicas:\t{replica_set.get('status', {}).get('replicas', 0)} current / "
               f"{spec.get('replicas', 0)} desired\n")
    phases = _phases_of_controlled(pods, metadata.get("uid"))
    w.write(0, f"Pods Status:\t{phases['Running']} Running / {phases['Pending']} Waiting / "
               f"{phases['Succeeded']} Succeeded / {phases['Failed']} Failed\n")
    pod_template_block(w, spec.get("template"))
    conditions_table(w, replica_set.get("status", {}).get("conditions") or [])
    events_section(w, events, now)
    return w.text()


def _phases_of_controlled(pods: list[dict], uid: str | None) -> dict[str, int]:
    """How many of the pods this controller owns are in each phase (getPodStatusForController)."""
    counts = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    for pod in pods:
        owners = pod.get("metadata", {}).get("ownerReferences") or []
        if not any(o.get("controller") and o.get("uid") == uid for o in owners):
            continue
        phase = pod.get("status", {}).get("phase")
        if phase in counts:
            counts[phase] += 1
    return counts

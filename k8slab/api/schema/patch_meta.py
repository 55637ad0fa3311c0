"""How a strategic merge patch merges each list (and the odd map) of the kinds k8slab models.

Upstream declares it on the Go struct fields, as tags the strategic merge patch reads by
reflection: `patchStrategy:"merge" patchMergeKey:"name"` on PodSpec.containers, for example.
A list with no tag is atomic: the patch's list replaces the stored one (tolerations, command,
args, a container's `containerStatuses`...). This table copies every tag of the structs
k8slab models, keyed by (Go struct, JSON field), from:
  k8s.io/api core/v1/types.go, apps/v1/types.go, batch/v1/types.go,
  admissionregistration/v1/types.go, and k8s.io/apimachinery pkg/apis/meta/v1/types.go.
`retainKeys` (PodSpec.volumes, DeploymentSpec.strategy) only tells clients to send a
`$retainKeys` list when they compute a patch; applying one honours `$retainKeys` wherever it is.
"""

from __future__ import annotations

MERGE = "merge"
REPLACE = "replace"

# (Go struct, JSON field) -> (patchStrategy without retainKeys, patchMergeKey).
# A merge list of strings (finalizers) has no merge key: it merges as a set.
PATCH_META: dict[tuple[str, str], tuple[str, str]] = {
    # meta/v1 ObjectMeta
    ("v1.ObjectMeta", "ownerReferences"): (MERGE, "uid"),
    ("v1.ObjectMeta", "finalizers"): (MERGE, ""),
    # core/v1 Container (and EphemeralContainerCommon, which EphemeralContainer inlines)
    ("v1.Container", "ports"): (MERGE, "containerPort"),
    ("v1.Container", "env"): (MERGE, "name"),
    ("v1.Container", "volumeMounts"): (MERGE, "mountPath"),
    ("v1.Container", "volumeDevices"): (MERGE, "devicePath"),
    ("v1.EphemeralContainer", "ports"): (MERGE, "containerPort"),
    ("v1.EphemeralContainer", "env"): (MERGE, "name"),
    ("v1.EphemeralContainer", "volumeMounts"): (MERGE, "mountPath"),
    ("v1.EphemeralContainer", "volumeDevices"): (MERGE, "devicePath"),
    ("v1.ContainerStatus", "volumeMounts"): (MERGE, "mountPath"),
    ("v1.ContainerStatus", "allocatedResourcesStatus"): (MERGE, "name"),
    # core/v1 PodSpec and PodStatus
    ("v1.PodSpec", "volumes"): (MERGE, "name"),  # merge,retainKeys
    ("v1.PodSpec", "initContainers"): (MERGE, "name"),
    ("v1.PodSpec", "containers"): (MERGE, "name"),
    ("v1.PodSpec", "ephemeralContainers"): (MERGE, "name"),
    ("v1.PodSpec", "imagePullSecrets"): (MERGE, "name"),
    ("v1.PodSpec", "hostAliases"): (MERGE, "ip"),
    ("v1.PodSpec", "topologySpreadConstraints"): (MERGE, "topologyKey"),
    ("v1.PodSpec", "schedulingGates"): (MERGE, "name"),
    ("v1.PodSpec", "resourceClaims"): (MERGE, "name"),  # merge,retainKeys
    ("v1.PodStatus", "conditions"): (MERGE, "type"),
    ("v1.PodStatus", "hostIPs"): (MERGE, "ip"),
    ("v1.PodStatus", "podIPs"): (MERGE, "ip"),
    ("v1.PodStatus", "resourceClaimStatuses"): (MERGE, "name"),  # merge,retainKeys
    # core/v1 other kinds
    ("v1.ReplicationControllerStatus", "conditions"): (MERGE, "type"),
    ("v1.ServiceSpec", "ports"): (MERGE, "port"),
    ("v1.ServiceStatus", "conditions"): (MERGE, "type"),
    ("v1.ServiceAccount", "secrets"): (MERGE, "name"),
    ("v1.NodeSpec", "podCIDRs"): (MERGE, ""),
    ("v1.NodeStatus", "conditions"): (MERGE, "type"),
    ("v1.NodeStatus", "addresses"): (MERGE, "type"),
    ("v1.NamespaceStatus", "conditions"): (MERGE, "type"),
    # apps/v1 and batch/v1
    ("v1.DeploymentStatus", "conditions"): (MERGE, "type"),
    ("v1.ReplicaSetStatus", "conditions"): (MERGE, "type"),
    ("v1.StatefulSetStatus", "conditions"): (MERGE, "type"),
    ("v1.DaemonSetStatus", "conditions"): (MERGE, "type"),
    ("v1.JobStatus", "conditions"): (MERGE, "type"),
    # admissionregistration/v1
    ("v1.MutatingWebhookConfiguration", "webhooks"): (MERGE, "name"),
    ("v1.ValidatingWebhookConfiguration", "webhooks"): (MERGE, "name"),
    ("v1.MutatingWebhook", "matchConditions"): (MERGE, "name"),
    ("v1.ValidatingWebhook", "matchConditions"): (MERGE, "name"),
}


def patch_meta(struct: str, field: str) -> tuple[str, str]:
    """(patchStrategy, patchMergeKey) of a struct's field: ("", "") for an untagged field."""
    return PATCH_META.get((struct, field), ("", ""))

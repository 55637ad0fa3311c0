"""How server-side apply reads the fields of the built-in kinds: list types and their keys, atomic
structs, and the struct fields Go always serializes.

Facts from the markers on k8s.io/api's types.go (v1.35): `+listType=map` with `+listMapKey`
(an associative list: items are identified by their key fields, `k:{"name":"web"}` in a
managedFields entry), `+listType=set` (items are identified by their value, `v:"foo"`), and
`+listType=atomic` or no marker (the list is one value, owned and replaced whole), and
`+structType=atomic` (a struct replaced whole). Keys are (Go struct, JSON field name), the Go
names k8slab.api.schema gives each struct. Custom resources declare theirs in their schema
(x-kubernetes-list-type); the lab reads none, so their lists are atomic, as upstream's default.
"""

from __future__ import annotations

from typing import Literal

ListType = Literal["map", "set", "atomic"]

# +listType=map: the fields that identify an item.
MAP_LISTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("v1.ObjectMeta", "ownerReferences"): ("uid",),
    ("v1.PodSpec", "volumes"): ("name",),
    ("v1.PodSpec", "initContainers"): ("name",),
    ("v1.PodSpec", "containers"): ("name",),
    ("v1.PodSpec", "ephemeralContainers"): ("name",),
    ("v1.PodSpec", "imagePullSecrets"): ("name",),
    ("v1.PodSpec", "hostAliases"): ("ip",),
    ("v1.PodSpec", "topologySpreadConstraints"): ("topologyKey", "whenUnsatisfiable"),
    ("v1.PodSpec", "schedulingGates"): ("name",),
    ("v1.PodSpec", "resourceClaims"): ("name",),
    ("v1.Container", "ports"): ("containerPort", "protocol"),
    ("v1.Container", "env"): ("name",),
    ("v1.Container", "volumeMounts"): ("mountPath",),
    ("v1.Container", "volumeDevices"): ("devicePath",),
    ("v1.ResourceRequirements", "claims"): ("name",),
    ("v1.PodStatus", "conditions"): ("type",),
    ("v1.PodStatus", "podIPs"): ("ip",),
    ("v1.PodStatus", "resourceClaimStatuses"): ("name",),
    ("v1.ContainerStatus", "volumeMounts"): ("mountPath",),
    ("v1.ContainerStatus", "allocatedResourcesStatus"): ("name",),
    ("v1.NodeStatus", "conditions"): ("type",),
    ("v1.NodeStatus", "addresses"): ("type",),
    ("v1.NamespaceStatus", "conditions"): ("type",),
    ("v1.ReplicationControllerStatus", "conditions"): ("type",),
    ("v1.DeploymentStatus", "conditions"): ("type",),
    ("v1.ReplicaSetStatus", "conditions"): ("type",),
    ("v1.DaemonSetStatus", "conditions"): ("type",),
    ("v1.StatefulSetStatus", "conditions"): ("type",),
    ("v1.ServiceSpec", "ports"): ("port", "protocol"),
    ("v1.ServiceStatus", "conditions"): ("type",),
    ("v1.MutatingWebhookConfiguration", "webhooks"): ("name",),
    ("v1.ValidatingWebhookConfiguration", "webhooks"): ("name",),
    ("v1.MutatingWebhook", "matchConditions"): ("name",),
    ("v1.ValidatingWebhook", "matchConditions"): ("name",),
    ("v1.ServiceAccount", "secrets"): ("name",),
    ("v1.CustomResourceDefinitionStatus", "conditions"): ("type",),
}

# Key fields with a default in the published OpenAPI (protocol: TCP): an item that leaves one
# out is keyed by the default; another missing key field is left out of the key.
MAP_KEY_DEFAULTS: dict[tuple[str, str], dict[str, object]] = {
    ("v1.Container", "ports"): {"protocol": "TCP"},
    ("v1.ServiceSpec", "ports"): {"protocol": "TCP"},
}

# +listType=set: items are scalars identified by their value.
SET_LISTS: frozenset[tuple[str, str]] = frozenset({
    ("v1.ObjectMeta", "finalizers"),
    ("v1.NodeSpec", "podCIDRs"),
    ("v1.Endpoint", "addresses"),
})

# +structType=atomic: replaced and owned as one value.
ATOMIC_STRUCTS: frozenset[str] = frozenset({
    "v1.LabelSelector", "v1.ObjectReference", "v1.LocalObjectReference", "v1.NodeSelector",
    "v1.NodeSelectorTerm",
})

# Fields Go serializes even when empty: struct values (not pointers), `{}` when empty, and
# slices without omitempty, `null`. An object always carries them, so a write never adds or
# removes them as a whole (no `.` for them in a managedFields entry). Every kind's metadata,
# spec and status are struct values too (`ALWAYS_PRESENT_TOP_LEVEL`).
ALWAYS_PRESENT_TOP_LEVEL: frozenset[str] = frozenset({"metadata", "spec", "status"})
ALWAYS_PRESENT_FIELDS: frozenset[tuple[str, str]] = frozenset({
    ("v1.PodSpec", "containers"),
    ("v1.PodTemplateSpec", "metadata"), ("v1.PodTemplateSpec", "spec"),
    ("v1.DeploymentSpec", "template"), ("v1.DeploymentSpec", "strategy"),
    ("v1.ReplicaSetSpec", "template"),
    ("v1.DaemonSetSpec", "template"), ("v1.DaemonSetSpec", "updateStrategy"),
    ("v1.StatefulSetSpec", "template"), ("v1.StatefulSetSpec", "updateStrategy"),
    ("v1.JobSpec", "template"),
    ("v1.Container", "resources"),
    ("v1.ContainerStatus", "state"), ("v1.ContainerStatus", "lastState"),
    ("v1.NodeStatus", "daemonEndpoints"), ("v1.NodeStatus", "nodeInfo"),
    ("v1.ServiceStatus", "loadBalancer"),
    ("v1.Event", "involvedObject"), ("v1.Event", "source"),
    ("v1.Endpoint", "conditions"),
    ("v1.MutatingWebhook", "clientConfig"), ("v1.ValidatingWebhook", "clientConfig"),
    ("v1.RoleBinding", "roleRef"), ("v1.ClusterRoleBinding", "roleRef"),
    ("v1.CustomResourceDefinitionSpec", "names"),
    ("v1.CustomResourceDefinitionStatus", "acceptedNames"),
})


def list_type(struct: str, field: str) -> tuple[ListType, tuple[tuple[str, object], ...]]:
    """The list type of `struct`'s `field` and, for an associative list, its key fields with
    their defaults (None: no default)."""
    keys = MAP_LISTS.get((struct, field))
    if keys is not None:
        defaults = MAP_KEY_DEFAULTS.get((struct, field), {})
        return "map", tuple((name, defaults.get(name)) for name in keys)
    if (struct, field) in SET_LISTS:
        return "set", ()
    return "atomic", ()

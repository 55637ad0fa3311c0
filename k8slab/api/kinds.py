"""The kinds of object k8slab models, and where each one lives in etcd.

Every API object is stored under `/registry/<prefix>/[<namespace>/]<name>`; the prefix is
usually the resource name, except for nodes, which upstream still keeps under "minions"
(kubernetes pkg/registry/core/node/storage/storage.go: DefaultQualifiedResource nodes,
store prefix "minions", a name from the earliest days of Kubernetes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from k8slab.errors import BadRequestError, K8sLabError, ManifestError

REGISTRY_ROOT = "/registry"


@dataclass(frozen=True)
class Kind:
    """One kind of API object: its name, API version, resource name, scope and etcd prefix."""

    kind: str
    api_version: str
    resource: str
    namespaced: bool
    storage_prefix: str
    short_names: tuple[str, ...] = ()

    @property
    def group(self) -> str:
        """The API group: "" for the core group (apiVersion "v1"), else the part before "/"."""
        return self.api_version.rpartition("/")[0]

    @property
    def singular(self) -> str:
        """The singular resource name kubectl accepts: "pod", "node", "lease"."""
        return self.kind.lower()

    @property
    def qualified_kind(self) -> str:
        """The kind as the API server names it in errors: "Pod", "Lease.coordination.k8s.io"."""
        return f"{self.kind}.{self.group}" if self.group else self.kind


POD = Kind("Pod", "v1", "pods", True, "pods", ("po",))
NODE = Kind("Node", "v1", "nodes", False, "minions", ("no",))
NAMESPACE = Kind("Namespace", "v1", "namespaces", False, "namespaces", ("ns",))
LEASE = Kind("Lease", "coordination.k8s.io/v1", "leases", True, "leases")
# Storage prefixes from each kind's registry (kubernetes pkg/registry/*/storage/storage.go);
# ReplicationControllers keep their early name, "controllers".
EVENT = Kind("Event", "v1", "events", True, "events", ("ev",))
REPLICATION_CONTROLLER = Kind(
    "ReplicationController", "v1", "replicationcontrollers", True, "controllers", ("rc",))
DEPLOYMENT = Kind("Deployment", "apps/v1", "deployments", True, "deployments", ("deploy",))
REPLICA_SET = Kind("ReplicaSet", "apps/v1", "replicasets", True, "replicasets", ("rs",))
DAEMON_SET = Kind("DaemonSet", "apps/v1", "daemonsets", True, "daemonsets", ("ds",))
STATEFUL_SET = Kind("StatefulSet", "apps/v1", "statefulsets", True, "statefulsets", ("sts",))
JOB = Kind("Job", "batch/v1", "jobs", True, "jobs")
# Services live under /registry/services/specs (their allocations under .../services/...).
SERVICE = Kind("Service", "v1", "services", True, "services/specs", ("svc",))
ENDPOINT_SLICE = Kind("EndpointSlice", "discovery.k8s.io/v1", "endpointslices", True,
                      "endpointslices")
CONFIG_MAP = Kind("ConfigMap", "v1", "configmaps", True, "configmaps", ("cm",))
LIMIT_RANGE = Kind("LimitRange", "v1", "limitranges", True, "limitranges", ("limits",))
RESOURCE_QUOTA = Kind("ResourceQuota", "v1", "resourcequotas", True, "resourcequotas",
                      ("quota",))
SERVICE_ACCOUNT = Kind("ServiceAccount", "v1", "serviceaccounts", True, "serviceaccounts", ("sa",))
# CRDs live under their group's prefix, as every custom resource does (/registry/<group>/<plural>).
CUSTOM_RESOURCE_DEFINITION = Kind(
    "CustomResourceDefinition", "apiextensions.k8s.io/v1", "customresourcedefinitions", False,
    "apiextensions.k8s.io/customresourcedefinitions", ("crd", "crds"))
# events.k8s.io/v1 is a second view of the same objects: one storage, /registry/events.
EVENTS_V1_EVENT = Kind("Event", "events.k8s.io/v1", "events", True, "events", ("ev",))
# admissionregistration.k8s.io/v1: which admission webhooks the API server calls, and for what.
MUTATING_WEBHOOK_CONFIGURATION = Kind(
    "MutatingWebhookConfiguration", "admissionregistration.k8s.io/v1",
    "mutatingwebhookconfigurations", False, "mutatingwebhookconfigurations")
VALIDATING_WEBHOOK_CONFIGURATION = Kind(
    "ValidatingWebhookConfiguration", "admissionregistration.k8s.io/v1",
    "validatingwebhookconfigurations", False, "validatingwebhookconfigurations")
PRIORITY_CLASS = Kind("PriorityClass", "scheduling.k8s.io/v1", "priorityclasses", False,
                      "priorityclasses", ("pc",))
# rbac.authorization.k8s.io/v1 (pkg/registry/rbac/*/storage: prefixes are the resource names).
ROLE = Kind("Role", "rbac.authorization.k8s.io/v1", "roles", True, "roles")
CLUSTER_ROLE = Kind("ClusterRole", "rbac.authorization.k8s.io/v1", "clusterroles", False,
                    "clusterroles")
ROLE_BINDING = Kind("RoleBinding", "rbac.authorization.k8s.io/v1", "rolebindings", True,
                    "rolebindings")
CLUSTER_ROLE_BINDING = Kind("ClusterRoleBinding", "rbac.authorization.k8s.io/v1",
                            "clusterrolebindings", False, "clusterrolebindings")
SECRET = Kind("Secret", "v1", "secrets", True, "secrets")

KINDS: tuple[Kind, ...] = (
    POD, NODE, NAMESPACE, LEASE, EVENT, REPLICATION_CONTROLLER,
    DEPLOYMENT, REPLICA_SET, DAEMON_SET, STATEFUL_SET, JOB, EVENTS_V1_EVENT,
    SERVICE, ENDPOINT_SLICE, CONFIG_MAP,
    MUTATING_WEBHOOK_CONFIGURATION, VALIDATING_WEBHOOK_CONFIGURATION,
    LIMIT_RANGE, RESOURCE_QUOTA,
    PRIORITY_CLASS,
    ROLE, CLUSTER_ROLE, ROLE_BINDING, CLUSTER_ROLE_BINDING,
    SERVICE_ACCOUNT,
    CUSTOM_RESOURCE_DEFINITION,
    SECRET,
)
# A kind name alone means its first entry (the core group's Event); apiVersion picks the other.
_BY_KIND: dict[str, Kind] = {}
for _info in KINDS:
    _BY_KIND.setdefault(_info.kind, _info)
_BY_KIND_VERSION = {(info.kind, info.api_version): info for info in KINDS}


def _accepted_kinds() -> str:
    return ", ".join(f"{info.kind} ({info.api_version})" for info in KINDS)


def kind_info(kind: str, api_version: str | None = None, custom: Sequence[Kind] = ()) -> Kind:
    """The Kind record for a kind name, checked against apiVersion when one is given.

    `custom` are the kinds one cluster's CustomResourceDefinitions add (the registry is
    per cluster, not per process); they are looked at after the built-in kinds.
    Raises ManifestError in kubectl's words when k8slab does not model that kind/version.
    """
    if not isinstance(kind, str) or not isinstance(api_version, (str, type(None))):
        raise ManifestError(
            f"kind and apiVersion must be strings, got {kind!r} and {api_version!r}; "
            f"k8slab models: {_accepted_kinds()}"
        )
    info = (_BY_KIND.get(kind) if api_version is None
            else _BY_KIND_VERSION.get((kind, api_version)))
    if info is None:
        info = next((c for c in custom if c.kind == kind
                     and api_version in (None, c.api_version)), None)
    if info is None:
        where = f' in version "{api_version}"' if api_version is not None else ""
        raise ManifestError(
            f'no matches for kind "{kind}"{where}; k8slab models: {_accepted_kinds()}'
        )
    return info


def resource_info(name: str, custom: Sequence[Kind] = ()) -> Kind:
    """The Kind a kubectl resource argument names: "pods", "pod", "po", "Pod", "leases"...

    Also accepts the group-qualified form, e.g. "leases.coordination.k8s.io". `custom` are a
    cluster's custom kinds (see kind_info), matched after the built-in ones by custom_match.
    """
    if not isinstance(name, str):
        raise K8sLabError(f'a resource type is a string such as "pods", got {name!r}')
    wanted = name.lower()
    for info in KINDS:
        # The bare names of a resource two groups serve (events) mean the core group's.
        names = set() if _second_view(info) else {info.resource, info.singular, *info.short_names}
        if info.group:
            names |= {f"{info.resource}.{info.group}", f"{info.singular}.{info.group}"}
        if wanted in names:
            return info
    found = custom_match(wanted, custom)
    if found is not None:
        return found
    known = ", ".join(
        info.resource + (f" ({', '.join(info.short_names)})" if info.short_names else "")
        for info in KINDS if not _second_view(info)
    )
    raise K8sLabError(f'the server doesn\'t have a resource type "{name}"; known: {known}')


def custom_match(wanted: str, custom: Sequence[Kind]) -> Kind | None:
    """The custom kind `wanted` names: its plural, singular or a short name, bare, with its
    group (`webapps.example.com`) or with version and group (`webapps.v1.example.com`).

    `custom` lists each CRD's served versions preferred first, so a name without a version
    means the preferred one, as kubectl's RESTMapper picks it.
    """
    for info in custom:
        version = info.api_version.rpartition("/")[2]
        for name in (info.resource, info.singular, *info.short_names):
            if wanted in (name, f"{name}.{info.group}", f"{name}.{version}.{info.group}"):
                return info
    return None


def _second_view(info: Kind) -> bool:
    return _BY_KIND[info.kind] is not info and any(
        other.resource == info.resource for other in KINDS if other is not info)


def _as_kind(kind_or_info: str | Kind) -> Kind:
    return kind_or_info if isinstance(kind_or_info, Kind) else kind_info(kind_or_info)


def _check_name(name: str) -> None:
    # apiserver registry/generic/registry/store.go NamespaceKeyFunc + path.IsValidPathSegmentName.
    if not name:
        raise BadRequestError("Name parameter required.")
    problems = []
    if name in (".", ".."):
        problems.append(f"may not be '{name}'")
    problems += [f"may not contain '{bad}'" for bad in ("/", "%") if bad in name]
    if problems:
        raise BadRequestError(f'Name parameter invalid: "{name}": {";".join(problems)}')


def registry_key(kind_or_info: str | Kind, namespace: str | None, name: str) -> str:
    """The etcd key of one object: "/registry/pods/default/web", "/registry/minions/node-1".

    Cluster-scoped kinds ignore the namespace; namespaced kinds require one.
    """
    info = _as_kind(kind_or_info)
    if info.namespaced and not namespace:
        raise BadRequestError("Namespace parameter required.")
    _check_name(name)
    return registry_prefix(info, namespace) + name


def registry_prefix(kind: str | Kind, namespace: str | None = None) -> str:
    """The etcd prefix a list reads, ending in "/": "/registry/pods/" or "/registry/pods/default/".

    No namespace (None or "") means every namespace. The trailing "/" keeps namespace "dev"
    from also matching "dev2".
    """
    info = _as_kind(kind)
    prefix = f"{REGISTRY_ROOT}/{info.storage_prefix}/"
    if info.namespaced and namespace:
        return f"{prefix}{namespace}/"
    return prefix


def object_ref(obj: dict) -> str:
    """The short name the simulation trace uses for an object: "pod/default/web", "node/node-1"."""
    kind = obj.get("kind", "")
    metadata = obj.get("metadata") or {}
    info = _BY_KIND.get(kind)
    namespaced = info.namespaced if info else bool(metadata.get("namespace"))
    parts = [kind.lower()]
    if namespaced:
        parts.append(metadata.get("namespace", ""))
    parts.append(metadata.get("name", ""))
    return "/".join(parts)

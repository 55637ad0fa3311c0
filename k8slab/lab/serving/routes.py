"""Kubernetes REST paths, read as the API server's RequestInfoFactory reads them.

`/api/v1/namespaces/default/pods/web/log` is the core group, version v1, namespace default,
resource pods, name web, subresource log; `/apis/apps/v1/deployments` lists Deployments in
every namespace. A path names a resource only if the cluster serves that group, version and
resource (a built-in kind of k8slab.api.kinds, or a kind an Established CRD adds); anything
else is not found. Upstream: apiserver pkg/endpoints/request/requestinfo.go.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from k8slab.api.kinds import KINDS, Kind, resource_info

# requestinfo.go namespaceSubresources: /namespaces/<name>/status is the namespace's own status.
_NAMESPACE_SUBRESOURCES = ("status", "finalize")

# The subresources each built-in resource serves (pkg/registry/*/storage, the ones k8slab's
# API server answers); a custom kind's come from its CRD (status, scale).
SUBRESOURCES: dict[str, tuple[str, ...]] = {
    "pods": ("status", "binding", "eviction", "log", "exec"),
    "deployments": ("status", "scale"),
    "replicasets": ("status", "scale"),
    "statefulsets": ("status", "scale"),
    "replicationcontrollers": ("status", "scale"),
    "daemonsets": ("status",),
    "jobs": ("status",),
    "services": ("status",),
    "nodes": ("status",),
    "namespaces": ("status", "finalize"),
    "resourcequotas": ("status",),
    "serviceaccounts": ("token",),
    "customresourcedefinitions": ("status",),
}
CUSTOM_SUBRESOURCES = ("status", "scale")

# Kinds served without storage: a review is created, answered and never kept.
REVIEW_GROUP = "authorization.k8s.io"
REVIEWS = ("selfsubjectaccessreviews", "selfsubjectrulesreviews")


@dataclass(frozen=True)
class Route:
    """What a resource path names: the kind and the request's coordinates."""

    kind: Kind | None  # None for a review (no stored kind)
    group: str
    version: str
    resource: str
    namespace: str = ""
    name: str = ""
    subresource: str = ""
    custom: bool = False
    watch_prefix: bool = False  # the deprecated /api/v1/watch/... form

    @property
    def server_resource(self) -> str:
        """The resource as our API client names it to the API server: `pods`,
        `events.events.k8s.io` (the second Event), `webapps.v1.example.com` (a custom kind)."""
        if self.kind is None:
            return self.resource
        if self.custom:
            return f"{self.resource}.{self.version}.{self.group}"
        if resource_info(self.resource) is self.kind:
            return self.resource
        return f"{self.resource}.{self.group}"

    @property
    def namespace_or_none(self) -> str | None:
        """The namespace as the client passes it: None for every namespace."""
        return self.namespace or None


def split_path(path: str) -> list[str]:
    """The path's segments, percent-decoded; empty segments (a trailing slash) dropped."""
    return [unquote(part) for part in path.split("/") if part]


def resource_route(path: str, custom_kinds: Sequence[Kind] = ()) -> Route | None:
    """The Route a resource path names, or None when the server serves no such path."""
    parts = split_path(path)
    if len(parts) >= 2 and parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    watch_prefix = bool(rest) and rest[0] == "watch"
    if watch_prefix:
        rest = rest[1:]
    if not rest:
        return None
    namespace = ""
    if rest[0] == "namespaces" and len(rest) > 1:
        if len(rest) > 2 and rest[2] not in _NAMESPACE_SUBRESOURCES:
            namespace, rest = rest[1], rest[2:]
    if len(rest) > 3:
        return None
    resource, name, subresource = (rest + ["", ""])[:3]
    if group == REVIEW_GROUP and version == "v1" and resource in REVIEWS:
        return None if (name or namespace) else Route(None, group, version, resource)
    kind, custom = _served_kind(group, version, resource, custom_kinds)
    if kind is None or (namespace and not kind.namespaced):
        return None
    if kind.namespaced and name and not namespace:
        return None  # /api/v1/pods/<name>: no such route, a pod lives in a namespace
    if subresource and subresource not in (
            CUSTOM_SUBRESOURCES if custom else SUBRESOURCES.get(resource, ())):
        return None
    if watch_prefix and subresource:
        return None
    return Route(kind, group, version, resource, namespace, name, subresource, custom,
                 watch_prefix)


def served_group_version(path: str, custom_kinds: Sequence[Kind] = ()) -> bool:
    """True when the path lies under a group-version the server serves (`/api/v1/...`,
    `/apis/apps/v1/...`): there, a path naming nothing is go-restful's 404 Status rather
    than the plain-text 404 of the paths no API serves."""
    parts = split_path(path)
    if len(parts) >= 2 and parts[0] == "api":
        api_version = parts[1]
    elif len(parts) >= 3 and parts[0] == "apis":
        api_version = f"{parts[1]}/{parts[2]}"
    else:
        return False
    return api_version == f"{REVIEW_GROUP}/v1" or any(
        kind.api_version == api_version for kind in (*KINDS, *custom_kinds))


def _served_kind(group: str, version: str, resource: str,
                 custom_kinds: Sequence[Kind]) -> tuple[Kind | None, bool]:
    api_version = f"{group}/{version}" if group else version
    for kind in KINDS:
        if kind.api_version == api_version and kind.resource == resource:
            return kind, False
    for kind in custom_kinds:
        if kind.api_version == api_version and kind.resource == resource:
            return kind, True
    return None, False

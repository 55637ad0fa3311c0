"""Discovery: the documents that tell a client which groups, versions and resources exist.

A client learns the API before it uses it. Unaggregated discovery takes one request per
group-version: `/api` (APIVersions), `/apis` (APIGroupList), `/apis/<group>` (APIGroup), then
`/api/v1` and `/apis/<group>/<version>` (APIResourceList). Aggregated discovery (GA in v1.30)
answers everything in two requests, `/api` and `/apis`, when the client asks for
`application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`, as kubectl does first
(client-go discovery: AcceptV2, then AcceptV2Beta1, then plain JSON). v1.35 no longer serves
the v2beta1 form (gate AggregatedDiscoveryRemoveBetaType locked on), so a client that asks only
for it gets 406. Shapes: k8s.io/api apidiscovery/v2 types.go and apimachinery meta/v1 types.go.
"""

from __future__ import annotations

from collections.abc import Sequence

from k8slab.api.custom_kinds import version_priority
from k8slab.lab.serving.api_resources import APIResource, served_resources
from k8slab.lab.serving.media_types import JSON, NotAcceptableError, parse_accept

AGGREGATED = "APIGroupDiscoveryList"
DISCOVERY_GROUP = "apidiscovery.k8s.io"
AGGREGATED_V2 = f"{JSON};g={DISCOVERY_GROUP};v=v2;as={AGGREGATED}"
# Group order in /apis: the aggregator's APIService priorities, highest first, then by name
# (kube-apiserver pkg/controlplane/apiserver/aggregator.go DefaultGenericAPIServicePriorities
# and cmd/kube-apiserver's additions); a CRD's group gets 1000 (crdregistration_controller.go).
_GROUP_PRIORITY = {
    "": 18000, "apps": 17800, "events.k8s.io": 17750, "authentication.k8s.io": 17700,
    "authorization.k8s.io": 17600, "autoscaling": 17500, "batch": 17400,
    "certificates.k8s.io": 17300, "networking.k8s.io": 17200, "policy": 17100,
    "rbac.authorization.k8s.io": 17000, "storage.k8s.io": 16800, "apiextensions.k8s.io": 16700,
    "admissionregistration.k8s.io": 16700, "scheduling.k8s.io": 16600,
    "coordination.k8s.io": 16500, "node.k8s.io": 16300, "discovery.k8s.io": 16200,
}
CRD_GROUP_PRIORITY = 1000
DEFAULT_SERVER_ADDRESS = "127.0.0.1:6443"


def discovery_response(path: str, accept: str = "", crds: Sequence[dict] = (), *,
                       server_address: str = DEFAULT_SERVER_ADDRESS) -> tuple[str, dict] | None:
    """The Content-Type and document discovery answers `path` with, or None when `path` is
    not a discovery path of a group-version served (the router then answers 404).

    `crds` are the cluster's CustomResourceDefinitions (the Established ones are served);
    `server_address` is the host:port /api names in serverAddressByClientCIDRs. Raises
    NotAcceptableError (406) when `accept` allows nothing this path can produce.
    """
    parts = [part for part in path.split("/") if part]
    if not parts or parts[0] not in ("api", "apis") or len(parts) > 3:
        return None
    resources = served_resources(crds)
    if len(parts) == 1:
        aggregated = _wants_aggregated(accept)
        if parts[0] == "api":
            if aggregated:
                return AGGREGATED_V2, _aggregated_list(resources, core=True)
            return JSON, _api_versions(server_address)
        if aggregated:
            return AGGREGATED_V2, _aggregated_list(resources, core=False)
        return JSON, _group_list(resources)
    _wants_plain(accept)
    if parts[0] == "api":
        return (JSON, _resource_list(resources, "", parts[1])) if parts[1:] == ["v1"] else None
    group = parts[1]
    if len(parts) == 2:
        document = _group(resources, group)
        return (JSON, document) if document else None
    if not group or not any(r.group == group and r.version == parts[2] for r in resources):
        return None
    return JSON, _resource_list(resources, group, parts[2])


def discovery_document(path: str, accept: str = "", crds: Sequence[dict] = (), *,
                       server_address: str = DEFAULT_SERVER_ADDRESS) -> dict | None:
    """The document of discovery_response, without its Content-Type."""
    answer = discovery_response(path, accept, crds, server_address=server_address)
    return None if answer is None else answer[1]


def _wants_aggregated(accept: str) -> bool:
    """True when the client's first producible choice is aggregated discovery (v2)."""
    for media in parse_accept(accept):
        if media.names(AGGREGATED, DISCOVERY_GROUP, "v2"):
            return True
        if media.plain:
            return False
    raise NotAcceptableError(
        f"only the following media types are accepted: {JSON}, {AGGREGATED_V2}")


def _wants_plain(accept: str) -> None:
    if not any(media.plain for media in parse_accept(accept)):
        raise NotAcceptableError(f"only the following media types are accepted: {JSON}")


def _api_versions(server_address: str) -> dict:
    """/api: the core group's versions, and the address a client should use."""
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def _groups(resources: Sequence[APIResource]) -> list[tuple[str, list[str]]]:
    """Each named group, in discovery's order, with its versions, the preferred one first."""
    versions: dict[str, list[str]] = {}
    for resource in resources:
        if resource.group and resource.version not in versions.setdefault(resource.group, []):
            versions[resource.group].append(resource.version)
    order = sorted(versions, key=lambda g: (-_GROUP_PRIORITY.get(g, CRD_GROUP_PRIORITY), g))
    return [(group, sorted(versions[group], key=version_priority)) for group in order]


def _version_entry(group: str, version: str) -> dict:
    return {"groupVersion": f"{group}/{version}", "version": version}


def _group_document(group: str, versions: list[str]) -> dict:
    return {
        "name": group,
        "versions": [_version_entry(group, version) for version in versions],
        "preferredVersion": _version_entry(group, versions[0]),
    }


def _group_list(resources: Sequence[APIResource]) -> dict:
    """/apis: every named group and its versions (APIGroupList)."""
    return {"kind": "APIGroupList", "apiVersion": "v1",
            "groups": [_group_document(g, v) for g, v in _groups(resources)]}


def _group(resources: Sequence[APIResource], name: str) -> dict | None:
    """/apis/<group>: one group (APIGroup), or None if it is not served."""
    for group, versions in _groups(resources):
        if group == name:
            return {"kind": "APIGroup", "apiVersion": "v1", **_group_document(group, versions)}
    return None


def _in(resources: Sequence[APIResource], group: str, version: str) -> list[APIResource]:
    chosen = [r for r in resources if r.group == group and r.version == version]
    return sorted(chosen, key=lambda r: r.name)


def _resource_list(resources: Sequence[APIResource], group: str, version: str) -> dict:
    """/api/v1 or /apis/<group>/<version>: its resources and subresources (APIResourceList),
    sorted by name as the API installer lists its paths."""
    entries = []
    for resource in _in(resources, group, version):
        entries.append(_api_resource(resource))
        for sub in resource.subresources:
            entry = {"name": f"{resource.name}/{sub.name}", "singularName": "",
                     "namespaced": resource.namespaced}
            if sub.group or sub.version:
                entry |= {"group": sub.group, "version": sub.version}
            entries.append(entry | {"kind": sub.kind or resource.kind, "verbs": list(sub.verbs)})
    group_version = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version,
            "resources": entries}


def _api_resource(resource: APIResource) -> dict:
    """One metav1.APIResource; empty lists are left out (omitempty)."""
    entry = {"name": resource.name, "singularName": resource.singular,
             "namespaced": resource.namespaced, "kind": resource.kind,
             "verbs": list(resource.verbs)}
    if resource.short_names:
        entry["shortNames"] = list(resource.short_names)
    if resource.categories:
        entry["categories"] = list(resource.categories)
    if resource.storage_version_hash:
        entry["storageVersionHash"] = resource.storage_version_hash
    return entry


def _aggregated_list(resources: Sequence[APIResource], *, core: bool) -> dict:
    """/api or /apis as an APIGroupDiscoveryList: groups, versions and resources in one."""
    if core:
        groups = [("", ["v1"])]
    else:
        groups = _groups(resources)
    items = []
    for group, versions in groups:
        metadata = {"name": group, "creationTimestamp": None} if group else {
            "creationTimestamp": None}
        items.append({"metadata": metadata, "versions": [
            {"version": version, "resources": [_discovered(r) for r in
                                               _in(resources, group, version)],
             "freshness": "Current"} for version in versions]})
    return {"kind": AGGREGATED, "apiVersion": f"{DISCOVERY_GROUP}/v2", "metadata": {},
            "items": items}


def _discovered(resource: APIResource) -> dict:
    """One APIResourceDiscovery (installer.go ConvertGroupVersionIntoToDiscovery): a
    resource's responseKind carries an empty group and version, meaning its own."""
    entry = {
        "resource": resource.name,
        "responseKind": {"group": "", "version": "", "kind": resource.kind},
        "scope": "Namespaced" if resource.namespaced else "Cluster",
        "singularResource": resource.singular,
        "verbs": list(resource.verbs),
    }
    if resource.short_names:
        entry["shortNames"] = list(resource.short_names)
    if resource.categories:
        entry["categories"] = list(resource.categories)
    if resource.subresources:
        entry["subresources"] = [
            {"subresource": sub.name,
             "responseKind": {"group": sub.group, "version": sub.version,
                              "kind": sub.kind or resource.kind},
             "verbs": list(sub.verbs)} for sub in resource.subresources]
    return entry

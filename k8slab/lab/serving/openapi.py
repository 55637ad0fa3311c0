"""OpenAPI v3: the schema of every kind served, one document per group-version.

`/openapi/v3` lists the group-versions, each with a `serverRelativeURL` whose `hash` is the
SHA-512 of its document (upstream's cache key); `/openapi/v3/api/v1` and
`/openapi/v3/apis/<group>/<version>` hold `paths` (one per REST operation, each naming its kind
in `x-kubernetes-group-version-kind`) and `components.schemas`. kubectl reads them to explain
fields (`kubectl explain pods.spec.containers`) and to learn that the server validates fields
itself: the PATCH operations take the `fieldValidation` query parameter (cli-runtime
query_param_verifier_v3.go), so kubectl skips its client-side schema check.

Decisions: PATCH bodies are advertised as JSON patch, merge patch and apply, not strategic merge
patch, because the published schemas carry no patch strategies; kubectl then computes a strategic
merge patch for the built-in kinds from its own compiled-in types, as upstream's would, and a
merge patch for custom kinds. /openapi/v2 is not served (None): kubectl 1.36 needs only v3.
Custom kinds come from each served version's openAPIV3Schema.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from collections.abc import Sequence

from k8slab.api.custom_kinds import crd_kinds, established, schema_of
from k8slab.api.schema import KIND_SCHEMAS
from k8slab.api.schema.meta_v1 import OBJECT_META
from k8slab.api.version import VERSION
from k8slab.lab.serving.api_resources import APIResource, served_resources
from k8slab.lab.serving.openapi_schemas import REF_PREFIX, SchemaSet

PREFIX = "/openapi/v3"
# One line of ours per kind (upstream's descriptions are its API documentation, not copied).
_KIND_DESCRIPTIONS = {
    "Pod": "Containers scheduled together onto one node, sharing its network namespace.",
    "Node": "A machine the kubelet registered; pods run on nodes.",
    "Namespace": "A scope for names: most objects live in one.",
    "Lease": "A claim renewed by its holder: node heartbeats and leader election.",
    "Event": "A report of something that happened to an object.",
    "ReplicationController": "The older ReplicaSet: keeps a number of pod replicas running.",
    "Deployment": "Rolls a pod template out through ReplicaSets.",
    "ReplicaSet": "Keeps a number of pods that match its selector running.",
    "DaemonSet": "Runs one copy of a pod on each eligible node.",
    "StatefulSet": "Pods with stable names, created and removed in ordinal order.",
    "Job": "Runs pods until enough of them complete.",
    "Service": "A stable virtual IP and DNS name for the pods its selector matches.",
    "EndpointSlice": "Some of the addresses and ports behind a Service.",
    "ConfigMap": "Configuration data as keys and values.",
    "Secret": "Sensitive data (tokens, keys) as base64-encoded keys and values.",
    "MutatingWebhookConfiguration": "Admission webhooks that may change objects.",
    "ValidatingWebhookConfiguration": "Admission webhooks that may refuse objects.",
    "LimitRange": "Default and bounds for containers' requests and limits in a namespace.",
    "ResourceQuota": "Caps on the resources and object counts of a namespace.",
    "PriorityClass": "A named scheduling priority pods refer to.",
    "Role": "Permissions (verbs on resources) in one namespace.",
    "ClusterRole": "Permissions (verbs on resources) across the cluster.",
    "RoleBinding": "Grants a role to users, groups or service accounts in a namespace.",
    "ClusterRoleBinding": "Grants a cluster role to users, groups or service accounts.",
    "ServiceAccount": "An identity for the processes in pods.",
    "CustomResourceDefinition": "A new kind the API server serves.",
    "SelfSubjectAccessReview": "Asks whether the requesting user may do one thing.",
    "SelfSubjectRulesReview": "Asks what the requesting user may do in a namespace.",
}
_PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json",
                "application/apply-patch+yaml")
_QUERY = {
    "fieldValidation": "How the server treats unknown or duplicate fields: Ignore, Warn or "
                       "Strict.",
    "fieldManager": "The name of the actor making the change, for managedFields.",
    "dryRun": "All: check the request without storing anything.",
    "force": "Apply only: take over fields other managers own.",
    "labelSelector": "Only objects whose labels match.",
    "fieldSelector": "Only objects whose fields match.",
    "limit": "At most this many objects; continue with the token returned.",
    "continue": "The token of the previous page.",
    "resourceVersion": "Which version of the list to read, or to watch from.",
    "watch": "Stream changes instead of answering once.",
    "propagationPolicy": "Orphan, Background or Foreground deletion of dependents.",
    "gracePeriodSeconds": "Seconds the object gets to terminate.",
}


def openapi_document(path: str, crds: Sequence[dict] = ()) -> dict | None:
    """The document at `path` (`/openapi/v3`, `/openapi/v3/api/v1`, `/openapi/v3/apis/<g>/<v>`;
    a query string is ignored), or None for any other path. `crds`: the cluster's CRDs."""
    path = path.partition("?")[0].rstrip("/")
    if path == PREFIX:
        return openapi_index(crds)
    if not path.startswith(PREFIX + "/"):
        return None
    parts = path[len(PREFIX) + 1:].split("/")
    if parts == ["api", "v1"]:
        return group_version_document("", "v1", crds)
    if len(parts) == 3 and parts[0] == "apis":
        return group_version_document(parts[1], parts[2], crds)
    return None


def openapi_body(path: str, crds: Sequence[dict] = ()) -> bytes | None:
    """The bytes served at `path` (see openapi_document), or None; a built-in group-version's
    are computed once per process, as its document never changes."""
    parts = path.partition("?")[0].rstrip("/").removeprefix(PREFIX + "/").split("/")
    key = ("", "v1") if parts == ["api", "v1"] else (
        (parts[1], parts[2]) if len(parts) == 3 and parts[0] == "apis" else None)
    if key is not None and not _custom_in(*key, crds):
        return _built_in_body(*key)
    document = openapi_document(path, crds)
    return None if document is None else openapi_bytes(document)


def openapi_bytes(document: dict) -> bytes:
    """The bytes a document is served as (compact JSON, keys in order): what its hash covers."""
    return json.dumps(document, separators=(",", ":")).encode()


def document_hash(document: dict) -> str:
    """Upstream's cache key for a document: its SHA-512, in upper-case hex."""
    return hashlib.sha512(openapi_bytes(document)).hexdigest().upper()


def openapi_index(crds: Sequence[dict] = ()) -> dict:
    """/openapi/v3: each group-version's path and its serverRelativeURL with the hash."""
    paths = {}
    for group, version in _group_versions(crds):
        relative = f"api/{version}" if not group else f"apis/{group}/{version}"
        if _custom_in(group, version, crds):
            digest = document_hash(group_version_document(group, version, crds))
        else:
            digest = _built_in_hash(group, version)
        paths[relative] = {"serverRelativeURL": f"{PREFIX}/{relative}?hash={digest}"}
    return {"paths": paths}


def _group_versions(crds: Sequence[dict]) -> list[tuple[str, str]]:
    seen: dict[tuple[str, str], None] = {}
    for resource in served_resources(crds):
        seen.setdefault((resource.group, resource.version))
    return sorted(seen)


def group_version_document(group: str, version: str, crds: Sequence[dict] = ()) -> dict | None:
    """One group-version's OpenAPI document, or None when nothing is served there."""
    resources = [r for r in served_resources(crds) if (r.group, r.version) == (group, version)]
    if not resources:
        return None
    if not _custom_in(group, version, crds):
        return json.loads(_built_in_body(group, version))
    return _document(group, version, resources, crds)


def _custom_in(group: str, version: str, crds: Sequence[dict]) -> bool:
    """True when a CRD serves a kind in this group-version (its document is not cached)."""
    return any(k.api_version == (f"{group}/{version}" if group else version)
               for crd in crds if established(crd) for k in crd_kinds(crd))


@functools.cache
def _built_in_body(group: str, version: str) -> bytes | None:
    resources = [r for r in served_resources() if (r.group, r.version) == (group, version)]
    return openapi_bytes(_document(group, version, resources, ())) if resources else None


@functools.cache
def _built_in_hash(group: str, version: str) -> str:
    return hashlib.sha512(_built_in_body(group, version)).hexdigest().upper()


def _document(group: str, version: str, resources: list[APIResource],
              crds: Sequence[dict]) -> dict:
    schemas = SchemaSet()
    paths: dict[str, dict] = {}
    for resource in sorted(resources, key=lambda r: r.name):
        name = _publish_kind(schemas, resource, crds)
        list_name = schemas.add_list(name, group, version, resource.kind)
        paths |= _paths(resource, name, list_name)
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": VERSION},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.schemas.items())),
            "securitySchemes": {"BearerToken": {
                "type": "apiKey", "description": "Bearer Token authentication",
                "name": "authorization", "in": "header"}},
        },
    }


_BUILT_IN_GVKS = {(r.group, r.version, r.kind) for r in served_resources()}


def _publish_kind(schemas: SchemaSet, resource: APIResource, crds: Sequence[dict]) -> str:
    """Publish the kind's schema; returns its name."""
    description = _KIND_DESCRIPTIONS.get(resource.kind, "")
    qualified = f"{resource.kind}.{resource.group}" if resource.group else resource.kind
    if (resource.group, resource.version, resource.kind) in _BUILT_IN_GVKS:
        if qualified in KIND_SCHEMAS:
            return schemas.add_kind(qualified, resource.group, resource.version,
                                    resource.kind, description)
        # A kind the lab answers but does not decode into a struct (the access reviews).
        name = f"io.k8s.api.{resource.group.split('.')[0]}.{resource.version}.{resource.kind}"
        schemas.add_named(name, {
            "description": description, "type": "object",
            "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"},
                           "metadata": schemas.field(OBJECT_META),
                           "spec": {"type": "object"}, "status": {"type": "object"}},
            "x-kubernetes-group-version-kind": [_gvk(resource)]})
        return name
    return _publish_custom(schemas, resource, crds)


def _publish_custom(schemas: SchemaSet, resource: APIResource, crds: Sequence[dict]) -> str:
    """A custom kind: its openAPIV3Schema, with apiVersion, kind and metadata as upstream adds
    them, named by its reversed group (`com.example.v1.WebApp`)."""
    crd = next(c for c in crds if established(c) and any(
        k.kind == resource.kind and k.api_version == f"{resource.group}/{resource.version}"
        for k in crd_kinds(c)))
    schema = copy.deepcopy(schema_of(crd, resource.version)) or {"type": "object"}
    properties = schema.setdefault("properties", {})
    properties["apiVersion"] = {"type": "string"}
    properties["kind"] = {"type": "string"}
    properties["metadata"] = schemas.field(OBJECT_META)
    schema["x-kubernetes-group-version-kind"] = [_gvk(resource)]
    name = ".".join([*reversed(resource.group.split(".")), resource.version, resource.kind])
    schemas.add_named(name, schema)
    return name


def _gvk(resource: APIResource, kind: str = "") -> dict:
    return {"group": resource.group, "kind": kind or resource.kind, "version": resource.version}


def _paths(resource: APIResource, name: str, list_name: str) -> dict[str, dict]:
    """The REST paths of a resource and its status subresource, an operation per verb."""
    prefix = f"/apis/{resource.group}/{resource.version}" if resource.group else "/api/v1"
    scope = f"{prefix}/namespaces/{{namespace}}" if resource.namespaced else prefix
    collection, item = f"{scope}/{resource.name}", f"{scope}/{resource.name}/{{name}}"
    verbs = set(resource.verbs)
    paths: dict[str, dict] = {collection: {}, item: {}}
    if "list" in verbs:
        paths[collection]["get"] = _operation("list", resource, list_name, _LIST_PARAMS)
        if resource.namespaced:
            paths[f"{prefix}/{resource.name}"] = {
                "get": _operation("list", resource, list_name, _LIST_PARAMS, all_namespaces=True)}
    if "create" in verbs:
        paths[collection]["post"] = _operation("post", resource, name, _WRITE_PARAMS, body=True)
    for verb, method, params in (("get", "get", ()), ("update", "put", _WRITE_PARAMS),
                                 ("patch", "patch", _PATCH_PARAMS),
                                 ("delete", "delete", _DELETE_PARAMS)):
        if verb in verbs:
            paths[item][method] = _operation(
                method, resource, name, params, body=method in ("put", "patch"))
    if any(sub.name == "status" for sub in resource.subresources):
        paths[f"{item}/status"] = {
            method: _operation(method, resource, name, params, body=method != "get",
                               subresource="status")
            for method, params in (("get", ()), ("put", _WRITE_PARAMS),
                                   ("patch", _PATCH_PARAMS))}
    for key, params in paths.items():
        for method in params:
            params[method]["parameters"] = _path_params(key) + params[method]["parameters"]
    return {key: value for key, value in paths.items() if value}


_LIST_PARAMS = ("labelSelector", "fieldSelector", "limit", "continue", "resourceVersion",
                "watch")
_WRITE_PARAMS = ("dryRun", "fieldManager", "fieldValidation")
_PATCH_PARAMS = (*_WRITE_PARAMS, "force")
_DELETE_PARAMS = ("dryRun", "gracePeriodSeconds", "propagationPolicy")
_TYPES = {"limit": "integer", "gracePeriodSeconds": "integer", "watch": "boolean",
          "force": "boolean"}


def _path_params(path: str) -> list[dict]:
    return [{"name": name, "in": "path", "required": True,
             "description": f"The object's {name}.", "schema": {"type": "string"}}
            for name in ("namespace", "name") if f"{{{name}}}" in path]


def _operation(action: str, resource: APIResource, schema_name: str, params: Sequence[str], *,
               body: bool = False, subresource: str = "", all_namespaces: bool = False) -> dict:
    """One operation: its parameters, body and answer, and the kind it acts on."""
    ref = {"$ref": REF_PREFIX + schema_name}
    word = {"post": "create", "put": "replace", "get": "read"}.get(action, action)
    suffix = ("ForAllNamespaces" if all_namespaces else "") + subresource.capitalize()
    scope = "Namespaced" if resource.namespaced and not all_namespaces else ""
    operation = {
        "operationId": f"{word}{_group_version_word(resource)}{scope}{resource.kind}{suffix}",
        "parameters": [{"name": name, "in": "query", "description": _QUERY[name],
                        "schema": {"type": _TYPES.get(name, "string"), "uniqueItems": True}}
                       for name in params],
        "responses": {"200": {"description": "OK",
                              "content": {"application/json": {"schema": ref}}}},
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": _gvk(resource),
    }
    if body:
        kinds = _PATCH_TYPES if action == "patch" else ("application/json",)
        schema = {"type": "object"} if action == "patch" else ref
        operation["requestBody"] = {"content": {kind: {"schema": schema} for kind in kinds},
                                    "required": True}
    return operation



def _group_version_word(resource: APIResource) -> str:
    """`CoreV1`, `AppsV1`, `RbacAuthorizationV1`: how upstream's operationIds name a
    group-version."""
    group = resource.group.removesuffix(".k8s.io") or "core"
    return "".join(part.capitalize() for part in group.split(".")) + resource.version.capitalize()

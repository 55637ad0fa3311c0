"""Discovery as a real client reads it: /api, /apis, /apis/<group>, the resource lists, and the
aggregated form kubectl asks for first, with upstream's key names, every kind k8slab models,
upstream's short names and categories, and a CRD's kinds once it is Established."""

from __future__ import annotations

import pytest

from k8slab.api.kinds import KINDS
from k8slab.lab.serving.api_resources import storage_version_hash
from k8slab.lab.serving.discovery import (
    AGGREGATED_V2,
    discovery_document,
    discovery_response,
)
from k8slab.lab.serving.media_types import NotAcceptableError, parse_accept

# client-go discovery_client.go acceptDiscoveryFormats: AcceptV2, AcceptV2Beta1, AcceptV1.
KUBECTL_ACCEPT = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                  "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
                  "application/json")
RESOURCE_KEYS = {"name", "singularName", "namespaced", "kind", "verbs", "shortNames",
                 "categories", "storageVersionHash", "group", "version"}


def crd(established: bool = True) -> dict:
    conditions = [{"type": "Established", "status": "True" if established else "False"}]
    version = {"name": "v1", "served": True, "storage": True,
               "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
                                                        "statusReplicasPath": ".status.r"}}}
    return {"metadata": {"name": "webapps.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced",
                     "names": {"plural": "webapps", "singular": "webapp", "kind": "WebApp",
                               "shortNames": ["wa"], "categories": ["all"]},
                     "versions": [{"name": "v1beta1", "served": True, "storage": False},
                                  version]},
            "status": {"conditions": conditions}}


def resources_of(path: str, crds=()) -> dict:
    return {r["name"]: r for r in discovery_document(path, "application/json", crds)["resources"]}


def test_api_lists_the_core_version_and_the_server_address():
    assert discovery_document("/api", "application/json", server_address="10.0.0.10:6443") == {
        "kind": "APIVersions", "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                        "serverAddress": "10.0.0.10:6443"}]}


def test_apis_lists_each_group_in_the_aggregators_order():
    groups = discovery_document("/apis", "application/json")["groups"]
    assert [g["name"] for g in groups] == [
        "apps", "events.k8s.io", "authorization.k8s.io", "batch", "rbac.authorization.k8s.io",
        "admissionregistration.k8s.io", "apiextensions.k8s.io", "scheduling.k8s.io",
        "coordination.k8s.io", "discovery.k8s.io"]
    assert groups[0] == {"name": "apps",
                         "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
                         "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}}
    assert discovery_document("/apis/apps", "")["kind"] == "APIGroup"


def test_every_modelled_kind_is_in_its_group_versions_list():
    for info in KINDS:
        path = f"/apis/{info.api_version}" if info.group else "/api/v1"
        listed = resources_of(path)[info.resource]
        assert listed["kind"] == info.kind
        assert listed["namespaced"] is info.namespaced
        assert listed["singularName"] == info.singular
        assert set(listed) <= RESOURCE_KEYS


@pytest.mark.parametrize(("path", "resource", "short", "categories"), [
    ("/api/v1", "pods", ["po"], ["all"]),
    ("/api/v1", "services", ["svc"], ["all"]),
    ("/api/v1", "replicationcontrollers", ["rc"], ["all"]),
    ("/api/v1", "namespaces", ["ns"], None),
    ("/api/v1", "nodes", ["no"], None),
    ("/api/v1", "configmaps", ["cm"], None),
    ("/api/v1", "serviceaccounts", ["sa"], None),
    ("/api/v1", "events", ["ev"], None),
    ("/apis/apps/v1", "deployments", ["deploy"], ["all"]),
    ("/apis/apps/v1", "replicasets", ["rs"], ["all"]),
    ("/apis/apps/v1", "daemonsets", ["ds"], ["all"]),
    ("/apis/apps/v1", "statefulsets", ["sts"], ["all"]),
    ("/apis/batch/v1", "jobs", None, ["all"]),
    ("/apis/apiextensions.k8s.io/v1", "customresourcedefinitions", ["crd", "crds"],
     ["api-extensions"]),
    ("/apis/coordination.k8s.io/v1", "leases", None, None),
])
def test_short_names_and_categories_are_upstreams(path, resource, short, categories):
    listed = resources_of(path)[resource]
    assert listed.get("shortNames") == short
    assert listed.get("categories") == categories


def test_subresources_are_listed_with_the_kind_they_answer_with():
    core, apps = resources_of("/api/v1"), resources_of("/apis/apps/v1")
    assert core["pods/status"] == {"name": "pods/status", "singularName": "", "namespaced": True,
                                   "kind": "Pod", "verbs": ["get", "patch", "update"]}
    assert core["pods/eviction"]["group"] == "policy"
    assert core["pods/eviction"]["kind"] == "Eviction"
    assert core["pods/log"]["verbs"] == ["get"]
    assert core["serviceaccounts/token"]["kind"] == "TokenRequest"
    assert apps["deployments/scale"] == {
        "name": "deployments/scale", "singularName": "", "namespaced": True,
        "group": "autoscaling", "version": "v1", "kind": "Scale",
        "verbs": ["get", "patch", "update"]}
    names = list(core)
    assert names == sorted(names)


def test_storage_version_hashes_are_upstreams():
    # Values a v1.35 API server reports for pods and deployments.
    assert resources_of("/api/v1")["pods"]["storageVersionHash"] == "xPOwRZ+Yhw8="
    assert resources_of("/apis/apps/v1")["deployments"]["storageVersionHash"] == "8aSe+NMegvE="
    # events.k8s.io/v1 Events are stored as core v1 Events.
    assert resources_of("/apis/events.k8s.io/v1")["events"]["storageVersionHash"] == (
        storage_version_hash("", "v1", "Event"))


def test_kubectls_accept_gets_aggregated_discovery_with_upstreams_shape():
    content_type, document = discovery_response("/apis", KUBECTL_ACCEPT)
    assert content_type == AGGREGATED_V2
    assert set(document) == {"kind", "apiVersion", "metadata", "items"}
    assert document["apiVersion"] == "apidiscovery.k8s.io/v2"
    apps = document["items"][0]
    assert apps["metadata"] == {"name": "apps", "creationTimestamp": None}
    version = apps["versions"][0]
    assert set(version) == {"version", "resources", "freshness"}
    assert version["freshness"] == "Current"
    deployments = next(r for r in version["resources"] if r["resource"] == "deployments")
    assert deployments == {
        "resource": "deployments",
        "responseKind": {"group": "", "version": "", "kind": "Deployment"},
        "scope": "Namespaced", "singularResource": "deployment",
        "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
        "shortNames": ["deploy"], "categories": ["all"],
        "subresources": [
            {"subresource": "scale",
             "responseKind": {"group": "autoscaling", "version": "v1", "kind": "Scale"},
             "verbs": ["get", "patch", "update"]},
            {"subresource": "status",
             "responseKind": {"group": "", "version": "", "kind": "Deployment"},
             "verbs": ["get", "patch", "update"]}]}


def test_the_core_group_aggregated_has_no_name():
    _, document = discovery_response("/api", KUBECTL_ACCEPT)
    [core] = document["items"]
    assert core["metadata"] == {"creationTimestamp": None}
    pods = next(r for r in core["versions"][0]["resources"] if r["resource"] == "pods")
    assert pods["scope"] == "Namespaced"
    assert [s["subresource"] for s in pods["subresources"]] == [
        "binding", "eviction", "exec", "log", "status"]


@pytest.mark.parametrize("accept", ["application/json", "", "*/*",
                                    "application/json;g=apidiscovery.k8s.io;v=v2beta1;"
                                    "as=APIGroupDiscoveryList,application/json"])
def test_plain_json_or_v2beta1_first_gets_the_unaggregated_list(accept):
    content_type, document = discovery_response("/apis", accept)
    assert (content_type, document["kind"]) == ("application/json", "APIGroupList")


@pytest.mark.parametrize(("path", "accept"), [
    ("/apis", "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"),
    ("/api", "application/vnd.kubernetes.protobuf"),
    ("/api/v1", "application/yaml"),
])
def test_nothing_producible_is_406(path, accept):
    with pytest.raises(NotAcceptableError, match="only the following media types") as caught:
        discovery_response(path, accept)
    assert caught.value.to_status()["code"] == 406


def test_q_values_order_the_choice():
    assert [m.type for m in parse_accept("text/plain;q=0.5, application/json")] == [
        "application/json", "text/plain"]
    assert discovery_response("/apis", f"application/json;q=0.9,{AGGREGATED_V2}")[0] == (
        AGGREGATED_V2)


@pytest.mark.parametrize("path", ["/apis/apps/v2", "/apis/nothing.io/v1", "/apis/nothing.io",
                                  "/api/v2", "/apis/apps/v1/deployments", "/healthz", "/"])
def test_a_path_that_names_nothing_served_is_none(path):
    assert discovery_document(path, "application/json") is None


def test_an_established_crd_adds_its_group_versions_and_resources():
    groups = discovery_document("/apis", "", [crd()])["groups"]
    assert groups[-1] == {
        "name": "example.com",
        "versions": [{"groupVersion": "example.com/v1", "version": "v1"},
                     {"groupVersion": "example.com/v1beta1", "version": "v1beta1"}],
        "preferredVersion": {"groupVersion": "example.com/v1", "version": "v1"}}
    listed = resources_of("/apis/example.com/v1", [crd()])
    assert listed["webapps"]["shortNames"] == ["wa"]
    assert listed["webapps"]["categories"] == ["all"]
    assert listed["webapps"]["storageVersionHash"] == storage_version_hash(
        "example.com", "v1", "WebApp")
    assert listed["webapps/scale"]["kind"] == "Scale"
    assert "webapps/status" in listed
    assert "webapps/status" not in resources_of("/apis/example.com/v1beta1", [crd()])
    _, aggregated = discovery_response("/apis", KUBECTL_ACCEPT, [crd()])
    assert aggregated["items"][-1]["metadata"]["name"] == "example.com"


def test_a_crd_not_yet_established_is_not_served():
    assert discovery_document("/apis/example.com/v1", "", [crd(established=False)]) is None

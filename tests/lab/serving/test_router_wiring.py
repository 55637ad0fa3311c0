"""The router's seams to the discovery engineer's modules (Tables, discovery, OpenAPI), a watch
from a version the cache no longer holds, and `logs -f` following a pod to its end."""

from __future__ import annotations

import json

from k8slab.errors import NotFoundError
from k8slab.lab.serving.log_follow import followed
from k8slab.lab.serving.router import Router
from tests.lab.serving.http_requests import http

KUBECTL_GET = ("application/json;as=Table;v=v1;g=meta.k8s.io,"
               "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")


def names_table(resource, objects, *, include_object="Metadata", now, crds=(),
                list_metadata=None):
    """A stand-in with tables.table's signature: one Name column (the real one is the
    discovery engineer's serving/tables.py)."""
    assert isinstance(now, float) and isinstance(crds, tuple)
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "metadata": dict(list_metadata or {}),
            "columnDefinitions": [{"name": "Name", "type": "string"}],
            "rows": [{"cells": [o["metadata"]["name"]], "object": {"kind": include_object}}
                     for o in objects]}


def test_a_table_accepting_list_gets_the_table_with_the_lists_metadata(cluster, runner, admin):
    router = Router(cluster, runner)
    router.table = names_table
    response = router.handle(http("GET", "/api/v1/namespaces", admin,
                                  headers={"Accept": KUBECTL_GET}, includeObject="Object"))
    table = json.loads(response.body)
    assert response.content_type == "application/json;as=Table;v=v1;g=meta.k8s.io"
    assert (table["kind"], table["apiVersion"]) == ("Table", "meta.k8s.io/v1")
    assert ["kube-system"] in [row["cells"] for row in table["rows"]]
    assert table["rows"][0]["object"] == {"kind": "Object"}
    assert int(table["metadata"]["resourceVersion"]) > 0


def test_a_table_accepting_get_of_one_object_gets_a_one_row_table(cluster, runner, admin):
    router = Router(cluster, runner)
    router.table = names_table
    response = router.handle(http("GET", "/api/v1/namespaces/default", admin,
                                  headers={"Accept": KUBECTL_GET}))
    assert [row["cells"] for row in json.loads(response.body)["rows"]] == [["default"]]


def test_discovery_and_openapi_paths_go_to_their_documents(cluster, runner, admin):
    router = Router(cluster, runner)
    asked = []
    aggregated = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    def discovery_response(path, accept, crds, *, server_address):
        asked.append((path, accept, server_address))
        return (aggregated, {"kind": "APIGroupDiscoveryList", "items": []}) if (
            path == "/apis") else None

    router.discovery_response = discovery_response
    router.openapi_body = lambda path, crds: b'{"paths":{}}' if path == "/openapi/v3" else None
    response = router.handle(http("GET", "/apis", admin, headers={
        "Accept": aggregated, "Host": "127.0.0.1:40123"}))
    assert response.status == 200 and asked == [("/apis", aggregated, "127.0.0.1:40123")]
    assert response.content_type == aggregated
    assert json.loads(response.body) == {"kind": "APIGroupDiscoveryList", "items": []}
    assert router.handle(http("GET", "/apis/apps/v1", admin)).status == 404
    assert json.loads(router.handle(http("GET", "/openapi/v3", admin)).body) == {"paths": {}}
    assert router.handle(http("GET", "/openapi/v3/apis/nothing/v1", admin)).status == 404


def test_a_table_and_documents_see_the_clusters_crds(cluster, runner, admin):
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "gadgets.example.org"},
           "spec": {"group": "example.org", "scope": "Cluster",
                    "names": {"plural": "gadgets", "kind": "Gadget"},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {
                                      "type": "object",
                                      "x-kubernetes-preserve-unknown-fields": True}}}]}}
    router = Router(cluster, runner)
    seen = []
    router.openapi_body = lambda path, crds: seen.append(
        [c["metadata"]["name"] for c in crds]) or b"{}"
    router.handle(http("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                       admin, body=json.dumps(crd).encode()))
    cluster.run(2)
    router.handle(http("GET", "/openapi/v3/apis/example.org/v1", admin))
    assert "gadgets.example.org" in seen[0]


def test_a_watch_from_a_version_too_old_streams_one_410_error_event(router, admin, cluster):
    cluster.run(400)  # past a compaction and the watch cache's window
    response = router.handle(http("GET", "/api/v1/namespaces/default/pods", admin,
                                  watch="true", resourceVersion="2"))
    [event] = [json.loads(chunk) for chunk in response.stream]
    assert event["type"] == "ERROR"
    assert (event["object"]["code"], event["object"]["reason"]) == (410, "Expired")


class Clock:
    """A cluster stand-in whose simulated clock moves a second each time it is read."""

    def __init__(self) -> None:
        self.seconds = 0.0

    @property
    def now(self) -> float:
        self.seconds += 1.0
        return self.seconds


def test_following_a_log_sends_what_each_read_adds_until_the_pod_finishes():
    logs = iter(["one\n", "one\ntwo\n", "one\ntwo\n", "one\ntwo\nthree\n"])
    phases = iter(["Running", "Running", "Succeeded"])
    chunks = list(followed(Clock(), lambda: next(logs),
                           lambda: {"status": {"phase": next(phases)}}, "one\n"))
    assert chunks == [b"one\n", b"two\n", b"three\n"]


def test_following_a_log_ends_when_the_pod_is_gone():
    def gone():
        raise NotFoundError('pods "web" not found')
    assert list(followed(Clock(), lambda: "", gone, "")) == []


def test_a_table_accepting_watch_gets_each_object_as_a_one_row_table(cluster, runner, admin):
    router = Router(cluster, runner)
    router.table = names_table
    response = router.handle(http("GET", "/api/v1/namespaces", admin, watch="true",
                                  timeoutSeconds="1", headers={"Accept": KUBECTL_GET}))
    events = [json.loads(chunk) for chunk in response.stream]
    assert events and {e["type"] for e in events} == {"ADDED"}  # the current state first
    assert ["default"] in [e["object"]["rows"][0]["cells"] for e in events]
    assert all(e["object"]["kind"] == "Table" for e in events)


class RecordingClient:
    """Stands in for the API client: records the request the router's steps make."""

    def __init__(self) -> None:
        self.sent: list[tuple] = []
        self.warnings = ["patched without a resourceVersion"]
        self.created = False

    def request(self, verb, resource, **fields):
        self.sent.append((verb, resource, fields))
        yield from ()
        return {"kind": "Deployment", "metadata": {"name": "web"}}


class RecordingRunner:
    def __init__(self) -> None:
        self.client = RecordingClient()

    def shown(self, value):
        return value

    def received(self, value):
        return value

    def run_request(self, steps, credentials, impersonation=("", ())):
        run = steps(self.client)
        try:
            while True:
                next(run)
        except StopIteration as done:
            return done.value


def test_a_patch_reaches_the_api_client_as_the_patch_verb(cluster):
    runner = RecordingRunner()
    router = Router(cluster, runner)
    patch = b'{"spec":{"replicas":3}}'
    response = router.handle(http(
        "PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale", body=patch,
        headers={"Content-Type": "application/merge-patch+json"}, fieldManager="kubectl-scale"))
    assert response.status == 200
    assert runner.client.sent == [("patch", "deployments", {
        "namespace": "default", "name": "web", "patch_type": "application/merge-patch+json",
        "body": '{"spec":{"replicas":3}}', "subresource": "scale",
        "field_manager": "kubectl-scale", "force": None})]
    assert response.headers["Warning"] == '299 - "patched without a resourceVersion"'


def test_every_request_carries_the_clients_user_agent(cluster):
    runner = RecordingRunner()
    agent = "kubectl/v1.36.0 (linux/amd64) kubernetes/abcdef0"
    for method in ("GET", "DELETE"):
        Router(cluster, runner).handle(http(method, "/api/v1/namespaces/default/pods/web",
                                            headers={"User-Agent": agent}))
    assert [fields["user_agent"] for _, _, fields in runner.client.sent] == [agent, agent]

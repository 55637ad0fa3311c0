"""URL → simulated request, table-driven: the paths and query parameters real clients send, and
the API client's verb and fields each becomes (no cluster needed)."""

from __future__ import annotations

import json

import pytest

from k8slab.api.kinds import Kind
from k8slab.errors import BadRequestError, InvalidError
from k8slab.lab.serving.api_calls import NotAllowed, UnsupportedPatch, plan
from k8slab.lab.serving.request_body import UnsupportedMediaType
from k8slab.lab.serving.routes import resource_route
from tests.lab.serving.http_requests import http

WEBAPP = Kind("WebApp", "example.com/v1", "webapps", True, "example.com/webapps")
NS = "/api/v1/namespaces/default"


@pytest.mark.parametrize("path, resource, namespace, name, subresource", [
    ("/api/v1/pods", "pods", "", "", ""),
    (f"{NS}/pods", "pods", "default", "", ""),
    (f"{NS}/pods/web", "pods", "default", "web", ""),
    (f"{NS}/pods/web/log", "pods", "default", "web", "log"),
    (f"{NS}/pods/web/binding", "pods", "default", "web", "binding"),
    ("/api/v1/namespaces", "namespaces", "", "", ""),
    ("/api/v1/namespaces/dev", "namespaces", "", "dev", ""),
    ("/api/v1/namespaces/dev/finalize", "namespaces", "", "dev", "finalize"),
    ("/api/v1/namespaces/dev/status", "namespaces", "", "dev", "status"),
    ("/api/v1/nodes/worker-1/status", "nodes", "", "worker-1", "status"),
    ("/apis/apps/v1/deployments", "deployments", "", "", ""),
    ("/apis/apps/v1/namespaces/default/deployments/web/scale", "deployments", "default",
     "web", "scale"),
    ("/apis/events.k8s.io/v1/namespaces/default/events", "events.events.k8s.io", "default",
     "", ""),
    ("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/worker-1",
     "leases", "kube-node-lease", "worker-1", ""),
    ("/apis/rbac.authorization.k8s.io/v1/clusterroles/admin", "clusterroles", "", "admin", ""),
    ("/apis/example.com/v1/namespaces/default/webapps/shop/status", "webapps.v1.example.com",
     "default", "shop", "status"),
    ("/api/v1/namespaces/default/serviceaccounts/default/token", "serviceaccounts",
     "default", "default", "token"),
], ids=lambda v: v if isinstance(v, str) and v.startswith("/") else None)
def test_a_path_names_group_version_resource_namespace_name_subresource(
        path, resource, namespace, name, subresource):
    route = resource_route(path, (WEBAPP,))
    assert route is not None
    assert (route.server_resource, route.namespace, route.name, route.subresource) == (
        resource, namespace, name, subresource)


@pytest.mark.parametrize("path", [
    "/api/v1/foos",  # no such resource
    "/apis/apps/v1beta1/deployments",  # a version not served
    "/apis/apps/v1/pods",  # pods are not in apps
    "/api/v1/namespaces/default/nodes",  # nodes are cluster-scoped
    "/api/v1/pods/web",  # a pod lives in a namespace
    f"{NS}/pods/web/scale",  # pods have no scale
    f"{NS}/configmaps/a/b/c",  # too deep
    "/apis/example.com/v2/namespaces/default/webapps",  # a CRD version not served
    "/apis/other.io/v1/widgets",  # no CRD
    "/metrics",
])
def test_paths_the_server_does_not_serve_are_none(path):
    assert resource_route(path, (WEBAPP,)) is None


def _call(method, path, body=None, headers=None, **query):
    data = json.dumps(body).encode() if isinstance(body, dict) else (body or b"")
    return plan(resource_route(path, (WEBAPP,)), http(method, path, body=data, headers=headers,
                                                       **query))


POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}}


@pytest.mark.parametrize("method, path, query, verb, fields", [
    ("GET", f"{NS}/pods/web", {}, "get", {"namespace": "default", "name": "web"}),
    ("GET", f"{NS}/pods", {"labelSelector": "app=web", "fieldSelector": "spec.nodeName=n",
                           "resourceVersion": "0"},
     "list", {"namespace": "default", "label_selector": "app=web",
              "field_selector": "spec.nodeName=n", "resource_version": "0", "read_only": True}),
    ("GET", "/api/v1/pods", {"limit": "500", "resourceVersion": "12",
                             "resourceVersionMatch": "Exact"},
     "list", {"namespace": None, "label_selector": "", "field_selector": "",
              "resource_version": "12", "limit": 500, "resource_version_match": "Exact",
              "read_only": True}),
    ("GET", f"{NS}/pods", {"limit": "2", "continue": "tok"},
     "list", {"namespace": "default", "label_selector": "", "field_selector": "",
              "resource_version": "", "limit": 2, "continue": "tok", "read_only": True}),
    ("GET", f"{NS}/pods", {"watch": "true", "resourceVersion": "7",
                           "allowWatchBookmarks": "true", "timeoutSeconds": "30"},
     "watch", {"namespace": "default", "label_selector": "", "field_selector": "",
               "resource_version": "7", "allow_watch_bookmarks": True, "timeout_seconds": 30}),
    ("GET", f"{NS}/pods", {"watch": "1", "sendInitialEvents": "true",
                           "resourceVersionMatch": "NotOlderThan"},
     "watch", {"namespace": "default", "label_selector": "", "field_selector": "",
               "resource_version": "", "allow_watch_bookmarks": False,
               "send_initial_events": True, "resource_version_match": "NotOlderThan"}),
    ("GET", f"{NS}/pods/web", {"watch": "true", "fieldSelector": "spec.nodeName=n"},
     "watch", {"namespace": "default", "label_selector": "", "resource_version": "",
               "field_selector": "spec.nodeName=n,metadata.name=web",
               "allow_watch_bookmarks": False}),
    ("GET", "/api/v1/watch/namespaces/default/pods", {},
     "watch", {"namespace": "default", "label_selector": "", "field_selector": "",
               "resource_version": "", "allow_watch_bookmarks": False}),
    ("GET", f"{NS}/pods/web/log", {"container": "app", "tailLines": "10", "previous": "true",
                                   "timestamps": "1"},
     "log", {"namespace": "default", "name": "web",
             "options": {"container": "app", "previous": True, "timestamps": True,
                         "tailLines": 10}}),
    ("GET", "/apis/example.com/v1/namespaces/default/webapps/shop/scale", {},
     "scale", {"namespace": "default", "name": "shop"}),
    ("DELETE", f"{NS}/pods/web", {"propagationPolicy": "Foreground",
                                  "gracePeriodSeconds": "0"},
     "delete", {"namespace": "default", "name": "web",
                "options": {"apiVersion": "v1", "kind": "DeleteOptions",
                            "gracePeriodSeconds": 0, "propagationPolicy": "Foreground"}}),
    ("DELETE", "/api/v1/nodes/worker-1", {}, "delete",
     {"namespace": None, "name": "worker-1", "options": None}),
])
def test_a_method_and_query_become_the_clients_verb_and_fields(method, path, query, verb,
                                                               fields):
    call = _call(method, path, **query)
    assert (call.verb, call.fields) == (verb, fields)


def test_create_takes_the_urls_namespace_and_defaults_the_type():
    call = _call("POST", f"{NS}/pods", {"metadata": {"name": "web"}})
    assert call.verb == "create" and call.fields["namespace"] == "default"
    assert call.fields["body"] == {"metadata": {"name": "web", "namespace": "default"},
                                   "apiVersion": "v1", "kind": "Pod"}


def test_delete_options_in_the_body_win_over_the_query():
    call = _call("DELETE", f"{NS}/pods/web", {"kind": "DeleteOptions", "apiVersion": "v1",
                                              "propagationPolicy": "Orphan"},
                 propagationPolicy="Background")
    assert call.fields["options"]["propagationPolicy"] == "Orphan"


@pytest.mark.parametrize("method, path, body, verb, extra", [
    ("PUT", f"{NS}/pods/web", POD, "update", {}),
    ("PUT", f"{NS}/pods/web/status", POD, "update_status", {}),
    ("PUT", "/api/v1/namespaces/dev/finalize",
     {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}}, "finalize", {}),
    ("POST", f"{NS}/pods/web/binding",
     {"apiVersion": "v1", "kind": "Binding", "target": {"kind": "Node", "name": "worker-1"}},
     "bind", {"node": "worker-1"}),
    ("POST", f"{NS}/pods/web/eviction", {"apiVersion": "policy/v1", "kind": "Eviction"},
     "evict", {}),
    ("POST", f"{NS}/serviceaccounts/default/token", {"spec": {"audiences": ["x"]}},
     "token", {}),
    ("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
     {"spec": {"resourceAttributes": {"verb": "get", "resource": "pods"}}}, "create", {}),
])
def test_writes_and_subresource_actions(method, path, body, verb, extra):
    call = _call(method, path, body)
    assert call.verb == verb
    for key, value in extra.items():
        assert call.fields[key] == value


def test_patch_passes_the_raw_patch_and_its_type_to_the_patch_verb():
    call = _call("PATCH", f"{NS}/pods/web/status", b'{"status":{}}',
                 headers={"Content-Type": "application/merge-patch+json"},
                 fieldManager="kubectl", force="true")
    assert (call.verb, call.fields) == ("patch", {
        "namespace": "default", "name": "web", "patch_type": "application/merge-patch+json",
        "body": '{"status":{}}', "subresource": "status", "field_manager": "kubectl",
        "force": True})


@pytest.mark.parametrize("method, path, action", [
    ("DELETE", f"{NS}/pods", "deletecollection"),
    ("POST", "/api/v1/pods", "create"),
    ("PUT", f"{NS}/pods", "update"),
    ("POST", f"{NS}/pods/web", "create"),
    ("OPTIONS", f"{NS}/pods", "options"),
])
def test_methods_a_path_does_not_serve_are_not_allowed(method, path, action):
    with pytest.raises(NotAllowed) as refused:
        _call(method, path, POD)
    assert refused.value.action == action


def test_a_patch_of_another_media_type_and_a_cbor_body_are_unsupported():
    with pytest.raises(UnsupportedPatch):
        _call("PATCH", f"{NS}/pods/web", b"{}", headers={"Content-Type": "application/json"})
    with pytest.raises(UnsupportedMediaType):
        _call("POST", f"{NS}/pods", b"\xd9\xd9\xf7", headers={"Content-Type": "application/cbor"})


@pytest.mark.parametrize("query, words", [
    ({"limit": "ten"}, 'strconv.ParseInt: parsing "ten": invalid syntax'),
    ({"watch": "maybe"}, 'strconv.ParseBool: parsing "maybe": invalid syntax'),
])
def test_query_parameters_go_cannot_parse_are_400(query, words):
    with pytest.raises(BadRequestError, match=words):
        _call("GET", f"{NS}/pods", **query)


def test_a_body_whose_name_or_namespace_disagrees_with_the_url_is_400():
    with pytest.raises(BadRequestError, match=r"the name of the object \(db\) does not match "
                                              r"the name on the URL \(web\)"):
        _call("PUT", f"{NS}/pods/web", {**POD, "metadata": {"name": "db"}})
    with pytest.raises(BadRequestError, match=r"the namespace of the object \(prod\) does not "
                                              r"match the namespace on the request \(default\)"):
        _call("POST", f"{NS}/pods", {**POD, "metadata": {"name": "web", "namespace": "prod"}})
    with pytest.raises(BadRequestError, match=r"the API version in the data \(apps/v1\) does "
                                              r"not match the expected API version \(v1\)"):
        _call("POST", f"{NS}/pods", {**POD, "apiVersion": "apps/v1"})


def test_the_field_manager_goes_with_a_write():
    call = _call("POST", f"{NS}/pods", POD, fieldManager="kubectl-create")
    assert call.fields["field_manager"] == "kubectl-create"


def test_dry_run_passes_its_values_to_the_api_server_for_every_write():
    assert _call("POST", f"{NS}/pods", POD, dryRun="All").fields["dry_run"] == ["All"]
    assert _call("DELETE", f"{NS}/pods/web", dryRun="All").fields["dry_run"] == ["All"]
    body = {"kind": "DeleteOptions", "apiVersion": "v1", "dryRun": ["All"]}
    call = _call("DELETE", f"{NS}/pods/web", body)
    assert call.fields["dry_run"] == ["All"] and call.fields["options"] is None
    eviction = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "web"},
                "deleteOptions": {"dryRun": ["All"]}}  # what kubectl drain --dry-run=server sends
    assert _call("POST", f"{NS}/pods/web/eviction", eviction).fields["dry_run"] == ["All"]
    assert "dry_run" not in _call("POST", f"{NS}/pods", POD).fields


def test_a_binding_without_a_node_is_422_as_validation_words_it():
    with pytest.raises(InvalidError) as error:
        _call("POST", f"{NS}/pods/web/binding", {"kind": "Binding", "target": {}})
    assert error.value.message == 'Binding "web" is invalid: target.name: Required value'


def test_a_watch_timeout_of_zero_is_the_servers_own():
    assert "timeout_seconds" not in _call("GET", f"{NS}/pods", watch="1",
                                          timeoutSeconds="0").fields

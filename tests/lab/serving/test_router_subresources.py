"""Subresources, custom resources, reviews, logs and bad input, end to end through the router
against a small cluster."""

from __future__ import annotations

import json

import pytest

from k8slab.errors import UnavailableError
from k8slab.lab.serving.router import Router
from tests.lab.serving.http_requests import http

NS = "/api/v1/namespaces/default"
DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments"
CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "webapps.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
             "names": {"plural": "webapps", "kind": "WebApp"},
             "versions": [{"name": "v1", "served": True, "storage": True,
                           "subresources": {"status": {}},
                           "schema": {"openAPIV3Schema": {
                               "type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]},
}
DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment",
              "metadata": {"name": "web"},
              "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [{"name": "web",
                                                             "image": "nginx:1.27"}]}}}}


def send(router, method, path, credentials, payload=None, **query):
    data = payload if isinstance(payload, bytes) else (
        json.dumps(payload).encode() if payload is not None else b"")
    return router.handle(http(method, path, credentials, body=data, **query))


def body(response):
    return json.loads(response.body)


def test_a_deployments_scale_is_read_and_written(router, admin, cluster):
    assert send(router, "POST", DEPLOYMENTS, admin, DEPLOYMENT).status == 201
    scale = body(send(router, "GET", f"{DEPLOYMENTS}/web/scale", admin))
    assert (scale["kind"], scale["apiVersion"]) == ("Scale", "autoscaling/v1")
    assert scale["spec"] == {"replicas": 1}
    unconditional = {**scale, "metadata": {"name": "web"}, "spec": {"replicas": 3}}
    written = send(router, "PUT", f"{DEPLOYMENTS}/web/scale", admin, unconditional)
    assert written.status == 200 and body(written)["spec"] == {"replicas": 3}
    assert body(send(router, "GET", f"{DEPLOYMENTS}/web", admin))["spec"]["replicas"] == 3
    stale = send(router, "PUT", f"{DEPLOYMENTS}/web/scale", admin, scale)  # its old version
    assert stale.status == 409 and body(stale)["reason"] == "Conflict"
    cluster.run(3)
    assert body(send(router, "GET", f"{DEPLOYMENTS}/web/scale", admin))["status"] == {
        "replicas": 3, "selector": "app=web"}


def test_binding_and_eviction_answer_a_success_status(router, admin, cluster):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bound"},
           "spec": {"schedulerName": "nobody",
                    "containers": [{"name": "c", "image": "nginx:1.27"}]}}
    assert send(router, "POST", f"{NS}/pods", admin, pod).status == 201
    binding = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "bound"},
               "target": {"kind": "Node", "name": "worker-1"}}
    bound = send(router, "POST", f"{NS}/pods/bound/binding", admin, binding)
    assert (bound.status, body(bound)["status"]) == (201, "Success"), bound.body
    assert body(send(router, "GET", f"{NS}/pods/bound", admin))["spec"]["nodeName"] == (
        "worker-1")
    cluster.run(5)
    evicted = send(router, "POST", f"{NS}/pods/bound/eviction", admin,
                   {"apiVersion": "policy/v1", "kind": "Eviction",
                    "metadata": {"name": "bound", "namespace": "default"}})
    assert evicted.status == 201, evicted.body


def test_a_pods_log_is_plain_text(router, admin, cluster):
    pods = body(send(router, "GET", "/api/v1/namespaces/kube-system/pods", admin,
                     labelSelector="component=kube-apiserver"))["items"]
    name = pods[0]["metadata"]["name"]
    log = send(router, "GET", f"/api/v1/namespaces/kube-system/pods/{name}/log", admin,
               tailLines="2")
    assert log.status == 200 and log.content_type == "text/plain"
    assert len(log.body.decode().splitlines()) <= 2


def test_a_self_subject_access_review_is_created_and_answered(router, admin):
    review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
              "spec": {"resourceAttributes": {"verb": "delete", "resource": "nodes"}}}
    answer = send(router, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                  admin, review)
    assert answer.status == 201 and body(answer)["status"]["allowed"] is True


def test_a_custom_resource_is_served_once_its_crd_is_established(router, admin, cluster):
    path = "/apis/example.com/v1/namespaces/default/webapps"
    assert send(router, "GET", path, admin).status == 404
    created = send(router, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                   admin, CRD)
    assert created.status == 201, created.body
    cluster.run(2)
    app = {"apiVersion": "example.com/v1", "kind": "WebApp", "metadata": {"name": "shop"},
           "spec": {"image": "nginx"}}
    assert send(router, "POST", path, admin, app).status == 201
    listed = body(send(router, "GET", path, admin))
    assert (listed["kind"], listed["apiVersion"]) == ("WebAppList", "example.com/v1")
    assert listed["items"][0]["kind"] == "WebApp"  # a custom List's items keep their type


@pytest.mark.parametrize("method, path, payload, headers, code, reason", [
    ("POST", f"{NS}/configmaps", b'{"metadata": ', {}, 400, "BadRequest"),
    ("POST", f"{NS}/configmaps", b"\xd9\xd9\xf7", {"Content-Type": "application/cbor"}, 415,
     "UnsupportedMediaType"),
    ("POST", f"{NS}/configmaps", b"\x0a\x02k8s",
     {"Content-Type": "application/vnd.kubernetes.protobuf"}, 400, "BadRequest"),
    ("DELETE", f"{NS}/configmaps", None, {}, 405, "MethodNotAllowed"),
    ("PATCH", f"{NS}/configmaps/x", b"{}", {"Content-Type": "text/plain"}, 415,
     "UnsupportedMediaType"),
    ("GET", f"{NS}/configmaps", None, {"Accept": "application/vnd.kubernetes.protobuf"}, 406,
     "NotAcceptable"),
])
def test_bad_requests_get_upstreams_status(router, admin, method, path, payload, headers, code,
                                           reason):
    response = router.handle(http(method, path, admin, body=payload or b"", headers=headers))
    status = body(response)
    assert (response.status, status["code"], status["reason"]) == (code, code, reason)


def test_deletecollection_is_405_in_new_method_not_supported_words(router, admin):
    status = body(send(router, "DELETE", f"{NS}/configmaps", admin))
    assert status["message"] == 'deletecollection is not supported on resources of kind ' \
                                '"configmaps"'
    assert status["details"] == {"kind": "configmaps"}


def test_an_unknown_resource_of_a_served_version_is_go_restfuls_404_status(router, admin):
    response = send(router, "GET", "/api/v1/namespaces/default/widgets", admin)
    assert response.status == 404
    assert body(response) == {"kind": "Status", "apiVersion": "v1", "metadata": {},
                              "status": "Failure",
                              "message": "the server could not find the requested resource",
                              "reason": "NotFound", "details": {}, "code": 404}


@pytest.mark.parametrize("path", ["/apis/widgets.io/v1/widgets", "/apis/apps/v9/deployments",
                                  "/metrics", "/"])
def test_a_path_no_api_serves_is_the_not_found_handlers_plain_404(router, admin, path):
    response = send(router, "GET", path, admin)
    assert (response.status, response.body) == (404, b"404 page not found\n")
    assert response.content_type.startswith("text/plain")


def test_a_method_no_route_serves_is_go_restfuls_405(router, admin):
    response = send(router, "POST", "/api/v1/pods", admin, {"metadata": {"name": "x"}})
    assert response.status == 405
    assert body(response)["message"] == ("the server does not allow this method on the "
                                         "requested resource")


def test_a_failed_write_leaves_nothing_behind(router, admin):
    send(router, "POST", f"{NS}/configmaps", admin, b'{"metadata": {"name": "half"')
    assert send(router, "GET", f"{NS}/configmaps/half", admin).status == 404


class BrokenRunner:
    """A runner whose requests fail: the network's error, or a bug."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def run_request(self, steps, credentials, impersonation=("", ())):
        raise self.error


def test_the_router_never_raises(cluster, admin):
    down = Router(cluster, BrokenRunner(UnavailableError("connection refused")))
    response = down.handle(http("GET", f"{NS}/pods", admin))
    assert (response.status, body(response)["reason"]) == (503, "ServiceUnavailable")
    buggy = Router(cluster, BrokenRunner(ZeroDivisionError("division by zero")))
    response = buggy.handle(http("GET", f"{NS}/pods", admin))
    status = body(response)
    assert (response.status, status["reason"]) == (500, "InternalError")
    assert status["message"].startswith("Internal error occurred: ")

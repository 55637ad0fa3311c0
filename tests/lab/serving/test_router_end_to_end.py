"""The router against a small cluster: HTTP requests in, the simulated API server's answers out,
shaped as kube-apiserver's JSON (objects, Lists, watch event lines, Status errors)."""

from __future__ import annotations

import json

import pytest

from k8slab.api.kubeconfig import Credentials
from tests.lab.serving.http_requests import http

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"app": "web"}},
       "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}
PODS = "/api/v1/namespaces/default/pods"


def body(response) -> dict:
    return json.loads(response.body)


def test_create_get_list_update_delete_a_pod(router, admin, cluster):
    created = router.handle(http("POST", PODS, admin, body=json.dumps(POD).encode()))
    assert created.status == 201, created.body
    assert body(created)["metadata"]["namespace"] == "default"
    cluster.run(2)

    got = router.handle(http("GET", f"{PODS}/web", admin))
    assert got.status == 200 and got.content_type == "application/json"
    pod = body(got)
    assert (pod["kind"], pod["metadata"]["name"]) == ("Pod", "web")

    listed = body(router.handle(http("GET", PODS, admin, labelSelector="app=web")))
    assert listed["kind"] == "PodList" and listed["apiVersion"] == "v1"
    assert [p["metadata"]["name"] for p in listed["items"]] == ["web"]
    assert "kind" not in listed["items"][0]  # a typed List's items carry no TypeMeta
    assert int(listed["metadata"]["resourceVersion"]) > 0
    none = body(router.handle(http("GET", PODS, admin, labelSelector="app=db")))
    assert none["items"] == []

    everywhere = body(router.handle(http("GET", "/api/v1/pods", admin)))
    assert {p["metadata"]["namespace"] for p in everywhere["items"]} >= {"default",
                                                                         "kube-system"}

    pod["metadata"]["labels"]["tier"] = "front"
    updated = router.handle(http("PUT", f"{PODS}/web", admin, body=json.dumps(pod).encode()))
    assert updated.status == 200, updated.body
    assert body(updated)["metadata"]["labels"]["tier"] == "front"

    deleted = router.handle(http("DELETE", f"{PODS}/web", admin, gracePeriodSeconds="0"))
    assert deleted.status in (200, 202), deleted.body
    cluster.run(2)
    gone = router.handle(http("GET", f"{PODS}/web", admin))
    assert gone.status == 404


def test_a_list_in_pages_carries_continue_and_remaining_count(router, admin):
    first = body(router.handle(http("GET", "/api/v1/namespaces", admin, limit="2")))
    assert len(first["items"]) == 2 and first["metadata"]["continue"]
    assert first["metadata"]["remainingItemCount"] >= 1
    rest = body(router.handle(http("GET", "/api/v1/namespaces", admin,
                                   **{"continue": first["metadata"]["continue"]})))
    names = [n["metadata"]["name"] for n in first["items"] + rest["items"]]
    assert "kube-system" in names and len(names) == len(set(names))


def test_a_watch_streams_added_modified_deleted_as_json_lines(router, admin, cluster):
    rv = body(router.handle(http("GET", PODS, admin)))["metadata"]["resourceVersion"]
    watched = router.handle(http("GET", PODS, admin, watch="true", resourceVersion=rv,
                                 fieldSelector="metadata.name=watched"))
    assert watched.status == 200 and watched.stream is not None
    pod = {**POD, "metadata": {"name": "watched"}}
    router.handle(http("POST", PODS, admin, body=json.dumps(pod).encode()))
    lines = []
    for chunk in watched.stream:
        assert chunk.endswith(b"\n")
        event = json.loads(chunk)
        lines.append(event["type"])
        if event["type"] == "ADDED":
            router.handle(http("DELETE", f"{PODS}/watched", admin, gracePeriodSeconds="0"))
        if event["type"] == "DELETED":
            break
    assert lines[0] == "ADDED" and lines[-1] == "DELETED"
    assert set(lines) <= {"ADDED", "MODIFIED", "DELETED"}


def test_timeout_seconds_ends_the_watch_in_simulated_time(router, admin, cluster):
    rv = body(router.handle(http("GET", "/api/v1/nodes", admin)))["metadata"]["resourceVersion"]
    start = cluster.now
    watched = router.handle(http("GET", "/api/v1/namespaces", admin, watch="1",
                                 resourceVersion=rv, timeoutSeconds="1"))
    assert list(watched.stream) == []
    assert cluster.now - start >= 1.0


@pytest.mark.parametrize("method, path, payload, code, reason", [
    ("GET", f"{PODS}/nothing", None, 404, "NotFound"),
    ("POST", "/api/v1/namespaces", {"metadata": {"name": "default"}}, 409, "AlreadyExists"),
    ("POST", PODS, {"metadata": {"name": "bad"}, "spec": {"containers": []}}, 422, "Invalid"),
])
def test_api_errors_are_status_bodies(router, admin, method, path, payload, code, reason):
    data = json.dumps(payload).encode() if payload is not None else b""
    response = router.handle(http(method, path, admin, body=data))
    status = body(response)
    assert response.status == code == status["code"]
    assert (status["kind"], status["apiVersion"], status["status"]) == ("Status", "v1",
                                                                        "Failure")
    assert status["reason"] == reason and status["metadata"] == {}


def test_not_found_status_names_the_resource_in_details(router, admin):
    status = body(router.handle(http("GET", f"{PODS}/nothing", admin)))
    assert status["message"] == 'pods "nothing" not found'
    assert status["details"] == {"name": "nothing", "kind": "pods"}


def test_invalid_status_lists_its_field_errors_as_causes(router, admin):
    pod = {"metadata": {"name": "bad"}, "spec": {"containers": []}}
    status = body(router.handle(http("POST", PODS, admin, body=json.dumps(pod).encode())))
    assert status["details"]["kind"] == "Pod" and status["details"]["name"] == "bad"
    assert {"field": "spec.containers", "reason": "FieldValueRequired",
            "message": "Required value"} in status["details"]["causes"]


def test_a_user_without_rbac_gets_403_forbidden(router, admin):
    response = router.handle(http("GET", PODS, admin, headers={"Impersonate-User": "jane"}))
    status = body(response)
    assert response.status == 403 and status["reason"] == "Forbidden"
    assert status["message"] == ('pods is forbidden: User "jane" cannot list resource "pods" '
                                 'in API group "" in the namespace "default"')
    assert status["details"] == {"kind": "pods"}


def test_an_unauthenticated_request_for_pods_is_403_for_system_anonymous(router):
    response = router.handle(http("GET", PODS))
    assert response.status == 403
    assert 'User "system:anonymous"' in body(response)["message"]


def test_version_and_health_answer_anyone(router):
    version = body(router.handle(http("GET", "/version")))
    assert (version["gitVersion"], version["major"], version["minor"]) == ("v1.35.0", "1",
                                                                           "35")
    for path in ("/healthz", "/livez", "/readyz"):
        response = router.handle(http("GET", path))
        assert (response.status, response.body) == (200, b"ok")


def test_a_token_that_does_not_verify_is_401(router):
    response = router.handle(http("GET", PODS, Credentials(token="not-a-token")))
    status = body(response)
    assert (response.status, status["reason"], status["message"]) == (401, "Unauthorized",
                                                                      "Unauthorized")


def test_a_watch_the_user_may_not_open_ends_with_a_403_error_event(router):
    # Simplified: upstream refuses before streaming (an HTTP 403); the simulated server's
    # watch refuses with an ERROR event on the opened stream.
    response = router.handle(http("GET", PODS, watch="true", timeoutSeconds="5"))
    [event] = [json.loads(chunk) for chunk in response.stream]
    assert (event["type"], event["object"]["code"]) == ("ERROR", 403)


def test_impersonated_groups_reach_the_api_server(router, admin, runner):
    headers = {"Impersonate-User": "jane", "Impersonate-Group": "system:masters, devs"}
    response = router.handle(http("GET", PODS, admin, headers=headers))
    assert response.status == 200
    assert runner.requests[-1][1] == ("jane", ("system:masters", "devs"))


def test_deleting_a_configmap_answers_a_success_status_naming_it(router, admin):
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}}
    uid = body(router.handle(http("POST", "/api/v1/namespaces/default/configmaps", admin,
                                  body=json.dumps(cm).encode())))["metadata"]["uid"]
    response = router.handle(http("DELETE", "/api/v1/namespaces/default/configmaps/settings",
                                  admin, body=b'{"propagationPolicy":"Background"}'))
    assert response.status == 200
    assert body(response) == {"kind": "Status", "apiVersion": "v1", "metadata": {},
                              "status": "Success",
                              "details": {"name": "settings", "kind": "configmaps",
                                          "uid": uid}}


def test_a_health_check_with_a_bad_token_is_401(router):
    response = router.handle(http("GET", "/healthz", Credentials(token="not-a-token")))
    assert response.status == 401 and body(response)["reason"] == "Unauthorized"


def test_a_verbose_health_check_lists_its_checks(router):
    response = router.handle(http("GET", "/readyz", verbose=""))
    lines = response.body.decode().splitlines()
    assert response.status == 200
    assert "[+]etcd ok" in lines and lines[-1] == "readyz check passed"

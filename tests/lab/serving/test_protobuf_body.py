"""Protobuf request bodies: what real kubectl sent (captured bytes), decoded into the JSON objects
the API server takes, then created through the router; malformed bytes are a 400."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from k8slab.errors import BadRequestError
from k8slab.lab.serving.protobuf_body import (
    MAGIC,
    ProtobufError,
    _duration,
    _time,
    decode_protobuf,
    schema,
)
from k8slab.lab.serving.request_body import decode_body
from tests.lab.serving.http_requests import http

CAPTURED = json.loads((Path(__file__).parent / "kubectl_protobuf_bodies.json").read_text())
PROTOBUF = "application/vnd.kubernetes.protobuf"


def captured(name: str) -> bytes:
    return bytes.fromhex(CAPTURED["bodies"][name]["body"])


@pytest.mark.parametrize("name, expected", [
    ("deployment", {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "api", "labels": {"app": "api"}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "api"}},
                 "template": {"metadata": {"labels": {"app": "api"}},
                              "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27",
                                                       "ports": [{"containerPort": 80}],
                                                       "resources": {}}]}},
                 "strategy": {}},
        "status": {}}),
    ("review", {
        "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
        "metadata": {}, "status": {},
        "spec": {"resourceAttributes": {"namespace": "default", "verb": "delete",
                                        "resource": "nodes"}}}),
    ("secret", {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                "data": {"p": "cQ=="}}),  # bytes values are base64 in JSON
    ("service", {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "api", "labels": {"app": "api"}},
        "spec": {"ports": [{"name": "80-80", "protocol": "TCP", "port": 80, "targetPort": 80}],
                 "selector": {"app": "api"}, "type": "ClusterIP"},
        "status": {"loadBalancer": {}}}),
    ("rolebinding", {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "rb"},
        "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "jane"}],
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                    "name": "reader"}}),
])
def test_kubectls_protobuf_bodies_decode_to_its_objects(name, expected):
    assert decode_protobuf(captured(name)) == expected


def test_a_pointer_field_keeps_its_zero_and_a_plain_field_drops_it():
    deployment = schema()["messages"]["k8s.io.api.apps.v1.DeploymentSpec"]
    assert deployment["1"] == ["replicas", "int32", False, True]  # *int32
    assert deployment["5"] == ["minReadySeconds", "int32", False, False]  # int32
    # spec {replicas: 0 (field 1, varint 0), minReadySeconds: 0 (field 5, varint 0)}
    spec = bytes([0x08, 0x00, 0x28, 0x00])
    body = (MAGIC + _unknown("apps/v1", "Deployment", bytes([0x12, len(spec)]) + spec))
    assert decode_protobuf(body)["spec"] == {"replicas": 0}


def _unknown(api_version: str, kind: str, raw: bytes) -> bytes:
    """A runtime.Unknown: typeMeta (1) {apiVersion (1), kind (2)}, raw (2)."""
    type_meta = (bytes([0x0A, len(api_version)]) + api_version.encode()
                 + bytes([0x12, len(kind)]) + kind.encode())
    return bytes([0x0A, len(type_meta)]) + type_meta + bytes([0x12, len(raw)]) + raw


def test_delete_options_of_any_group_version_decode():
    # DeleteOptions {gracePeriodSeconds (1): 0, propagationPolicy (4): "Foreground"}
    raw = bytes([0x08, 0x00, 0x22, 10]) + b"Foreground"
    options = decode_protobuf(MAGIC + _unknown("apps/v1", "DeleteOptions", raw))
    assert options == {"apiVersion": "apps/v1", "kind": "DeleteOptions",
                       "gracePeriodSeconds": 0, "propagationPolicy": "Foreground"}


def test_times_and_durations_read_as_upstreams_json_writes_them():
    assert _time({1: [1767225600], 2: [0]}) == "2026-01-01T00:00:00Z"
    assert _time({1: [1767225600], 2: [123456789]}, micro=True) == (
        "2026-01-01T00:00:00.123456Z")
    assert _time({}) is None  # the zero time is null
    assert [_duration({1: [n]}) for n in (0, 1_500_000, 90_000_000_000, 3_723_500_000_000)] \
        == ["0s", "1.5ms", "1m30s", "1h2m3.5s"]


@pytest.mark.parametrize("body, words", [
    (b"{}", "provided data does not appear to be a protobuf message, expected prefix "
            "[107, 56, 115, 0]"),
    (MAGIC + b"\x0a\x40", "unexpected EOF"),
    (MAGIC + b"\x0b", "proto: illegal wireType 3"),
])
def test_malformed_protobuf_is_400_naming_the_problem(body, words):
    with pytest.raises(BadRequestError) as error:
        decode_body(body, PROTOBUF, "Pod")
    assert error.value.message.startswith("the object provided is unrecognized (must be of "
                                          "type Pod): " + words)


def test_a_kind_k8slab_does_not_model_is_400():
    with pytest.raises(BadRequestError, match='no kind "CronJob" is registered for version '
                                              '"batch/v1"'):
        decode_protobuf(MAGIC + _unknown("batch/v1", "CronJob", b""))


def test_protobuf_error_is_no_k8slab_error_until_decode_body_words_it():
    with pytest.raises(ProtobufError):
        decode_protobuf(b"")


def test_kubectls_protobuf_creates_go_through_the_router(router, admin):
    for name in ("namespace", "job", "deployment"):
        sent = CAPTURED["bodies"][name]
        response = router.handle(http("POST", sent["path"], admin, body=captured(name),
                                      headers={"Content-Type": PROTOBUF}))
        assert response.status == 201, response.body
    review = router.handle(http("POST", CAPTURED["bodies"]["review"]["path"], admin,
                                body=captured("review"), headers={"Content-Type": PROTOBUF}))
    assert json.loads(review.body)["status"]["allowed"] is True

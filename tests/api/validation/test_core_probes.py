"""Probe validation with upstream's messages (validation.go validateProbe, validateHandler)."""

import pytest

from k8slab.api.defaults import apply_defaults
from k8slab.api.validation import field_errors
from k8slab.api.validation.core_probes import port_name_errors

EXEC = {"exec": {"command": ["cat", "/tmp/healthy"]}}


def messages(pod, container_changes: dict, init: bool = False) -> list[str]:
    container = {"name": "probed", "image": "busybox", **container_changes}
    if init:
        obj = pod(initContainers=[container])
    else:
        obj = pod(containers=[container])
    return [str(error) for error in field_errors(apply_defaults(obj))]


def test_the_docs_liveness_examples_are_valid(pod):
    for probe in (EXEC, {"httpGet": {"path": "/healthz", "port": 8080}},
                  {"tcpSocket": {"port": 8080}}, {"grpc": {"port": 2379}}):
        assert messages(pod, {"livenessProbe": dict(probe, initialDelaySeconds=5)}) == []


def test_a_probe_needs_a_handler(pod):
    assert messages(pod, {"readinessProbe": {"periodSeconds": 5}}) == [
        "spec.containers[0].readinessProbe: Required value: must specify a handler type"]


def test_only_one_handler_the_second_one_is_named(pod):
    probe = {**EXEC, "tcpSocket": {"port": 80}, "grpc": {"port": 9000}}
    assert messages(pod, {"livenessProbe": probe}) == [
        "spec.containers[0].livenessProbe.tcpSocket: Forbidden: "
        "may not specify more than 1 handler type",
        "spec.containers[0].livenessProbe.grpc: Forbidden: "
        "may not specify more than 1 handler type",
    ]


@pytest.mark.parametrize("kind", ["livenessProbe", "startupProbe"])
def test_success_threshold_must_be_1_for_liveness_and_startup(pod, kind):
    assert messages(pod, {kind: {**EXEC, "successThreshold": 2}}) == [
        f"spec.containers[0].{kind}.successThreshold: Invalid value: 2: must be 1"]


def test_readiness_may_need_several_successes(pod):
    assert messages(pod, {"readinessProbe": {**EXEC, "successThreshold": 2}}) == []


def test_negative_seconds_and_thresholds(pod):
    probe = {**EXEC, "initialDelaySeconds": -1, "timeoutSeconds": -2, "periodSeconds": -3,
             "failureThreshold": -4, "terminationGracePeriodSeconds": 0}
    path = "spec.containers[0].livenessProbe"
    assert messages(pod, {"livenessProbe": probe}) == [
        f"{path}.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0",
        f"{path}.timeoutSeconds: Invalid value: -2: must be greater than or equal to 0",
        f"{path}.periodSeconds: Invalid value: -3: must be greater than or equal to 0",
        f"{path}.failureThreshold: Invalid value: -4: must be greater than or equal to 0",
        f"{path}.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0",
    ]


def test_handler_fields(pod):
    path = "spec.containers[0].livenessProbe"
    assert messages(pod, {"livenessProbe": {"exec": {"command": []}}}) == [
        f"{path}.exec.command: Required value"]
    http = {"httpGet": {"port": 0, "scheme": "FTP", "path": "/"}}
    assert messages(pod, {"livenessProbe": http}) == [
        f"{path}.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive",
        f'{path}.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"',
    ]
    assert messages(pod, {"livenessProbe": {"tcpSocket": {"port": 70000}}}) == [
        f"{path}.tcpSocket.port: Invalid value: 70000: must be between 1 and 65535, inclusive"]
    assert messages(pod, {"livenessProbe": {"grpc": {"port": -1}}}) == [
        f"{path}.grpc.port: Invalid value: -1: must be between 1 and 65535, inclusive"]
    assert messages(pod, {"livenessProbe": {"tcpSocket": {"port": "Web--"}}}) == [
        f'{path}.tcpSocket.port: Invalid value: "Web--": must contain only alpha-numeric '
        "characters (a-z, 0-9), and hyphens (-)",
        f'{path}.tcpSocket.port: Invalid value: "Web--": must not contain consecutive hyphens',
        f'{path}.tcpSocket.port: Invalid value: "Web--": must not begin or end with a hyphen',
    ]


@pytest.mark.parametrize(("name", "expected"), [
    ("http", []),
    ("liveness-port", []),
    ("a-very-long-port-name", ["must be no more than 15 characters"]),
    ("8080", ["must contain at least one letter (a-z)"]),
    ("-x", ["must not begin or end with a hyphen"]),
])
def test_port_names(name, expected):
    assert port_name_errors(name) == expected


def test_a_regular_init_container_may_have_no_probe(pod):
    changes = {"readinessProbe": EXEC, "livenessProbe": EXEC, "startupProbe": EXEC}
    path = "spec.initContainers[0]"
    detail = "Forbidden: may not be set for init containers without restartPolicy=Always"
    assert messages(pod, changes, init=True) == [
        f"{path}.livenessProbe: {detail}", f"{path}.readinessProbe: {detail}",
        f"{path}.startupProbe: {detail}"]


def test_a_sidecar_may_have_probes_and_they_are_checked(pod):
    sidecar = {"restartPolicy": "Always", "readinessProbe": EXEC,
               "startupProbe": {**EXEC, "successThreshold": 3}}
    assert messages(pod, sidecar, init=True) == [
        "spec.initContainers[0].startupProbe.successThreshold: Invalid value: 3: must be 1"]


def test_a_probe_field_of_the_wrong_type_fails_at_decoding(pod):
    from k8slab.api.decoding import decode
    from k8slab.errors import BadRequestError

    obj = pod(containers=[{"name": "web", "image": "nginx",
                           "livenessProbe": {"exec": {"command": "cat"}}}])
    with pytest.raises(BadRequestError, match="livenessProbe.exec.command"):
        decode(obj)

"""Defaults of a PodSpec and its containers, wherever a PodSpec sits: in a Pod or in a template.

kubernetes pkg/apis/core/v1/defaults.go: SetDefaults_PodSpec, _Container and _ContainerPort
apply to every PodSpec, also inside a Deployment's or Job's pod template; SetDefaults_Pod (a
limit with no request becomes the request) applies to Pods only, so a template keeps what its
author wrote there. A pod's priority is not a default: the Priority admission plugin sets it.
"""

from __future__ import annotations

import copy

DEFAULT_SCHEDULER = "default-scheduler"
# core/v1 types.go: DefaultTerminationGracePeriodSeconds, TerminationMessagePathDefault.
DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30
TERMINATION_MESSAGE_PATH = "/dev/termination-log"

_POD_SPEC_DEFAULTS = {
    "restartPolicy": "Always",
    "dnsPolicy": "ClusterFirst",
    "terminationGracePeriodSeconds": DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
    "schedulerName": DEFAULT_SCHEDULER,
    "enableServiceLinks": True,
}
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
# defaults.go SetDefaults_Probe: each field left at 0 (or absent) takes these values;
# initialDelaySeconds stays 0.
_PROBE_DEFAULTS = {
    "timeoutSeconds": 1,
    "periodSeconds": 10,
    "successThreshold": 1,
    "failureThreshold": 3,
}


def mapping(parent: dict, field: str) -> dict | None:
    """parent[field] as a dict to fill in (created when absent or null); None if it is not one."""
    if parent.get(field) is None:
        parent[field] = {}
    value = parent[field]
    return value if isinstance(value, dict) else None


def dicts_in(items: object) -> list[dict]:
    """The mappings in a list field; nothing when the field is not a list (validation says so)."""
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def default_pod_spec(spec: dict, *, pod: bool) -> None:
    """Fill in a PodSpec's defaults in place; `pod` is False for a workload's pod template."""
    for field, value in _POD_SPEC_DEFAULTS.items():
        spec.setdefault(field, value)
    for key in ("initContainers", "containers"):
        for container in dicts_in(spec.get(key)):
            _default_container(container, pod=pod)


def _default_container(container: dict, *, pod: bool) -> None:
    if not container.get("imagePullPolicy"):
        always = image_tag(container.get("image", "")) == "latest"
        container["imagePullPolicy"] = "Always" if always else "IfNotPresent"
    if not container.get("terminationMessagePath"):
        container["terminationMessagePath"] = TERMINATION_MESSAGE_PATH
    if not container.get("terminationMessagePolicy"):
        container["terminationMessagePolicy"] = "File"
    for field in PROBES:
        if isinstance(container.get(field), dict):
            _default_probe(container[field])
    for port in dicts_in(container.get("ports")):
        if not port.get("protocol"):
            port["protocol"] = "TCP"
    resources = container.get("resources")
    limits = resources.get("limits") if isinstance(resources, dict) and pod else None
    if isinstance(limits, dict):
        # SetDefaults_Pod: a limit with no matching request becomes the request.
        requests = mapping(resources, "requests")
        if requests is not None:
            for name, limit in limits.items():
                requests.setdefault(name, copy.deepcopy(limit))


def _default_probe(probe: dict) -> None:
    """SetDefaults_Probe, SetDefaults_HTTPGetAction (path "/", scheme HTTP) and the generated
    default of GRPCAction.service ("", zz_generated.defaults.go from its `+default=""` tag)."""
    for field, value in _PROBE_DEFAULTS.items():
        if not probe.get(field):
            probe[field] = value
    http_get = probe.get("httpGet")
    if isinstance(http_get, dict):
        if not http_get.get("path"):
            http_get["path"] = "/"
        if not http_get.get("scheme"):
            http_get["scheme"] = "HTTP"
    grpc = probe.get("grpc")
    if isinstance(grpc, dict) and grpc.get("service") is None:
        grpc["service"] = ""


def image_tag(image: str) -> str:
    """The tag of an image reference, "latest" when neither tag nor digest is given.

    "nginx" is "latest", "nginx:1.27" is "1.27", "registry:5000/app" is "latest", and
    "nginx@sha256:..." is "" (pinned by digest). Follows kubelet's parsers.ParseImageName.
    """
    if not isinstance(image, str) or not image:
        return ""
    name, _, digest = image.partition("@")
    last_part = name.rsplit("/", 1)[-1]
    if ":" in last_part:
        return last_part.rsplit(":", 1)[1]
    return "" if digest else "latest"

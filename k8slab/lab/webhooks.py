"""Admission webhooks written in Python: deploy one, and build what registers it.

`run_webhook_server` packs the reader's handler into an image, as `docker build` and `kind
load docker-image` would (the image is present on every node, nothing is pulled), runs it as
a Deployment behind a Service on port 443, and waits until the Service has a ready endpoint.
`mutating_webhook_configuration` and `validating_webhook_configuration` build the objects
that tell the API server to call it; `allowed` and `denied` build a handler's answer.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from k8slab.api.validation.names import dns1035_label_errors
from k8slab.errors import K8sLabError
from k8slab.lab import arguments, components
from k8slab.node.programs.webhook_server import PORT, webhook_program

if TYPE_CHECKING:
    from k8slab.lab.cluster import Cluster

IMAGE_REPOSITORY = "k8slab.local/webhooks"
IMAGE_TAG = "v1"
SERVICE_PORT = 443
READY_LIMIT = 120.0  # simulated seconds to wait for the server's pod to be ready
GROUP = "admissionregistration.k8s.io/v1"


def allowed(patch: list[dict] | None = None, warnings: Sequence[str] = ()) -> dict:
    """A handler's `yes`, with an optional RFC 6902 patch (sent base64-encoded, JSONPatch)."""
    answer: dict = {"allowed": True}
    if patch:
        answer["patchType"] = "JSONPatch"
        answer["patch"] = base64.b64encode(json.dumps(patch).encode()).decode()
    if warnings:
        answer["warnings"] = list(warnings)
    return answer


def denied(message: str, code: int = 403, reason: str = "Forbidden") -> dict:
    """A handler's `no`, as controller-runtime's admission.Denied answers: 403 Forbidden."""
    return {"allowed": False, "status": {"code": code, "reason": reason, "message": message}}


def rule(operations: Sequence[str] = ("CREATE",), resources: Sequence[str] = ("pods",),
         api_groups: Sequence[str] = ("",), api_versions: Sequence[str] = ("v1",)) -> dict:
    """One RuleWithOperations: which operations on which resources the webhook sees."""
    return {"operations": list(operations), "apiGroups": list(api_groups),
            "apiVersions": list(api_versions), "resources": list(resources)}


def _webhook(name: str, service: str, namespace: str, path: str, rules: list[dict] | None,
             failure_policy: str, timeout_seconds: int | None,
             namespace_selector: dict | None, object_selector: dict | None) -> dict:
    hook: dict = {
        "name": name if "." in name else f"{name}.webhooks.k8slab.dev",
        "clientConfig": {"service": {"name": service, "namespace": namespace, "path": path,
                                     "port": SERVICE_PORT}},
        "rules": rules if rules is not None else [rule()],
        "failurePolicy": failure_policy,
        "sideEffects": "None",
        "admissionReviewVersions": ["v1"],
    }
    if timeout_seconds is not None:
        hook["timeoutSeconds"] = timeout_seconds
    if namespace_selector is not None:
        hook["namespaceSelector"] = namespace_selector
    if object_selector is not None:
        hook["objectSelector"] = object_selector
    return hook


def mutating_webhook_configuration(
        name: str, service: str | None = None, *, namespace: str = "default", path: str = "/",
        rules: list[dict] | None = None, failure_policy: str = "Fail",
        timeout_seconds: int | None = None, namespace_selector: dict | None = None,
        object_selector: dict | None = None, reinvocation_policy: str | None = None) -> dict:
    """A MutatingWebhookConfiguration `name` with one webhook, served by Service `service`
    (default: `name`) in `namespace`; by default it sees pod CREATEs and fails closed."""
    hook = _webhook(name, service or name, namespace, path, rules, failure_policy,
                    timeout_seconds, namespace_selector, object_selector)
    if reinvocation_policy is not None:
        hook["reinvocationPolicy"] = reinvocation_policy
    return {"apiVersion": GROUP, "kind": "MutatingWebhookConfiguration",
            "metadata": {"name": name}, "webhooks": [hook]}


def validating_webhook_configuration(
        name: str, service: str | None = None, *, namespace: str = "default", path: str = "/",
        rules: list[dict] | None = None, failure_policy: str = "Fail",
        timeout_seconds: int | None = None, namespace_selector: dict | None = None,
        object_selector: dict | None = None) -> dict:
    """A ValidatingWebhookConfiguration `name` with one webhook, as the mutating one."""
    hook = _webhook(name, service or name, namespace, path, rules, failure_policy,
                    timeout_seconds, namespace_selector, object_selector)
    return {"apiVersion": GROUP, "kind": "ValidatingWebhookConfiguration",
            "metadata": {"name": name}, "webhooks": [hook]}


def server_manifests(name: str, namespace: str, replicas: int) -> list[dict]:
    """The Deployment running the webhook image and the Service in front of it (443 -> 8443)."""
    labels = {"app": name}
    container = {"name": "webhook", "image": f"{IMAGE_REPOSITORY}/{name}:{IMAGE_TAG}",
                 "ports": [{"containerPort": PORT, "name": "webhook"}]}
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels},
                              "spec": {"containers": [container]}}},
    }
    service = {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {"selector": labels,
                 "ports": [{"port": SERVICE_PORT, "targetPort": PORT, "name": "webhook"}]},
    }
    return [deployment, service]


def _ready_endpoints(cluster: Cluster, name: str, namespace: str) -> int:
    listed = components.cached_list(cluster.network, cluster.control_planes[0], "endpointslices")
    if listed is None:
        return 0
    return sum(1 for s in listed[0]
               if s["metadata"].get("namespace") == namespace
               and s["metadata"].get("labels", {}).get("kubernetes.io/service-name") == name
               for e in s.get("endpoints") or [] if e.get("conditions", {}).get("ready"))


def run_webhook_server(cluster: Cluster, name: str, handler: Callable[[dict], object], *,
                       namespace: str = "default", latency: float = 0.002,
                       replicas: int = 1) -> str:
    """Deploy `handler` as a webhook server (Deployment and Service `name` in `namespace`)
    and wait until it answers; returns the Service's DNS name, `<name>.<namespace>.svc`."""
    name = arguments.text(name, "name", "a Service name such as \"label-adder\"")
    problems = dns1035_label_errors(name)
    if problems:
        raise K8sLabError(f"name {name!r} must be a valid Service name: {problems[0]}")
    namespace = arguments.text(namespace, "namespace")
    if not callable(handler):
        raise K8sLabError("handler must be a function taking an AdmissionReview's request "
                          f"(a dict) and returning a response, got {arguments.shown(handler)}")
    latency = arguments.number(latency, "latency", low=0, high=60, unit=" seconds")
    replicas = int(arguments.number(replicas, "replicas", low=1, high=10))
    program = webhook_program(handler, latency)
    for host in cluster.network.hosts():
        host.programs[f"{IMAGE_REPOSITORY}/{name}"] = program
    cluster.apply(server_manifests(name, namespace, replicas))
    deadline = cluster.now + READY_LIMIT
    while _ready_endpoints(cluster, name, namespace) < replicas:
        if cluster.now >= deadline:
            raise K8sLabError(f"the webhook server {namespace}/{name} was not ready in "
                              f"{READY_LIMIT:g} s")
        cluster.run(0.5)
    cluster.run(2.0)  # kube-proxy's next sync writes the Service's rules on every node
    return f"{name}.{namespace}.svc"

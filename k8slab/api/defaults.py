"""Upstream's defaults for the fields k8slab models, filled in the way the API server fills them.

Field defaults follow kubernetes pkg/apis/core/v1/defaults.go (SetDefaults_Pod, _PodSpec,
_Container, _ContainerPort, _NodeStatus, _NamespaceStatus); the namespace default is what
kubectl sends for the "default" context. Admission adds the DefaultTolerationSeconds
tolerations separately (plugin/pkg/admission/defaulttolerationseconds), see default_tolerations.
"""

from __future__ import annotations

import copy

from k8slab.api.decoding import decode
from k8slab.api.kinds import kind_info
from k8slab.api.validation.shape import check_shape

DEFAULT_NAMESPACE = "default"
DEFAULT_SCHEDULER = "default-scheduler"
# core/v1 types.go: DefaultTerminationGracePeriodSeconds, TerminationMessagePathDefault.
DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30
TERMINATION_MESSAGE_PATH = "/dev/termination-log"
# defaulttolerationseconds admission: --default-not-ready/unreachable-toleration-seconds.
DEFAULT_TOLERATION_SECONDS = 300
NOT_READY_TAINT = "node.kubernetes.io/not-ready"
UNREACHABLE_TAINT = "node.kubernetes.io/unreachable"

_POD_SPEC_DEFAULTS = {
    "restartPolicy": "Always",
    "dnsPolicy": "ClusterFirst",
    "terminationGracePeriodSeconds": DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
    "schedulerName": DEFAULT_SCHEDULER,
    "enableServiceLinks": True,
    # The Priority admission plugin sets 0 when no PriorityClass applies.
    "priority": 0,
}


def apply_defaults(obj: dict) -> dict:
    """A copy of a manifest, decoded as the API server decodes it, with upstream's defaults.

    The input is never changed; values already present are kept, so applying defaults twice
    changes nothing. Raises as decoding does (BadRequestError) for an object that does not decode.
    """
    check_shape(obj)
    info = kind_info(obj["kind"], obj["apiVersion"])
    result = decode(obj)
    metadata = _mapping(result, "metadata")
    if metadata is not None and info.namespaced:
        if not metadata.get("namespace"):
            metadata["namespace"] = DEFAULT_NAMESPACE
    elif metadata is not None:
        # The API server clears the namespace of a cluster-scoped object
        # (apiserver pkg/registry/rest/create.go EnsureObjectNamespaceMatchesRequestNamespace).
        metadata.pop("namespace", None)
    spec = _mapping(result, "spec") if info.kind != "Event" else None  # an Event has no spec
    if info.kind == "Pod" and spec is not None:
        _default_pod_spec(spec)
    if info.kind == "Node":
        _default_node_status(result)
    if info.kind == "Namespace":
        status = _mapping(result, "status")
        if status is not None:
            status.setdefault("phase", "Active")
    return result


def _mapping(parent: dict, field: str) -> dict | None:
    """parent[field] as a dict to fill in (created when absent or null); None if it is not one."""
    if parent.get(field) is None:
        parent[field] = {}
    value = parent[field]
    return value if isinstance(value, dict) else None


def _dicts_in(items: object) -> list[dict]:
    """The mappings in a list field; nothing when the field is not a list (validation says so)."""
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _default_pod_spec(spec: dict) -> None:
    for field, value in _POD_SPEC_DEFAULTS.items():
        spec.setdefault(field, value)
    for key in ("initContainers", "containers"):
        for container in _dicts_in(spec.get(key)):
            _default_container(container)


def _default_container(container: dict) -> None:
    if not container.get("imagePullPolicy"):
        always = image_tag(container.get("image", "")) == "latest"
        container["imagePullPolicy"] = "Always" if always else "IfNotPresent"
    if not container.get("terminationMessagePath"):
        container["terminationMessagePath"] = TERMINATION_MESSAGE_PATH
    if not container.get("terminationMessagePolicy"):
        container["terminationMessagePolicy"] = "File"
    for port in _dicts_in(container.get("ports")):
        if not port.get("protocol"):
            port["protocol"] = "TCP"
    resources = container.get("resources")
    limits = resources.get("limits") if isinstance(resources, dict) else None
    if isinstance(limits, dict):
        # SetDefaults_Pod: a limit with no matching request becomes the request.
        requests = _mapping(resources, "requests")
        if requests is not None:
            for name, limit in limits.items():
                requests.setdefault(name, copy.deepcopy(limit))


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


def _default_node_status(node: dict) -> None:
    status = node.get("status")
    if isinstance(status, dict) and "allocatable" not in status and "capacity" in status:
        # SetDefaults_NodeStatus: with no allocatable reported, all capacity is allocatable.
        status["allocatable"] = copy.deepcopy(status["capacity"])


def _tolerates(tolerations: list, taint_key: str) -> bool:
    # An empty key matches every key, an empty effect every effect.
    return any(
        t.get("key") in (None, "", taint_key) and t.get("effect") in (None, "", "NoExecute")
        for t in tolerations
    )


def default_tolerations(pod: dict) -> list:
    """The pod's tolerations plus DefaultTolerationSeconds' two, unless the pod has its own.

    Adds not-ready and unreachable, operator Exists, effect NoExecute, tolerationSeconds 300:
    a pod stays bound to an unhealthy node for 5 minutes before eviction. Returns a new list.
    """
    tolerations = copy.deepcopy(_dicts_in((pod.get("spec") or {}).get("tolerations")))
    added = [
        {
            "key": key,
            "operator": "Exists",
            "effect": "NoExecute",
            "tolerationSeconds": DEFAULT_TOLERATION_SECONDS,
        }
        for key in (NOT_READY_TAINT, UNREACHABLE_TAINT)
        if not _tolerates(tolerations, key)
    ]
    return tolerations + added

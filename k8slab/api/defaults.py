"""Upstream's defaults for the fields k8slab models, filled in the way the API server fills them.

Field defaults follow kubernetes pkg/apis/core/v1/defaults.go (SetDefaults_Pod, _PodSpec,
_Container, _ContainerPort, _NodeStatus, _NamespaceStatus; PodSpecs in defaults_pod), the
workload kinds' in defaults_workloads (apps/v1, batch/v1, ReplicationController), a Service's
in defaults_service; the namespace default is what kubectl sends for the "default" context.
Admission adds what upstream's admission plugins add (tolerations, priority): see
k8slab/apiserver/admission.
"""

from __future__ import annotations

import base64
import copy

from k8slab.api.custom_kinds import default_crd
from k8slab.api.decoding import decode
from k8slab.api.defaults_admissionregistration import default_webhook_configuration
from k8slab.api.defaults_pod import default_pod_spec, image_tag, mapping
from k8slab.api.defaults_quota import default_limit_range
from k8slab.api.defaults_rbac import default_subjects
from k8slab.api.defaults_service import default_endpoint_slice, default_service
from k8slab.api.defaults_workloads import WORKLOAD_DEFAULTS
from k8slab.api.kinds import kind_info
from k8slab.api.validation.shape import check_shape

__all__ = ["apply_defaults", "image_tag"]

DEFAULT_NAMESPACE = "default"
NO_SPEC_KINDS = ("Event", "ConfigMap", "EndpointSlice", "MutatingWebhookConfiguration",
                 "ValidatingWebhookConfiguration", "PriorityClass", "Role", "ClusterRole",
                 "RoleBinding", "ClusterRoleBinding", "ServiceAccount", "Secret")


def apply_defaults(obj: dict) -> dict:
    """A copy of a manifest, decoded as the API server decodes it, with upstream's defaults.

    The input is never changed; values already present are kept, so applying defaults twice
    changes nothing. Raises as decoding does (BadRequestError) for an object that does not decode.
    """
    check_shape(obj)
    info = kind_info(obj["kind"], obj["apiVersion"])
    result = decode(obj)
    metadata = mapping(result, "metadata")
    if metadata is not None and info.namespaced:
        if not metadata.get("namespace"):
            metadata["namespace"] = DEFAULT_NAMESPACE
    elif metadata is not None:
        # The API server clears the namespace of a cluster-scoped object
        # (apiserver pkg/registry/rest/create.go EnsureObjectNamespaceMatchesRequestNamespace).
        metadata.pop("namespace", None)
    # Events, ConfigMaps, EndpointSlices, PriorityClasses, RBAC objects and ServiceAccounts
    # have no spec.
    spec = mapping(result, "spec") if info.kind not in NO_SPEC_KINDS else None
    if info.kind == "Pod" and spec is not None:
        default_pod_spec(spec, pod=True)
    if info.qualified_kind in WORKLOAD_DEFAULTS and spec is not None:
        WORKLOAD_DEFAULTS[info.qualified_kind](result, spec)
    if info.kind == "Service" and spec is not None:
        default_service(result, spec)
    if info.kind == "EndpointSlice":
        default_endpoint_slice(result)
    if info.kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
        default_webhook_configuration(result, mutating=info.kind.startswith("Mutating"))
    if info.kind in ("RoleBinding", "ClusterRoleBinding"):
        default_subjects(result)
    if info.kind == "Node":
        _default_node_status(result)
    if info.kind == "LimitRange":
        default_limit_range(result)
    if info.kind == "PriorityClass":  # scheduling/v1 SetDefaults_PriorityClass
        result.setdefault("preemptionPolicy", "PreemptLowerPriority")
    if info.kind == "CustomResourceDefinition":
        default_crd(result)
    if info.kind == "Secret":
        _default_secret(result)
    if info.kind == "Namespace":
        status = mapping(result, "status")
        if status is not None:
            status.setdefault("phase", "Active")
    return result


def _default_node_status(node: dict) -> None:
    status = node.get("status")
    if isinstance(status, dict) and "allocatable" not in status and "capacity" in status:
        # SetDefaults_NodeStatus: with no allocatable reported, all capacity is allocatable.
        status["allocatable"] = copy.deepcopy(status["capacity"])


def _default_secret(secret: dict) -> None:
    # SetDefaults_Secret: type Opaque; the v1 conversion merges stringData into data (as
    # base64) and drops it, stringData winning over data for the same key.
    if not secret.get("type"):
        secret["type"] = "Opaque"
    strings = secret.pop("stringData", None) or {}
    if strings:
        data = secret.setdefault("data", {})
        data.update({k: base64.b64encode(str(v).encode()).decode() for k, v in strings.items()})

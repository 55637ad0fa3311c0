"""The core API group (apiVersion v1): which kinds it validates, and with which check.

Pods, Nodes, ReplicationControllers, Services, ConfigMaps, LimitRanges and ResourceQuotas
have checks of their own (core_pod, core_node, core_template, core_service, core_configmap,
core_quota; Events are in events);
a Namespace is checked by its metadata alone, as kubernetes pkg/apis/core/validation
ValidateNamespace does for what we model.
"""

from __future__ import annotations

from collections.abc import Callable

from k8slab.api.validation.core_configmap import config_map_errors
from k8slab.api.validation.core_node import node_errors
from k8slab.api.validation.core_pod import pod_errors
from k8slab.api.validation.core_quota import limit_range_errors, resource_quota_errors
from k8slab.api.validation.core_secret import secret_errors
from k8slab.api.validation.core_service import service_errors
from k8slab.api.validation.core_serviceaccount import service_account_errors
from k8slab.api.validation.core_template import replication_controller_errors
from k8slab.api.validation.field import FieldError


def namespace_errors(obj: dict) -> list[FieldError]:
    """A Namespace's spec and status hold nothing to check: its name is checked as metadata."""
    return []


CORE_CHECKS: dict[str, Callable[[dict], list[FieldError]]] = {
    "Pod": pod_errors,
    "Node": node_errors,
    "Namespace": namespace_errors,
    "ReplicationController": replication_controller_errors,
    "Service": service_errors,
    "ConfigMap": config_map_errors,
    "LimitRange": limit_range_errors,
    "ResourceQuota": resource_quota_errors,
    "ServiceAccount": service_account_errors,
    "Secret": secret_errors,
}

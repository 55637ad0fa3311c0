"""The core API group (apiVersion v1): which kinds it validates, and with which check.

Pods and Nodes have checks of their own (core_pod, core_node); a Namespace is checked by its
metadata alone, as kubernetes pkg/apis/core/validation ValidateNamespace does for what we model.
"""

from __future__ import annotations

from collections.abc import Callable

from k8slab.api.validation.core_node import node_errors
from k8slab.api.validation.core_pod import pod_errors
from k8slab.api.validation.field import FieldError, invalid


def namespace_errors(obj: dict) -> list[FieldError]:
    """A Namespace's spec and status hold nothing to check: its name is checked as metadata."""
    return []


def event_errors(obj: dict) -> list[FieldError]:
    """An Event about a namespaced object lives in that object's namespace (upstream's
    events.go legacyValidateEvent)."""
    involved = obj.get("involvedObject") or {}
    namespace = (obj.get("metadata") or {}).get("namespace", "")
    if involved.get("namespace") and involved["namespace"] != namespace:
        return [invalid("involvedObject.namespace", involved["namespace"],
                        "does not match event.namespace")]
    return []


CORE_CHECKS: dict[str, Callable[[dict], list[FieldError]]] = {
    "Pod": pod_errors,
    "Node": node_errors,
    "Namespace": namespace_errors,
    "Event": event_errors,
}

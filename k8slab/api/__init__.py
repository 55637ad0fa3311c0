"""API objects: the Kubernetes-shaped dicts every component passes around, and their rules.

Quantities, kinds and etcd keys, timestamps, the typed description of each kind (schema) and
decoding into it, defaults, validation, resource sums and YAML manifests. This package is the
foundation: it imports nothing from k8slab but its errors.
"""

from k8slab.api.decoding import decode
from k8slab.api.defaults import apply_defaults
from k8slab.api.kinds import (
    KINDS,
    Kind,
    kind_info,
    object_ref,
    registry_key,
    registry_prefix,
    resource_info,
)
from k8slab.api.labels import selector_matches, set_selector_matches
from k8slab.api.manifests import dump_manifest, load_manifests
from k8slab.api.quantity import (
    cpu_millis,
    format_cpu,
    format_memory,
    memory_bytes,
    parse_quantity,
)
from k8slab.api.resources import node_allocatable, pod_requests
from k8slab.api.timestamps import from_time, to_micro_time, to_time
from k8slab.api.validation import validate, validate_update
from k8slab.api.validation.shape import check_shape

__all__ = [
    "KINDS",
    "Kind",
    "apply_defaults",
    "check_shape",
    "cpu_millis",
    "decode",
    "dump_manifest",
    "format_cpu",
    "format_memory",
    "from_time",
    "kind_info",
    "load_manifests",
    "memory_bytes",
    "node_allocatable",
    "object_ref",
    "parse_quantity",
    "pod_requests",
    "registry_key",
    "registry_prefix",
    "resource_info",
    "selector_matches",
    "set_selector_matches",
    "to_micro_time",
    "to_time",
    "validate",
    "validate_update",
]

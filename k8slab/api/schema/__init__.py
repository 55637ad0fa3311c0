"""A typed description of every kind k8slab models, as the Go structs the API server decodes.

KIND_SCHEMAS maps a kind to its top-level struct; k8slab.api.decoding checks objects against it.
Modules follow upstream's packages: meta/v1, core/v1, coordination/v1.
"""

from __future__ import annotations

from k8slab.api.schema.coordination_v1 import LEASE
from k8slab.api.schema.core_v1 import NAMESPACE, NODE, POD
from k8slab.api.schema.core_v1_event import EVENT
from k8slab.api.schema.types import Struct

KIND_SCHEMAS: dict[str, Struct] = {
    "Pod": POD, "Node": NODE, "Namespace": NAMESPACE, "Lease": LEASE, "Event": EVENT,
}

"""k8s.io/api/scheduling/v1: PriorityClass, the name a pod gives for its priority.

types.go PriorityClass: its fields sit at the top level beside metadata (it has no spec).
"""

from __future__ import annotations

from k8slab.api.schema.meta_v1 import top_level
from k8slab.api.schema.types import BOOL, INT32, STRING, Struct, enum

PRIORITY_CLASS = Struct(
    "v1.PriorityClass",
    {
        **top_level("v1.PriorityClass").fields,
        "value": INT32,
        "globalDefault": BOOL,
        "description": STRING,
        "preemptionPolicy": enum("v1.PreemptionPolicy"),
    },
)

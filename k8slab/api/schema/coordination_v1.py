"""k8s.io/api/coordination/v1: the Lease, renewed by leader election and node heartbeats.

types.go LeaseSpec; a Lease has no status. Times are MicroTime (RFC 3339 with microseconds).
"""

from __future__ import annotations

from k8slab.api.schema.meta_v1 import top_level
from k8slab.api.schema.types import INT32, MICRO_TIME, STRING, Struct, enum

LEASE_SPEC = Struct(
    "v1.LeaseSpec",
    {
        "holderIdentity": STRING,
        "leaseDurationSeconds": INT32,
        "acquireTime": MICRO_TIME,
        "renewTime": MICRO_TIME,
        "leaseTransitions": INT32,
        "strategy": enum("v1.CoordinatedLeaseStrategy"),
        "preferredHolder": STRING,
    },
)

LEASE = top_level("v1.Lease", spec=LEASE_SPEC)

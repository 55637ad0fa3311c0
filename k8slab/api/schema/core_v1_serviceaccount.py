"""k8s.io/api/core/v1 ServiceAccount: an identity for the programs in pods, with every field of
the v1.35 struct (types.go ServiceAccount). Like a ConfigMap it has no spec or status.

`secrets` lists Secrets pods of this account may use (ObjectReferences; upstream no longer
fills it with token Secrets since v1.24), `imagePullSecrets` the pull credentials admission
copies into its pods, and `automountServiceAccountToken` whether pods get an API token.
"""

from __future__ import annotations

from k8slab.api.schema.core_v1_event import OBJECT_REFERENCE
from k8slab.api.schema.meta_v1 import top_level
from k8slab.api.schema.types import BOOL, STRING, ListOf, Struct

LOCAL_OBJECT_REFERENCE = Struct("v1.LocalObjectReference", {"name": STRING})

SERVICE_ACCOUNT = Struct(
    "v1.ServiceAccount",
    {
        **top_level("v1.ServiceAccount").fields,
        "secrets": ListOf(OBJECT_REFERENCE),
        "imagePullSecrets": ListOf(LOCAL_OBJECT_REFERENCE),
        "automountServiceAccountToken": BOOL,
    },
)

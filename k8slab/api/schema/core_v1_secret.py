"""k8s.io/api/core/v1 Secret, with every field of the v1.35 struct.

Like a ConfigMap a Secret has no spec: data holds base64 bytes in JSON, stringData is a
write-only convenience the API server merges into data, type names what the data holds
(Opaque by default; bootstrap.kubernetes.io/token for a bootstrap token), immutable freezes it.
"""

from __future__ import annotations

from k8slab.api.schema.meta_v1 import top_level
from k8slab.api.schema.types import BOOL, STRING, STRING_MAP, MapOf, Struct

SECRET = Struct(
    "v1.Secret",
    {
        **top_level("v1.Secret").fields,
        "immutable": BOOL,
        "data": MapOf(STRING, go="map[string][]uint8"),
        "stringData": STRING_MAP,
        "type": STRING,
    },
)

"""k8s.io/api/discovery/v1: the EndpointSlice, a Service's backends as addresses and ports.

types.go EndpointSlice, Endpoint, EndpointConditions, EndpointHints and EndpointPort. The
EndpointSlice controller writes them; kube-proxy and CoreDNS read them.
"""

from __future__ import annotations

from k8slab.api.schema.meta_v1 import top_level
from k8slab.api.schema.types import BOOL, INT32, STRING, STRING_MAP, STRINGS, ListOf, Struct, enum

OBJECT_REFERENCE = Struct(
    "v1.ObjectReference",
    {"kind": STRING, "namespace": STRING, "name": STRING, "uid": STRING, "apiVersion": STRING,
     "resourceVersion": STRING, "fieldPath": STRING},
)
ENDPOINT_CONDITIONS = Struct(
    "v1.EndpointConditions", {"ready": BOOL, "serving": BOOL, "terminating": BOOL})
ENDPOINT_HINTS = Struct(
    "v1.EndpointHints",
    {"forZones": ListOf(Struct("v1.ForZone", {"name": STRING})),
     "forNodes": ListOf(Struct("v1.ForNode", {"name": STRING}))},
)
ENDPOINT = Struct(
    "v1.Endpoint",
    {
        "addresses": STRINGS,
        "conditions": ENDPOINT_CONDITIONS,
        "hostname": STRING,
        "targetRef": OBJECT_REFERENCE,
        "deprecatedTopology": STRING_MAP,
        "nodeName": STRING,
        "zone": STRING,
        "hints": ENDPOINT_HINTS,
    },
)
ENDPOINT_PORT = Struct(
    "v1.EndpointPort",
    {"name": STRING, "protocol": enum("v1.Protocol"), "port": INT32, "appProtocol": STRING},
)
# An EndpointSlice has no spec: addressType, endpoints and ports sit at the top level.
ENDPOINT_SLICE = Struct(
    "v1.EndpointSlice",
    {
        **top_level("v1.EndpointSlice").fields,
        "addressType": enum("v1.AddressType"),
        "endpoints": ListOf(ENDPOINT),
        "ports": ListOf(ENDPOINT_PORT),
    },
)

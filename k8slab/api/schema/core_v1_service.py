"""k8s.io/api/core/v1: Service and ConfigMap, with every field of the v1.35 structs.

types.go ServiceSpec, ServicePort, ServiceStatus, SessionAffinityConfig and ConfigMap. A
Service's status holds what a cloud controller reports (load balancer ingress); the lab
types it to the leaf so kubectl's EXTERNAL-IP column can read it.
"""

from __future__ import annotations

from k8slab.api.schema.meta_v1 import top_level
from k8slab.api.schema.types import (
    BOOL,
    INT32,
    INT64,
    INT_OR_STRING,
    STRING,
    STRING_MAP,
    STRINGS,
    TIME,
    ListOf,
    MapOf,
    Struct,
    enum,
)

SERVICE_PORT = Struct(
    "v1.ServicePort",
    {
        "name": STRING,
        "protocol": enum("v1.Protocol"),
        "appProtocol": STRING,
        "port": INT32,
        "targetPort": INT_OR_STRING,
        "nodePort": INT32,
    },
)
SESSION_AFFINITY_CONFIG = Struct(
    "v1.SessionAffinityConfig",
    {"clientIP": Struct("v1.ClientIPConfig", {"timeoutSeconds": INT32})},
)
SERVICE_SPEC = Struct(
    "v1.ServiceSpec",
    {
        "ports": ListOf(SERVICE_PORT),
        "selector": STRING_MAP,
        "clusterIP": STRING,
        "clusterIPs": STRINGS,
        "type": enum("v1.ServiceType"),
        "externalIPs": STRINGS,
        "sessionAffinity": enum("v1.ServiceAffinity"),
        "loadBalancerIP": STRING,
        "loadBalancerSourceRanges": STRINGS,
        "externalName": STRING,
        "externalTrafficPolicy": enum("v1.ServiceExternalTrafficPolicy"),
        "healthCheckNodePort": INT32,
        "publishNotReadyAddresses": BOOL,
        "sessionAffinityConfig": SESSION_AFFINITY_CONFIG,
        "ipFamilies": ListOf(enum("v1.IPFamily")),
        "ipFamilyPolicy": enum("v1.IPFamilyPolicy"),
        "allocateLoadBalancerNodePorts": BOOL,
        "loadBalancerClass": STRING,
        "internalTrafficPolicy": enum("v1.ServiceInternalTrafficPolicy"),
        "trafficDistribution": STRING,
    },
)
PORT_STATUS = Struct(
    "v1.PortStatus", {"port": INT32, "protocol": enum("v1.Protocol"), "error": STRING})
LOAD_BALANCER_INGRESS = Struct(
    "v1.LoadBalancerIngress",
    {"ip": STRING, "hostname": STRING, "ipMode": enum("v1.LoadBalancerIPMode"),
     "ports": ListOf(PORT_STATUS)},
)
CONDITION = Struct(
    "v1.Condition",
    {"type": STRING, "status": enum("v1.ConditionStatus"), "observedGeneration": INT64,
     "lastTransitionTime": TIME, "reason": STRING, "message": STRING},
)
SERVICE_STATUS = Struct(
    "v1.ServiceStatus",
    {
        "loadBalancer": Struct("v1.LoadBalancerStatus",
                               {"ingress": ListOf(LOAD_BALANCER_INGRESS)}),
        "conditions": ListOf(CONDITION),
    },
)
SERVICE = top_level("v1.Service", spec=SERVICE_SPEC, status=SERVICE_STATUS)

# A ConfigMap has no spec: data (UTF-8 strings), binaryData (base64 in JSON) and immutable.
CONFIG_MAP = Struct(
    "v1.ConfigMap",
    {
        **top_level("v1.ConfigMap").fields,
        "immutable": BOOL,
        "data": STRING_MAP,
        "binaryData": MapOf(STRING, go="map[string][]uint8"),
    },
)

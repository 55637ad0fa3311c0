"""A Service's defaults, as kubernetes pkg/apis/core/v1/defaults.go SetDefaults_Service and the
Service REST storage fill them (the IP families are the registry's, not defaults.go's).

type ClusterIP, sessionAffinity None (ClientIP gets a 10800 s timeout), each port TCP with
targetPort = port, internalTrafficPolicy Cluster (not for ExternalName), externalTrafficPolicy
Cluster for NodePort and LoadBalancer, allocateLoadBalancerNodePorts true for LoadBalancer.
The lab's cluster is single-stack IPv4, so ipFamilyPolicy is SingleStack and ipFamilies [IPv4],
except a headless Service without a selector, which upstream makes RequireDualStack with every
family the cluster has (here only IPv4).
"""

from __future__ import annotations

# core/v1 types.go DefaultClientIPServiceAffinitySeconds: three hours.
DEFAULT_CLIENT_IP_TIMEOUT_SECONDS = 10800
CLUSTER_IP_NONE = "None"
CLUSTER_FAMILIES = ("IPv4",)  # the service CIDR kubeadm gives: 10.96.0.0/12, IPv4 only


def default_service(service: dict, spec: dict) -> None:
    """Fill a decoded Service's spec in place with upstream's defaults; present values stay."""
    kind = spec.setdefault("type", "ClusterIP")
    affinity = spec.setdefault("sessionAffinity", "None")
    if affinity == "ClientIP":
        config = spec.setdefault("sessionAffinityConfig", {})
        client_ip = config.setdefault("clientIP", {})
        client_ip.setdefault("timeoutSeconds", DEFAULT_CLIENT_IP_TIMEOUT_SECONDS)
    for port in spec.get("ports") or []:
        if isinstance(port, dict):
            if not port.get("protocol"):
                port["protocol"] = "TCP"
            if port.get("targetPort") in (None, 0, ""):
                port["targetPort"] = port.get("port")
    if kind != "ExternalName":
        spec.setdefault("internalTrafficPolicy", "Cluster")
    if kind in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if kind == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
    # The registry's normalizeClusterIPs: clusterIP and clusterIPs[0] name one address.
    if spec.get("clusterIP") and not spec.get("clusterIPs"):
        spec["clusterIPs"] = [spec["clusterIP"]]
    elif spec.get("clusterIPs") and not spec.get("clusterIP"):
        spec["clusterIP"] = spec["clusterIPs"][0]
    if kind != "ExternalName":
        _default_families(spec)
    service.setdefault("status", {}).setdefault("loadBalancer", {})


def _default_families(spec: dict) -> None:
    # pkg/registry/core/service/storage/storage.go tryDefaultValidateServiceClusterIPFields.
    headless_no_selector = spec.get("clusterIP") == CLUSTER_IP_NONE and not spec.get("selector")
    spec.setdefault("ipFamilyPolicy", "RequireDualStack" if headless_no_selector
                    else "SingleStack")
    spec.setdefault("ipFamilies", list(CLUSTER_FAMILIES))


def default_endpoint_slice(slice_: dict) -> None:
    """discovery/v1 defaults.go SetDefaults_EndpointPort: each port TCP, named "" when unnamed."""
    for port in slice_.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("name", "")
            if not port.get("protocol"):
                port["protocol"] = "TCP"

"""What kube-proxy reads from a Service and its EndpointSlices: service ports and endpoints.

As upstream's pkg/proxy (service.go, endpoint.go, endpointslicecache.go, topology.go) does:
one ServicePort per Service port, the endpoints of its slices, and CategorizeEndpoints, which
picks the endpoints Cluster and Local traffic policy use. Plain dicts in, frozen records out.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from dataclasses import dataclass

from k8slab.errors import K8sLabError

PROTOCOLS = ("TCP", "UDP", "SCTP")
# core/v1 defaults: ClientIP affinity lasts 10800 s (3 h) unless timeoutSeconds says otherwise.
DEFAULT_STICKY_SECONDS = 10800
SERVICE_NAME_LABEL = "kubernetes.io/service-name"


class ProxyInputError(K8sLabError):
    """A Service or EndpointSlice kube-proxy cannot read (a field missing or of the wrong kind)."""


@functools.lru_cache(maxsize=1 << 16)
def port_proto_hash(svc_port_name: str, protocol: str, endpoint: str = "") -> str:
    """Upstream's portProtoHash: base32(sha256(name + protocol [+ endpoint]))[:16].

    pkg/proxy/iptables/proxier.go servicePortChainName / servicePortEndpointChainName. Every
    sync names every chain again, so the names are remembered (the hash never changes).
    """
    digest = hashlib.sha256(f"{svc_port_name}{protocol}{endpoint}".encode()).digest()
    return base64.b32encode(digest).decode()[:16]


@dataclass(frozen=True)
class ServicePort:
    """One port of one Service, as kube-proxy's ServicePortMap holds it."""

    namespace: str
    name: str
    port_name: str
    protocol: str  # "TCP", "UDP" or "SCTP", as the API spells it
    cluster_ip: str
    port: int
    node_port: int = 0
    external_ips: tuple[str, ...] = ()
    load_balancer_ips: tuple[str, ...] = ()
    session_affinity: str = "None"
    sticky_seconds: int = DEFAULT_STICKY_SECONDS
    internal_local: bool = False
    external_local: bool = False

    @property
    def name_string(self) -> str:
        """ServicePortName.String(): `ns/name:port`, or `ns/name` for an unnamed port."""
        base = f"{self.namespace}/{self.name}"
        return f"{base}:{self.port_name}" if self.port_name else base

    @property
    def proto(self) -> str:
        """The protocol in lower case, as rules spell it (`tcp`)."""
        return self.protocol.lower()

    def externally_accessible(self) -> bool:
        """NodePort, external IPs or load-balancer IPs make a port reachable from outside."""
        return bool(self.node_port or self.external_ips or self.load_balancer_ips)

    def external_policy_local(self) -> bool:
        """externalTrafficPolicy Local counts only for externally reachable ports."""
        return self.external_local and self.externally_accessible()

    def uses_cluster_endpoints(self) -> bool:
        """Whether any traffic to this port may go to endpoints on other nodes."""
        return not self.internal_local or (self.externally_accessible()
                                           and not self.external_local)

    def uses_local_endpoints(self) -> bool:
        """Whether some traffic to this port is kept to endpoints on this node."""
        return self.internal_local or self.external_policy_local()


@dataclass(frozen=True)
class Endpoint:
    """One endpoint address and port of a service port, with its slice conditions."""

    ip: str
    port: int
    ready: bool = True
    serving: bool = True
    terminating: bool = False
    node_name: str = ""
    is_local: bool = False

    def __str__(self) -> str:
        return f"{self.ip}:{self.port}"


def _field(obj: dict, path: str, kind: type) -> object:
    value: object = obj
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise ProxyInputError(f"{obj.get('kind', 'object')}: missing field {path!r}")
        value = value[part]
    if not isinstance(value, kind):
        raise ProxyInputError(f"{obj.get('kind', 'object')}: field {path!r} must be "
                              f"{kind.__name__}, got {value!r}")
    return value


def service_ports(service: dict) -> list[ServicePort]:
    """The ServicePorts kube-proxy programs for `service`; none for headless or ExternalName
    Services (upstream's ShouldSkipService)."""
    namespace = str(_field(service, "metadata.namespace", str))
    name = str(_field(service, "metadata.name", str))
    spec = _field(service, "spec", dict)
    cluster_ip = spec.get("clusterIP") or ""
    if spec.get("type") == "ExternalName" or cluster_ip in ("", "None"):
        return []
    affinity = spec.get("sessionAffinity") or "None"
    if affinity not in ("None", "ClientIP"):
        raise ProxyInputError(f'Service {namespace}/{name}: sessionAffinity "{affinity}" '
                              'is not one of "None", "ClientIP"')
    sticky = ((spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}).get(
        "timeoutSeconds", DEFAULT_STICKY_SECONDS)
    lb_ips = tuple(i["ip"] for i in ((service.get("status") or {}).get("loadBalancer") or {})
                   .get("ingress") or [] if i.get("ip"))
    ports = []
    for port in spec.get("ports") or []:
        protocol = port.get("protocol", "TCP")
        if protocol not in PROTOCOLS:
            raise ProxyInputError(f'Service {namespace}/{name}: protocol "{protocol}" is not '
                                  'one of "TCP", "UDP", "SCTP"')
        if not isinstance(port.get("port"), int):
            raise ProxyInputError(f"Service {namespace}/{name}: every port needs an integer "
                                  f"'port', got {port.get('port')!r}")
        ports.append(ServicePort(
            namespace, name, port.get("name") or "", protocol, cluster_ip, port["port"],
            int(port.get("nodePort") or 0), tuple(spec.get("externalIPs") or ()), lb_ips,
            affinity, int(sticky), spec.get("internalTrafficPolicy") == "Local",
            spec.get("externalTrafficPolicy") == "Local"))
    return ports


def slices_by_service(slices: list[dict]) -> dict[tuple[str, str], list[dict]]:
    """EndpointSlices grouped by (namespace, the Service their kubernetes.io/service-name label
    names), as endpointslicecache.go keys them; slices without the label are left out."""
    grouped: dict[tuple[str, str], list[dict]] = {}
    for eps in slices:
        name = ((eps.get("metadata") or {}).get("labels") or {}).get(SERVICE_NAME_LABEL)
        if name:
            grouped.setdefault((eps["metadata"].get("namespace", ""), name), []).append(eps)
    return grouped


def endpoints_for(port: ServicePort, slices: list[dict], node_name: str) -> list[Endpoint]:
    """The endpoints of `port` in the Service's slices, one per `ip:port`, sorted by that
    string as endpointslicecache.go sorts them."""
    found: dict[str, Endpoint] = {}
    for eps in slices:
        labels = (eps.get("metadata") or {}).get("labels") or {}
        if (eps["metadata"].get("namespace") != port.namespace
                or labels.get(SERVICE_NAME_LABEL) != port.name):
            continue
        for slice_port in eps.get("ports") or []:
            if ((slice_port.get("name") or "") != port.port_name
                    or slice_port.get("protocol", "TCP") != port.protocol
                    or slice_port.get("port") is None):
                continue
            for endpoint in eps.get("endpoints") or []:
                conditions = endpoint.get("conditions") or {}
                # discovery/v1: nil ready and serving mean true, nil terminating means false.
                ready = conditions.get("ready") is not False
                node = endpoint.get("nodeName") or ""
                for address in endpoint.get("addresses") or []:
                    ep = Endpoint(address, int(slice_port["port"]), ready,
                                  conditions.get("serving", ready) is not False,
                                  conditions.get("terminating") is True, node,
                                  bool(node) and node == node_name)
                    found.setdefault(str(ep), ep)
    return [found[key] for key in sorted(found)]


@dataclass(frozen=True)
class Categorized:
    """CategorizeEndpoints' answer: the endpoints each traffic policy uses on this node."""

    cluster: tuple[Endpoint, ...]
    local: tuple[Endpoint, ...]
    reachable: tuple[Endpoint, ...]
    has_any: bool


def categorize(endpoints: list[Endpoint], port: ServicePort) -> Categorized:
    """Upstream's CategorizeEndpoints without topology hints: ready endpoints, or the serving
    terminating ones when none is ready; Local policy keeps this node's."""
    cluster: list[Endpoint] = []
    local: list[Endpoint] = []
    has_any = False
    if port.uses_cluster_endpoints():
        cluster = [ep for ep in endpoints if ep.ready]
        if not cluster:
            cluster = [ep for ep in endpoints if ep.serving and ep.terminating]
        has_any = bool(cluster)
    if not port.uses_local_endpoints():
        return Categorized(tuple(cluster), (), tuple(cluster), has_any)
    usable = [ep for ep in endpoints if ep.ready or (ep.serving and ep.terminating)]
    has_any = has_any or bool(usable)
    local = [ep for ep in endpoints if ep.is_local and ep.ready]
    if not local:
        local = [ep for ep in endpoints if ep.is_local and ep.serving and ep.terminating]
    if not port.uses_cluster_endpoints():
        return Categorized((), tuple(local), tuple(local), has_any)
    merged = {str(ep): ep for ep in [*cluster, *local]}
    return Categorized(tuple(cluster), tuple(local),
                       tuple(merged[k] for k in sorted(merged)), has_any)

"""A Service's spec, checked as kubernetes pkg/apis/core/validation ValidateService and
ValidateServiceUpdate check it, with their field paths and messages.

The allocation checks (a clusterIP inside --service-cluster-ip-range, a nodePort free and in
30000-32767) are the API server's, in k8slab.apiserver.service_allocation: upstream's registry
makes them after validation too. Simplified: externalIPs, loadBalancerSourceRanges and
trafficDistribution are decoded but not checked; the lab's cluster is single-stack IPv4.
"""

from __future__ import annotations

import ipaddress

from k8slab.api.validation.core_probes import PORT_RANGE, port_errors
from k8slab.api.validation.field import (
    FieldError,
    duplicate,
    forbidden,
    invalid,
    not_supported,
    required,
)
from k8slab.api.validation.labels import labels_errors
from k8slab.api.validation.names import dns1123_label_errors, dns1123_subdomain_errors

TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
PROTOCOLS = ["SCTP", "TCP", "UDP"]
AFFINITIES = ["ClientIP", "None"]
TRAFFIC_POLICIES = ["Cluster", "Local"]
FAMILY_POLICIES = ["PreferDualStack", "RequireDualStack", "SingleStack"]
FAMILIES = ["IPv4", "IPv6"]
# core validation MaxClientIPServiceAffinitySeconds: one day.
MAX_CLIENT_IP_TIMEOUT = 86400
# netutils' IP parsing message (apimachinery validation/ip.go IsValidIP).
BAD_IP = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
IMMUTABLE_IP = "may not change once set"
KUBELET_PORT = 10250  # pkg/cluster/ports KubeletPort: a LoadBalancer may not expose it


def service_errors(obj: dict) -> list[FieldError]:
    """Every problem with a Service's spec, with spec.* paths, in upstream's order."""
    spec = obj.get("spec") or {}
    kind = spec.get("type") or "ClusterIP"
    errors: list[FieldError] = []
    if kind not in TYPES:
        errors.append(not_supported("spec.type", kind, TYPES))
    ports = spec.get("ports") or []
    if kind == "ExternalName":
        errors += _external_name_errors(spec)
    elif not ports:
        errors.append(required("spec.ports"))
    errors += _ports_errors(ports, kind, headless=spec.get("clusterIP") == "None")
    errors += labels_errors(spec.get("selector") or {}, "spec.selector")
    errors += _cluster_ip_errors(spec, kind)
    errors += _affinity_errors(spec)
    errors += _policy_errors(spec, kind)
    return errors


def _external_name_errors(spec: dict) -> list[FieldError]:
    name = spec.get("externalName") or ""
    if not name:
        return [required("spec.externalName")]
    # ValidateService: externalName must be a lowercase RFC 1123 subdomain (a trailing dot ok).
    return [invalid("spec.externalName", name, message)
            for message in dns1123_subdomain_errors(name.removesuffix("."))]


def _ports_errors(ports: list, kind: str, headless: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    names: set[str] = set()
    node_ports: set[tuple[int, str]] = set()
    for index, port in enumerate(ports):
        path = f"spec.ports[{index}]"
        name = port.get("name") or ""
        if len(ports) > 1 and not name:
            errors.append(required(f"{path}.name"))
        elif name:
            errors += [invalid(f"{path}.name", name, m) for m in dns1123_label_errors(name)]
            if name in names:
                errors.append(duplicate(f"{path}.name", name))
            names.add(name)
        number = port.get("port") or 0
        if not 1 <= number <= 65535:
            errors.append(invalid(f"{path}.port", number, PORT_RANGE))
        protocol = port.get("protocol") or ""
        if protocol not in PROTOCOLS:
            errors.append(not_supported(f"{path}.protocol", protocol, PROTOCOLS))
        target = port.get("targetPort")
        if target not in (None, 0, ""):
            errors += port_errors(target, f"{path}.targetPort")
        if kind == "LoadBalancer" and number == KUBELET_PORT:
            errors.append(invalid(path, number, f"may not expose port {KUBELET_PORT} externally "
                                                "since it is used by kubelet"))
        node_port = port.get("nodePort") or 0
        if node_port and kind in ("ClusterIP", "ExternalName"):
            errors.append(forbidden(f"{path}.nodePort", f"may not be used when `type` is '{kind}'"))
        elif node_port and (node_port, protocol) in node_ports:
            errors.append(duplicate(f"{path}.nodePort", node_port))
        node_ports.add((node_port, protocol))
    return errors


def _cluster_ip_errors(spec: dict, kind: str) -> list[FieldError]:
    cluster_ip, cluster_ips = spec.get("clusterIP") or "", spec.get("clusterIPs") or []
    if kind == "ExternalName":
        if cluster_ip or cluster_ips:
            return [forbidden("spec.clusterIPs", "may not be set for ExternalName services")]
        return []
    errors: list[FieldError] = []
    if cluster_ips and cluster_ip != cluster_ips[0]:
        errors.append(invalid("spec.clusterIPs", cluster_ips,
                              "first value must match `clusterIP`"))
    for index, ip in enumerate(cluster_ips):
        if ip == "None" and kind in ("NodePort", "LoadBalancer"):
            errors.append(invalid(f"spec.clusterIPs[{index}]", ip,
                                  f"may not be set to 'None' for {kind} services"))
        elif ip != "None" and not _is_ip(ip):
            errors.append(invalid(f"spec.clusterIPs[{index}]", ip, BAD_IP))
    return errors


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _affinity_errors(spec: dict) -> list[FieldError]:
    affinity = spec.get("sessionAffinity") or ""
    if affinity not in AFFINITIES:
        return [not_supported("spec.sessionAffinity", affinity, AFFINITIES)]
    config = spec.get("sessionAffinityConfig")
    if affinity == "None":
        return ([] if not config else [forbidden(
            "spec.sessionAffinityConfig", f"must not be set when session affinity is {affinity}")])
    timeout = ((config or {}).get("clientIP") or {}).get("timeoutSeconds") or 0
    if not 0 < timeout <= MAX_CLIENT_IP_TIMEOUT:
        return [invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", timeout,
                        f"must be greater than 0 and less than {MAX_CLIENT_IP_TIMEOUT}")]
    return []


def _policy_errors(spec: dict, kind: str) -> list[FieldError]:
    errors: list[FieldError] = []
    external = spec.get("externalTrafficPolicy")
    if external and kind not in ("NodePort", "LoadBalancer"):
        errors.append(invalid("spec.externalTrafficPolicy", external,
                              "may only be set when `type` is 'NodePort' or 'LoadBalancer'"))
    elif external and external not in TRAFFIC_POLICIES:
        errors.append(not_supported("spec.externalTrafficPolicy", external, TRAFFIC_POLICIES))
    internal = spec.get("internalTrafficPolicy")
    if internal and internal not in TRAFFIC_POLICIES:
        errors.append(not_supported("spec.internalTrafficPolicy", internal, TRAFFIC_POLICIES))
    policy = spec.get("ipFamilyPolicy")
    if policy and policy not in FAMILY_POLICIES:
        errors.append(not_supported("spec.ipFamilyPolicy", policy, FAMILY_POLICIES))
    for index, family in enumerate(spec.get("ipFamilies") or []):
        if family not in FAMILIES:
            errors.append(not_supported(f"spec.ipFamilies[{index}]", family, FAMILIES))
    return errors


def service_update_errors(old: dict, new: dict) -> list[FieldError]:
    """ValidateServiceUpdate: a Service keeps its clusterIP (unless it becomes ExternalName)."""
    old_spec, new_spec = old.get("spec") or {}, new.get("spec") or {}
    old_ips, new_ips = old_spec.get("clusterIPs") or [], new_spec.get("clusterIPs") or []
    if new_spec.get("type") == "ExternalName" or not old_ips:
        return []
    if new_ips[:1] != old_ips[:1]:
        return [invalid("spec.clusterIPs[0]", new_ips[0] if new_ips else "", IMMUTABLE_IP)]
    return []

"""The discovery.k8s.io group: EndpointSlice, checked as kubernetes
pkg/apis/discovery/validation ValidateEndpointSlice checks it.

An addressType of IPv4, IPv6 or FQDN; at most 1000 endpoints, each with 1 to 100 addresses
of that type and valid hostname/nodeName; at most 20000 ports, named uniquely as DNS labels,
numbered 1..65535, with a supported protocol. Simplified: topology hints are not checked.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from k8slab.api.validation.core_probes import PORT_RANGE
from k8slab.api.validation.field import (
    FieldError,
    duplicate,
    invalid,
    not_supported,
    required,
)
from k8slab.api.validation.names import dns1123_label_errors, dns1123_subdomain_errors

ADDRESS_TYPES = ["FQDN", "IPv4", "IPv6"]
PROTOCOLS = ["SCTP", "TCP", "UDP"]
# discovery validation: maxAddresses, maxEndpoints, maxPorts.
MAX_ADDRESSES = 100
MAX_ENDPOINTS = 1000
MAX_PORTS = 20000
TOO_MANY = "Too many"  # field.TooMany's ErrorType


def _too_many(path: str, count: int, limit: int) -> FieldError:
    return FieldError(path, TOO_MANY, count, f"must have at most {limit} items")


def _address_errors(address: str, address_type: str, path: str) -> list[FieldError]:
    if address_type == "FQDN":
        return [invalid(path, address, m) for m in dns1123_subdomain_errors(address)]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        parsed = None
    want = 4 if address_type == "IPv4" else 6
    if parsed is None or parsed.version != want:
        return [invalid(path, address, f"must be a valid {address_type} address")]
    return []


def endpoint_slice_errors(obj: dict) -> list[FieldError]:
    """Every problem with an EndpointSlice's addressType, endpoints and ports."""
    address_type = obj.get("addressType") or ""
    errors: list[FieldError] = []
    if not address_type:
        errors.append(required("addressType"))
    elif address_type not in ADDRESS_TYPES:
        errors.append(not_supported("addressType", address_type, ADDRESS_TYPES))
    endpoints = obj.get("endpoints") or []
    if len(endpoints) > MAX_ENDPOINTS:
        errors.append(_too_many("endpoints", len(endpoints), MAX_ENDPOINTS))
    for index, endpoint in enumerate(endpoints):
        path = f"endpoints[{index}]"
        addresses = endpoint.get("addresses") or []
        if not addresses:
            errors.append(required(f"{path}.addresses", "must contain at least 1 address"))
        elif len(addresses) > MAX_ADDRESSES:
            errors.append(_too_many(f"{path}.addresses", len(addresses), MAX_ADDRESSES))
        if address_type in ADDRESS_TYPES:
            for i, address in enumerate(addresses):
                errors += _address_errors(address, address_type, f"{path}.addresses[{i}]")
        for field, check in (("hostname", dns1123_label_errors),
                             ("nodeName", dns1123_subdomain_errors)):
            value = endpoint.get(field)
            if value:
                errors += [invalid(f"{path}.{field}", value, m) for m in check(value)]
    return errors + _ports_errors(obj.get("ports") or [])


def _ports_errors(ports: list) -> list[FieldError]:
    errors: list[FieldError] = []
    if len(ports) > MAX_PORTS:
        errors.append(_too_many("ports", len(ports), MAX_PORTS))
    names: set[str] = set()
    for index, port in enumerate(ports):
        path = f"ports[{index}]"
        name = port.get("name") or ""
        if name:
            errors += [invalid(f"{path}.name", name, m) for m in dns1123_label_errors(name)]
        if name in names:
            errors.append(duplicate(f"{path}.name", name))
        names.add(name)
        number = port.get("port")
        if number is not None and not 1 <= number <= 65535:
            errors.append(invalid(f"{path}.port", number, PORT_RANGE))
        protocol = port.get("protocol") or ""
        if protocol not in PROTOCOLS:
            errors.append(not_supported(f"{path}.protocol", protocol, PROTOCOLS))
    return errors


def endpoint_slice_update_errors(old: dict, new: dict) -> list[FieldError]:
    """ValidateEndpointSliceUpdate: the addressType is fixed once set."""
    if old.get("addressType") != new.get("addressType"):
        return [invalid("addressType", new.get("addressType"), "field is immutable")]
    return []


DISCOVERY_CHECKS: dict[str, Callable[[dict], list[FieldError]]] = {
    "EndpointSlice.discovery.k8s.io": endpoint_slice_errors,
}

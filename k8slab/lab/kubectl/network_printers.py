"""Rows of `kubectl get` for Services, EndpointSlices, ConfigMaps, ServiceAccounts and
Secrets, cell for cell as kubernetes pkg/printers/internalversion/printers.go (v1.35) computes
them.

A Service's EXTERNAL-IP is `<pending>` for a LoadBalancer no cloud controller has served yet,
its externalName for an ExternalName Service, else its externalIPs or `<none>`; PORT(S) reads
`80/TCP` or `80:30080/TCP` with a nodePort. An EndpointSlice shows at most three ports and
three addresses, then "+ N more...".
"""

from __future__ import annotations

from k8slab.lab.kubectl.durations import age
from k8slab.lab.kubectl.printers import format_labels, name_of

NONE = "<none>"
PENDING = "<pending>"
UNSET = "<unset>"
LIST_MAX = 3  # printers.go formatDiscoveryPorts/Endpoints: max 3 before "+ N more..."


def _age(obj: dict, now: float) -> str:
    return age(obj.get("metadata", {}).get("creationTimestamp"), now, "metadata.creationTimestamp")


def external_ip(service: dict) -> str:
    """printers.go getServiceExternalIP: what the EXTERNAL-IP column shows."""
    spec = service.get("spec") or {}
    kind = spec.get("type") or "ClusterIP"
    external = list(spec.get("externalIPs") or [])
    if kind == "ExternalName":
        return spec.get("externalName") or NONE
    if kind == "LoadBalancer":
        ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        addresses = [i.get("ip") or i.get("hostname") for i in ingress
                     if i.get("ip") or i.get("hostname")]
        return ",".join(addresses + external) or PENDING
    return ",".join(external) or NONE


def port_string(ports: list[dict]) -> str:
    """printers.go makePortString: `80/TCP,443:30443/TCP`, `<none>` without ports."""
    pieces = []
    for port in ports:
        protocol = port.get("protocol") or "TCP"
        node_port = port.get("nodePort")
        number = f"{port.get('port')}:{node_port}" if node_port else f"{port.get('port')}"
        pieces.append(f"{number}/{protocol}")
    return ",".join(pieces) or NONE


def service_cells(service: dict, now: float) -> list[str]:
    """NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE, and SELECTOR with -o wide."""
    spec = service.get("spec") or {}
    return [name_of(service), spec.get("type") or "ClusterIP", spec.get("clusterIP") or NONE,
            external_ip(service), port_string(spec.get("ports") or []), _age(service, now),
            format_labels(spec.get("selector") or {})]


def _with_more(items: list[str]) -> str:
    # printers.go listWithMoreString.
    shown = ",".join(items[:LIST_MAX])
    if len(items) > LIST_MAX:
        return f"{shown} + {len(items) - LIST_MAX} more..."
    return shown or UNSET


def endpoint_slice_cells(slice_: dict, now: float) -> list[str]:
    """NAME ADDRESSTYPE PORTS ENDPOINTS AGE."""
    ports = [str(p["port"]) if p.get("port") is not None else (p.get("name") or "*")
             for p in slice_.get("ports") or []]
    addresses = [address for endpoint in slice_.get("endpoints") or []
                 for address in endpoint.get("addresses") or []]
    return [name_of(slice_), slice_.get("addressType", ""), _with_more(ports),
            _with_more(addresses), _age(slice_, now)]


def config_map_cells(config_map: dict, now: float) -> list[str]:
    """NAME DATA AGE: DATA counts the keys of data and binaryData."""
    count = len(config_map.get("data") or {}) + len(config_map.get("binaryData") or {})
    return [name_of(config_map), str(count), _age(config_map, now)]


def service_account_cells(account: dict, now: float) -> list[str]:
    """NAME SECRETS AGE: SECRETS counts the account's secrets list (printServiceAccount)."""
    return [name_of(account), str(len(account.get("secrets") or [])), _age(account, now)]


def secret_cells(secret: dict, now: float) -> list[str]:
    """NAME TYPE DATA AGE (printers.go printSecret): DATA counts the keys of data."""
    return [name_of(secret), secret.get("type", ""), str(len(secret.get("data") or {})),
            _age(secret, now)]

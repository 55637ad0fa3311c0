"""ClusterIPs and NodePorts, allocated by the API server when a Service is written.

kube-apiserver hands out ClusterIPs from --service-cluster-ip-range (kubeadm: 10.96.0.0/12)
and NodePorts from --service-node-port-range (30000-32767), with the messages of kubernetes
pkg/registry/core/service/ipallocator and portallocator (interfaces.go) as the Service REST
storage wraps them (storage/alloc.go). A requested value is checked (in range, free); a
missing one is drawn at random from what is free, from the seeded generator. Simplified:
upstream records allocations in etcd (IPAddress objects, a port bitmap) and repairs them in
the background; the lab rebuilds the allocation from the stored Services on every Service
write, which is what survives a restart and what a delete frees.
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Iterable

from k8slab.api.kinds import SERVICE
from k8slab.api.validation.field import FieldError, invalid, invalid_error
from k8slab.errors import InternalError

SERVICE_CIDR = "10.96.0.0/12"  # kubeadm's default networking.serviceSubnet
NODE_PORT_RANGE = (30000, 32767)  # --service-node-port-range default
# ipallocator/interfaces.go and portallocator/allocator.go errors.
IP_TAKEN = "provided IP is already allocated"
PORT_TAKEN = "provided port is already allocated"
RANGE_FULL = "range is full"


def _ip_not_in_range(ip: str, cidr: str) -> str:
    return f"the provided IP ({ip}) is not in the valid range. The range of valid IPs is {cidr}"


def _port_not_in_range(low: int, high: int) -> str:
    return f"provided port is not in the valid range. The range of valid ports is {low}-{high}"


class ServiceAllocator:
    """The ClusterIPs and NodePorts the stored Services hold, and a way to hand out more."""

    def __init__(self, services: Iterable[dict], rng: random.Random,
                 cidr: str = SERVICE_CIDR, node_ports: tuple[int, int] = NODE_PORT_RANGE) -> None:
        self.network = ipaddress.ip_network(cidr)
        self.cidr = cidr
        self.node_ports = node_ports
        self.rng = rng
        self.ips: set[int] = set()
        self.ports: set[int] = set()  # one bitmap of numbers, whatever the protocol
        for service in services:
            self._hold(service)

    def _hold(self, service: dict) -> None:
        spec = service.get("spec") or {}
        for ip in spec.get("clusterIPs") or []:
            if ip != "None":
                self.ips.add(int(ipaddress.ip_address(ip)))
        for port in spec.get("ports") or []:
            if port.get("nodePort"):
                self.ports.add(port["nodePort"])

    def allocate(self, service: dict, old: dict | None = None) -> None:
        """Give `service` (a defaulted, valid Service) its ClusterIP and NodePorts, in place.

        `old` is the stored version on an update: what it already holds it keeps. Raises
        InvalidError for a taken or out-of-range value, InternalError for a full range.
        """
        if old is not None:
            self._release(old)
        spec = service["spec"]
        name = service["metadata"].get("name", "")
        kind = spec.get("type", "ClusterIP")
        if kind != "ExternalName" and spec.get("clusterIP") != "None":
            ip = self._allocate_ip(spec.get("clusterIP") or "", spec.get("clusterIPs"), name)
            spec["clusterIP"], spec["clusterIPs"] = ip, [ip]
        wants_ports = kind == "NodePort" or (
            kind == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts", True))
        # alloc.go initNodePorts: ports with the same number (53/TCP and 53/UDP) share one
        # nodePort, the one asked for on any of them, else one drawn once.
        by_number: dict[int, int] = {}
        ports = spec.get("ports") or []
        for index, port in enumerate(ports):
            if not (wants_ports or port.get("nodePort")):
                continue
            shared = by_number.get(port.get("port", 0))
            if shared is None:
                asked = next((p.get("nodePort") for p in ports[index:]
                              if p.get("port") == port.get("port") and p.get("nodePort")), 0)
                shared = self._allocate_port(asked, index, name)
                by_number[port.get("port", 0)] = shared
            elif port.get("nodePort") and port["nodePort"] != shared:
                shared = self._allocate_port(port["nodePort"], index, name)
            port["nodePort"] = shared

    def _release(self, old: dict) -> None:
        spec = old.get("spec") or {}
        for ip in spec.get("clusterIPs") or []:
            if ip != "None":
                self.ips.discard(int(ipaddress.ip_address(ip)))
        for port in spec.get("ports") or []:
            self.ports.discard(port.get("nodePort"))

    def _allocate_ip(self, wanted: str, wanted_list: list | None, name: str) -> str:
        if wanted:
            address = ipaddress.ip_address(wanted)
            problem = (IP_TAKEN if int(address) in self.ips else "")
            if address not in self.network or address in (
                    self.network.network_address, self.network.broadcast_address):
                problem = _ip_not_in_range(wanted, self.cidr)
            if problem:
                raise _invalid(name, invalid("spec.clusterIPs", wanted_list or [wanted],
                                             f"failed to allocate IP {wanted}: {problem}"))
            self.ips.add(int(address))
            return wanted
        # The network and broadcast addresses are never handed out.
        first, last = int(self.network.network_address) + 1, int(self.network.broadcast_address)
        band = min(max(16, (last - first) // 16), 256)  # KEP-3070's static band for IPs
        candidate = self._draw(first, last - 1, band, self.ips)
        if candidate is None:
            raise InternalError(
                f"Internal error occurred: failed to allocate a serviceIP: {RANGE_FULL}")
        self.ips.add(candidate)
        return str(ipaddress.ip_address(candidate))

    def _draw(self, low: int, high: int, band: int, taken: set[int]) -> int | None:
        """A free value of low..high: the part above the static band first (KEP-3070/3668: the
        low band stays free for values users ask for, such as 10.96.0.10), then the band."""
        for start, end in ((low + band, high), (low, min(low + band - 1, high))):
            if start > end or sum(1 for v in taken if start <= v <= end) > end - start:
                continue
            while True:
                candidate = self.rng.randint(start, end)
                if candidate not in taken:
                    return candidate
        return None

    def _allocate_port(self, wanted: int, index: int, name: str) -> int:
        low, high = self.node_ports
        if wanted:
            problem = PORT_TAKEN if wanted in self.ports else ""
            if not low <= wanted <= high:
                problem = _port_not_in_range(low, high)
            if problem:
                raise _invalid(name, invalid(f"spec.ports[{index}].nodePort", wanted, problem))
            self.ports.add(wanted)
            return wanted
        band = min(max(16, (high - low + 1) // 32), 128)  # KEP-3668's static band for ports
        candidate = self._draw(low, high, band, self.ports)
        if candidate is None:
            raise InternalError(
                f"Internal error occurred: failed to allocate a nodePort: {RANGE_FULL}")
        self.ports.add(candidate)
        return candidate


def _invalid(name: str, error: FieldError) -> Exception:
    return invalid_error(SERVICE, name, [error])


def keep_allocated(old: dict, new: dict) -> None:
    """An update that leaves clusterIP or a nodePort empty keeps the stored one, as the
    Service REST storage's patchAllocatedValues does (kubectl apply rarely sends them)."""
    old_spec, new_spec = old.get("spec") or {}, new.get("spec") or {}
    if new_spec.get("type") == "ExternalName":
        return
    if not new_spec.get("clusterIP") and old_spec.get("clusterIP"):
        new_spec["clusterIP"] = old_spec["clusterIP"]
        new_spec["clusterIPs"] = list(old_spec.get("clusterIPs") or [old_spec["clusterIP"]])
    old_ports = {(p.get("port"), p.get("protocol")): p.get("nodePort")
                 for p in old_spec.get("ports") or []}
    if new_spec.get("type") in ("NodePort", "LoadBalancer"):
        for port in new_spec.get("ports") or []:
            kept = old_ports.get((port.get("port"), port.get("protocol")))
            if not port.get("nodePort") and kept:
                port["nodePort"] = kept

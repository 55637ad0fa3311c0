"""The host-local IPAM plugin: hands out addresses from a range and keeps every allocation as
a file on the node's disk, so a reboot never hands an address out twice.

As upstream (plugins/ipam/host-local): `/var/lib/cni/networks/<network>/<ip>` holds
`<container id>\\r\\n<ifname>`, `last_reserved_ip.0` the last address given, and the next
search starts just after it (so a freed address is not reused at once). The range runs from
the subnet's first to its last host address; the gateway is never handed out. The messages
are allocator.go's (containernetworking/plugins plugins/ipam/host-local/backend/allocator),
wrapped as its main.go does (`failed to allocate for range 0: ...`).
"""

from __future__ import annotations

import ipaddress

from k8slab.node.cni.contract import INVALID_CONFIG, CniError, Invocation

DATA_DIR = "/var/lib/cni/networks"
LINE_BREAK = "\r\n"


class HostLocal:
    """One network's address range and the allocation files of it on one disk."""

    def __init__(self, disk: dict, network: str, ipam: dict) -> None:
        ranges = ipam.get("ranges") or []
        if len(ranges) != 1 or len(ranges[0]) != 1 or "subnet" not in ranges[0][0]:
            raise CniError("IPAM config: k8slab's host-local takes exactly one range set of "
                           'one range with a "subnet"', INVALID_CONFIG)
        spec = ranges[0][0]
        try:
            self.subnet = ipaddress.ip_network(spec["subnet"])
        except ValueError as error:
            raise CniError(f"invalid CIDR {spec['subnet']}: {error}", INVALID_CONFIG) from None
        self.gateway = ipaddress.ip_address(spec.get("gateway")
                                            or self.subnet.network_address + 1)
        self.start = ipaddress.ip_address(spec.get("rangeStart")
                                          or self.subnet.network_address + 1)
        self.end = ipaddress.ip_address(spec.get("rangeEnd") or self.subnet.broadcast_address - 1)
        self.routes = list(ipam.get("routes", []))
        self.disk = disk
        self.dir = f"{DATA_DIR}/{network}"

    def _path(self, ip: object) -> str:
        return f"{self.dir}/{ip}"

    def allocations(self) -> dict[str, str]:
        """Address -> `<id>\\r\\n<ifname>`, as the files on disk hold them, in address order."""
        prefix = self.dir + "/"
        found = {path[len(prefix):]: owner for path, owner in self.disk.items()
                 if path.startswith(prefix) and not path[len(prefix):].startswith("last_")}
        return {ip: found[ip] for ip in sorted(found, key=ipaddress.ip_address)}

    def find(self, container_id: str, ifname: str) -> str | None:
        """The address held by this container's interface, if any."""
        owner = container_id + LINE_BREAK + ifname
        return next((ip for ip, held in self.allocations().items() if held == owner), None)

    def _range_text(self) -> str:
        return f"{self.start}-{self.end}"

    def allocate(self, call: Invocation) -> dict:
        """ADD: reserve the next free address after the last one given; returns the IPAM
        result (`ips`, `routes`)."""
        held = self.find(call.container_id, call.ifname)
        if held is not None:
            raise CniError(f"{held} has been allocated to {call.container_id}, duplicate "
                           "allocation is not allowed")
        last_file = f"{self.dir}/last_reserved_ip.0"
        size = int(self.end) - int(self.start) + 1
        last = self.disk.get(last_file)
        first = 0
        if last is not None and self.start <= ipaddress.ip_address(last) <= self.end:
            first = int(ipaddress.ip_address(last)) - int(self.start) + 1
        for step in range(size):
            candidate = ipaddress.ip_address(int(self.start) + (first + step) % size)
            if candidate == self.gateway or self._path(candidate) in self.disk:
                continue
            self.disk[self._path(candidate)] = call.container_id + LINE_BREAK + call.ifname
            self.disk[last_file] = str(candidate)
            return {"ips": [{"address": f"{candidate}/{self.subnet.prefixlen}",
                             "gateway": str(self.gateway)}],
                    "routes": [dict(route) for route in self.routes]}
        raise CniError(f"failed to allocate for range 0: no IP addresses available in range "
                       f"set: {self._range_text()}")

    def release(self, call: Invocation) -> list[str]:
        """DEL: free whatever this container's interface holds (nothing is not an error)."""
        owner = call.container_id + LINE_BREAK + call.ifname
        freed = [ip for ip, held in self.allocations().items() if held == owner]
        for ip in freed:
            del self.disk[self._path(ip)]
        return freed

    def check(self, call: Invocation) -> None:
        """CHECK: the container must still hold an address here."""
        if self.find(call.container_id, call.ifname) is None:
            raise CniError("host-local: Failed to find address added by container "
                           f"{call.container_id}")

"""What CoreDNS's kubernetes plugin answers for a name in the cluster's zone, from the Services,
EndpointSlices and (with `pods insecure`) any dashed pod address (coredns plugin/kubernetes,
v1.13; kubernetes.io/docs/concepts/services-networking/dns-pod-service/).

- `<svc>.<ns>.svc.cluster.local` A: the ClusterIP; for a headless Service, one A per ready
  endpoint address; ExternalName: a CNAME to its externalName.
- `<hostname or dashed-ip>.<svc>.<ns>.svc.cluster.local` A: that endpoint of a headless Service.
- `_<port>._<proto>.<svc>.<ns>.svc.cluster.local` SRV: `0 100 <port> <target>` for each named
  port (the Service's name as target; each endpoint's for headless).
- `<a-b-c-d>.<ns>.pod.cluster.local` A: a.b.c.d (`pods insecure` checks nothing).
- `<d.c.b.a>.in-addr.arpa` PTR: the Service owning that ClusterIP, or the endpoint of a
  headless Service owning that address.
Anything else in the zone is NXDOMAIN; a name outside it is not this plugin's (forwarded).
"""

from __future__ import annotations

from dataclasses import dataclass

from k8slab.addons.coredns.corefile import CLUSTER_DOMAIN, TTL


@dataclass(frozen=True)
class Record:
    """One resource record of an answer, as `dig` prints it: name ttl IN type data."""

    name: str
    type: str
    data: str
    ttl: int = TTL

    def __str__(self) -> str:
        return f"{self.name}\t{self.ttl}\tIN\t{self.type}\t{self.data}"


@dataclass(frozen=True)
class Answer:
    """The response: NOERROR with records, NXDOMAIN, or NOTZONE (not this plugin's name)."""

    rcode: str
    records: tuple[Record, ...] = ()


def _fqdn(name: str) -> str:
    return name.rstrip(".").lower() + "."


def _endpoints(service: dict, slices: list[dict]) -> list[tuple[str, str]]:
    """(address, hostname-or-dashed-ip) of each ready endpoint of a Service, in slice order."""
    meta = service["metadata"]
    found = []
    for eps in slices:
        labels = eps["metadata"].get("labels", {})
        if eps["metadata"].get("namespace") != meta.get("namespace") or \
                labels.get("kubernetes.io/service-name") != meta["name"]:
            continue
        for endpoint in eps.get("endpoints") or []:
            if (endpoint.get("conditions") or {}).get("ready") is False:
                continue
            for address in endpoint.get("addresses", []):
                found.append((address, endpoint.get("hostname") or address.replace(".", "-")))
    return found


def _headless(service: dict) -> bool:
    return service["spec"].get("clusterIP") == "None"


def answer(name: str, qtype: str, services: list[dict], slices: list[dict],
           zone: str = CLUSTER_DOMAIN) -> Answer:
    """The kubernetes plugin's answer to `qtype` (A, SRV, PTR, CNAME...) for `name`."""
    fqdn = _fqdn(name)
    qtype = qtype.upper()
    if fqdn.endswith(".in-addr.arpa."):
        return _ptr(fqdn, services, slices, zone) if qtype == "PTR" else Answer("NOERROR")
    suffix = f".{zone}."
    if not fqdn.endswith(suffix):
        return Answer("NOTZONE")
    labels = fqdn[: -len(suffix)].split(".")
    if len(labels) == 3 and labels[1:] and labels[-1] == "pod":
        return _pod(fqdn, labels[0], qtype)
    if labels[-1:] != ["svc"] or len(labels) < 3:
        return Answer("NXDOMAIN")
    namespace, svc_name, rest = labels[-2], labels[-3], labels[:-3]
    service = next((s for s in services if s["metadata"]["name"] == svc_name
                    and s["metadata"].get("namespace", "default") == namespace), None)
    if service is None:
        return Answer("NXDOMAIN")
    if rest and rest[0].startswith("_"):
        return _srv(fqdn, rest, service, slices, zone)
    if rest:  # an endpoint's name under a headless Service
        matches = [address for address, host in _endpoints(service, slices) if host == rest[0]]
        if len(rest) != 1 or not _headless(service) or not matches:
            return Answer("NXDOMAIN")
        return Answer("NOERROR", tuple(Record(fqdn, "A", a) for a in matches)
                      if qtype == "A" else ())
    if service["spec"].get("type") == "ExternalName":
        return Answer("NOERROR", (Record(fqdn, "CNAME", _fqdn(service["spec"]["externalName"])),))
    if qtype != "A":
        return Answer("NOERROR")
    if _headless(service):
        return Answer("NOERROR", tuple(Record(fqdn, "A", a)
                                       for a, _ in _endpoints(service, slices)))
    return Answer("NOERROR", (Record(fqdn, "A", service["spec"]["clusterIP"]),))


def _pod(fqdn: str, dashed: str, qtype: str) -> Answer:
    parts = dashed.split("-")
    if len(parts) != 4 or not all(p.isdigit() and int(p) < 256 for p in parts):
        return Answer("NXDOMAIN")
    return Answer("NOERROR", (Record(fqdn, "A", ".".join(parts)),) if qtype == "A" else ())


def _srv(fqdn: str, rest: list[str], service: dict, slices: list[dict], zone: str) -> Answer:
    if len(rest) != 2 or not rest[1].startswith("_"):
        return Answer("NXDOMAIN")
    port_name, protocol = rest[0][1:], rest[1][1:].upper()
    ports = [p for p in service["spec"].get("ports", [])
             if p.get("name") == port_name and p.get("protocol", "TCP") == protocol]
    if not ports:
        return Answer("NXDOMAIN")
    meta = service["metadata"]
    base = f"{meta['name']}.{meta.get('namespace', 'default')}.svc.{zone}."
    targets = ([f"{host}.{base}" for _, host in _endpoints(service, slices)]
               if _headless(service) else [base])
    return Answer("NOERROR", tuple(Record(fqdn, "SRV", f"0 100 {ports[0]['port']} {target}")
                                   for target in targets))


def _ptr(fqdn: str, services: list[dict], slices: list[dict], zone: str) -> Answer:
    octets = fqdn[: -len(".in-addr.arpa.")].split(".")
    if len(octets) != 4:
        return Answer("NXDOMAIN")
    address = ".".join(reversed(octets))
    for service in services:
        meta = service["metadata"]
        base = f"{meta['name']}.{meta.get('namespace', 'default')}.svc.{zone}."
        if service["spec"].get("clusterIP") == address:
            return Answer("NOERROR", (Record(fqdn, "PTR", base),))
        if _headless(service):
            for endpoint_address, host in _endpoints(service, slices):
                if endpoint_address == address:
                    return Answer("NOERROR", (Record(fqdn, "PTR", f"{host}.{base}"),))
    return Answer("NXDOMAIN")

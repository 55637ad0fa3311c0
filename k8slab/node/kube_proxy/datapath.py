"""The kernel's side: a new connection's destination rewritten by the rules kube-proxy wrote.

`dnat` walks the iptables nat table from KUBE-SERVICES (statistic as xt_statistic draws it,
`recent` lists for ClientIP affinity), looks ipvs virtual servers up (rr, persistence), or
walks the nftables chains (`numgen random`). kube-proxy itself is not on this path.
`translate` also says whether the packet was marked for masquerade (SNAT to the node's
address on the way out) and, when no rule rewrote it, the filter table's verdict for it.
Simplified: ipvs mode's masquerade (its ipsets) is not modelled; a virtual server with no
real servers answers ICMP port unreachable, as the kernel's ip_vs_leave does.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass
from functools import lru_cache

from k8slab.errors import K8sLabError
from k8slab.node.kube_proxy.rules_iptables import NatTable, Rule, kernel_probability
from k8slab.node.kube_proxy.rules_ipvs import IpvsTable
from k8slab.node.kube_proxy.rules_nft import NftTable

PROTOCOLS = ("tcp", "udp", "sctp")
MASQ_MARK = 0x4000
MAX_JUMPS = 64  # a guard: kube-proxy's chains never nest deeper than four


class DatapathError(K8sLabError):
    """A packet the data path cannot take (unknown protocol or a malformed address)."""


@lru_cache(maxsize=65536)
def _in(ip: str, cidr: str) -> bool:
    return ipaddress.ip_address(ip) in ipaddress.ip_network(cidr, strict=False)


@lru_cache(maxsize=65536)
def _valid(ip: str) -> bool:
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Translation:
    """What the rules did to a new flow's first packet: the endpoint it was DNATed to (None:
    unchanged), whether it was marked for masquerade, and the verdict: "DNAT", "ACCEPT"
    (no rule touched it), "REJECT" (the sender gets connection refused) or "DROP" (silence)."""

    endpoint: tuple[str, int] | None
    masquerade: bool
    verdict: str


class _Packet:
    def __init__(self, src: str, dst: str, port: int, proto: str, now: float) -> None:
        self.src, self.dst, self.port, self.proto, self.now = src, dst, port, proto, now
        self.mark = 0


def _iptables_matches(table: NatTable, rule: Rule, pkt: _Packet, rng: random.Random) -> bool:
    if rule.source and _in(pkt.src, rule.source) == rule.negate_source:
        return False
    if rule.destination and not _in(pkt.dst, rule.destination):
        return False
    if rule.protocol and rule.protocol != pkt.proto:
        return False
    dport = rule.option(pkt.proto, "--dport")
    if dport is not None and dport != "" and int(dport) != pkt.port:
        return False
    for kind, address in (("--dst-type", pkt.dst), ("--src-type", pkt.src)):
        if rule.option("addrtype", kind) == "LOCAL" and address not in table.local_addresses:
            return False
    name = rule.option("recent", "--name")
    if name is not None and rule.option("recent", "--rcheck") is not None:
        seconds = int(rule.option("recent", "--seconds") or 0)
        seen = table.recent.get(name, {})
        if rule.option("recent", "--reap") is not None:
            for ip in [ip for ip, at in seen.items() if at < pkt.now - seconds]:
                del seen[ip]
        if pkt.src not in seen or seen[pkt.src] < pkt.now - seconds:
            return False
    if rule.option("mark", "--mark") is not None:
        return not pkt.mark & MASQ_MARK  # kube-proxy's only mark test is `! --mark 0x4000`
    chance = rule.option("statistic", "--probability")
    # xt_statistic: (get_random_u32() & 0x7FFFFFFF) < probability, drawn once per packet.
    if chance is not None and rng.getrandbits(31) >= kernel_probability(chance):
        return False
    if name is not None and rule.option("recent", "--set") is not None:
        table.recent.setdefault(name, {})[pkt.src] = pkt.now
    return True


def _walk_iptables(table: NatTable, chain: str, pkt: _Packet, rng: random.Random,
                   depth: int) -> tuple[str, int] | None | bool:
    if depth > MAX_JUMPS:
        raise DatapathError(f"iptables: chain {chain} jumps deeper than {MAX_JUMPS}")
    for rule in table.chains.get(chain, []):
        if not _iptables_matches(table, rule, pkt, rng):
            continue
        if rule.target == "DNAT":
            ip, port = rule.target_options[1].rsplit(":", 1)
            return ip, int(port)
        if rule.target == "RETURN":
            return False
        if rule.target == "MARK":
            value, mask = (int(v, 16) for v in rule.target_options[1].split("/"))
            pkt.mark = (pkt.mark & ~mask) ^ value
        elif rule.target in table.chains:
            found = _walk_iptables(table, rule.target, pkt, rng, depth + 1)
            if found is not False:
                return found
    return False


def _ipvs(table: IpvsTable, pkt: _Packet) -> tuple[str, int] | None:
    vs = table.services.get((pkt.proto.upper(), pkt.dst, pkt.port))
    if vs is None or not vs.reals:
        return None
    if vs.persistent:
        remembered = vs.templates.get(pkt.src)
        if remembered and remembered[1] > pkt.now and remembered[0] in vs.reals:
            vs.templates[pkt.src] = (remembered[0], pkt.now + vs.persistent)
            return remembered[0]
    vs.cursor = (vs.cursor + 1) % len(vs.reals)  # ip_vs_rr: the next real server in turn
    chosen = vs.reals[vs.cursor]
    if vs.persistent:
        vs.templates[pkt.src] = (chosen, pkt.now + vs.persistent)
    return chosen


def _walk_nft(table: NftTable, chain: str, pkt: _Packet, rng: random.Random,
              depth: int) -> tuple[str, int] | None:
    if depth > MAX_JUMPS:
        raise DatapathError(f"nft: chain {chain} jumps deeper than {MAX_JUMPS}")
    for rule in table.chains.get(chain, []):
        kind, args = rule.action[0], rule.action[1:]
        target = None
        if kind == "goto":
            target = args[0]
        elif kind == "goto-if-from" and _in(pkt.src, args[0]):
            target = args[1]
        elif kind == "affinity":
            seen = table.affinity.get(args[0], {})
            timeout = table.affinity_timeouts[args[0]]
            if pkt.src in seen and seen[pkt.src] >= pkt.now - timeout:
                target = args[1]
        elif kind == "numgen":
            target = args[0][rng.randrange(len(args[0]))]
        elif kind == "mark" or (kind == "masq-unless-from" and not _in(pkt.src, args[0])) \
                or (kind == "masq-if-from" and pkt.src == args[0]):
            pkt.mark |= MASQ_MARK
        elif kind == "remember":
            table.affinity.setdefault(args[0], {})[pkt.src] = pkt.now
        elif kind == "dnat":
            return args[0], args[1]
        elif kind == "service-ips":
            verdict = table.service_ips.get((pkt.dst, pkt.proto, pkt.port))
            target = verdict.split()[1] if verdict else None
        elif kind == "service-nodeports" and pkt.dst in table.local_addresses:
            verdict = table.service_nodeports.get((pkt.proto, pkt.port))
            target = verdict.split()[1] if verdict else None
        if target is not None:
            return _walk_nft(table, target, pkt, rng, depth + 1)
    return None


def translate(rules: NatTable | IpvsTable | NftTable, dst_ip: str, dst_port: int,
              protocol: str, src_ip: str, rng: random.Random, *,
              now: float = 0.0) -> Translation:
    """What the nat rules (then, if none rewrote it, the filter rules) do to the first packet
    of a new connection to dst_ip:dst_port. `now` (simulated seconds) ages ClientIP affinity;
    the rules' kernel state (rr cursor, affinity lists) is updated."""
    proto = protocol.lower()
    if proto not in PROTOCOLS:
        raise DatapathError(f'unknown protocol "{protocol}": accepted are TCP, UDP, SCTP')
    for ip in (dst_ip, src_ip):
        if not _valid(ip):
            raise DatapathError(f"not an IP address: {ip!r}")
    pkt = _Packet(src_ip, dst_ip, int(dst_port), proto, now)
    if isinstance(rules, NatTable):
        found = _walk_iptables(rules, "KUBE-SERVICES", pkt, rng, 0) or None
        if found is None:
            verdict = rules.filter.get((dst_ip, proto, pkt.port))
            if verdict is None and dst_ip in rules.local_addresses:
                verdict = rules.filter.get(("LOCAL", proto, pkt.port))
            return Translation(None, False, verdict or "ACCEPT")
    elif isinstance(rules, IpvsTable):
        vs = rules.services.get((proto.upper(), dst_ip, pkt.port))
        found = _ipvs(rules, pkt)
        if found is None:
            return Translation(None, False, "REJECT" if vs is not None else "ACCEPT")
    elif isinstance(rules, NftTable):
        found = _walk_nft(rules, "services", pkt, rng, 0)
        if found is None:
            verdict = rules.no_endpoints.get((dst_ip, proto, pkt.port))
            if verdict is None and dst_ip in rules.local_addresses:
                verdict = rules.no_endpoint_nodeports.get((proto, pkt.port))
            return Translation(None, False, {"drop": "DROP", None: "ACCEPT"}.get(
                verdict, "REJECT"))
    else:
        raise DatapathError(f"no data path for {type(rules).__name__}: accepted are the "
                            "iptables NatTable, IpvsTable and NftTable")
    return Translation(found, bool(pkt.mark & MASQ_MARK), "DNAT")


def dnat(rules: NatTable | IpvsTable | NftTable, dst_ip: str, dst_port: int, protocol: str,
         src_ip: str, rng: random.Random, *, now: float = 0.0) -> tuple[str, int] | None:
    """The endpoint (ip, port) a new connection to dst_ip:dst_port is rewritten to, or None
    when no rule matches (the packet goes on unchanged): `translate`'s endpoint."""
    return translate(rules, dst_ip, dst_port, protocol, src_ip, rng, now=now).endpoint

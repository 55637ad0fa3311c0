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


class _Compiled:
    """A rule's matches parsed once, as the kernel holds them (not re-read per packet)."""

    __slots__ = ("rule", "source", "negate", "destination", "protocol", "dport", "dst_local",
                 "src_local", "recent", "rcheck", "seconds", "reap", "mark_test", "chance",
                 "recent_set", "dnat", "mark")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.source, self.negate = rule.source, rule.negate_source
        self.destination, self.protocol = rule.destination, rule.protocol
        dport = rule.option(rule.protocol, "--dport") if rule.protocol else None
        self.dport = int(dport) if dport else None
        self.dst_local = rule.option("addrtype", "--dst-type") == "LOCAL"
        self.src_local = rule.option("addrtype", "--src-type") == "LOCAL"
        self.recent = rule.option("recent", "--name")
        self.rcheck = rule.option("recent", "--rcheck") is not None
        self.seconds = int(rule.option("recent", "--seconds") or 0)
        self.reap = rule.option("recent", "--reap") is not None
        self.recent_set = rule.option("recent", "--set") is not None
        self.mark_test = rule.option("mark", "--mark") is not None
        chance = rule.option("statistic", "--probability")
        self.chance = kernel_probability(chance) if chance is not None else None
        self.dnat = None
        if rule.target == "DNAT":
            ip, port = rule.target_options[1].rsplit(":", 1)
            self.dnat = (ip, int(port))
        self.mark = None
        if rule.target == "MARK":
            value, mask = (int(v, 16) for v in rule.target_options[1].split("/"))
            self.mark = (value, mask)


def _compiled(table: NatTable, chain: str) -> list[_Compiled]:
    found = table.compiled.get(chain)
    if found is None:
        found = table.compiled[chain] = [_Compiled(r) for r in table.chains.get(chain, [])]
    return found


def _iptables_matches(table: NatTable, rule: _Compiled, pkt: _Packet,
                      rng: random.Random) -> bool:
    if rule.source and _in(pkt.src, rule.source) == rule.negate:
        return False
    if rule.destination and not _in(pkt.dst, rule.destination):
        return False
    if rule.protocol and rule.protocol != pkt.proto:
        return False
    if rule.dport is not None and rule.dport != pkt.port:
        return False
    if rule.dst_local and pkt.dst not in table.local_addresses:
        return False
    if rule.src_local and pkt.src not in table.local_addresses:
        return False
    name = rule.recent
    if name is not None and rule.rcheck:
        seen = table.recent.get(name, {})
        if rule.reap:
            for ip in [ip for ip, at in seen.items() if at < pkt.now - rule.seconds]:
                del seen[ip]
        if pkt.src not in seen or seen[pkt.src] < pkt.now - rule.seconds:
            return False
    if rule.mark_test:
        return not pkt.mark & MASQ_MARK  # kube-proxy's only mark test is `! --mark 0x4000`
    # xt_statistic: (get_random_u32() & 0x7FFFFFFF) < probability, drawn once per packet.
    if rule.chance is not None and rng.getrandbits(31) >= rule.chance:
        return False
    if name is not None and rule.recent_set:
        table.recent.setdefault(name, {})[pkt.src] = pkt.now
    return True


def _walk_iptables(table: NatTable, chain: str, pkt: _Packet, rng: random.Random,
                   depth: int) -> tuple[str, int] | None | bool:
    if depth > MAX_JUMPS:
        raise DatapathError(f"iptables: chain {chain} jumps deeper than {MAX_JUMPS}")
    for rule in _compiled(table, chain):
        if not _iptables_matches(table, rule, pkt, rng):
            continue
        target = rule.rule.target
        if rule.dnat is not None:
            return rule.dnat
        if target == "RETURN":
            return False
        if rule.mark is not None:
            value, mask = rule.mark
            pkt.mark = (pkt.mark & ~mask) ^ value
        elif target in table.chains:
            found = _walk_iptables(table, target, pkt, rng, depth + 1)
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

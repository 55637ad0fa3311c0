"""The nat table kube-proxy's iptables mode writes, and `iptables-save`'s text of it.

Chains, rule order, comments, masquerade marks and the `1/(n-i)` probabilities follow
pkg/proxy/iptables/proxier.go (syncProxyRules, writeServiceToEndpointRules). The filter
table is kept as its verdicts only: `filter` maps a destination (an address, or "LOCAL" for
a node port) to REJECT ("has no endpoints") or DROP ("has no local endpoints"), the two
targets proxier.go writes there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from k8slab.node.kube_proxy.service_ports import Endpoint, ServicePort, categorize, port_proto_hash

# proxier.go: masqueradeBit 14 → mark 0x4000; the iptables-save version kind's nodes ship.
MASQ_MARK = "0x4000"
IPTABLES_VERSION = "v1.8.9 (nf_tables)"
BUILTIN_NAT_CHAINS = ("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING")
# proxier.go: "large cluster mode" drops per-endpoint comments above 1000 endpoints.
LARGE_CLUSTER_ENDPOINTS = 1000
NODEPORTS_COMMENT = "kubernetes service nodeports; NOTE: this must be the last rule in this chain"


@dataclass(frozen=True)
class Match:
    """One `-m <module> <options>` of a rule, with options as iptables-save prints them."""

    module: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    """One `-A` line: addresses and protocol first (as iptables-save orders them), then the
    matches in the order kube-proxy wrote them, then the target."""

    chain: str
    target: str
    target_options: tuple[str, ...] = ()
    source: str = ""
    negate_source: bool = False
    destination: str = ""
    protocol: str = ""
    matches: tuple[Match, ...] = ()

    def option(self, module: str, name: str) -> str | None:
        """The value after `name` in the match `module`, if the rule has it."""
        for match in self.matches:
            if match.module == module and name in match.options:
                index = match.options.index(name)
                return match.options[index + 1] if index + 1 < len(match.options) else ""
        return None


@dataclass
class NatTable:
    """A node's nat table as kube-proxy left it, plus the kernel's own state for it: the
    `recent` module's lists (ClientIP affinity) and the node's local addresses; `compiled`
    holds the data path's parsed form of each chain, filled on first use."""

    chains: dict[str, list[Rule]]
    local_addresses: tuple[str, ...] = ()
    filter: dict[tuple[str, str, int], str] = field(default_factory=dict)
    recent: dict[str, dict[str, float]] = field(default_factory=dict)
    compiled: dict[str, list] = field(default_factory=dict, repr=False, compare=False)

    def rules(self) -> list[Rule]:
        """Every rule, chain by chain in iptables-save's order."""
        return [rule for chain in chain_order(self.chains) for rule in self.chains[chain]]


def chain_order(chains: dict[str, list[Rule]]) -> list[str]:
    """Built-in chains in the kernel's hook order, then user chains sorted by name."""
    builtin = [c for c in BUILTIN_NAT_CHAINS if c in chains]
    return builtin + sorted(c for c in chains if c not in BUILTIN_NAT_CHAINS)


def probability(n: int) -> str:
    """proxier.probability: `%0.10f` of 1/n, the text kube-proxy hands iptables-restore."""
    return f"{1.0 / n:0.10f}"


def kernel_probability(text: str) -> int:
    """xt_statistic keeps a probability as a 31-bit fraction: lround(0x80000000 * p)."""
    return int(0x80000000 * float(text) + 0.5)


def saved_probability(text: str) -> str:
    """What iptables-save prints back for that fraction: `%.11f` (libxt_statistic)."""
    return f"{kernel_probability(text) / 0x80000000:.11f}"


def _comment(text: str) -> Match:
    return Match("comment", ("--comment", text))


def _port_match(proto: str, port: int | None = None) -> Match:
    return Match(proto, ("--dport", str(port)) if port is not None else ())


def svc_chain(port: ServicePort, prefix: str) -> str:
    """`KUBE-SVC-`, `KUBE-SVL-`, `KUBE-EXT-` or `KUBE-FW-` + the port's hash."""
    return f"{prefix}{port_proto_hash(port.name_string, port.proto)}"


def sep_chain(port: ServicePort, endpoint: Endpoint) -> str:
    """`KUBE-SEP-` + the hash of the port name, protocol and `ip:port`."""
    return f"KUBE-SEP-{port_proto_hash(port.name_string, port.proto, str(endpoint))}"


class _Writer:
    """Collects chains and rules in the order syncProxyRules writes them."""

    def __init__(self) -> None:
        self.chains: dict[str, list[Rule]] = {}

    def chain(self, name: str) -> None:
        self.chains.setdefault(name, [])

    def add(self, rule: Rule) -> None:
        self.chains.setdefault(rule.chain, []).append(rule)


def _fixed_rules(w: _Writer) -> None:
    for chain in ("KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-MARK-MASQ",
                  "KUBE-PROXY-CANARY", *BUILTIN_NAT_CHAINS):
        w.chain(chain)
    for hook in ("PREROUTING", "OUTPUT"):
        w.add(Rule(hook, "KUBE-SERVICES", matches=(_comment("kubernetes service portals"),)))
    w.add(Rule("POSTROUTING", "KUBE-POSTROUTING",
               matches=(_comment("kubernetes postrouting rules"),)))
    # --or-mark and --xor-mark are saved in their general form, --set-xmark value/mask.
    w.add(Rule("KUBE-POSTROUTING", "RETURN",
               matches=(Match("mark", ("!", "--mark", f"{MASQ_MARK}/{MASQ_MARK}")),)))
    w.add(Rule("KUBE-POSTROUTING", "MARK", ("--set-xmark", f"{MASQ_MARK}/0x0")))
    w.add(Rule("KUBE-POSTROUTING", "MASQUERADE", ("--random-fully",),
               matches=(_comment("kubernetes service traffic requiring SNAT"),)))
    w.add(Rule("KUBE-MARK-MASQ", "MARK", ("--set-xmark", f"{MASQ_MARK}/{MASQ_MARK}")))


def _endpoint_rules(w: _Writer, port: ServicePort, chain: str, endpoints: tuple[Endpoint, ...],
                    comments: bool) -> None:
    if port.session_affinity == "ClientIP":
        for ep in endpoints:
            sep = sep_chain(port, ep)
            w.add(Rule(chain, sep, matches=(
                *([_comment(f"{port.name_string} -> {ep}")] if comments else []),
                Match("recent", ("--rcheck", "--seconds", str(port.sticky_seconds), "--reap",
                                 "--name", sep, "--mask", "255.255.255.255", "--rsource")))))
    n = len(endpoints)
    for i, ep in enumerate(endpoints):
        matches = [_comment(f"{port.name_string} -> {ep}")] if comments else []
        if i < n - 1:
            matches.append(Match("statistic", ("--mode", "random", "--probability",
                                               saved_probability(probability(n - i)))))
        w.add(Rule(chain, sep_chain(port, ep), matches=tuple(matches)))


def _service_rules(w: _Writer, port: ServicePort, endpoints: list[Endpoint], cluster_cidr: str,
                   masquerade_all: bool, comments: bool, filtered: dict) -> None:
    cat = categorize(endpoints, port)
    proto, name = port.proto, port.name_string
    svc, svl, ext = (svc_chain(port, p) for p in ("KUBE-SVC-", "KUBE-SVL-", "KUBE-EXT-"))
    uses_cluster = bool(cat.cluster) and port.uses_cluster_endpoints()
    uses_local = bool(cat.local) and port.uses_local_endpoints()
    internal_chain = svl if port.internal_local else svc
    has_internal = cat.has_any and (bool(cat.local) or not port.internal_local)
    external_policy = svl if port.external_policy_local() else svc
    has_external = cat.has_any and (bool(cat.local) or not port.external_policy_local())
    uses_ext = cat.has_any and port.externally_accessible()
    for chain, used in ((svc, uses_cluster), (svl, uses_local), (ext, uses_ext)):
        if used:
            w.chain(chain)
    cluster_ip = (_comment(f"{name} cluster IP"), _port_match(proto, port.port))
    if has_internal:
        w.add(Rule("KUBE-SERVICES", internal_chain, destination=port.cluster_ip,
                   protocol=proto, matches=cluster_ip))
    # proxier.go: no endpoints at all REJECTs (ICMP port unreachable, "connection refused");
    # a Local policy without endpoints on this node DROPs. Both in the filter table.
    no_external = "REJECT" if not cat.has_any else ("DROP" if not has_external else "")
    if not has_internal:
        filtered[(port.cluster_ip, proto, port.port)] = "REJECT" if not cat.has_any else "DROP"
    if no_external:
        for ip in (*port.external_ips, *port.load_balancer_ips):
            filtered[(ip, proto, port.port)] = no_external
        if port.node_port:
            filtered[("LOCAL", proto, port.node_port)] = no_external
    for ip in port.external_ips:
        if cat.has_any:
            w.add(Rule("KUBE-SERVICES", ext, destination=ip, protocol=proto, matches=(
                _comment(f"{name} external IP"), _port_match(proto, port.port))))
    for ip in port.load_balancer_ips:
        if cat.has_any:
            w.add(Rule("KUBE-SERVICES", ext, destination=ip, protocol=proto, matches=(
                _comment(f"{name} loadbalancer IP"), _port_match(proto, port.port))))
    if port.node_port and cat.has_any:
        w.add(Rule("KUBE-NODEPORTS", ext, protocol=proto,
                   matches=(_comment(name), _port_match(proto, port.node_port))))
    if has_internal and (masquerade_all or cluster_cidr):
        w.add(Rule(internal_chain, "KUBE-MARK-MASQ", destination=port.cluster_ip,
                   protocol=proto, source="" if masquerade_all else cluster_cidr,
                   negate_source=not masquerade_all, matches=cluster_ip))
    if uses_ext:
        if not port.external_policy_local():
            w.add(Rule(ext, "KUBE-MARK-MASQ", matches=(
                _comment(f"masquerade traffic for {name} external destinations"),)))
        else:
            if cluster_cidr:
                w.add(Rule(ext, svc, source=cluster_cidr, matches=(
                    _comment(f"pod traffic for {name} external destinations"),)))
            local_src = Match("addrtype", ("--src-type", "LOCAL"))
            w.add(Rule(ext, "KUBE-MARK-MASQ", matches=(
                _comment(f"masquerade LOCAL traffic for {name} external destinations"),
                local_src)))
            w.add(Rule(ext, svc, matches=(
                _comment(f"route LOCAL traffic for {name} external destinations"), local_src)))
        if has_external:
            w.add(Rule(ext, external_policy))
    if uses_cluster:
        _endpoint_rules(w, port, svc, cat.cluster, comments)
    if uses_local:
        _endpoint_rules(w, port, svl, cat.local, comments)
    for ep in cat.reachable:
        sep = sep_chain(port, ep)
        w.chain(sep)
        comment = (_comment(name),) if comments else ()
        w.add(Rule(sep, "KUBE-MARK-MASQ", source=ep.ip, matches=comment))
        recent = ((Match("recent", ("--set", "--name", sep, "--mask", "255.255.255.255",
                                    "--rsource")),)
                  if port.session_affinity == "ClientIP" else ())
        w.add(Rule(sep, "DNAT", ("--to-destination", str(ep)), protocol=proto,
                   matches=(*comment, *recent, _port_match(proto))))


def build_nat_table(services: list[tuple[ServicePort, list[Endpoint]]], *, cluster_cidr: str = "",
                    masquerade_all: bool = False,
                    local_addresses: tuple[str, ...] = ()) -> NatTable:
    """The nat table for these service ports and their endpoints (sorted by port name, where
    upstream walks a Go map), as one syncProxyRules writes it."""
    w = _Writer()
    _fixed_rules(w)
    filtered: dict[tuple[str, str, int], str] = {}
    total = sum(len(eps) for _, eps in services)
    comments = total <= LARGE_CLUSTER_ENDPOINTS
    for port, endpoints in sorted(services, key=lambda item: (item[0].name_string,
                                                              item[0].protocol)):
        _service_rules(w, port, endpoints, cluster_cidr, masquerade_all, comments, filtered)
    w.add(Rule("KUBE-SERVICES", "KUBE-NODEPORTS", matches=(
        _comment(NODEPORTS_COMMENT), Match("addrtype", ("--dst-type", "LOCAL")))))
    return NatTable(w.chains, local_addresses, filtered)


def _quoted(value: str) -> str:
    """xtables_save_string: bare when only [A-Za-z0-9_-], else double-quoted with escapes."""
    plain = set("_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    if value and all(c in plain for c in value):
        return value
    escaped = "".join(f"\\{c}" if c in "\"\\'" else c for c in value)
    return f'"{escaped}"'


def _address(ip: str) -> str:
    return ip if "/" in ip else f"{ip}/32"


def rule_line(rule: Rule) -> str:
    """One rule as iptables-save prints it."""
    parts = ["-A", rule.chain]
    if rule.source:
        parts += (["!"] if rule.negate_source else []) + ["-s", _address(rule.source)]
    if rule.destination:
        parts += ["-d", _address(rule.destination)]
    if rule.protocol:
        parts += ["-p", rule.protocol]
    for match in rule.matches:
        options = [(_quoted(o) if match.module == "comment" and o != "--comment" else o)
                   for o in match.options]
        parts += ["-m", match.module, *options]
    parts += ["-j", rule.target, *rule.target_options]
    return " ".join(parts)


def iptables_save(table: NatTable, when: str = "") -> str:
    """The table as `iptables-save -t nat` prints it: header, chain declarations with zero
    counters, `-A` rules, COMMIT. `when` is the date text after "on" (sim time, by the caller)."""
    stamp = f" on {when}" if when else ""
    order = chain_order(table.chains)
    lines = [f"# Generated by iptables-save {IPTABLES_VERSION}{stamp}", "*nat"]
    lines += [f":{c} ACCEPT [0:0]" if c in BUILTIN_NAT_CHAINS else f":{c} - [0:0]"
              for c in order]
    lines += [rule_line(rule) for chain in order for rule in table.chains[chain]]
    lines += ["COMMIT", f"# Completed{stamp}"]
    return "\n".join(lines) + "\n"

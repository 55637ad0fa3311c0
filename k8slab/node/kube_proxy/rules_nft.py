"""nftables mode: the `ip kube-proxy` table, its service-ips verdict map and per-service chains.

Chain names, map names and rule order follow pkg/proxy/nftables/proxier.go (syncProxyRules,
writeServiceToEndpointRules): `numgen random mod n vmap` picks an endpoint uniformly. Only the
nat side is modelled; of the filter chains only the no-endpoint maps are kept (REJECT for no
endpoints, drop for a Local policy with none on this node).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field

from k8slab.node.kube_proxy.service_ports import Endpoint, ServicePort, categorize

MASQ_MARK = "0x00004000"  # fmt "%#08x" of 1 << 14, as proxier.go formats it


@dataclass(frozen=True)
class NftRule:
    """One rule: its text as `nft list` prints it and what it does, as a tuple the data path
    reads: ("goto", chain), ("masq-unless-from", cidr), ("masq-if-from", ip),
    ("affinity", set, chain), ("numgen", chains), ("remember", set), ("dnat", ip, port)."""

    text: str
    action: tuple


@dataclass
class NftTable:
    """The table: base chains, regular chains, the service maps, and the kernel's state for
    the affinity sets (set → client IP → time added)."""

    chains: dict[str, list[NftRule]]
    service_ips: dict[tuple[str, str, int], str]
    service_nodeports: dict[tuple[str, int], str]
    no_endpoints: dict[tuple[str, str, int], str]
    affinity_timeouts: dict[str, int]
    local_addresses: tuple[str, ...] = ()
    no_endpoint_nodeports: dict[tuple[str, int], str] = field(default_factory=dict)
    affinity: dict[str, dict[str, float]] = field(default_factory=dict)


def hash_and_truncate(name: str) -> str:
    """hashAndTruncate: the first 8 chars of base32(sha256(name)), a dash, then the name."""
    digest = hashlib.sha256(name.encode()).digest()
    return f"{base64.b32encode(digest).decode()[:8]}-{name}"


def chain_base(port: ServicePort) -> str:
    """servicePortChainNameBase: HASH-namespace/name/protocol/portName."""
    return hash_and_truncate(f"{port.namespace}/{port.name}/{port.proto}/{port.port_name}")


def endpoint_base(port: ServicePort, ep: Endpoint) -> str:
    """servicePortEndpointChainNameBase: HASH-namespace/name/protocol/portName__ip/port."""
    return hash_and_truncate(f"{port.namespace}/{port.name}/{port.proto}/{port.port_name}"
                             f"__{ep.ip}/{ep.port}")


BASE_CHAINS = {
    "nat-prerouting": "type nat hook prerouting priority dstnat; policy accept;",
    "nat-output": "type nat hook output priority dstnat; policy accept;",
    "nat-postrouting": "type nat hook postrouting priority srcnat; policy accept;",
}


def _fixed(chains: dict[str, list[NftRule]]) -> None:
    chains["nat-prerouting"] = [NftRule("jump services", ("goto", "services"))]
    chains["nat-output"] = [NftRule("jump services", ("goto", "services"))]
    chains["nat-postrouting"] = [NftRule("jump masquerading", ("masquerade",))]
    chains["masquerading"] = [
        NftRule(f"meta mark & {MASQ_MARK} == 0x00000000 return", ("masquerade",)),
        NftRule(f"meta mark set meta mark ^ {MASQ_MARK}", ("masquerade",)),
        NftRule("masquerade fully-random", ("masquerade",))]
    chains["mark-for-masquerade"] = [NftRule(f"meta mark set meta mark | {MASQ_MARK}",
                                             ("mark",))]
    chains["services"] = [
        NftRule("ip daddr . meta l4proto . th dport vmap @service-ips", ("service-ips",)),
        NftRule('fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport '
                'vmap @service-nodeports', ("service-nodeports",))]


def _to_endpoints(chains: dict, port: ServicePort, chain: str, eps: tuple[Endpoint, ...],
                  affinity: dict[str, int]) -> None:
    rules = chains.setdefault(chain, [])
    if port.session_affinity == "ClientIP":
        for ep in eps:
            base = endpoint_base(port, ep)
            affinity[f"affinity-{base}"] = port.sticky_seconds
            rules.append(NftRule(f"ip saddr @affinity-{base} goto endpoint-{base}",
                                 ("affinity", f"affinity-{base}", f"endpoint-{base}")))
    targets = tuple(f"endpoint-{endpoint_base(port, ep)}" for ep in eps)
    vmap = ", ".join(f"{i} : goto {t}" for i, t in enumerate(targets))
    rules.append(NftRule(f"numgen random mod {len(eps)} vmap {{ {vmap} }}", ("numgen", targets)))


def build_nft_table(services: list[tuple[ServicePort, list[Endpoint]]], *, cluster_cidr: str = "",
                    local_addresses: tuple[str, ...] = ()) -> NftTable:
    """The `ip kube-proxy` table for these ports, as one nftables syncProxyRules writes it."""
    chains: dict[str, list[NftRule]] = {}
    _fixed(chains)
    ips: dict[tuple[str, str, int], str] = {}
    nodeports: dict[tuple[str, int], str] = {}
    missing: dict[tuple[str, str, int], str] = {}
    missing_nodeports: dict[tuple[str, int], str] = {}
    affinity: dict[str, int] = {}
    for port, endpoints in sorted(services, key=lambda item: (item[0].name_string,
                                                              item[0].protocol)):
        cat, base, proto = categorize(endpoints, port), chain_base(port), port.proto
        svc, local, ext = f"service-{base}", f"local-{base}", f"external-{base}"
        internal = local if port.internal_local else svc
        has_internal = cat.has_any and (bool(cat.local) or not port.internal_local)
        if has_internal:
            ips[(port.cluster_ip, proto, port.port)] = f"goto {internal}"
        else:
            missing[(port.cluster_ip, proto, port.port)] = (
                "drop" if cat.has_any else "goto reject-chain")
        has_external = cat.has_any and (bool(cat.local) or not port.external_policy_local())
        if port.node_port and not has_external:
            missing_nodeports[(proto, port.node_port)] = (
                "drop" if cat.has_any else "goto reject-chain")
        if cat.has_any:
            for ip in (*port.external_ips, *port.load_balancer_ips):
                ips[(ip, proto, port.port)] = f"goto {ext}"
            if port.node_port:
                nodeports[(proto, port.node_port)] = f"goto {ext}"
        if has_internal and cluster_cidr:
            chains.setdefault(internal, []).append(NftRule(
                f"ip daddr {port.cluster_ip} {proto} dport {port.port} "
                f"ip saddr != {cluster_cidr} jump mark-for-masquerade",
                ("masq-unless-from", cluster_cidr)))
        if cat.has_any and port.externally_accessible():
            policy = local if port.external_policy_local() else svc
            rules = chains.setdefault(ext, [])
            if not port.external_policy_local():
                rules.append(NftRule("jump mark-for-masquerade", ("mark",)))
            elif cluster_cidr:
                rules.append(NftRule(f'ip saddr {cluster_cidr} goto {svc} comment '
                                     '"short-circuit pod traffic"',
                                     ("goto-if-from", cluster_cidr, svc)))
            if bool(cat.local) or not port.external_policy_local():
                rules.append(NftRule(f"goto {policy}", ("goto", policy)))
        if cat.cluster and port.uses_cluster_endpoints():
            _to_endpoints(chains, port, svc, cat.cluster, affinity)
        if cat.local and port.uses_local_endpoints():
            _to_endpoints(chains, port, local, cat.local, affinity)
        for ep in cat.reachable:
            base_ep = endpoint_base(port, ep)
            rules = chains.setdefault(f"endpoint-{base_ep}", [])
            rules.append(NftRule(f"ip saddr {ep.ip} jump mark-for-masquerade",
                                 ("masq-if-from", ep.ip)))
            if port.session_affinity == "ClientIP":
                rules.append(NftRule(f"update @affinity-{base_ep} {{ ip saddr }}",
                                     ("remember", f"affinity-{base_ep}")))
            rules.append(NftRule(f"meta l4proto {proto} dnat to {ep}", ("dnat", ep.ip, ep.port)))
    return NftTable(chains, ips, nodeports, missing, affinity, local_addresses,
                    missing_nodeports)


def _map(name: str, kind: str, comment: str, elements: list[str]) -> list[str]:
    lines = [f"\tmap {name} {{", f"\t\ttype {kind}", f'\t\tcomment "{comment}"']
    if elements:
        lines.append("\t\telements = { " + ",\n\t\t\t     ".join(elements) + " }")
    return lines + ["\t}", ""]


def nft_list_table(table: NftTable) -> str:
    """`nft list table ip kube-proxy`: the comment, the affinity sets, the verdict maps,
    then the chains (base chains with their hooks first, the rest by name)."""
    lines = ["table ip kube-proxy {", '\tcomment "rules for kube-proxy"', ""]
    for name in sorted(table.affinity_timeouts):
        lines += [f"\tset {name} {{", "\t\ttype ipv4_addr", "\t\tflags dynamic,timeout",
                  f"\t\ttimeout {table.affinity_timeouts[name]}s", "\t}", ""]
    lines += _map("no-endpoint-services", "ipv4_addr . inet_proto . inet_service : verdict",
                  "vmap to drop or reject packets to services with no endpoints",
                  [f"{a} . {p} . {n} : {v}" for (a, p, n), v in sorted(
                      table.no_endpoints.items())])
    lines += _map("no-endpoint-nodeports", "inet_proto . inet_service : verdict",
                  "vmap to drop or reject packets to service nodeports with no endpoints",
                  [f"{p} . {n} : {v}" for (p, n), v in sorted(
                      table.no_endpoint_nodeports.items())])
    lines += _map("service-ips", "ipv4_addr . inet_proto . inet_service : verdict",
                  "ClusterIP, ExternalIP and LoadBalancer IP traffic",
                  [f"{a} . {p} . {n} : {v}" for (a, p, n), v in sorted(
                      table.service_ips.items())])
    lines += _map("service-nodeports", "inet_proto . inet_service : verdict",
                  "NodePort traffic", [f"{p} . {n} : {v}" for (p, n), v in sorted(
                      table.service_nodeports.items())])
    order = [c for c in BASE_CHAINS if c in table.chains]
    order += sorted(c for c in table.chains if c not in BASE_CHAINS)
    for name in order:
        lines.append(f"\tchain {name} {{")
        if name in BASE_CHAINS:
            lines.append(f"\t\t{BASE_CHAINS[name]}")
        lines += [f"\t\t{rule.text}" for rule in table.chains[name]]
        lines += ["\t}", ""]
    lines[-1] = "}"
    return "\n".join(lines) + "\n"

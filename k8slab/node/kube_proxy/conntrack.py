"""conntrack: the kernel remembers each flow's translation, so an established connection keeps
its endpoint however the rules change; only a new flow goes through the rules (`dnat`).

Timeouts are the kernel's defaults (nf_conntrack_tcp_timeout_established 432000 s, UDP 30 s,
120 s once it saw replies "stream"); kube-proxy sets tcp_timeout_established to 86400 s
(conntrack.tcpEstablishedTimeout) and flushes UDP entries of removed endpoints.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from k8slab.node.kube_proxy.datapath import Translation, translate
from k8slab.node.kube_proxy.rules_iptables import NatTable
from k8slab.node.kube_proxy.rules_ipvs import IpvsTable
from k8slab.node.kube_proxy.rules_nft import NftTable

# KubeProxyConntrackConfiguration defaults (pkg/proxy/apis/config/v1alpha1/defaults.go).
TCP_ESTABLISHED_TIMEOUT = 86400.0
UDP_TIMEOUT = 30.0

FlowKey = tuple[str, str, int, str, int]  # protocol, src ip, src port, dst ip, dst port


@dataclass
class Flow:
    """One conntrack entry: the original tuple's translation and when it expires."""

    endpoint: tuple[str, int] | None
    expires: float
    masquerade: bool = False


class Conntrack:
    """A node's connection tracking table."""

    def __init__(self) -> None:
        self.flows: dict[FlowKey, Flow] = {}

    def translate(self, rules: NatTable | IpvsTable | NftTable, protocol: str, src_ip: str,
                  src_port: int, dst_ip: str, dst_port: int, rng: random.Random,
                  now: float) -> tuple[str, int] | None:
        """The endpoint of this packet's flow: the remembered one while the entry lives,
        else the rules' choice for a new flow (remembered from then on)."""
        flow, _ = self.track(rules, protocol, src_ip, src_port, dst_ip, dst_port, rng, now)
        return flow.endpoint

    def track(self, rules: NatTable | IpvsTable | NftTable, protocol: str, src_ip: str,
              src_port: int, dst_ip: str, dst_port: int, rng: random.Random,
              now: float) -> tuple[Translation, bool]:
        """This packet's translation and whether its flow is new (True) or ESTABLISHED. A
        packet the filter rejects or drops leaves no entry (it was never confirmed)."""
        key = (protocol.lower(), src_ip, src_port, dst_ip, dst_port)
        flow = self.flows.get(key)
        timeout = TCP_ESTABLISHED_TIMEOUT if key[0] != "udp" else UDP_TIMEOUT
        if flow is not None and flow.expires > now:
            flow.expires = now + timeout
            verdict = "DNAT" if flow.endpoint is not None else "ACCEPT"
            return Translation(flow.endpoint, flow.masquerade, verdict), False
        chosen = translate(rules, dst_ip, dst_port, protocol, src_ip, rng, now=now)
        if chosen.verdict in ("DNAT", "ACCEPT"):
            self.flows[key] = Flow(chosen.endpoint, now + timeout, chosen.masquerade)
        return chosen, True

    def close(self, protocol: str, src_ip: str, src_port: int, dst_ip: str,
              dst_port: int) -> None:
        """Forget a flow (a TCP connection closed: FIN/RST seen)."""
        self.flows.pop((protocol.lower(), src_ip, src_port, dst_ip, dst_port), None)

    def expire(self, now: float) -> int:
        """Drop the entries whose timeout passed (the kernel's garbage collector); returns
        how many went."""
        gone = [key for key, flow in self.flows.items() if flow.expires <= now]
        for key in gone:
            del self.flows[key]
        return len(gone)

    def clear_udp_to(self, endpoints: set[tuple[str, int]]) -> int:
        """conntrack -D for UDP flows to endpoints that are gone (kube-proxy's
        CleanStaleEntries); returns how many entries were deleted."""
        stale = [k for k, f in self.flows.items() if k[0] == "udp" and f.endpoint in endpoints]
        for key in stale:
            del self.flows[key]
        return len(stale)

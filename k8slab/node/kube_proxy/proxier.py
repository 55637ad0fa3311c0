"""The proxier: watches Services and EndpointSlices through the API and rewrites the node's
rules, at most once per minSyncPeriod (a burst of 2) and at least once per syncPeriod.

As async.BoundedFrequencyRunner drives syncProxyRules upstream. The rules land in the host's
memory (`host.memory["iptables" | "ipvs" | "nftables"]`), the node's kernel in this model;
a sync takes no simulated time.
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.client.informer import SharedInformerFactory
from k8slab.client.rest import Client
from k8slab.node.kube_proxy.config import ProxyConfig
from k8slab.node.kube_proxy.rules_iptables import build_nat_table
from k8slab.node.kube_proxy.rules_ipvs import IpvsTable, build_ipvs_table
from k8slab.node.kube_proxy.rules_nft import build_nft_table
from k8slab.node.kube_proxy.service_ports import endpoints_for, service_ports, slices_by_service

BURST_SYNCS = 2  # proxier.go: burstSyncs := 2
UNSYNCED_RETRY = 0.1
# Float rounding can leave a wait of ~1e-15 s, which does not move the clock at large
# times: waits and refills this close to due count as due.
CLOCK_EPSILON = 1e-9  # how often the loop looks again while the informers have not listed


class Proxier:
    """kube-proxy's rule writer for one node, in the mode its configuration names."""

    def __init__(self, client: Client, config: ProxyConfig, node_name: str,
                 node_addresses: tuple[str, ...] = ()) -> None:
        self.client = client
        self.config = config
        self.node_name = node_name
        self.node_addresses = node_addresses
        self.factory = SharedInformerFactory(client)
        self.services = self.factory.informer("services")
        self.slices = self.factory.informer("endpointslices")
        for informer in (self.services, self.slices):
            informer.on_add.append(lambda _obj: self.request_sync())
            informer.on_update.append(lambda _old, _new: self.request_sync())
            informer.on_delete.append(lambda _obj: self.request_sync())
        self.syncs: list[float] = []
        self.pending = True
        self._tokens = float(BURST_SYNCS)
        self._last_refill = 0.0
        self._wake = None

    @property
    def host(self):  # noqa: ANN201 - the sim's Host
        """The node this proxier writes rules on."""
        return self.client.group.host

    def start(self) -> None:
        """Clear other modes' leftovers, then start the informers and the sync loop.

        As upstream's platformCleanup at start-up (kk cmd/kube-proxy/app/server_linux.go):
        nftables mode removes the iptables and ipvs rules; iptables and ipvs modes remove the
        nftables table. Switching between iptables and ipvs leaves the other's rules behind."""
        stale = ("iptables", "ipvs") if self.config.mode == "nftables" else ("nftables",)
        for mode in stale:
            self.host.memory.pop(mode, None)
        self.factory.start()
        self.client.group.spawn(self._loop())

    def request_sync(self) -> None:
        """An informer saw a change: sync as soon as minSyncPeriod allows (proxier.Sync)."""
        self.pending = True
        if self._wake is not None and not self._wake.triggered:
            self._wake.succeed()

    def rules(self) -> object:
        """The table the last sync wrote (None before the first)."""
        return self.host.memory.get(self.config.mode)

    def sync_proxy_rules(self) -> int:
        """Rebuild the node's rules from the informers' caches; returns how many rules (or
        ipvs real servers) were written, and records the sync in the trace."""
        by_service = slices_by_service(self.slices.list())
        ports = [(port, endpoints_for(port, by_service.get((port.namespace, port.name), []),
                                      self.node_name))
                 for svc in self.services.list() for port in service_ports(svc)]
        mode, cidr = self.config.mode, self.config.cluster_cidr
        if mode == "iptables":
            table = build_nat_table(ports, cluster_cidr=cidr,
                                    masquerade_all=self.config.masquerade_all,
                                    local_addresses=self.node_addresses)
            count = len(table.rules())
        elif mode == "ipvs":
            old = self.host.memory.get("ipvs")
            table = build_ipvs_table(ports, node_addresses=self.node_addresses,
                                     scheduler=self.config.ipvs_scheduler,
                                     previous=old if isinstance(old, IpvsTable) else None)
            count = sum(len(vs.reals) for vs in table.services.values())
        else:
            table = build_nft_table(ports, cluster_cidr=cidr, local_addresses=self.node_addresses)
            count = sum(len(rules) for rules in table.chains.values())
        self.host.memory[mode] = table
        sim = self.client.group.sim
        self.syncs.append(sim.now)
        sim.record(self.host.name, "kube-proxy", "sync", mode, service_ports=len(ports),
                   rules=count)
        return count

    def _take_token(self, now: float) -> float:
        """0 if a sync may run now (a token taken), else the seconds until one refills."""
        rate = 1.0 / self.config.min_sync_period if self.config.min_sync_period else None
        if rate is None:
            return 0.0
        self._tokens = min(BURST_SYNCS, self._tokens + (now - self._last_refill) * rate)
        self._last_refill = now
        if self._tokens >= 1.0 - CLOCK_EPSILON:
            self._tokens = max(self._tokens - 1.0, 0.0)
            return 0.0
        return (1.0 - self._tokens) / rate

    def _loop(self) -> Generator:
        env = self.client.group.env
        last = env.now
        while True:
            synced = self.factory.synced()
            due = synced and (self.pending or env.now - last
                              >= self.config.sync_period - CLOCK_EPSILON)
            if due:
                wait = self._take_token(env.now)
                if wait > 0:
                    yield env.timeout(wait)
                    continue
                self.pending = False
                self.sync_proxy_rules()
                last = env.now
            self._wake = env.event()
            timeout = (self.config.sync_period - (env.now - last)) if synced else UNSYNCED_RETRY
            yield env.any_of([self._wake, env.timeout(max(timeout, 0.0))])

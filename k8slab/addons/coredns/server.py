"""The CoreDNS server: a DNS listener on port 53 of its pod, answering from informers over
Services and EndpointSlices (the kubernetes plugin), forwarding other names upstream.

A query is `{"protocol": "dns", "name": ..., "type": "A"}`; the answer is
`{"rcode": "NOERROR" | "NXDOMAIN" | "SERVFAIL", "answers": [record text...]}`. Until the
plugin's informers have synced it answers SERVFAIL (the `ready` plugin's point). Simplified:
the simulated world has no Internet, so the upstream resolver knows no outside name
(NXDOMAIN); and the cache plugin is not modelled, which changes nothing for cluster.local
(kubeadm's Corefile disables caching there).
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.addons.coredns.corefile import CLUSTER_DOMAIN
from k8slab.addons.coredns.records import answer
from k8slab.client.informer import Informer
from k8slab.client.rest import Client

DNS_PORT = 53


class CoreDNS:
    """One CoreDNS process: its informers and its query handler."""

    def __init__(self, client: Client, zone: str = CLUSTER_DOMAIN) -> None:
        self.client = client
        self.zone = zone
        self.services = Informer(client, "services")
        self.slices = Informer(client, "endpointslices")
        self.queries = 0

    def start(self) -> None:
        """List and watch Services and EndpointSlices."""
        self.services.start()
        self.slices.start()

    @property
    def ready(self) -> bool:
        """Both informers have synced (what the `ready` plugin reports on :8181)."""
        return self.services.synced and self.slices.synced

    def handle(self, request: dict) -> Generator:
        """Answer one DNS query (a listener handler: a generator returning the response)."""
        yield from ()
        self.queries += 1
        if request.get("protocol") != "dns" or not request.get("name"):
            return {"rcode": "FORMERR", "answers": []}
        if not self.ready:
            return {"rcode": "SERVFAIL", "answers": []}
        result = answer(request["name"], request.get("type", "A"), self.services.list(),
                        self.slices.list(), self.zone)
        rcode = "NXDOMAIN" if result.rcode == "NOTZONE" else result.rcode
        self.client.group.sim.record(self.client.group.host.name, "coredns", "query",
                                     request["name"], type=request.get("type", "A"),
                                     rcode=rcode, answers=len(result.records))
        return {"rcode": rcode, "answers": [str(r) for r in result.records]}

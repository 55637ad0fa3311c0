"""The `default/kubernetes` Service and its EndpointSlice, which every API server maintains.

As kubernetes pkg/controlplane/controller/kubernetesservice and reconcilers/lease.go do with
--endpoint-reconciler-type=lease (the default): every 10 s each API server renews its "master
lease", a key /registry/masterleases/<advertise-address> on an etcd lease of 15 s, reads every
live master lease, and writes the addresses it finds (sorted) into the `kubernetes`
EndpointSlice, port https 6443. An API server that stops renewing drops out within 15 s. The
Service itself is created once, at the first address of the service CIDR (10.96.0.1), port
443 -> 6443. Simplified: upstream also writes a legacy Endpoints object, which the lab does
not model, and repairs a Service whose ports were edited.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Generator

from k8slab.api.kinds import Kind
from k8slab.apiserver.service_allocation import SERVICE_CIDR
from k8slab.apiserver.storage import Storage
from k8slab.errors import AlreadyExistsError, APIError, NotFoundError

# controlplane/reconcilers: DefaultEndpointReconcilerInterval and ...TTL.
ENDPOINT_INTERVAL = 10.0
MASTER_LEASE_TTL = 15
RETRY_SECONDS = 1.0
SERVICE_NAME, SERVICE_NAMESPACE, SERVICE_PORT = "kubernetes", "default", 443
# Not a kind the API serves: Endpoints-shaped records under /registry/masterleases/.
MASTER_LEASE = Kind("Endpoints", "v1", "endpoints", False, "masterleases")


def kubernetes_service(cidr: str = SERVICE_CIDR) -> dict:
    """The Service manifest: ClusterIP at the CIDR's first address, https 443 -> 6443, no
    selector (its EndpointSlice is written by the API servers, not the EndpointSlice controller)."""
    first = str(ipaddress.ip_network(cidr).network_address + 1)
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": SERVICE_NAME, "namespace": SERVICE_NAMESPACE,
                     "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"type": "ClusterIP", "clusterIP": first, "clusterIPs": [first],
                 "ports": [{"name": "https", "port": SERVICE_PORT, "protocol": "TCP",
                            "targetPort": 6443}]},
    }


def kubernetes_endpoint_slice(addresses: list[str], port: int = 6443) -> dict:
    """The `kubernetes` EndpointSlice: one ready endpoint per API server address."""
    return {
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": SERVICE_NAME, "namespace": SERVICE_NAMESPACE,
                     "labels": {"kubernetes.io/service-name": SERVICE_NAME}},
        "addressType": "IPv4",
        "endpoints": [{"addresses": [ip], "conditions": {"ready": True}} for ip in addresses],
        "ports": [{"name": "https", "port": port, "protocol": "TCP"}],
    }


class KubernetesServiceReconciler:
    """One API server's part: its master lease, the Service, and the EndpointSlice."""

    def __init__(self, serve: Callable[[dict], Generator], storage: Storage, advertise: str,
                 timeout: Callable[[float], object]) -> None:
        self.serve = serve
        self.storage = storage
        self.advertise = advertise
        self.timeout = timeout
        self.service_created = False

    def run(self) -> Generator:
        """Reconcile every 10 s, and again after 1 s when a step failed (etcd not ready...)."""
        while True:
            try:
                yield from self.reconcile()
                wait = ENDPOINT_INTERVAL
            except APIError:
                wait = RETRY_SECONDS
            yield self.timeout(wait)

    def reconcile(self) -> Generator:
        """Ensure the Service, renew this server's lease, write the live addresses."""
        if not self.service_created:
            yield from self._ensure_service()
            self.service_created = True
        lease = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": self.advertise},
                 "subsets": [{"addresses": [{"ip": self.advertise}]}]}
        yield from self.storage.put_with_ttl(MASTER_LEASE, lease, MASTER_LEASE_TTL)
        leases, _ = yield from self.storage.list(MASTER_LEASE, None)
        addresses = sorted((item["metadata"]["name"] for item in leases),
                           key=ipaddress.ip_address)
        yield from self._write_slice(kubernetes_endpoint_slice(addresses))

    def _ensure_service(self) -> Generator:
        # Read first, as upstream's CreateOrUpdateMasterServiceIfNeeded does: a second API
        # server's create would fail on the taken 10.96.0.1 before the name's AlreadyExists.
        request = {"resource": "services", "namespace": SERVICE_NAMESPACE}
        try:
            yield from self.serve(dict(request, verb="get", name=SERVICE_NAME))
        except NotFoundError:
            try:
                yield from self.serve(dict(request, verb="create", body=kubernetes_service()))
            except AlreadyExistsError:
                pass

    def _write_slice(self, wanted: dict) -> Generator:
        request = {"resource": "endpointslices", "namespace": SERVICE_NAMESPACE}
        try:
            current = yield from self.serve(dict(request, verb="get", name=SERVICE_NAME))
        except NotFoundError:
            yield from self.serve(dict(request, verb="create", body=wanted))
            return
        if (current.get("endpoints"), current.get("ports")) == (wanted["endpoints"],
                                                                wanted["ports"]):
            return
        body = dict(current, endpoints=wanted["endpoints"], ports=wanted["ports"])
        yield from self.serve(dict(request, verb="update", body=body))

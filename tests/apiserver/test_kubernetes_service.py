"""The `default/kubernetes` Service and EndpointSlice the API servers keep (lease reconciler)."""

from k8slab.apiserver.server import APIServer
from k8slab.etcd.member import EtcdMember
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network
from tests.conftest import CONTROL_PLANE, ControlPlane
from tests.pki_fixtures import trusting_test_ca


def two_api_servers() -> ControlPlane:
    sim = Simulation(7)
    network = Network(sim)
    control_plane = network.add_host(CONTROL_PLANE)
    worker = network.add_host("worker-1")
    second = network.add_host("control-plane-2")
    for host in network.hosts():
        host.start()
    etcd = EtcdMember(control_plane.group("etcd"), CONTROL_PLANE)
    first = APIServer(control_plane.group("kube-apiserver"), CONTROL_PLANE, "10.0.0.10",
                      authenticator=trusting_test_ca(sim))
    other = APIServer(second.group("kube-apiserver"), CONTROL_PLANE, "10.0.0.11",
                      authenticator=trusting_test_ca(sim))
    etcd.start()
    first.start()
    other.start()
    return ControlPlane(sim, network, control_plane, worker, etcd, first)


def endpoints(cp: ControlPlane) -> list[str]:
    slice_ = cp.ok(cp.client().get("endpointslices", "kubernetes", "default"))
    return [address for e in slice_["endpoints"] for address in e["addresses"]]


def test_the_kubernetes_service_points_at_every_live_api_server():
    cp = two_api_servers()
    cp.sim.run(12.0)
    service = cp.ok(cp.client().get("services", "kubernetes", "default"))
    assert service["spec"]["clusterIP"] == "10.96.0.1"
    assert service["spec"]["ports"] == [{"name": "https", "port": 443, "protocol": "TCP",
                                         "targetPort": 6443}]
    assert endpoints(cp) == ["10.0.0.10", "10.0.0.11"]
    slice_ = cp.ok(cp.client().get("endpointslices", "kubernetes", "default"))
    assert slice_["ports"] == [{"name": "https", "port": 6443, "protocol": "TCP"}]
    assert slice_["metadata"]["labels"] == {"kubernetes.io/service-name": "kubernetes"}
    cp.network.host("control-plane-2").crash()  # its lease runs out in 15 s (+5% reuse)
    cp.sim.run(cp.sim.now + 30.0)
    assert endpoints(cp) == ["10.0.0.10"]

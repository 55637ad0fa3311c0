"""ClusterIP and NodePort allocation: upstream's messages, released on delete, kept on update,
rebuilt from the stored Services (so a restarted API server keeps them)."""

import ipaddress
import random

import pytest

from k8slab.apiserver.server import APIServer
from k8slab.apiserver.service_allocation import ServiceAllocator
from k8slab.errors import InternalError, InvalidError
from tests.conftest import CONTROL_PLANE
from tests.pki_fixtures import trusting_test_ca


def service(name: str, **spec) -> dict:
    ports = spec.pop("ports", [{"port": 80, "protocol": "TCP"}])
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"type": "ClusterIP", "ports": ports, **spec}}


def test_a_cluster_ip_is_drawn_from_the_service_cidr_and_never_twice():
    allocator = ServiceAllocator([], random.Random(1), cidr="10.96.0.0/29")
    ips = []
    for index in range(6):  # 8 addresses less the network and broadcast ones
        svc = service(f"s{index}")
        allocator.allocate(svc)
        ips.append(svc["spec"]["clusterIP"])
        assert svc["spec"]["clusterIPs"] == [svc["spec"]["clusterIP"]]
    assert sorted(ips, key=ipaddress.ip_address) == [f"10.96.0.{n}" for n in range(1, 7)]
    with pytest.raises(InternalError) as full:
        allocator.allocate(service("s7"))
    assert full.value.message == (
        "Internal error occurred: failed to allocate a serviceIP: range is full")


@pytest.mark.parametrize(("wanted", "message"), [
    ("10.96.0.10", 'Service "dns" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.10"]: '
                   "failed to allocate IP 10.96.0.10: provided IP is already allocated"),
    ("10.112.0.1", 'Service "dns" is invalid: spec.clusterIPs: Invalid value: ["10.112.0.1"]: '
                   "failed to allocate IP 10.112.0.1: the provided IP (10.112.0.1) is not in "
                   "the valid range. The range of valid IPs is 10.96.0.0/12"),
], ids=["taken", "out of range"])
def test_a_requested_cluster_ip_must_be_free_and_in_range(wanted, message):
    allocator = ServiceAllocator([service("kube-dns", clusterIP="10.96.0.10",
                                          clusterIPs=["10.96.0.10"])], random.Random(1))
    svc = service("dns", clusterIP=wanted, clusterIPs=[wanted])
    with pytest.raises(InvalidError) as refused:
        allocator.allocate(svc)
    assert refused.value.message == message


@pytest.mark.parametrize(("wanted", "message"), [
    (30080, 'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: '
            "provided port is already allocated"),
    (40000, 'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 40000: '
            "provided port is not in the valid range. The range of valid ports is 30000-32767"),
], ids=["taken", "out of range"])
def test_a_requested_node_port_must_be_free_and_in_range(wanted, message):
    held = service("a", type="NodePort", clusterIPs=["10.96.0.5"],
                   ports=[{"port": 80, "protocol": "TCP", "nodePort": 30080}])
    allocator = ServiceAllocator([held], random.Random(1))
    with pytest.raises(InvalidError) as refused:
        allocator.allocate(service("b", type="NodePort",
                                   ports=[{"port": 80, "protocol": "TCP", "nodePort": wanted}]))
    assert refused.value.message == message


def test_node_ports_are_drawn_from_the_range_until_it_is_full():
    allocator = ServiceAllocator([], random.Random(2), node_ports=(30000, 30002))
    svc = service("a", type="NodePort", ports=[
        {"name": n, "port": p, "protocol": "TCP"} for n, p in (("a", 1), ("b", 2), ("c", 3))])
    allocator.allocate(svc)
    assert sorted(p["nodePort"] for p in svc["spec"]["ports"]) == [30000, 30001, 30002]
    with pytest.raises(InternalError, match="failed to allocate a nodePort: range is full"):
        allocator.allocate(service("d", type="LoadBalancer"))


def test_the_same_port_number_over_two_protocols_shares_one_node_port():
    allocator = ServiceAllocator([], random.Random(2))
    dns = service("dns", type="NodePort", ports=[
        {"name": "dns", "port": 53, "protocol": "UDP"},
        {"name": "dns-tcp", "port": 53, "protocol": "TCP"},
        {"name": "metrics", "port": 9153, "protocol": "TCP"}])
    allocator.allocate(dns)
    udp, tcp, metrics = (p["nodePort"] for p in dns["spec"]["ports"])
    assert udp == tcp != metrics
    asked = service("asked", type="NodePort", ports=[
        {"name": "a", "port": 53, "protocol": "UDP"},
        {"name": "b", "port": 53, "protocol": "TCP", "nodePort": 31053}])
    allocator.allocate(asked)  # the number asked on either port serves both
    assert [p["nodePort"] for p in asked["spec"]["ports"]] == [31053, 31053]
    with pytest.raises(InvalidError, match="provided port is already allocated"):
        allocator.allocate(service("udp", type="NodePort", ports=[
            {"port": 1, "protocol": "UDP", "nodePort": 31053}]))  # numbers, not protocols


def test_headless_and_external_name_services_get_no_address():
    allocator = ServiceAllocator([], random.Random(1))
    headless = service("h", clusterIP="None", clusterIPs=["None"])
    external = service("e", type="ExternalName", externalName="example.com", ports=[])
    allocator.allocate(headless)
    allocator.allocate(external)
    assert headless["spec"]["clusterIPs"] == ["None"]
    assert "clusterIP" not in external["spec"]
    assert allocator.ips == set()


# -- through the API server --------------------------------------------------------------------


def manifest(name: str, **spec) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": {"app": name}, "ports": [{"port": 80}], **spec}}


def test_the_api_server_allocates_checks_and_frees(cp):
    client = cp.client()
    web = cp.ok(client.create(manifest("web", type="NodePort",
                                       ports=[{"port": 80, "nodePort": 30080}])))
    ip = web["spec"]["clusterIP"]
    assert ipaddress.ip_address(ip) in ipaddress.ip_network("10.96.0.0/12")
    assert web["spec"]["ports"][0] == {"port": 80, "protocol": "TCP", "targetPort": 80,
                                       "nodePort": 30080}
    before = cp.etcd.store.revision
    taken = cp.call(client.create(manifest("other", type="NodePort", clusterIP=ip,
                                           ports=[{"port": 80, "nodePort": 30080}])))
    assert isinstance(taken, InvalidError)
    assert "provided IP is already allocated" in taken.message
    assert cp.etcd.store.revision == before  # nothing written
    cp.ok(client.delete("services", "web", "default"))
    again = cp.ok(client.create(manifest("again", type="NodePort", clusterIP=ip,
                                         ports=[{"port": 80, "nodePort": 30080}])))
    assert again["spec"]["clusterIP"] == ip


def test_an_update_keeps_the_allocation_and_the_cluster_ip_is_immutable(cp):
    client = cp.client()
    web = cp.ok(client.create(manifest("web", type="NodePort")))
    sent = manifest("web", type="NodePort", ports=[{"port": 80}])
    sent["metadata"]["namespace"] = "default"
    updated = cp.ok(client.update(sent))  # no clusterIP, no nodePort: the stored ones stay
    assert updated["spec"]["clusterIP"] == web["spec"]["clusterIP"]
    assert updated["spec"]["ports"][0]["nodePort"] == web["spec"]["ports"][0]["nodePort"]
    moved = dict(sent, spec=dict(sent["spec"], clusterIP="10.96.0.99", clusterIPs=["10.96.0.99"]))
    refused = cp.call(client.update(moved))
    assert isinstance(refused, InvalidError)
    assert refused.message == ('Service "web" is invalid: spec.clusterIPs[0]: Invalid value: '
                               '"10.96.0.99": may not change once set')


def test_drawn_values_leave_the_static_band_free():
    allocator = ServiceAllocator([], random.Random(3))
    for index in range(20):
        svc = service(f"s{index}", type="NodePort")
        allocator.allocate(svc)
        assert ipaddress.ip_address(svc["spec"]["clusterIP"]) >= ipaddress.ip_address("10.96.1.1")
        assert svc["spec"]["ports"][0]["nodePort"] >= 30000 + 86


def test_a_restarted_api_server_still_knows_what_is_taken(cp):
    client = cp.client()
    web = cp.ok(client.create(manifest("web", type="NodePort")))
    cp.apiserver.group.stop()  # a new kube-apiserver process: no memory of the old one's
    restarted = APIServer(cp.control_plane.group("kube-apiserver-2"), CONTROL_PLANE,
                          authenticator=trusting_test_ca(cp.sim))
    restarted.start()
    cp.sim.run(cp.sim.now + 2.0)
    assert cp.control_plane.server_on(6443) is restarted
    ip, node_port = web["spec"]["clusterIP"], web["spec"]["ports"][0]["nodePort"]
    again = cp.call(client.create(manifest("again", clusterIP=ip)))
    assert f"failed to allocate IP {ip}: provided IP is already allocated" in again.message
    port = cp.call(client.create(manifest("port", type="NodePort",
                                          ports=[{"port": 80, "nodePort": node_port}])))
    assert "provided port is already allocated" in port.message

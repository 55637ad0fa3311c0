"""`kubectl get svc|endpointslices|cm` rows, as kubectl v1.35 prints them."""

from k8slab.lab.kubectl.network_printers import (
    config_map_cells,
    endpoint_slice_cells,
    service_cells,
)
from k8slab.lab.kubectl.resources import BY_ALIAS

META = {"name": "web", "namespace": "default", "creationTimestamp": "2026-01-01T00:00:00Z"}
T = 0.0  # only the AGE cell depends on the time


def svc(**spec) -> dict:
    return {"kind": "Service", "metadata": META, "spec": spec, "status": {"loadBalancer": {}}}


def test_service_rows():
    tcp = [{"port": 80, "protocol": "TCP"}]
    cells = service_cells(svc(type="ClusterIP", clusterIP="10.96.0.15", ports=tcp,
                              selector={"app": "web"}), T)
    del cells[5]  # AGE
    assert cells == ["web", "ClusterIP", "10.96.0.15", "<none>", "80/TCP", "app=web"]
    node_port = svc(type="NodePort", clusterIP="10.96.0.16",
                    ports=[{"port": 80, "nodePort": 30080, "protocol": "TCP"},
                           {"port": 53, "nodePort": 31053, "protocol": "UDP"}])
    assert service_cells(node_port, T)[2:5] == ["10.96.0.16", "<none>",
                                                "80:30080/TCP,53:31053/UDP"]
    balancer = svc(type="LoadBalancer", clusterIP="10.96.0.17", ports=tcp)
    assert service_cells(balancer, T)[3] == "<pending>"
    balancer["status"] = {"loadBalancer": {"ingress": [{"ip": "203.0.113.5"}]}}
    assert service_cells(balancer, T)[3] == "203.0.113.5"
    external = svc(type="ExternalName", externalName="db.example.com")
    assert service_cells(external, T)[2:5] == ["<none>", "db.example.com", "<none>"]
    assert service_cells(svc(type="ClusterIP", clusterIP="None", ports=tcp), T)[2] == "None"
    assert BY_ALIAS["svc"].header(wide=True) == [
        "NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"]


def test_endpoint_slice_and_config_map_rows():
    slice_ = {"metadata": META, "addressType": "IPv4",
              "ports": [{"name": "http", "port": 80, "protocol": "TCP"}],
              "endpoints": [{"addresses": [f"10.244.1.{n}"]} for n in range(1, 6)]}
    assert endpoint_slice_cells(slice_, T)[:4] == [
        "web", "IPv4", "80", "10.244.1.1,10.244.1.2,10.244.1.3 + 2 more..."]
    empty = {"metadata": META, "addressType": "IPv4"}
    assert endpoint_slice_cells(empty, T)[2:4] == ["<unset>", "<unset>"]
    cm = {"metadata": META, "data": {"a": "1", "b": "2"}, "binaryData": {"c": "AA=="}}
    assert config_map_cells(cm, T)[:2] == ["web", "3"]
    assert BY_ALIAS["endpointslices"].header(wide=False) == [
        "NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]
    assert BY_ALIAS["cm"].header(wide=False) == ["NAME", "DATA", "AGE"]

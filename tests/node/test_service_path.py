"""Traffic through kube-proxy's rules on the real path: DNAT on the client's node, conntrack,
REJECT and DROP from the filter table, NodePorts from outside the cluster with and without
masquerade, DNS over UDP; each hop in the trace."""

from __future__ import annotations

import pytest

from k8slab.addons.coredns.server import DNS_PORT
from k8slab.errors import K8sLabError
from k8slab.lab.traffic import send_traffic
from k8slab.node.kube_proxy.rules_iptables import iptables_save
from k8slab.node.service_path import Flow, connect_from_outside
from tests.node.service_fixtures import cluster_ip, cluster_with, web

OUTSIDE_IP = "192.168.1.50"  # the registry host's address, outside the cluster's networks
GET = {"protocol": "http", "method": "GET", "path": "/"}
CHI2_DF2_P001 = 13.816  # chi-square critical value, 2 degrees of freedom, p = 0.001


def network_hops(c, since: int) -> list[tuple[str, str, str, dict]]:
    return [(r.host, r.kind, r.obj, r.details) for r in c.trace.where(component="network")
            if r.seq > since and r.kind != "routes"]


def test_wget_to_a_cluster_ip_is_dnated_on_the_client_node_to_a_pod_on_another() -> None:
    c = cluster_with(*web(nodes=("worker-2",)))
    ip, served = cluster_ip(c, "web"), c.get("pods", "web-1")["status"]["podIP"]
    since = len(c.trace) - 1
    assert "Welcome to nginx" in c.exec_("client", ["wget", "-qO-", f"http://{ip}/"])
    client = c.get("pods", "client")["status"]["podIP"]
    assert network_hops(c, since) == [
        ("worker-1", "dnat", f"{client}->{ip}:80", {"endpoint": f"{served}:80", "state": "NEW"}),
        ("worker-1", "send", f"{client}->{served}:80", {"to": "worker-2"}),
        ("worker-2", "deliver", f"{client}->{served}:80", {"listening": True})]
    # The TCP flow closed with the answer: conntrack forgot it.
    assert c.network.host("worker-1").memory["conntrack"].flows == {}


def test_iptables_spreads_new_connections_evenly_over_three_endpoints() -> None:
    c = cluster_with(*web())
    report = send_traffic(c, "client", f"http://{cluster_ip(c, 'web')}/", rps=500, seconds=6)
    counts = report.by_endpoint()
    assert sorted(counts) == ["default/web-1", "default/web-2", "default/web-3"]
    assert report.failures() == {}
    chi2 = sum((n - 1000) ** 2 / 1000 for n in counts.values())
    assert sum(counts.values()) == 3000 and chi2 < CHI2_DF2_P001


def test_ipvs_takes_the_endpoints_in_exact_round_robin() -> None:
    c = cluster_with(*web(), mode="ipvs")
    report = send_traffic(c, "client", f"http://{cluster_ip(c, 'web')}/", rps=10, seconds=3)
    served = [r.endpoint for r in report.requests]
    assert served == ["default/web-1", "default/web-2", "default/web-3"] * 10


@pytest.mark.parametrize("mode", ["iptables", "ipvs", "nftables"])
def test_client_ip_affinity_keeps_one_endpoint(mode: str) -> None:
    c = cluster_with(*web(sessionAffinity="ClientIP"), mode=mode)
    report = send_traffic(c, "client", f"http://{cluster_ip(c, 'web')}/", rps=20, seconds=3)
    assert len(report.by_endpoint()) == 1 and sum(report.by_endpoint().values()) == 60


def test_an_established_flow_keeps_its_endpoint_when_the_rules_change() -> None:
    c = cluster_with(*web())
    ip = cluster_ip(c, "web")
    netfilter = c.network.host("worker-1").memory["pod_network"].netfilter
    flow = Flow("tcp", c.get("pods", "client")["status"]["podIP"], 40000, ip, 80)
    first = netfilter.translate(flow).endpoint
    serving = next(p["metadata"]["name"] for p in c.list("pods", "default")
                   if p["status"].get("podIP") == first[0])
    c.kubectl(f"delete pod {serving}")
    c.run(5)
    assert f"{first[0]}:" not in iptables_save(netfilter.rules())  # its rules are gone
    again = netfilter.translate(flow)
    assert again.endpoint == first
    assert c.trace.where(component="network", kind="dnat")[-1].details["state"] == "ESTABLISHED"
    netfilter.close(flow)
    assert netfilter.translate(flow).endpoint != first  # a new flow: the rules choose again


def test_a_service_without_endpoints_is_refused_by_the_client_node() -> None:
    c = cluster_with({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "empty"},
                      "spec": {"selector": {"app": "none"}, "ports": [{"port": 80}]}})
    ip = cluster_ip(c, "empty")
    with pytest.raises(K8sLabError, match=rf"can't connect to remote host \({ip}\): "
                                          "Connection refused"):
        c.exec_("client", ["wget", "-qO-", f"http://{ip}/"])
    assert c.trace.where(component="network")[-2].kind == "reject"


def test_a_cluster_ip_no_rule_knows_times_out() -> None:
    c = cluster_with()
    with pytest.raises(K8sLabError, match="Connection timed out"):
        c.exec_("client", ["wget", "-T", "2", "-qO-", "http://10.96.200.200/"])


def outside(c, dst_ip: str, port: int, timeout: float = 2.0) -> tuple[dict, list[str]]:
    registry = c.network.host("registry")
    peer: list[str] = []
    answer = c.sim.run_process(registry.group("curl").spawn(connect_from_outside(
        registry, OUTSIDE_IP, dst_ip, port, GET, timeout, peer=peer)), timeout + 1)
    return answer, peer


def node_port(c, name: str = "web") -> int:
    return c.get("services", name)["spec"]["ports"][0]["nodePort"]


def test_a_node_port_from_outside_is_dnated_and_masqueraded_by_the_receiving_node() -> None:
    c = cluster_with(*web(nodes=("worker-2",), type="NodePort"))
    served = c.get("pods", "web-1")["status"]["podIP"]
    since = len(c.trace) - 1
    answer, peer = outside(c, "10.0.0.23", node_port(c))  # worker-3 has no endpoint
    assert answer["status"] == 200 and peer == [f"{served}:80"]
    hops = network_hops(c, since)
    assert [(h[0], h[1]) for h in hops] == [("registry", "send"), ("worker-3", "dnat"),
                                            ("worker-3", "send"), ("worker-2", "deliver")]
    assert hops[1][3] == {"endpoint": f"{served}:80", "state": "NEW", "masquerade": True}
    # Cluster policy: the pod sees worker-3's address, not the client's.
    assert hops[3][2] == f"10.0.0.23->{served}:80"


def test_external_traffic_policy_local_keeps_the_client_ip_and_drops_without_local_pods() -> None:
    c = cluster_with(*web(nodes=("worker-2",), type="NodePort", externalTrafficPolicy="Local"))
    served = c.get("pods", "web-1")["status"]["podIP"]
    since = len(c.trace) - 1
    answer, _ = outside(c, "10.0.0.22", node_port(c))  # worker-2 holds the endpoint
    assert answer["status"] == 200
    assert network_hops(c, since)[-1][2] == f"{OUTSIDE_IP}->{served}:80"
    # worker-3 has no local endpoint: proxier.go's filter DROPs ("has no local endpoints").
    with pytest.raises(K8sLabError, match="i/o timeout"):
        outside(c, "10.0.0.23", node_port(c))
    flow = f"{OUTSIDE_IP}->10.0.0.23:{node_port(c)}"
    assert [(r.host, r.kind) for r in c.trace.where(component="network", obj=flow)][-3:] == [
        ("registry", "send"), ("worker-3", "drop"), ("registry", "timeout")]


def test_dns_over_udp_to_a_coredns_pod_is_answered() -> None:
    c = cluster_with(*web(nodes=("worker-2",)), dns=True)
    dns_pod = next(p for p in c.list("pods", "kube-system")
                   if p["metadata"]["name"].startswith("coredns"))
    netns = c.network.host("worker-1").memory["pod_network"].host_net.root
    query = {"protocol": "dns", "name": "web.default.svc.cluster.local", "type": "A"}
    answer = c.sim.run_process(c.network.host("worker-1").group("dig").spawn(netns.route(
        dns_pod["status"]["podIP"], DNS_PORT, query, 2.0, protocol="udp")), 3)
    assert answer["rcode"] == "NOERROR"
    assert answer["answers"][0].endswith(f"\tA\t{cluster_ip(c, 'web')}")
    # And through the kube-dns ClusterIP, DNATed over UDP by the client's node.
    answer = c.sim.run_process(c.network.host("worker-1").group("dig").spawn(netns.route(
        "10.96.0.10", DNS_PORT, query, 2.0, protocol="udp")), 3)
    assert answer["rcode"] == "NOERROR"
    dnat = c.trace.where(component="network", kind="dnat")[-1]
    assert dnat.obj.endswith("->10.96.0.10:53") and dnat.details["endpoint"].endswith(":53")

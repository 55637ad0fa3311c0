"""The iptables nat table: upstream's hashes, probabilities and iptables-save text."""

import random
from pathlib import Path

from k8slab.node.kube_proxy.datapath import dnat
from k8slab.node.kube_proxy.rules_iptables import (
    build_nat_table,
    iptables_save,
    probability,
    saved_probability,
)
from k8slab.node.kube_proxy.service_ports import port_proto_hash
from tests.node.kube_proxy.helpers import CIDR, NODE_IP, endpoint_slice, ports_of, service

GOLDEN = Path(__file__).with_name("golden_iptables_save.txt")


def test_chain_hashes_are_the_ones_every_cluster_shows():
    # Seen in any kubeadm cluster's iptables-save: the kubernetes and kube-dns services.
    assert port_proto_hash("default/kubernetes:https", "tcp") == "NPX46M4PTMTKRN6Y"
    assert port_proto_hash("kube-system/kube-dns:dns", "udp") == "TCOU7JCQXEZGVUNU"
    assert port_proto_hash("kube-system/kube-dns:dns-tcp", "tcp") == "ERIFXISQEP7F7OF4"


def test_probabilities_as_kube_proxy_writes_and_iptables_save_prints_them():
    assert [probability(n) for n in (3, 2)] == ["0.3333333333", "0.5000000000"]
    # xt_statistic stores lround(2^31 * p); iptables-save prints it back with 11 decimals.
    assert saved_probability(probability(3)) == "0.33333333349"
    assert saved_probability(probability(2)) == "0.50000000000"


def test_iptables_save_matches_the_golden_file(fixture_ports):
    table = build_nat_table(fixture_ports, cluster_cidr=CIDR, local_addresses=(NODE_IP,))
    assert iptables_save(table) == GOLDEN.read_text()


def test_dnat_distribution_is_uniform_by_chi_square(fixture_ports):
    table = build_nat_table(fixture_ports, cluster_cidr=CIDR, local_addresses=(NODE_IP,))
    rng = random.Random(7)
    counts: dict = {}
    for _ in range(9000):
        chosen = dnat(table, "10.96.0.20", 80, "TCP", "10.244.1.9", rng)
        counts[chosen] = counts.get(chosen, 0) + 1
    assert sorted(counts) == [("10.244.1.2", 8080), ("10.244.1.4", 8080), ("10.244.2.3", 8080)]
    expected = 9000 / 3
    statistic = sum((n - expected) ** 2 / expected for n in counts.values())
    assert statistic < 13.816  # chi-square, 2 degrees of freedom, p = 0.001


def test_nodeport_only_on_a_local_address_and_unknown_ip_untouched(fixture_ports):
    table = build_nat_table(fixture_ports, cluster_cidr=CIDR, local_addresses=(NODE_IP,))
    rng = random.Random(1)
    assert dnat(table, NODE_IP, 30080, "TCP", "8.8.8.8", rng)[1] == 8080
    assert dnat(table, "172.18.0.99", 30080, "TCP", "8.8.8.8", rng) is None
    assert dnat(table, "10.96.0.21", 80, "TCP", "10.244.1.9", rng) is None


def test_client_ip_affinity_keeps_one_endpoint_until_the_timeout():
    svc = service("web", "10.96.0.20", [{"name": "http", "port": 80}],
                  sessionAffinity="ClientIP",
                  sessionAffinityConfig={"clientIP": {"timeoutSeconds": 60}})
    slices = [endpoint_slice("web", 8080, [(f"10.244.1.{i}", "worker-1") for i in range(2, 6)])]
    table = build_nat_table(ports_of([svc], slices), cluster_cidr=CIDR)
    assert "-m recent --rcheck --seconds 60 --reap --name KUBE-SEP-" in iptables_save(table)
    rng = random.Random(3)
    first = dnat(table, "10.96.0.20", 80, "TCP", "10.244.9.9", rng, now=0)
    assert all(dnat(table, "10.96.0.20", 80, "TCP", "10.244.9.9", rng, now=t) == first
               for t in range(1, 50))
    later = {dnat(table, "10.96.0.20", 80, "TCP", "10.244.9.9", rng, now=200 + 100 * t)
             for t in range(40)}
    assert len(later) > 1  # once the list entry is older than 60 s, the statistic decides


def test_external_traffic_policy_local_uses_only_this_nodes_endpoints():
    svc = service("web", "10.96.0.20", [{"name": "http", "port": 80, "nodePort": 30080}],
                  type="NodePort", externalTrafficPolicy="Local")
    slices = [endpoint_slice("web", 8080, [("10.244.1.2", "worker-1"),
                                           ("10.244.2.3", "worker-2")])]
    table = build_nat_table(ports_of([svc], slices), cluster_cidr=CIDR,
                            local_addresses=(NODE_IP,))
    rng = random.Random(5)
    external = {dnat(table, NODE_IP, 30080, "TCP", "8.8.8.8", rng) for _ in range(200)}
    internal = {dnat(table, "10.96.0.20", 80, "TCP", "10.244.1.9", rng) for _ in range(200)}
    assert external == {("10.244.1.2", 8080)}
    assert internal == {("10.244.1.2", 8080), ("10.244.2.3", 8080)}
    assert ":KUBE-SVL-" in iptables_save(table)


def test_internal_traffic_policy_local_without_local_endpoints_is_dropped():
    svc = service("api", "10.96.0.30", [{"name": "http", "port": 8080}],
                  internalTrafficPolicy="Local")
    slices = [endpoint_slice("api", 8080, [("10.244.2.9", "worker-2")])]
    table = build_nat_table(ports_of([svc], slices), cluster_cidr=CIDR)
    assert dnat(table, "10.96.0.30", 8080, "TCP", "10.244.1.9", random.Random(1)) is None
    # proxier.go: "has no local endpoints" is DROP; REJECT is for no endpoints at all.
    assert table.filter == {("10.96.0.30", "tcp", 8080): "DROP"}

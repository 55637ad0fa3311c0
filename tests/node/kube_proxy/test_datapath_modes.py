"""ipvs round robin and persistence, nftables numgen, conntrack, and the property that a sync
never leaves a rule pointing at an endpoint not in the slices."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.node.kube_proxy.conntrack import Conntrack
from k8slab.node.kube_proxy.datapath import dnat
from k8slab.node.kube_proxy.rules_iptables import build_nat_table
from k8slab.node.kube_proxy.rules_ipvs import build_ipvs_table, ipvsadm_ln
from k8slab.node.kube_proxy.rules_nft import build_nft_table, nft_list_table
from tests.node.kube_proxy.helpers import CIDR, NODE_IP, endpoint_slice, ports_of, service


def test_ipvs_is_exact_round_robin(fixture_ports):
    table = build_ipvs_table(fixture_ports, node_addresses=(NODE_IP,))
    picks = [dnat(table, "10.96.0.20", 80, "TCP", "10.244.1.9", random.Random(0))
             for _ in range(9)]
    assert picks == [("10.244.1.2", 8080), ("10.244.1.4", 8080), ("10.244.2.3", 8080)] * 3
    text = ipvsadm_ln(table)
    assert "TCP  10.96.0.20:80 rr\n  -> 10.244.1.2:8080              Masq    1      0" in text
    assert f"TCP  {NODE_IP}:30080 rr" in text


def test_ipvs_persistence_for_client_ip_affinity():
    svc = service("web", "10.96.0.20", [{"name": "http", "port": 80}],
                  sessionAffinity="ClientIP")
    slices = [endpoint_slice("web", 8080, [("10.244.1.2", "w1"), ("10.244.1.3", "w1")])]
    table = build_ipvs_table(ports_of([svc], slices))
    assert "TCP  10.96.0.20:80 rr persistent 10800" in ipvsadm_ln(table)
    rng = random.Random(0)
    a = {dnat(table, "10.96.0.20", 80, "TCP", "10.0.0.1", rng, now=t) for t in range(10)}
    b = dnat(table, "10.96.0.20", 80, "TCP", "10.0.0.2", rng, now=10)
    assert len(a) == 1 and b not in a


def test_nft_chain_names_and_uniform_numgen(fixture_ports):
    table = build_nft_table(fixture_ports, cluster_cidr=CIDR, local_addresses=(NODE_IP,))
    text = nft_list_table(table)
    assert text.startswith('table ip kube-proxy {\n\tcomment "rules for kube-proxy"')
    assert "numgen random mod 3 vmap { 0 : goto endpoint-" in text
    rng = random.Random(2)
    counts: dict = {}
    for _ in range(3000):
        chosen = dnat(table, "10.96.0.20", 80, "TCP", "10.244.1.9", rng)
        counts[chosen] = counts.get(chosen, 0) + 1
    assert sum((n - 1000) ** 2 / 1000 for n in counts.values()) < 13.816
    assert dnat(table, NODE_IP, 30080, "TCP", "8.8.8.8", rng) in counts


def test_conntrack_keeps_an_established_flow_on_its_endpoint(fixture_ports):
    table = build_nat_table(fixture_ports, cluster_cidr=CIDR)
    track, rng = Conntrack(), random.Random(4)
    first = track.translate(table, "TCP", "10.244.1.9", 40000, "10.96.0.20", 80, rng, 0)
    assert all(track.translate(table, "TCP", "10.244.1.9", 40000, "10.96.0.20", 80, rng, t)
               == first for t in range(1, 100))
    news = {track.translate(table, "TCP", "10.244.1.9", p, "10.96.0.20", 80, rng, 0)
            for p in range(40001, 40100)}
    assert len(news) == 3


addresses = st.lists(st.integers(2, 60), min_size=0, max_size=12, unique=True)


@settings(max_examples=60, deadline=None)
@given(web=addresses, api=addresses, ready=st.lists(st.booleans(), min_size=12, max_size=12))
def test_no_rule_points_at_an_endpoint_not_in_the_slices(web, api, ready):
    services = [service("web", "10.96.0.20", [{"name": "http", "port": 80, "nodePort": 30080}],
                        type="NodePort"),
                service("api", "10.96.0.30", [{"name": "http", "port": 8080}])]
    slices = [endpoint_slice("web", 8080, [(f"10.244.1.{i}", "worker-1") for i in web]),
              endpoint_slice("api", 8080, [(f"10.244.2.{i}", "worker-2") for i in api])]
    for k, flag in enumerate(ready[:len(web)]):
        slices[0]["endpoints"][k]["conditions"]["ready"] = flag
    allowed = {f"10.244.1.{i}:8080" for i in web} | {f"10.244.2.{i}:8080" for i in api}
    ports = ports_of(services, slices)
    nat = build_nat_table(ports, cluster_cidr=CIDR)
    dnat_targets = {r.target_options[1] for r in nat.rules() if r.target == "DNAT"}
    assert dnat_targets <= allowed
    nft = build_nft_table(ports, cluster_cidr=CIDR)
    assert {f"{a[1]}:{a[2]}" for rules in nft.chains.values() for r in rules
            for a in [r.action] if a[0] == "dnat"} <= allowed
    ipvs = build_ipvs_table(ports, node_addresses=(NODE_IP,))
    assert {f"{ip}:{p}" for vs in ipvs.services.values() for ip, p in vs.reals} <= allowed

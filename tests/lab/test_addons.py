"""kubeadm's addon phase in the lab: kube-proxy on every node, CoreDNS behind kube-dns, and a
mode change made as an operator makes it (edit the ConfigMap, replace the pods)."""

import pytest
import yaml

from k8slab.errors import K8sLabError
from k8slab.lab import components
from k8slab.lab.cluster import Cluster


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    return Cluster(3, seed=4)


def test_kube_proxy_runs_on_every_node_with_its_node_name(cluster):
    pods = [p for p in cluster.list("pods", "kube-system")
            if p["metadata"]["name"].startswith("kube-proxy-")]
    assert sorted(p["spec"]["nodeName"] for p in pods) == sorted(cluster.hosts)
    for name in cluster.hosts:
        assert components.kube_proxy_mode(cluster.network, name) == "iptables"
        assert components.proxy_syncs(cluster.network, name) > 0
        # --hostname-override=$(NODE_NAME) was expanded by the kubelet from the downward API
        proxier = cluster.network.host(name).memory["kube-proxy"]
        assert proxier.node_name == name


def test_coredns_runs_two_replicas_on_two_nodes_behind_kube_dns(cluster):
    pods = [p for p in cluster.list("pods", "kube-system")
            if p["metadata"].get("labels", {}).get("k8s-app") == "kube-dns"]
    assert len(pods) == 2
    assert len({p["spec"]["nodeName"] for p in pods}) == 2  # kubeadm's preferred anti-affinity
    service = cluster.get("services", "kube-dns", "kube-system")
    assert service["spec"]["clusterIP"] == "10.96.0.10"
    rules = cluster.network.host("worker-1").memory["iptables"]
    assert "kube-system/kube-dns:dns cluster IP" in str(rules.chains["KUBE-SERVICES"])


def test_a_wrong_mode_is_refused():
    with pytest.raises(K8sLabError, match="proxy_mode must be one of iptables, ipvs, nftables"):
        Cluster(1, proxy_mode="userspace")


def switch_mode(cluster: Cluster, mode: str) -> None:
    """What an operator does: edit the ConfigMap's mode, delete the pods, let the DaemonSet
    start new ones, which read the new config.conf from their configMap volume."""
    configmap = cluster.get("configmaps", "kube-proxy", "kube-system")
    config = yaml.safe_load(configmap["data"]["config.conf"])
    config["mode"] = mode
    configmap["data"]["config.conf"] = yaml.safe_dump(config)
    cluster.apply(configmap)
    for pod in cluster.list("pods", "kube-system"):
        if pod["metadata"]["name"].startswith("kube-proxy-"):
            cluster.kubectl(f"delete pod -n kube-system {pod['metadata']['name']}")
    cluster.run(40)


def test_switching_to_ipvs_by_editing_the_configmap_and_replacing_the_pods():
    cluster = Cluster(1, seed=2)
    switch_mode(cluster, "ipvs")
    for name in cluster.hosts:
        assert components.kube_proxy_mode(cluster.network, name) == "ipvs"
        table = components.kernel_rules(cluster.network, name, "ipvs")
        assert ("TCP", "10.96.0.10", 53) in table.services
    # Between iptables and ipvs upstream leaves the other's rules behind: they still print.
    assert "KUBE-SERVICES" in cluster.iptables_save("worker-1")


def test_nftables_mode_clears_the_iptables_leftovers_at_start():
    cluster = Cluster(1, seed=2)
    switch_mode(cluster, "nftables")
    assert components.kernel_rules(cluster.network, "worker-1", "iptables") is None
    with pytest.raises(K8sLabError, match="runs in nftables mode; no iptables table"):
        cluster.iptables_save("worker-1")


def test_a_cluster_can_start_in_nftables_mode():
    cluster = Cluster(1, seed=3, proxy_mode="nftables")
    assert components.kube_proxy_mode(cluster.network, "worker-1") == "nftables"
    assert "services" in components.kernel_rules(cluster.network, "worker-1", "nftables").chains


def test_skipped_phases_leave_their_addon_out_as_kubeadm_does():
    cluster = Cluster(1, seed=5, skip_phases=["addon/coredns"])
    names = [p["metadata"]["name"] for p in cluster.list("pods", "kube-system")]
    assert not any(n.startswith("coredns") for n in names)
    assert any(n.startswith("kube-proxy") for n in names)
    bare = Cluster(1, seed=5, skip_phases=["addon"])
    assert [s["metadata"]["name"] for s in bare.list("services", "kube-system")] == []
    assert components.kube_proxy_mode(bare.network, "worker-1") is None


@pytest.mark.parametrize("phases, message", [
    ("addon", "skip_phases must be a list of phase names"),
    (["preflight"], "unknown phase 'preflight'; the lab can skip addon, addon/coredns"),
])
def test_a_phase_the_lab_cannot_skip_is_refused(phases, message):
    with pytest.raises(K8sLabError, match=message):
        Cluster(1, skip_phases=phases)

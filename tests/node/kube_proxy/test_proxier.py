"""kube-proxy's sync loop over the fake API: a first sync once its informers listed, changes
batched by minSyncPeriod (bursts of 2), a full resync every syncPeriod; and its binary."""

import pytest

from k8slab.client.fake import FakeClient
from k8slab.cmd import kube_proxy
from k8slab.errors import K8sLabError
from k8slab.node.kube_proxy.config import ProxyConfig
from k8slab.node.kube_proxy.proxier import Proxier
from k8slab.node.kube_proxy.rules_iptables import iptables_save
from k8slab.node.process import Process
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network

SERVICE = {"apiVersion": "v1", "kind": "Service",
           "metadata": {"name": "web", "namespace": "default"},
           "spec": {"clusterIP": "10.96.100.1", "type": "ClusterIP", "selector": {"app": "web"},
                    "ports": [{"name": "http", "port": 80, "protocol": "TCP",
                               "targetPort": 80}]}}


def endpoint_slice(*ips):
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "web-abcde", "namespace": "default",
                         "labels": {"kubernetes.io/service-name": "web"}},
            "addressType": "IPv4", "ports": [{"name": "http", "port": 80, "protocol": "TCP"}],
            "endpoints": [{"addresses": [ip], "conditions": {"ready": True}} for ip in ips]}


@pytest.fixture
def proxier():
    host = Network(Simulation(1)).add_host("worker-1")
    host.start()
    client = FakeClient(host.group("kube-proxy"))
    client.add(SERVICE)
    client.add(endpoint_slice("10.244.1.5", "10.244.2.6"))
    proxier = Proxier(client, ProxyConfig(), "worker-1")
    proxier.start()
    return proxier


def test_the_first_sync_writes_a_chain_per_service_and_endpoint(proxier):
    proxier.host.sim.run(0.5)
    assert len(proxier.syncs) == 1
    text = iptables_save(proxier.rules())
    assert text.count("-j KUBE-SEP-") == 2
    assert '--comment "default/web:http cluster IP"' in text
    assert "--probability 0.50000000000" in text


def test_changes_are_batched_by_min_sync_period_and_resynced_every_30_s(proxier):
    host, client = proxier.host, proxier.client
    host.sim.run(0.5)
    for i in range(5):  # five updates within a second
        slice_ = client.stored("endpointslices")[0]
        slice_["endpoints"].append({"addresses": [f"10.244.3.{i}"], "conditions": {"ready": True}})
        host.sim.run_process(client.group.spawn(client.update(slice_)), 1)
        host.sim.run(0.1)
    host.sim.run(3)
    # The first list syncs at 0; the first update (0.5 s) takes the burst's second token;
    # the four later updates (0.6 to 0.9 s) wait for a token to refill and share one sync.
    assert [round(t, 3) for t in proxier.syncs] == [0, 0.5, 1.0]
    assert iptables_save(proxier.rules()).count("-j KUBE-SEP-") == 7
    before = len(proxier.syncs)
    host.sim.run(30)
    assert len(proxier.syncs) == before + 1  # the syncPeriod resync


def test_the_binary_reads_its_config_and_refuses_a_missing_one():
    host = Network(Simulation(1)).add_host("worker-1")
    host.start()
    group = host.group("kube-proxy")
    with pytest.raises(K8sLabError, match="required flag --config"):
        next(kube_proxy.main(Process(group, {"command": ["kube-proxy"]}, [])))
    with pytest.raises(K8sLabError, match="no such file or directory"):
        next(kube_proxy.main(Process(group, {"command": [
            "kube-proxy", "--config=/var/lib/kube-proxy/config.conf"]}, [])))
    manifests = kube_proxy.configmap(), kube_proxy.daemonset("registry.k8s.io/kube-proxy:v1.35.0")
    assert [m["kind"] for m in manifests] == ["ConfigMap", "DaemonSet"]
    assert "config.conf" in manifests[0]["data"]

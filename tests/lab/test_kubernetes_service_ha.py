"""In a kubeadm-built HA cluster, `default/kubernetes` lists every live API server's
--advertise-address, and drops one whose host dies once its 15 s master lease runs out."""

from k8slab import Cluster


def addresses(cluster: Cluster) -> list[str]:
    slice_ = cluster.get("endpointslices", "kubernetes")
    return [address for e in slice_["endpoints"] for address in e["addresses"]]


def test_the_kubernetes_service_follows_the_api_servers():
    ha = Cluster(workers=0, seed=2, control_planes=3)
    ha.run(20)
    assert ha.get("services", "kubernetes")["spec"]["clusterIP"] == "10.96.0.1"
    assert addresses(ha) == ["10.0.0.10", "10.0.0.11", "10.0.0.12"]
    ha.kill_node("control-plane-2")
    ha.run(30)
    assert addresses(ha) == ["10.0.0.10", "10.0.0.12"]
    ha.restart_node("control-plane-2")
    ha.run(60)
    assert addresses(ha) == ["10.0.0.10", "10.0.0.11", "10.0.0.12"]

"""A property over the whole loop (pods → EndpointSlice controller → kube-proxy → the node's
kernel): under random pod kills and scale changes, once a sync period has passed no rule on any
node sends traffic to a pod that no longer exists, and every ready pod has its rule."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8slab.lab import components
from k8slab.lab.cluster import Cluster
from k8slab.node.kube_proxy.rules_iptables import NatTable
from k8slab.node.kube_proxy.rules_ipvs import IpvsTable

SYNC_PERIOD = 30.0  # KubeProxyConfiguration's default syncPeriod (iptables, ipvs, nftables)
SETTLE = 15.0  # a killed pod's grace period runs out and the replacement becomes ready

BACKEND = [
    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
     "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
              "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                  "terminationGracePeriodSeconds": 5,
                  "containers": [{"name": "nginx", "image": "nginx:1.27"}]}}}},
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
     "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}},
]

actions = st.lists(st.one_of(
    st.tuples(st.just("kill"), st.integers(0, 5)),
    st.tuples(st.just("scale"), st.integers(0, 5)),
    st.tuples(st.just("run"), st.sampled_from([0.5, 2.0, 7.0]))), min_size=1, max_size=6)


def web_targets(table: object, cluster_ip: str) -> set[str]:
    """The pod IPs a node's kernel would send a new connection to cluster_ip:80 to."""
    if isinstance(table, IpvsTable):
        vs = table.services.get(("TCP", cluster_ip, 80))
        return {ip for ip, _ in vs.reals} if vs else set()
    assert isinstance(table, NatTable)
    service_chains = {r.target for r in table.rules()
                  if r.destination == cluster_ip and r.target.startswith("KUBE-SVC-")}
    endpoints = {r.target for r in table.rules() if r.chain in service_chains}
    return {r.target_options[1].rsplit(":", 1)[0] for r in table.rules()
            if r.chain in endpoints and r.target == "DNAT"}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mode=st.sampled_from(["iptables", "ipvs"]), steps=actions, seed=st.integers(1, 50))
def test_after_a_sync_period_no_rule_points_at_a_deleted_pod(mode, steps, seed):
    c = Cluster(2, seed=seed, proxy_mode=mode, skip_phases=["addon/coredns"])
    c.apply(BACKEND)
    c.run(10)
    for action, value in steps:
        if action == "kill":
            pods = sorted(p["metadata"]["name"] for p in c.list("pods", "default"))
            if pods:
                c.kubectl(f"delete pod {pods[value % len(pods)]} --wait=false")
        elif action == "scale":
            c.kubectl(f"scale deployment web --replicas={value}")
        else:
            c.run(value)
    c.run(SYNC_PERIOD + SETTLE)
    cluster_ip = c.get("services", "web")["spec"]["clusterIP"]
    pods = c.list("pods", "default")
    existing = {p["status"].get("podIP") for p in pods}
    ready = {p["status"]["podIP"] for p in pods
             if not p["metadata"].get("deletionTimestamp")
             and any(cond["type"] == "Ready" and cond["status"] == "True"
                     for cond in p["status"].get("conditions", []))}
    for node in c.hosts:
        targets = web_targets(components.kernel_rules(c.network, node, mode), cluster_ip)
        assert targets <= existing, (node, targets - existing)
        assert ready <= targets, (node, ready - targets)

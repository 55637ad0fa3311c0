"""The pod's /etc/resolv.conf, and the order a resolver asks names in (ndots:5)."""

from k8slab.node.dns_config import resolv_conf
from k8slab.node.programs.resolver import candidates, parse


def pod(namespace="default", **spec):
    return {"metadata": {"name": "p", "namespace": namespace}, "spec": spec}


def test_cluster_first_is_the_default():
    assert resolv_conf(pod("shop"), "10.96.0.10") == (
        "search shop.svc.cluster.local svc.cluster.local cluster.local\n"
        "nameserver 10.96.0.10\n"
        "options ndots:5\n")


def test_default_none_and_dns_config():
    assert resolv_conf(pod(dnsPolicy="Default"), "10.96.0.10") == "nameserver 10.0.0.2\n"
    text = resolv_conf(pod(dnsPolicy="None", dnsConfig={
        "nameservers": ["1.1.1.1"], "searches": ["corp.example"],
        "options": [{"name": "ndots", "value": "2"}]}), "10.96.0.10")
    assert text == "search corp.example\nnameserver 1.1.1.1\noptions ndots:2\n"
    host = resolv_conf(pod(hostNetwork=True), "10.96.0.10")
    assert host == "nameserver 10.0.0.2\n"  # ClusterFirst on the host network falls back


def test_a_short_name_walks_the_search_list_first():
    conf = resolv_conf(pod(), "10.96.0.10")
    assert parse(conf) == (["10.96.0.10"],
                           ["default.svc.cluster.local", "svc.cluster.local", "cluster.local"], 5)
    assert candidates("web", conf) == [
        "web.default.svc.cluster.local", "web.svc.cluster.local", "web.cluster.local", "web"]
    # Fewer than 5 dots: even an outside name tries every search domain first.
    assert candidates("www.example.com", conf)[-1] == "www.example.com"
    assert len(candidates("www.example.com", conf)) == 4
    assert candidates("a.b.c.d.e.f", conf)[0] == "a.b.c.d.e.f"
    assert candidates("example.com.", conf) == ["example.com"]


def test_the_kubelet_mounts_resolv_conf_from_its_config_into_every_container():
    from k8slab import Cluster

    c = Cluster(workers=1)
    c.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "b", "namespace": "default"},
             "spec": {"containers": [{"name": "b", "image": "busybox:1.36",
                                      "command": ["sleep", "3600"]}]}})
    c.run(5)
    assert c.kubectl("exec b -- cat /etc/resolv.conf") == resolv_conf(
        c.get("pods", "b"), "10.96.0.10").rstrip("\n")
    assert "10.96.0.10" in c.node_file("worker-1", "/var/lib/kubelet/config.yaml")
    assert c.kubectl("exec b -- cat /etc/hostname") == "b"

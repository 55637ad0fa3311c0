"""`coredns`: serves DNS, /health and /ready in its pod; kubeadm's manifests for it."""

from k8slab.cmd import coredns
from k8slab.node.process import Process
from tests.pki_fixtures import kubeconfig_for


def ask(group, handler, request):
    return group.sim.run_process(group.spawn(handler(request)), 1)


def test_coredns_listens_for_dns_health_and_readiness(host):
    host.disk[coredns.COREDNS_CONF] = kubeconfig_for(
        "https://cp-1:6443", "system:serviceaccount:kube-system:coredns")
    group = host.group("coredns")
    process = Process(group, {}, ["/coredns", "-conf", "/etc/coredns/Corefile"])
    group.spawn(coredns.main(process))
    host.sim.run(0.01)
    ports = process.netns.listeners
    assert sorted(ports) == [53, 8080, 8181]
    assert ask(group, ports[8080], {"protocol": "http", "path": "/health"})["status"] == 200
    # No API server answers on cp-1: the informers never sync, so not ready and SERVFAIL.
    assert ask(group, ports[8181], {"protocol": "http", "path": "/ready"})["status"] == 503
    assert ask(group, ports[53], {"protocol": "dns", "name": "x.default.svc.cluster.local"}
               )["rcode"] == "SERVFAIL"


def test_kubeadm_installs_a_configmap_a_deployment_of_two_and_the_kube_dns_service():
    configmap, deployment, service = coredns.manifests()
    assert (configmap["metadata"]["name"], deployment["spec"]["replicas"]) == ("coredns", 2)
    assert service["metadata"]["name"] == "kube-dns"
    assert service["spec"]["clusterIP"] == "10.96.0.10"
    assert [p["name"] for p in service["spec"]["ports"]] == ["dns", "dns-tcp", "metrics"]

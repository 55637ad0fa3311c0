"""The CoreDNS server over informers: SERVFAIL until synced, then the plugin's answers, and
new Services answered as soon as the watch delivers them."""

from k8slab.addons.coredns.server import CoreDNS
from k8slab.client.fake import FakeClient


def ask(group, dns, name, qtype="A"):
    return group.sim.run_process(group.spawn(dns.handle(
        {"protocol": "dns", "name": name, "type": qtype})), 1)


def test_answers_from_its_informers(host):
    group = host.group("coredns")
    client = FakeClient(group)
    client.add({"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "web", "namespace": "default"},
                "spec": {"clusterIP": "10.96.12.34", "ports": [{"name": "http", "port": 80}]}})
    dns = CoreDNS(client)
    assert ask(group, dns, "web.default.svc.cluster.local")["rcode"] == "SERVFAIL"
    dns.start()
    host.sim.run(1)
    assert dns.ready
    reply = ask(group, dns, "web.default.svc.cluster.local")
    assert reply == {"rcode": "NOERROR",
                     "answers": ["web.default.svc.cluster.local.\t30\tIN\tA\t10.96.12.34"]}
    assert ask(group, dns, "example.com")["rcode"] == "NXDOMAIN"  # no Internet upstream
    assert ask(group, dns, "")["rcode"] == "FORMERR"
    group.sim.run_process(group.spawn(client.create({
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "db", "namespace": "shop"},
        "spec": {"clusterIP": "10.96.0.99", "ports": [{"port": 5432}]}})), 1)
    host.sim.run(1)
    assert ask(group, dns, "db.shop.svc.cluster.local")["answers"][0].endswith("10.96.0.99")
    queries = host.sim.trace.where(component="coredns", kind="query")
    assert [r.details["rcode"] for r in queries] == ["NOERROR", "NXDOMAIN", "NOERROR"]

"""CoreDNS's kubernetes plugin: A, SRV, PTR, CNAME and NXDOMAIN for a fixture cluster."""

import pytest

from k8slab.addons.coredns.corefile import COREFILE, configmap
from k8slab.addons.coredns.records import answer


def service(name, cluster_ip, ports=(("http", 80, "TCP"),), **spec):
    return {"metadata": {"name": name, "namespace": "default"},
            "spec": {"clusterIP": cluster_ip, **spec,
                     "ports": [{"name": n, "port": p, "protocol": t} for n, p, t in ports]}}


def endpoint_slice(svc, *endpoints):
    return {"metadata": {"name": f"{svc}-abcde", "namespace": "default",
                         "labels": {"kubernetes.io/service-name": svc}},
            "endpoints": [{"addresses": [ip], "conditions": {"ready": ready},
                           **({"hostname": host} if host else {})}
                          for ip, ready, host in endpoints]}


SERVICES = [service("web", "10.96.12.34"), service("db", "None"),
            service("ext", "", type="ExternalName", externalName="example.com")]
SLICES = [endpoint_slice("web", ("10.244.1.5", True, None)),
          endpoint_slice("db", ("10.244.1.7", True, "db-0"), ("10.244.2.8", True, None),
                         ("10.244.2.9", False, None))]


@pytest.mark.parametrize(("name", "qtype", "rcode", "data"), [
    ("web.default.svc.cluster.local", "A", "NOERROR", ["10.96.12.34"]),
    ("WEB.default.svc.cluster.local.", "A", "NOERROR", ["10.96.12.34"]),
    ("db.default.svc.cluster.local", "A", "NOERROR", ["10.244.1.7", "10.244.2.8"]),
    ("db-0.db.default.svc.cluster.local", "A", "NOERROR", ["10.244.1.7"]),
    ("10-244-2-8.db.default.svc.cluster.local", "A", "NOERROR", ["10.244.2.8"]),
    ("10-244-2-9.db.default.svc.cluster.local", "A", "NXDOMAIN", []),  # not ready
    ("_http._tcp.web.default.svc.cluster.local", "SRV", "NOERROR",
     ["0 100 80 web.default.svc.cluster.local."]),
    ("_http._tcp.db.default.svc.cluster.local", "SRV", "NOERROR",
     ["0 100 80 db-0.db.default.svc.cluster.local.",
      "0 100 80 10-244-2-8.db.default.svc.cluster.local."]),
    ("_http._udp.web.default.svc.cluster.local", "SRV", "NXDOMAIN", []),
    ("ext.default.svc.cluster.local", "A", "NOERROR", ["example.com."]),
    ("10-244-3-3.default.pod.cluster.local", "A", "NOERROR", ["10.244.3.3"]),
    ("34.12.96.10.in-addr.arpa", "PTR", "NOERROR", ["web.default.svc.cluster.local."]),
    ("7.1.244.10.in-addr.arpa", "PTR", "NOERROR", ["db-0.db.default.svc.cluster.local."]),
    ("nope.default.svc.cluster.local", "A", "NXDOMAIN", []),
    ("web.other.svc.cluster.local", "A", "NXDOMAIN", []),
    ("web.default.svc.cluster.local.default.svc.cluster.local", "A", "NXDOMAIN", []),
    ("example.com", "A", "NOTZONE", []),
])
def test_answers(name, qtype, rcode, data):
    result = answer(name, qtype, SERVICES, SLICES)
    assert result.rcode == rcode
    assert [r.data for r in result.records] == data


def test_records_carry_kubeadms_ttl_and_print_as_dig_does():
    [record] = answer("web.default.svc.cluster.local", "A", SERVICES, SLICES).records
    assert str(record) == "web.default.svc.cluster.local.\t30\tIN\tA\t10.96.12.34"


def test_the_corefile_is_kubeadms():
    assert configmap()["data"]["Corefile"] == COREFILE
    assert "kubernetes cluster.local in-addr.arpa ip6.arpa {" in COREFILE
    assert COREFILE.index("forward") < COREFILE.index("cache 30") < COREFILE.index("loop")

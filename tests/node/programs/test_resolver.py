"""The stub resolver: resolv.conf's options, the search order with ndots:5, /etc/hosts first,
and wget, ping and nc finding a Service by name through a real CoreDNS."""

import pytest

from k8slab.node.dns_config import resolv_conf
from k8slab.node.programs import busybox
from k8slab.node.programs.resolver import candidates, from_hosts, read_conf

SH = busybox.with_shell()["sh"]
POD_CONF = resolv_conf({"metadata": {"name": "p", "namespace": "default"}, "spec": {}},
                       "10.96.0.10")


@pytest.mark.parametrize("name, expected", [
    ("web", ["web.default.svc.cluster.local", "web.svc.cluster.local", "web.cluster.local",
             "web"]),
    ("web.default", ["web.default.default.svc.cluster.local", "web.default.svc.cluster.local",
                     "web.default.cluster.local", "web.default"]),
    ("example.com", ["example.com.default.svc.cluster.local", "example.com.svc.cluster.local",
                     "example.com.cluster.local", "example.com"]),
    ("web.default.svc.cluster.local.", ["web.default.svc.cluster.local"]),
], ids=["short", "service.namespace", "outside-name", "absolute"])
def test_the_search_order_with_ndots_5(name, expected) -> None:
    assert candidates(name, POD_CONF) == expected


def test_resolv_conf_options_and_their_caps() -> None:
    conf = read_conf("nameserver 1.1.1.1\nnameserver 8.8.8.8\ndomain a\nsearch b c\n"
                     "options ndots:20 timeout:2 attempts:9 rotate\n")
    assert (conf.nameservers, conf.searches) == (("1.1.1.1", "8.8.8.8"), ("b", "c"))
    assert (conf.ndots, conf.timeout, conf.attempts) == (15, 2, 5)
    assert (read_conf("").timeout, read_conf("").attempts, read_conf("").ndots) == (5, 2, 1)


def test_hosts_file_lookup() -> None:
    hosts = "# comment\n127.0.0.1\tlocalhost\n10.244.1.5\tweb-0 web-0.alias\n"
    assert from_hosts(hosts, "web-0.alias") == "10.244.1.5"
    assert from_hosts(hosts, "LOCALHOST") == "127.0.0.1"
    assert from_hosts(hosts, "comment") is None


def resolves(box) -> list[tuple[str, str]]:
    return [(r.obj, r.details["rcode"])
            for r in box.sim.trace.where(component="resolver", kind="resolve")]


def test_wget_by_service_name_asks_the_first_search_domain_first(dns_world) -> None:
    box = dns_world.box
    assert box.run(SH, "sh", "-c", "wget -qO- http://web", seconds=10) == 0
    assert box.stdout() == ["hello from web to 10.244.1.5"]
    assert resolves(box) == [("web.default.svc.cluster.local", "NOERROR")]
    assert dns_world.sent == [("10.96.0.10", 53, "udp"), ("10.96.0.20", 80, "tcp")]


def test_service_dot_namespace_takes_one_nxdomain_first(dns_world) -> None:
    box = dns_world.box
    assert box.run(SH, "sh", "-c", "wget http://web.default/ -O /dev/null",
                   seconds=10) == 0
    assert resolves(box) == [("web.default.default.svc.cluster.local", "NXDOMAIN"),
                             ("web.default.svc.cluster.local", "NOERROR")]
    assert box.stderr()[0] == "Connecting to web.default:80 (10.96.0.20:80)"


def test_an_unknown_name_walks_every_candidate_then_is_a_bad_address(dns_world) -> None:
    box = dns_world.box
    assert box.run(SH, "sh", "-c", "wget -qO- http://example.com/", seconds=10) == 1
    assert box.stderr() == ["wget: bad address 'example.com'"]
    assert resolves(box) == [(name, "NXDOMAIN") for name in candidates("example.com", POD_CONF)]


def test_a_silent_nameserver_times_out_after_5_then_10_seconds(dns_world) -> None:
    box = dns_world.box
    box.fs.write("/etc/resolv.conf", "nameserver 10.96.0.99\nsearch default.svc.cluster.local\n"
                                     "options ndots:5\n")
    box.start(SH, "sh", "-c", "wget -qO- http://web")
    box.sim.run(14.9)
    assert box.exit is None
    box.sim.run(1)
    assert (box.exit, box.stderr()) == (1, ["wget: bad address 'web'"])
    assert round(box.exited_at - 1, 3) == 15.0  # send_dg: 5 s, then 5 << 1 (one server)
    # A timeout ends the search: the other candidates are never asked.
    assert resolves(box) == [("web.default.svc.cluster.local", "timeout")] * 2


def test_hosts_file_names_need_no_dns(dns_world) -> None:
    box = dns_world.box
    box.fs.write("/etc/hosts", "127.0.0.1\tlocalhost\n10.96.0.20\tfront\n")
    assert box.run(SH, "sh", "-c", "wget -qO- http://front/", seconds=10) == 0
    assert resolves(box) == []


def test_ping_and_nc_resolve_names_too(dns_world) -> None:
    box = dns_world.box
    assert box.run(SH, "sh", "-c", "nc -zv web 80; nc -z nope 80; ping -c 1 nope",
                   seconds=30) == 1
    assert box.stderr() == ["web (10.96.0.20:80) open", "nc: bad address 'nope'",
                            "ping: bad address 'nope'"]

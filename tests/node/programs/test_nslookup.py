"""busybox's nslookup against a real CoreDNS: the search list only for a dotless name, A and
AAAA for each, every reply printed as it arrives, PTR for an address, -type=SRV, and the
timeout when nobody answers."""

import pytest

from k8slab.node.programs import busybox
from k8slab.node.programs.nslookup import queries

SH = busybox.with_shell()["sh"]
SEARCH = ("default.svc.cluster.local", "svc.cluster.local", "cluster.local")
HEADER = ["Server:\t\t10.96.0.10", "Address:\t10.96.0.10:53", ""]


@pytest.mark.parametrize("name, types, expected", [
    ("web", [], [(f"web.{d}", t) for t in ("A", "AAAA") for d in SEARCH]),
    ("web.default", [], [("web.default", "A"), ("web.default", "AAAA")]),
    ("10.96.0.20", [], [("20.0.96.10.in-addr.arpa", "PTR")]),
    ("web", ["SRV"], [(f"web.{d}", "SRV") for d in SEARCH]),
], ids=["dotless-searches", "dotted-as-is", "address-ptr", "type-srv"])
def test_which_queries_busybox_sends(name, types, expected) -> None:
    assert queries(name, types, SEARCH) == expected


def run(box, command: str) -> tuple[int | None, list[str]]:
    status = box.run(SH, "sh", "-c", command, seconds=20)
    return status, box.stdout()


def test_a_short_name_prints_every_search_domain_s_answer(dns_world) -> None:
    status, out = run(dns_world.box, "nslookup web")
    assert out == HEADER + [
        "Name:\tweb.default.svc.cluster.local", "Address: 10.96.0.20", "",
        "** server can't find web.svc.cluster.local: NXDOMAIN", "",
        "** server can't find web.cluster.local: NXDOMAIN", "",
        "*** Can't find web.default.svc.cluster.local: No answer", "",
        "** server can't find web.svc.cluster.local: NXDOMAIN", "",
        "** server can't find web.cluster.local: NXDOMAIN", ""]
    assert status == 1  # an NXDOMAIN among the replies sets busybox's exit code


def test_a_full_name_is_asked_as_it_is(dns_world) -> None:
    status, out = run(dns_world.box, "nslookup web.default.svc.cluster.local")
    assert out == HEADER + [
        "Name:\tweb.default.svc.cluster.local", "Address: 10.96.0.20", "",
        "*** Can't find web.default.svc.cluster.local: No answer", ""]
    assert status == 0


def test_a_dotted_short_name_is_not_searched(dns_world) -> None:
    status, out = run(dns_world.box, "nslookup web.default")
    assert out == HEADER + ["** server can't find web.default: NXDOMAIN", "",
                            "** server can't find web.default: NXDOMAIN", ""]
    assert status == 1


def test_srv_and_ptr(dns_world) -> None:
    status, out = run(dns_world.box, "nslookup -type=SRV _http._tcp.web.default.svc.cluster.local"
                                     " && nslookup 10.96.0.20")
    assert out == HEADER + [
        "_http._tcp.web.default.svc.cluster.local\tservice = 0 100 80 "
        "web.default.svc.cluster.local", ""] + HEADER + [
        "20.0.96.10.in-addr.arpa\tname = web.default.svc.cluster.local", ""]
    assert status == 0


def test_no_server_answers_in_5_seconds(dns_world) -> None:
    box = dns_world.box
    status, out = run(box, "nslookup web.default.svc.cluster.local 10.96.0.99")
    assert (status, out) == (1, [";; connection timed out; no servers could be reached", ""])
    assert round(box.exited_at - 1, 3) == 5.0
    # Re-sent once after timeout/retry = 2.5 s: two tries per query (A and AAAA).
    assert dns_world.sent == [("10.96.0.99", 53, "udp")] * 4


@pytest.mark.parametrize("command, message", [
    ("nslookup", "Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]"),
    ("nslookup -type=BOGUS web", 'nslookup: invalid query type "BOGUS"'),
    ("nslookup a b c", "Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]"),
], ids=["no-name", "bad-type", "too-many"])
def test_bad_arguments(dns_world, command, message) -> None:
    assert run(dns_world.box, command) == (1, [])
    assert dns_world.box.stderr() == [message]

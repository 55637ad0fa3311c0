"""send_traffic: a steady stream of new connections from a pod, by IP or by name through the
pod's resolver and kube-dns, and the report's views; bad arguments are refused clearly."""

from __future__ import annotations

import pytest

from k8slab.errors import K8sLabError
from k8slab.lab.traffic import Request, TrafficReport, send_traffic
from tests.node.service_fixtures import cluster_ip, cluster_with, web


@pytest.fixture(scope="module")
def cluster():
    return cluster_with(*web(), dns=True)


def test_a_name_is_looked_up_once_through_kube_dns_then_each_request_is_a_new_flow(cluster):
    since = len(cluster.trace) - 1  # since() is exclusive
    report = send_traffic(cluster, "client", "http://web/", rps=100, seconds=2)
    assert len(report.requests) == 200 and report.failures() == {}
    assert sorted(report.by_endpoint()) == ["default/web-1", "default/web-2", "default/web-3"]
    queries = [r for r in cluster.trace.since(since) if r.component == "coredns"]
    # ndots:5: "web" is asked as web.default.svc.cluster.local first, and that answers.
    assert [(q.obj, q.details["rcode"]) for q in queries] == [
        ("web.default.svc.cluster.local", "NOERROR")]
    dnats = [r for r in cluster.trace.since(since) if r.kind == "dnat"]
    assert dnats[0].obj.endswith("->10.96.0.10:53")
    assert {d.details["state"] for d in dnats} == {"NEW"}
    assert len(dnats) == 201  # the lookup, then one new flow per request


def test_cluster_traffic_is_send_traffic_on_the_cluster(cluster):
    start = cluster.now
    report = cluster.traffic("client", "http://web/", rps=50, seconds=2)
    assert (report.source, report.url, report.rps, report.seconds) == (
        "default/client", "http://web/", 50, 2)
    assert len(report.requests) == 100 and report.failures() == {}
    assert report.requests[0].at >= start and report.requests[-1].at < start + 2.1
    assert sum(report.by_endpoint().values()) == 100
    with pytest.raises(K8sLabError, match="rps must be a finite number"):
        cluster.traffic("client", "http://web/", rps=-1)


def test_a_name_nobody_serves_fails_every_request_as_go_says(cluster):
    report = send_traffic(cluster, "client", "http://nothere/", rps=10, seconds=1)
    assert report.failures() == {"dial tcp: lookup nothere on 10.96.0.10:53: no such host": 10}


def test_a_service_scaled_to_nothing_refuses(cluster):
    cluster.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "empty"},
                   "spec": {"selector": {"app": "none"}, "ports": [{"port": 80}]}})
    cluster.run(3)
    report = send_traffic(cluster, "client", f"http://{cluster_ip(cluster, 'empty')}/",
                          rps=5, seconds=1)
    assert list(report.failures().values()) == [5]
    assert list(report.failures())[0].endswith("connect: connection refused")


@pytest.mark.parametrize("kwargs, message", [
    ({"url": "ftp://web/"}, "url must be an http URL"),
    ({"url": 7}, "url must be an http URL"),
    ({"rps": 0}, "rps must be a finite number from 0.001"),
    ({"rps": float("nan")}, "rps must be a finite number"),
    ({"seconds": -1}, "seconds must be a finite number from 0"),
    ({"timeout": 0}, "timeout must be a finite number from 0.001"),
    ({"from_pod": "ghost"}, 'pods "ghost" not found'),
], ids=["scheme", "not-text", "zero-rps", "nan-rps", "negative-seconds", "zero-timeout",
        "unknown-pod"])
def test_bad_arguments_are_refused_and_nothing_runs(cluster, kwargs, message):
    before = cluster.now
    call = {"from_pod": "client", "url": "http://web/", "rps": 10, "seconds": 1, **kwargs}
    with pytest.raises(K8sLabError, match=message):
        send_traffic(cluster, call.pop("from_pod"), call.pop("url"), **call)
    assert cluster.now == before


A, B, C = "10.244.1.2:80", "10.244.2.3:80", "10.244.1.10:80"
REFUSED = "wget: can't connect to remote host (10.244.2.3): Connection refused"
TIMEOUT = "wget: download timed out"


def report(*requests: Request) -> TrafficReport:
    return TrafficReport("client", "http://web", 10.0, 3.0, list(requests))


def ok(at: float, endpoint: str, latency: float = 0.002) -> Request:
    return Request(at, endpoint, latency, None)


def failed(at: float, error: str, endpoint: str | None = None) -> Request:
    return Request(at, endpoint, None, error)


def test_by_endpoint_counts_answered_requests_in_address_order():
    r = report(ok(0.1, B), ok(0.2, C), ok(0.3, A), ok(0.4, B), failed(0.5, REFUSED, B))
    # 10.244.1.10 comes after 10.244.1.2 (numeric order, not text order).
    assert list(r.by_endpoint().items()) == [(A, 1), (C, 1), (B, 2)]


def test_failures_are_counted_by_error_most_frequent_first():
    r = report(failed(0.1, TIMEOUT), failed(0.2, REFUSED), failed(0.3, REFUSED), ok(0.4, A))
    assert list(r.failures().items()) == [(REFUSED, 2), (TIMEOUT, 1)]
    assert report(ok(0.1, A)).failures() == {}


def test_latencies_are_the_answered_requests_in_sending_order():
    r = report(ok(0.1, A, 0.003), failed(0.2, TIMEOUT), ok(0.3, B, 0.001))
    assert r.latencies() == [0.003, 0.001]


def test_over_time_buckets_keep_empty_seconds_between_requests():
    r = report(ok(10.2, A), failed(10.7, REFUSED), ok(12.5, B), ok(12.9, A))
    assert r.over_time() == [(10.0, 1, 1), (11.0, 0, 0), (12.0, 2, 0)]
    assert r.over_time(0.5) == [(10.0, 1, 0), (10.5, 0, 1), (11.0, 0, 0), (11.5, 0, 0),
                                (12.0, 0, 0), (12.5, 2, 0)]
    assert report().over_time() == []


@pytest.mark.parametrize("bucket", [0, -1, "1", True, None])
def test_a_bucket_that_is_not_a_positive_number_is_refused(bucket):
    with pytest.raises(K8sLabError, match="bucket must be a positive number of seconds"):
        report(ok(0.1, A)).over_time(bucket)

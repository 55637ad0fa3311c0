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
    since = len(cluster.trace)
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


def test_the_report_counts_and_buckets_what_happened():
    report = TrafficReport("default/client", "http://web/", 2, 2, [
        Request(10.0, "default/web-1", 0.002, None), Request(10.5, "default/web-2", 0.001, None),
        Request(11.0, None, None, "dial tcp 10.96.0.20:80: connect: connection refused"),
        Request(11.5, "default/web-1", 0.003, None)])
    assert report.by_endpoint() == {"default/web-1": 2, "default/web-2": 1}
    assert report.failures() == {"dial tcp 10.96.0.20:80: connect: connection refused": 1}
    assert report.latencies() == [0.002, 0.001, 0.003]
    assert report.over_time() == [(10.0, 2, 0), (11.0, 1, 1)]
    assert report.over_time(0.5)[2] == (11.0, 0, 1)


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

"""A TrafficReport's four readings: answered requests per endpoint in address order, failures by
error, latencies of the answered ones, and answered/failed per time bucket with empty buckets."""

import pytest

from k8slab.errors import K8sLabError
from k8slab.lab.traffic import Request, TrafficReport

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

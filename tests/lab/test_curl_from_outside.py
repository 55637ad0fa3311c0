"""curl from the registry host, outside the cluster: a NodePort answers on every node's
address; a port nothing listens on is refused, an address nobody holds times out, as curl says;
bad arguments are refused before anything runs."""

from __future__ import annotations

import pytest

from k8slab.errors import K8sLabError
from tests.node.service_fixtures import cluster_with, web


@pytest.fixture(scope="module")
def cluster():
    return cluster_with(*web(nodes=("worker-2",), type="NodePort"), workers=2)


def node_port(c) -> int:
    return c.get("services", "web")["spec"]["ports"][0]["nodePort"]


@pytest.mark.parametrize("node", ["worker-1", "worker-2", "10.0.0.21"])
def test_a_node_port_answers_on_every_node_even_one_without_the_pod(cluster, node):
    since = len(cluster.trace) - 1
    body = cluster.curl_from_outside(node, node_port(cluster))
    assert "Welcome to nginx!" in body
    sends = [r for r in cluster.trace.since(since) if r.kind == "send"]
    assert sends[0].host == "registry"


def test_a_port_nothing_serves_is_refused_as_curl_says(cluster):
    with pytest.raises(K8sLabError, match=r"^curl: \(7\) Failed to connect to 10\.0\.0\.21 "
                                          r"port 8080 after \d+ ms: Couldn't connect to server$"):
        cluster.curl_from_outside("worker-1", 8080)


def test_an_address_nobody_holds_times_out_as_curl_says(cluster):
    start = cluster.now
    with pytest.raises(K8sLabError, match=r"^curl: \(28\) Connection timed out after 500 "
                                          "milliseconds$"):
        cluster.curl_from_outside("10.0.0.99", node_port(cluster), timeout=0.5)
    assert cluster.now == pytest.approx(start + 0.5)


@pytest.mark.parametrize("args, message", [
    (("nowhere", 80), "node must be a node's name"),
    (("worker-1", 0), "port must be a whole number from 1 to 65535"),
    (("worker-1", 80.5), "port must be a whole number"),
    (("worker-1", 80, "index.html"), 'path must start with "/"'),
    ((7, 80), "node must be a node's name"),
], ids=["unknown-node", "port-zero", "fractional-port", "relative-path", "not-text"])
def test_bad_arguments_are_refused_before_anything_runs(cluster, args, message):
    before = (cluster.now, len(cluster.trace))
    with pytest.raises(K8sLabError, match=message):
        cluster.curl_from_outside(*args)
    assert (cluster.now, len(cluster.trace)) == before


def test_a_node_that_is_down_is_named_as_such(cluster):
    cluster.kill_node("worker-1")
    try:
        with pytest.raises(K8sLabError, match="worker-1 is down or has no network"):
            cluster.curl_from_outside("worker-1", node_port(cluster))
    finally:
        cluster.restart_node("worker-1")
        cluster.run(30)

"""`describe node`, `events` and `get -w` through `Cluster.kubectl`, on a running cluster."""

from __future__ import annotations

import pytest

from k8slab import Cluster
from k8slab.errors import BadRequestError
from k8slab.lab.kubectl.dispatch import WATCH_NOTE


def pod(name: str, node: str | None = None, cpu: str = "250m") -> dict:
    spec = {"containers": [{"name": "c", "image": "nginx",
                            "resources": {"requests": {"cpu": cpu, "memory": "64Mi"},
                                          "limits": {"memory": "128Mi"}}}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    c = Cluster(workers=2, seed=11)
    c.apply([pod("a", "worker-1"), pod("b", "worker-1", cpu="1")])
    c.run(5)
    return c


def test_describe_node_shows_the_kubelets_lease_and_what_runs_there(cluster: Cluster) -> None:
    text = cluster.kubectl("describe node worker-1")
    lines = text.splitlines()
    assert lines[0] == "Name:               worker-1"
    assert "  HolderIdentity:  worker-1" in lines
    # a and b, and the addons kubeadm installs: a kube-proxy pod and one of CoreDNS's two
    assert "Non-terminated Pods:          (4 in total)" in lines
    assert any(line.split() == ["default", "a", "250m", "(6%)", "0", "(0%)", "64Mi", "(0%)",
                                "128Mi", "(0%)", "5s"] for line in lines)
    assert "  cpu                1350m (33%)  0 (0%)" in lines  # 250m + 1 + CoreDNS's 100m
    assert lines[-1].split()[:2] == ["Normal", "RegisteredNode"]
    assert cluster.kubectl("describe no worker-1") == text  # reading changes nothing


def test_events_lists_the_pods_story_in_the_order_it_happened(cluster: Cluster) -> None:
    lines = cluster.kubectl("events --for pod/a").splitlines()
    assert lines[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    reasons = [line.split()[2] for line in lines[1:]]
    assert reasons[:2] == ["Pulling", "Pulled"] and reasons[-1] == "Started"


def test_get_w_watches_while_simulated_time_passes(cluster: Cluster) -> None:
    start = cluster.now
    cluster.apply([pod("c")])
    lines = cluster.kubectl("get pods -w --request-timeout=20s").splitlines()
    assert cluster.now == pytest.approx(start + 20, abs=1)
    assert lines[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    watched = [line.split()[2] for line in lines if line.startswith("c ")]
    # listed Pending, bound (still Pending), then the kubelet's ContainerCreating and Running
    assert watched[0] == "Pending" and watched[-1] == "Running"
    assert "ContainerCreating" in watched


def test_an_unbounded_watch_stops_after_the_labs_limit_and_says_so(cluster: Cluster) -> None:
    start = cluster.now
    text = cluster.kubectl("events -A --types=Warning -w")
    # The watch lists what is there first, each event flushed alone: CoreDNS's readiness probes
    # failed once at boot (its ready plugin answers 503 until the kubernetes plugin has synced).
    assert text.splitlines() == [
        "NAMESPACE     LAST SEEN   TYPE      REASON      OBJECT                        MESSAGE",
        "kube-system   35s         Warning   Unhealthy   Pod/coredns-9fdf59497-2jsm8   "
        "Readiness probe failed: HTTP probe failed with statuscode: 503",
        "kube-system   35s   Warning   Unhealthy   Pod/coredns-9fdf59497-q4vqq   "
        "Readiness probe failed: HTTP probe failed with statuscode: 503",
        *WATCH_NOTE.splitlines()]
    assert cluster.now == pytest.approx(start + 600, abs=1)


def test_bad_watches_are_refused_before_time_passes(cluster: Cluster) -> None:
    start = cluster.now
    with pytest.raises(BadRequestError, match="prints tables and names"):
        cluster.kubectl("get pods -w -o yaml --request-timeout=5s")
    with pytest.raises(BadRequestError, match="valid --types are Normal or Warning"):
        cluster.kubectl("events --types=Error -w")
    assert cluster.now == start

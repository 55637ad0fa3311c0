"""Utilization per node: what the pods bound to each node request, in % of its allocatable."""

from types import SimpleNamespace as NS

import matplotlib

matplotlib.use("Agg")

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from k8slab import Cluster
from k8slab.lab.plots.utilization import compare_utilization, node_utilization, utilization

MIB = 1024 * 1024


def kwok_node(name: str, cpu: str = "4", memory: str = "8Gi") -> dict:
    capacity = {"cpu": cpu, "memory": memory, "pods": "110"}
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name},
            "status": {"capacity": capacity, "allocatable": dict(capacity)}}


def bound_pod(name: str, node: str, cpu: str, memory: str = "1Gi") -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"nodeName": node,
                     "containers": [{"name": "app", "image": "nginx:1.27",
                                     "resources": {"requests": {"cpu": cpu, "memory": memory}}}]}}


@pytest.fixture(scope="module")
def fake() -> Cluster:
    """Two KWOK-style nodes; node-a runs 1.5 CPU and 3Gi of requests, node-b nothing."""
    cluster = Cluster(workers=0, seed=1)
    cluster.apply([kwok_node("node-a"), kwok_node("node-b", cpu="2", memory="4Gi"),
                   bound_pod("one", "node-a", "1"), bound_pod("two", "node-a", "500m", "2Gi")])
    return cluster


def test_rows_sum_the_requests_of_the_pods_bound_to_each_node(fake):
    assert node_utilization(fake) == [
        {"node": "node-a", "pods": 2, "cpu requested (m)": 1500, "cpu allocatable (m)": 4000,
         "cpu %": 37.5, "memory requested (Mi)": 3072, "memory allocatable (Mi)": 8192,
         "memory %": 37.5},
        {"node": "node-b", "pods": 0, "cpu requested (m)": 0, "cpu allocatable (m)": 2000,
         "cpu %": 0.0, "memory requested (Mi)": 0, "memory allocatable (Mi)": 4096,
         "memory %": 0.0},
    ]


def test_the_control_plane_is_left_out_unless_asked_for(fake):
    rows = node_utilization(fake, control_plane=True)
    assert [row["node"] for row in rows] == ["control-plane", "node-a", "node-b"]
    # etcd 100m, kube-apiserver 250m, kube-controller-manager 200m, kube-scheduler 100m, as
    # kubeadm requests them, and CoreDNS's two replicas at 100m each: with no real worker they
    # run on the control plane, whose taint they tolerate (kube-proxy requests nothing).
    assert rows[0]["cpu requested (m)"] == 850


def test_a_finished_pod_no_longer_counts():
    # The API server resets a new pod's status, so a stand-in answers the two lists instead.
    done = dict(bound_pod("done", "node-a", "1"), status={"phase": "Succeeded"})
    running = dict(bound_pod("running", "node-a", "250m"), status={"phase": "Running"})
    objects = {"nodes": [kwok_node("node-a")], "pods": [done, running]}
    stand_in = NS(list=lambda resource: objects[resource], now=0.0)
    [row] = node_utilization(stand_in)
    assert (row["pods"], row["cpu requested (m)"]) == (1, 250)
    [ax] = utilization(stand_in).axes
    assert [t.get_text() for t in ax.get_xticklabels()] == ["node-a\n1 pod"]


def test_the_chart_draws_two_bars_per_node_with_their_percentages(fake):
    fig = utilization(fake, "fake nodes")
    assert isinstance(fig, Figure)
    [ax] = fig.axes
    heights = [bar.get_height() for bar in ax.patches]
    assert heights == [37.5, 0.0, 37.5, 0.0]  # cpu a, cpu b, then memory a, memory b
    assert [t.get_text() for t in ax.get_xticklabels()] == ["node-a\n2 pods", "node-b\n0 pods"]
    assert ax.get_title() == f"fake nodes · t = {fake.now:.1f} s"


def test_two_clusters_side_by_side_share_one_scale(fake):
    empty = Cluster(workers=0, seed=2)
    empty.apply(kwok_node("node-z"))
    fig = compare_utilization(fake, empty, ("spread", "packed"))
    left, right = fig.axes
    assert left.get_title().startswith("spread") and right.get_title().startswith("packed")
    assert left.get_ylim() == right.get_ylim() == (0.0, 125.0)
    assert [t.get_text() for t in right.get_xticklabels()] == ["node-z\n0 pods"]


def test_without_an_api_server_the_chart_says_so():
    cluster = Cluster(workers=1, seed=1)
    cluster.kill_node("control-plane")
    [ax] = utilization(cluster).axes
    assert ax.get_title().endswith("API server unreachable")
    assert "refused" in ax.texts[0].get_text()


@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=4000), min_size=1, max_size=4))
def test_percent_is_requested_over_allocatable(millicores):
    cluster = Cluster(workers=0, seed=1, skip_phases=["addon"])  # one boot per example: no addons
    pods = [bound_pod(f"p{i}", "big", f"{m}m", "1Mi") for i, m in enumerate(millicores)]
    cluster.apply([kwok_node("big", cpu="16")] + pods)
    [row] = node_utilization(cluster)
    assert row["cpu requested (m)"] == sum(millicores)
    assert row["cpu %"] == round(100 * sum(millicores) / 16000, 1)
    assert row["pods"] == len(millicores)

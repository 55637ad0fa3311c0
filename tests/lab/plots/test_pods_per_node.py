"""Pods per worker node: running pods, and CPU requested against allocatable, as the API
server reports them; a down host marked, an unreachable API server said."""

import matplotlib

matplotlib.use("Agg")

from k8slab.lab.plots.pods_per_node import pods_per_node


def bars(ax) -> list[list[float]]:
    return [[bar.get_height() for bar in container] for container in ax.containers]


def test_pods_per_node_counts_running_pods_on_every_worker(placed):
    fig = pods_per_node(placed)
    left, right = fig.axes
    assert [t.get_text() for t in left.get_xticklabels()] == ["worker-1", "worker-2",
                                                              "worker-3"]
    # a kube-proxy pod on every worker and CoreDNS's two replicas (100m each) on worker-1 and -3
    assert bars(left) == [[4, 1, 3]]
    assert bars(right) == [[850, 0, 1100], [4000, 4000, 4000]]


def test_pods_per_node_marks_down_hosts(placed):
    placed.kill_node("worker-2")
    left = pods_per_node(placed).axes[0]
    assert [t.get_text() for t in left.get_xticklabels()] == ["worker-1", "worker-2\n(down)",
                                                              "worker-3"]
    assert [bar.get_hatch() for bar in left.containers[0]] == [None, "//", None]


def test_pods_per_node_counts_pending_pods_in_requests_but_not_as_running(placed, pod):
    placed.apply(pod("d", "100m", "worker-2"))
    placed.run(0.5)
    assert placed.get("pods", "d")["status"]["phase"] == "Pending"
    left, right = pods_per_node(placed).axes
    assert bars(left) == [[4, 1, 3]]
    assert bars(right)[0] == [850, 100, 1100]


def test_pods_per_node_says_when_the_api_server_is_unreachable(placed):
    placed.kill_node("control-plane")
    fig = pods_per_node(placed)
    assert len(fig.axes) == 1
    assert fig.axes[0].get_title().startswith("API server unreachable")
    assert fig.axes[0].containers == []

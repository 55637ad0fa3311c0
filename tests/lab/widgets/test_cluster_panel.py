"""The cluster panel's buttons really act on the cluster; its status line and its chart say the
same thing at the same instant, from one read."""

import ipywidgets as widgets
import pytest

from k8slab.lab.cluster import Cluster
from k8slab.lab.widgets.cluster_panel import ClusterPanel
from tests.lab.widgets.chart import texts, tips


def default_pods(cluster: Cluster) -> dict[str, dict]:
    return {p["metadata"]["name"]: p for p in cluster.list("pods", "default")}


def running_in_chart(panel: ClusterPanel) -> int:
    """The running pods the chart draws: the sum of its bars ("worker-1: 2 running")."""
    return sum(int(tip.split(": ")[1].split()[0]) for tip in tips(panel.chart.value)
               if tip.endswith(" running"))


def chart_time(panel: ClusterPanel) -> str:
    [title] = [t for t in texts(panel.chart.value) if t.startswith("Pods per worker node at")]
    return title.split("t = ")[1].split(" s")[0]


@pytest.fixture
def panel() -> ClusterPanel:
    return ClusterPanel(Cluster(workers=2, seed=1))


def test_panel_shows_the_cluster_from_the_start(panel):
    assert isinstance(panel.ui, widgets.VBox)
    assert panel.node_dropdown.options == ("worker-1", "worker-2")
    # each worker runs the addons kubeadm installs: kube-proxy and one of CoreDNS's replicas
    assert panel.status.value == (f"t = {panel.cluster.now:.1f} s · 3 of 3 nodes up · "
                                  "4 pods running on worker nodes")
    assert {"worker-1", "worker-2"} <= set(texts(panel.chart.value))
    assert tips(panel.chart.value)[:2] == ["worker-1: 2 running", "worker-2: 2 running"]


def test_add_pod_creates_a_pod_that_becomes_running_in_the_status_and_the_chart(panel):
    panel.cpu_dropdown.value = "500m"
    panel.add_button.click()
    pods = default_pods(panel.cluster)
    [name] = list(pods)
    container = pods[name]["spec"]["containers"][0]
    assert container["image"] == "nginx:1.27"
    assert container["resources"]["requests"]["cpu"] == "500m"
    node = pods[name]["spec"]["nodeName"]
    assert f"{node}: 600m CPU requested" in tips(panel.chart.value)  # and CoreDNS's 100m
    panel.advance_button.click()
    assert default_pods(panel.cluster)[name]["status"]["phase"] == "Running"
    assert panel.message.value == "ran 10 s"
    assert panel.status.value.endswith("· 5 pods running on worker nodes")
    assert f"{node}: 3 running" in tips(panel.chart.value)


def test_the_status_counts_exactly_the_pods_the_chart_draws(panel):
    """The control plane's four static pods and its kube-proxy run too, but the chart of
    workers omits them, and so does the status line."""
    for _ in range(3):
        panel.add_button.click()
    panel.advance_button.click()
    running = sum(p["status"]["phase"] == "Running" for p in panel.cluster.list("pods"))
    assert running == 12  # 4 static pods, 3 kube-proxy, 2 CoreDNS and the 3 added
    assert running_in_chart(panel) == 7
    assert panel.status.value.endswith("· 7 pods running on worker nodes")
    assert panel.status.value.startswith(f"t = {chart_time(panel)} s")


def test_reading_the_cluster_does_not_advance_time(panel):
    before = panel.cluster.now
    panel.refresh()
    panel.refresh()
    assert panel.cluster.now == before


def test_each_added_pod_gets_a_generated_name(panel):
    panel.add_button.click()
    panel.add_button.click()
    names = sorted(default_pods(panel.cluster))
    assert len(names) == 2 and all(n.startswith("web-") and len(n) == 9 for n in names)
    assert panel.message.value.startswith("pod/web-")
    assert panel.message.value.endswith(" created (requests 250m CPU); ran 5 s")


def test_add_pod_runs_the_cluster_five_seconds(panel):
    before = panel.cluster.now
    panel.add_button.click()
    assert panel.cluster.now == pytest.approx(before + 5)


def test_kill_and_restart_change_the_host_the_status_and_the_chart(panel):
    panel.node_dropdown.value = "worker-2"
    panel.kill_button.click()
    assert not panel.cluster.host_is_up("worker-2")
    assert panel.message.value == "worker-2 killed"
    assert "2 of 3 nodes up" in panel.status.value
    assert "(down)" in texts(panel.chart.value)
    assert 'fill="url(#k8slab-hatch)"' in panel.chart.value.split("</defs>")[1]
    panel.restart_button.click()
    assert panel.cluster.host_is_up("worker-2")
    assert "3 of 3 nodes up" in panel.status.value
    assert "(down)" not in texts(panel.chart.value)


def test_a_double_kill_shows_the_error_and_changes_nothing(panel):
    panel.kill_button.click()
    panel.kill_button.click()
    assert panel.message.value.startswith("worker-1 is already down")
    assert not panel.cluster.host_is_up("worker-1")


def test_restarting_a_running_node_shows_the_error(panel):
    panel.restart_button.click()
    assert panel.message.value.startswith("worker-1 is running")
    assert panel.cluster.host_is_up("worker-1")


def test_advance_runs_ten_seconds_and_updates_the_time_in_status_and_chart(panel):
    before = panel.cluster.now
    panel.advance_button.click()
    assert panel.cluster.now == pytest.approx(before + 10)
    assert panel.status.value.startswith(f"t = {before + 10:.1f} s")
    assert chart_time(panel) == f"{before + 10:.1f}"


def test_without_an_api_server_the_panel_says_so(panel):
    panel.cluster.kill_node("control-plane")
    panel.refresh()
    assert panel.status.value.endswith("· API server unreachable")
    assert panel.chart.value.startswith("<p>Nothing to draw: no API server is up")
    assert panel.rows == []
    panel.add_button.click()
    assert "connection to the server control-plane:6443 was refused" in panel.message.value


def test_when_etcd_has_lost_its_quorum_reading_takes_no_time_and_writes_time_out():
    """The panel reads the API server's watch cache (a list at resourceVersion "0"), which still
    answers without etcd; a write waits for an etcd that cannot commit and times out."""
    cluster = Cluster(workers=1, seed=1, control_planes=3)
    panel = ClusterPanel(cluster)
    cluster.kill_node("control-plane-2")
    cluster.kill_node("control-plane-3")
    cluster.run(5)
    before = cluster.now
    panel.refresh()
    assert cluster.now == before
    assert panel.status.value.startswith(f"t = {before:.1f} s · 3 of 5 nodes up")
    panel.add_button.click()
    assert "timed out" in panel.message.value


def test_in_a_highly_available_cluster_status_and_chart_share_one_instant():
    """Reads take no simulated time, even behind the load balancer: one read, one t."""
    panel = ClusterPanel(Cluster(workers=2, seed=3, control_planes=3))
    panel.advance_button.click()
    assert panel.status.value.startswith(f"t = {chart_time(panel)} s")
    assert panel.status.value.startswith(f"t = {panel.cluster.now:.1f} s")


def test_a_cluster_without_workers_has_no_node_to_kill():
    panel = ClusterPanel(Cluster(workers=0, seed=1))
    panel.kill_button.click()
    assert panel.message.value == "this cluster has no worker nodes to choose from"


def test_with_several_control_planes_only_workers_are_offered():
    panel = ClusterPanel(Cluster(workers=2, seed=3, control_planes=3))
    assert panel.node_dropdown.options == ("worker-1", "worker-2")

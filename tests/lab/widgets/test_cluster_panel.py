"""The cluster panel's buttons really act on the cluster, and its labels say what happened."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets
import pytest
from matplotlib.figure import Figure

from k8slab.lab.cluster import Cluster
from k8slab.lab.widgets.cluster_panel import ClusterPanel


def default_pods(cluster: Cluster) -> dict[str, dict]:
    return {p["metadata"]["name"]: p for p in cluster.list("pods", "default")}


@pytest.fixture
def panel() -> ClusterPanel:
    return ClusterPanel(Cluster(workers=2, seed=1))


def test_panel_shows_the_cluster_from_the_start(panel):
    assert isinstance(panel.ui, widgets.VBox)
    assert panel.node_dropdown.options == ("worker-1", "worker-2")
    assert panel.status.value == (f"t = {panel.cluster.now:.1f} s · 3 of 3 nodes up · "
                                  "3 pods running")
    assert isinstance(panel.figure, Figure)
    assert "text/plain" in panel._repr_mimebundle_()


def test_add_pod_creates_a_pod_that_becomes_running(panel):
    panel.cpu_dropdown.value = "500m"
    panel.add_button.click()
    pods = default_pods(panel.cluster)
    [name] = list(pods)
    container = pods[name]["spec"]["containers"][0]
    assert container["image"] == "nginx:1.27"
    assert container["resources"]["requests"]["cpu"] == "500m"
    panel.advance_button.click()
    assert default_pods(panel.cluster)[name]["status"]["phase"] == "Running"
    assert panel.message.value == "ran 10 s"
    assert panel.status.value.endswith("· 4 pods running")


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


def test_kill_and_restart_change_the_host_and_the_status(panel):
    panel.node_dropdown.value = "worker-2"
    before = panel.status.value
    panel.kill_button.click()
    assert not panel.cluster.host_is_up("worker-2")
    assert panel.message.value == "worker-2 killed"
    assert panel.status.value != before
    assert "2 of 3 nodes up" in panel.status.value
    assert "worker-2\n(down)" in [t.get_text() for t in panel.figure.axes[0].get_xticklabels()]
    panel.restart_button.click()
    assert panel.cluster.host_is_up("worker-2")
    assert "3 of 3 nodes up" in panel.status.value


def test_a_double_kill_shows_the_error_and_changes_nothing(panel):
    panel.kill_button.click()
    panel.kill_button.click()
    assert panel.message.value.startswith("worker-1 is already down")
    assert not panel.cluster.host_is_up("worker-1")


def test_restarting_a_running_node_shows_the_error(panel):
    panel.restart_button.click()
    assert panel.message.value.startswith("worker-1 is running")
    assert panel.cluster.host_is_up("worker-1")


def test_advance_runs_ten_seconds_and_updates_the_time(panel):
    before = panel.cluster.now
    panel.advance_button.click()
    assert panel.cluster.now == pytest.approx(before + 10)
    assert panel.status.value.startswith(f"t = {before + 10:.1f} s")


def test_without_an_api_server_the_panel_says_so(panel):
    panel.cluster.kill_node("control-plane")
    panel.refresh()
    assert panel.status.value.endswith("· API server unreachable")
    assert panel.figure.axes[0].get_title().startswith("API server unreachable")
    panel.add_button.click()
    assert "connection to the server control-plane:6443 was refused" in panel.message.value


def test_when_etcd_has_lost_its_quorum_the_panel_shows_the_api_server_s_answer():
    cluster = Cluster(workers=1, seed=1, control_planes=3)
    panel = ClusterPanel(cluster)
    cluster.kill_node("control-plane-2")
    cluster.kill_node("control-plane-3")
    cluster.run(5)
    panel.refresh()
    assert panel.status.value.endswith("· API server answered 500 (etcdserver: request timed out)")
    assert panel.figure.axes[0].get_title().startswith("API server answered 500")


def test_a_cluster_without_workers_has_no_node_to_kill():
    panel = ClusterPanel(Cluster(workers=0, seed=1))
    panel.kill_button.click()
    assert panel.message.value == "this cluster has no worker nodes to choose from"


def test_with_several_control_planes_only_workers_are_offered():
    panel = ClusterPanel(Cluster(workers=2, seed=3, control_planes=3))
    assert panel.node_dropdown.options == ("worker-1", "worker-2")

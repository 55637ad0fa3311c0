"""The controllers panel's buttons run the kubectl commands and Cluster calls they name; its
status line and its replica chart follow the Deployment as the cluster runs."""

import ipywidgets as widgets
import pytest

from k8slab.errors import NotFoundError
from k8slab.lab.cluster import Cluster
from k8slab.lab.widgets.controllers_panel import ControllersPanel
from tests.lab.widgets.chart import texts, tips

WEB = {
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}},
}


@pytest.fixture(scope="module")
def settled() -> Cluster:
    cluster = Cluster(workers=2, seed=1)
    cluster.apply(WEB)
    cluster.run(15)
    return cluster


@pytest.fixture
def panel() -> ControllersPanel:
    cluster = Cluster(workers=2, seed=1)
    cluster.apply(WEB)
    cluster.run(15)
    return ControllersPanel(cluster, "web")


def image(panel: ControllersPanel) -> str:
    deployment = panel.cluster.get("deployments", "web")
    return deployment["spec"]["template"]["spec"]["containers"][0]["image"]


def test_the_panel_starts_from_the_deployment_as_it_is(settled):
    panel = ControllersPanel(settled, "web")
    assert isinstance(panel.ui, widgets.VBox)
    assert panel.replicas_slider.value == 3
    assert panel.image_dropdown.value == "nginx:1.27"
    assert panel.node_dropdown.options == ("worker-1", "worker-2")
    assert panel.status.value == (f"t = {settled.now:.1f} s · 3 of 3 nodes up · deployment/web: "
                                  "3/3 ready, 3 up to date, 3 available")
    [line] = [t for t in tips(panel.chart.value) if t.startswith("rev 1 ")]
    assert line.endswith(": 3 pods")


def test_scale_runs_kubectl_scale_and_the_chart_follows(panel):
    panel.replicas_slider.value = 5
    panel.scale_button.click()
    assert panel.message.value == "deployment.apps/web scaled; ran 2 s"
    assert panel.cluster.get("deployments", "web")["spec"]["replicas"] == 5
    panel.advance_button.click()
    assert "deployment/web: 5/5 ready" in panel.status.value
    assert any(t.startswith("rev 1 ") and t.endswith(": 5 pods") for t in tips(panel.chart.value))


def test_roll_out_then_undo_changes_the_image_and_back(panel):
    panel.image_dropdown.value = "nginx:1.28"
    panel.rollout_button.click()
    assert panel.message.value == "deployment.apps/web image updated; ran 2 s"
    assert image(panel) == "nginx:1.28"
    panel.advance_dropdown.value = 60
    panel.advance_button.click()
    assert panel.message.value == "ran 60 s"
    assert "3 up to date" in panel.status.value
    assert any(t.startswith("rev 2 ") and t.endswith(": 3 pods") for t in tips(panel.chart.value))
    panel.undo_button.click()
    assert panel.message.value == "deployment.apps/web rolled back; ran 2 s"
    assert image(panel) == "nginx:1.27"


def test_advance_samples_the_replica_sets_as_time_passes(panel):
    before = len(panel.sampler.bounds)
    panel.advance_button.click()
    assert panel.cluster.now == pytest.approx(panel.sampler.bounds[-1].time)
    assert len(panel.sampler.bounds) == before + 10  # one a second, the start already sampled


def test_reading_the_panel_takes_no_time(panel):
    before = panel.cluster.now
    panel.refresh()
    panel.refresh()
    assert panel.cluster.now == before


def test_kill_and_restart_act_on_the_chosen_worker(panel):
    panel.node_dropdown.value = "worker-2"
    panel.kill_button.click()
    assert panel.message.value == "worker-2 killed"
    assert "2 of 3 nodes up" in panel.status.value
    panel.kill_button.click()
    assert panel.message.value.startswith("worker-2 is already down")
    panel.restart_button.click()
    assert panel.cluster.host_is_up("worker-2")


def test_a_refused_command_is_said_and_changes_nothing(panel):
    panel.undo_button.click()  # no earlier revision to go back to
    # kubectl's rollback.go: rsForRevision finds no previous ReplicaSet.
    assert panel.message.value == 'error: no rollout history found for deployment "web"'
    assert image(panel) == "nginx:1.27"


def test_a_deployment_that_does_not_exist_is_refused(settled):
    with pytest.raises(NotFoundError, match='deployments.apps "nope" not found'):
        ControllersPanel(settled, "nope")


def test_without_an_api_server_the_panel_says_so(panel):
    panel.cluster.kill_node("control-plane")
    panel.refresh()
    assert panel.status.value.endswith("· API server unreachable")
    assert panel.chart.value.startswith("<p>Nothing to draw")
    panel.scale_button.click()
    assert "refused" in panel.message.value
    assert "ReplicaSets of deployment/web while this panel ran" not in texts(panel.chart.value)

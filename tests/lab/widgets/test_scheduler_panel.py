"""The scheduler panel's buttons act on the real cluster, headlessly (no browser, no kernel)."""

import copy

import ipywidgets as widgets
import pytest

from k8slab import Cluster
from k8slab.lab.widgets.scheduler_panel import (
    SETTLE_SECONDS,
    SchedulerPanel,
    pod_manifest,
    priority_class_manifest,
    profile_options,
    schedulable_nodes,
)
from tests.lab.widgets.chart import texts, tips

TWO_PROFILES = """
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: /etc/kubernetes/scheduler.conf
profiles:
- schedulerName: default-scheduler
- schedulerName: bin-packer
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
"""


def with_scheduler_config(cluster: Cluster, config: str) -> Cluster:
    """Restart the control-plane host with kube-scheduler --config (as the chapter does)."""
    host = cluster.network.host("control-plane")
    host.disk["/etc/kubernetes/scheduler-config.yaml"] = config
    manifests = host.disk["/etc/kubernetes/manifests"]
    manifest = copy.deepcopy(manifests["kube-scheduler.yaml"])
    manifest["spec"]["containers"][0]["command"] = [
        "kube-scheduler", "--config=/etc/kubernetes/scheduler-config.yaml"]
    manifests["kube-scheduler.yaml"] = manifest
    cluster.kill_node("control-plane")
    cluster.restart_node("control-plane")
    # The new kube-scheduler takes the Lease only once the crashed one's has expired (15 s).
    cluster.run(20)
    return cluster


def panel_pods(cluster: Cluster) -> dict[str, dict]:
    return {p["metadata"]["name"]: p for p in cluster.list("pods", "default")}


def node_of(pod: dict) -> str | None:
    return pod["spec"].get("nodeName")


def pods_in_chart(panel: SchedulerPanel) -> int:
    """The pods the chart counts under its nodes ("2 pods", "1 pod")."""
    return sum(int(t.split()[0]) for t in texts(panel.chart.value)
               if t.endswith((" pod", " pods")))


@pytest.fixture
def panel() -> SchedulerPanel:
    """Two empty workers of 2 CPUs each. Without the addons: CoreDNS's 100m would leave 1900m
    on each, and the panel's arithmetic is whole 2000m pods."""
    return SchedulerPanel(Cluster(workers=2, seed=1, worker_cpu="2", skip_phases=["addon"]))


def test_the_panel_starts_empty_with_every_worker_and_the_default_profile(panel):
    assert isinstance(panel.ui, widgets.VBox)
    assert panel.node_dropdown.options == ("worker-1", "worker-2")
    assert panel.profile_dropdown.options == (
        ("default-scheduler · LeastAllocated", "default-scheduler"),)
    assert panel.status.value == "t = 4.0 s · 0 pods bound to a worker node · 0 waiting for one"
    assert panel.decision is None
    assert panel.explanation.value == "<p>No scheduling decision yet: add a pod.</p>"
    assert texts(panel.chart.value)[0] == "CPU and memory requested per node · t = 4.0 s"


def test_add_pod_creates_the_chosen_pod_and_explains_where_it_went(panel):
    panel.cpu_dropdown.value = "1000m"
    panel.priority_dropdown.value = 100
    before = panel.cluster.now
    panel.add_button.click()  # creating its PriorityClass first takes a fraction of a second
    assert before + SETTLE_SECONDS <= panel.cluster.now < before + SETTLE_SECONDS + 0.5
    [(name, pod)] = panel_pods(panel.cluster).items()
    assert name.startswith("app-")
    assert pod["spec"]["priority"] == 100
    assert pod["spec"]["containers"][0]["resources"]["requests"] == {
        "cpu": "1000m", "memory": "256Mi"}
    assert panel.message.value == (
        f"pod/{name} created (cpu 1000m, priority 100, default-scheduler); ran 2 s")
    assert panel.decision.pod == f"default/{name}"
    assert panel.decision.node == node_of(pod) in ("worker-1", "worker-2")
    assert f"Successfully assigned default/{name} to {node_of(pod)}" in panel.explanation.value
    assert panel.status.value.endswith("· 1 pod bound to a worker node · 0 waiting for one")
    cpu = [tip for tip in tips(panel.chart.value) if tip.startswith("cpu")]
    assert sorted(cpu) == ["cpu 0 %", "cpu 50 %"]  # one worker has 1 of its 2 CPUs requested


def test_a_pod_too_big_for_any_node_waits_and_the_table_says_why(panel):
    panel.cpu_dropdown.value = "2000m"
    for _ in range(3):
        panel.add_button.click()
    assert panel.status.value.endswith("· 2 pods bound to a worker node · 1 waiting for one")
    assert pods_in_chart(panel) == 2
    assert panel.decision.node is None
    assert panel.decision.message.startswith(
        "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. "
        "preemption:")
    assert "Insufficient cpu" in panel.explanation.value


def test_a_high_priority_pod_preempts_a_low_priority_one(panel):
    panel.cpu_dropdown.value = "2000m"
    panel.add_button.click()
    panel.add_button.click()
    low = set(panel_pods(panel.cluster))
    panel.priority_dropdown.value = 1000
    panel.add_button.click()
    panel.advance_button.click()
    pods = panel_pods(panel.cluster)
    [high] = set(pods) - low
    assert pods[high]["spec"]["priority"] == 1000
    assert node_of(pods[high]) is not None
    assert len(low - set(pods)) == 1  # one low-priority pod was evicted to make room
    assert pods_in_chart(panel) == 2
    assert panel.status.value.endswith("· 2 pods bound to a worker node · 0 waiting for one")
    preempted = panel.cluster.trace.where(component="scheduler", kind="Preempted")
    assert [r.details["preemptor"] for r in preempted] == [f"default/{high}"]


def test_taint_and_untaint_the_chosen_node(panel):
    panel.node_dropdown.value = "worker-2"
    panel.taint_button.click()
    assert panel.message.value == "node/worker-2 tainted; ran 2 s"
    taints = panel.cluster.get("nodes", "worker-2", None)["spec"]["taints"]
    assert taints == [{"key": "dedicated", "value": "panel", "effect": "NoSchedule"}]
    for _ in range(3):
        panel.add_button.click()
    assert {node_of(p) for p in panel_pods(panel.cluster).values()} == {"worker-1"}
    panel.taint_button.click()
    assert panel.message.value.startswith("node worker-2 already has dedicated taint(s)")
    panel.untaint_button.click()
    assert panel.message.value == "node/worker-2 untainted; ran 2 s"
    assert panel.cluster.get("nodes", "worker-2", None)["spec"]["taints"] == []


def test_a_cordoned_node_gets_no_pods_and_a_waiting_pod_lands_when_it_is_uncordoned(panel):
    panel.cordon_button.click()
    assert panel.message.value == "node/worker-1 cordoned; ran 2 s"
    assert panel.cluster.get("nodes", "worker-1", None)["spec"]["unschedulable"] is True
    panel.cpu_dropdown.value = "2000m"
    panel.add_button.click()
    panel.add_button.click()
    assert panel.status.value.endswith("· 1 pod bound to a worker node · 1 waiting for one")
    assert "NodeUnschedulable: node(s) were unschedulable" in panel.explanation.value
    panel.uncordon_button.click()
    assert panel.message.value == "node/worker-1 uncordoned; ran 2 s"
    # The node lifecycle controller removes the node.kubernetes.io/unschedulable taint right
    # after; the waiting pod, tried in between, lands once its back-off is over.
    panel.advance_button.click()
    assert panel.status.value.endswith("· 2 pods bound to a worker node · 0 waiting for one")
    assert panel.decision.node == "worker-1"


def test_the_profile_dropdown_switches_between_spreading_and_bin_packing():
    # profiles, not addons: skipping them saves booting kube-proxy on four nodes
    cluster = with_scheduler_config(Cluster(workers=3, seed=1, skip_phases=["addon"]),
                                    TWO_PROFILES)
    panel = SchedulerPanel(cluster)
    assert [value for _, value in panel.profile_dropdown.options] == [
        "default-scheduler", "bin-packer"]
    assert panel.profile_dropdown.options[1][0] == "bin-packer · MostAllocated"
    panel.profile_dropdown.value = "bin-packer"
    for _ in range(3):
        panel.add_button.click()
    packed = {node_of(p) for p in panel_pods(cluster).values()}
    assert len(packed) == 1
    assert all(p["spec"]["schedulerName"] == "bin-packer"
               for p in panel_pods(cluster).values())
    panel.profile_dropdown.value = "default-scheduler"
    for _ in range(2):
        panel.add_button.click()
    assert {node_of(p) for p in panel_pods(cluster).values()} == {
        "worker-1", "worker-2", "worker-3"}


def test_without_workers_the_node_buttons_say_so():
    panel = SchedulerPanel(Cluster(workers=0, seed=1))
    panel.cordon_button.click()
    assert panel.message.value == "this cluster has no worker nodes to choose from"


def test_without_an_api_server_the_panel_says_so(panel):
    panel.cluster.kill_node("control-plane")
    panel.add_button.click()
    assert "connection to the server control-plane:6443 was refused" in panel.message.value
    assert panel.status.value.endswith("· API server unreachable")
    assert panel.chart.value.startswith("<p>Nothing to draw: no API server is up")
    assert schedulable_nodes(panel.cluster) == []
    assert profile_options(panel.cluster) == [("default-scheduler", "default-scheduler")]


def test_the_pod_manifest_names_its_profile_and_priority():
    manifest = pod_manifest("250m", 1000, "bin-packer")
    assert manifest["metadata"]["generateName"] == "app-"
    assert (manifest["spec"]["schedulerName"], manifest["spec"]["priorityClassName"]) == (
        "bin-packer", "panel-priority-1000")
    assert priority_class_manifest(1000)["value"] == 1000
    assert "priorityClassName" not in pod_manifest("250m", 0, "bin-packer")["spec"]


def test_the_status_counts_the_pods_the_chart_draws_at_every_step(panel):
    """Whatever the scheduler does between clicks, status and chart come from the same read."""
    panel.cpu_dropdown.value = "1000m"
    for _ in range(5):
        panel.add_button.click()
        bound = int(panel.status.value.split(" · ")[1].split()[0])
        assert bound == pods_in_chart(panel)
        assert panel.status.value.startswith(texts(panel.chart.value)[0].split(" · ")[1])


def test_a_node_action_runs_the_cluster_and_the_status_shows_the_new_time(panel):
    before = panel.cluster.now
    panel.cordon_button.click()
    assert panel.status.value.startswith(f"t = {before + SETTLE_SECONDS:.1f} s")

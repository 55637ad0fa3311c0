"""The node panel's buttons run the kubectl commands they name on the lab pod; its status line
says what `kubectl get pod` says and its chart follows the containers' runs."""

import ipywidgets as widgets
import pytest

from k8slab.lab.cluster import Cluster
from k8slab.lab.widgets.node_panel import NodePanel, lab_pod
from tests.lab.widgets.chart import tips


def lab_panel(**cluster_options) -> NodePanel:
    cluster = Cluster(workers=1, seed=1, **cluster_options)
    cluster.create(lab_pod())
    cluster.run(10)
    return NodePanel(cluster, "lab")


@pytest.fixture
def panel() -> NodePanel:
    # one pod's containers, timed to the tenth of a second: the addons' pods would move the times
    return lab_panel(skip_phases=["addon"])


def exits(panel: NodePanel, container: str) -> list[str]:
    return [t for t in tips(panel.chart.value)
            if t.startswith(f"{container} attempt") and "exit" in t]


def test_the_panel_starts_from_the_pod_as_it_is(panel):
    assert isinstance(panel.ui, widgets.VBox)
    assert panel.container_dropdown.options == ("app", "stress")
    assert panel.status.value == (f"t = {panel.cluster.now:.1f} s · pod/lab: 2/2 ready, Running, "
                                  "restarts 0")
    assert exits(panel, "app") == []


def test_crash_makes_the_app_exit_1_and_the_kubelet_restart_it(panel):
    panel.crash_button.click()
    assert panel.message.value == "exec touch /tmp/crash in app; ran 2 s"
    assert ", restarts 1 (" in panel.status.value
    [ended] = exits(panel, "app")
    assert ended.endswith("exit 1 (Error)")


def test_a_broken_probe_gets_the_container_killed_after_three_failures(panel):
    panel.break_button.click()
    panel.advance_dropdown.value = 60
    panel.advance_button.click()
    unhealthy = [t for t in tips(panel.chart.value) if " Unhealthy: " in t]
    killing = [t for t in tips(panel.chart.value) if " Killing: " in t]
    assert len(unhealthy) == 3
    assert killing[0].endswith("Container app failed liveness probe, will be restarted")
    # busybox sh ignores SIGTERM: SIGKILL after the pod's 5 s grace period.
    assert exits(panel, "app")[0].endswith("exit 137 (Error)")


def test_recreate_with_a_smaller_limit_gets_stress_oom_killed(panel):
    panel.container_dropdown.value = "stress"
    panel.memory_dropdown.value = "100Mi"
    panel.recreate_button.click()
    assert panel.message.value == "pod/lab created with memory limit 100Mi; ran 2 s"
    limits = panel.cluster.get("pods", "lab")["spec"]["containers"][1]["resources"]["limits"]
    assert limits == {"memory": "100Mi"}
    # The old pod's stress was killed when the pod was deleted; the new one passes 100Mi.
    first, *again = exits(panel, "stress")
    assert first.endswith("exit 137 (Error)")
    assert again and again[0].endswith("exit 137 (OOMKilled)")


def test_exec_into_a_container_that_is_not_running_says_kubectls_words(panel):
    panel.container_dropdown.value = "stress"
    panel.memory_dropdown.value = "100Mi"
    panel.recreate_button.click()
    panel.advance_button.click()
    panel.heal_button.click()
    assert panel.message.value == 'unable to upgrade connection: container not found ("stress")'
    assert "restarts 2" in panel.status.value


def test_exec_into_a_container_that_died_since_the_last_relist_is_not_found():
    """With the addons, boot ends later and Advance stops 0.4 s after stress was OOM-killed,
    before the PLEG's next relist: the status still says Running, but the kubelet asks the
    runtime (findContainer), which no longer runs it. (It once reached runc: "OCI runtime exec
    failed ... is not running".)"""
    panel = lab_panel()
    panel.container_dropdown.value = "stress"
    panel.memory_dropdown.value = "100Mi"
    panel.recreate_button.click()
    panel.advance_button.click()
    assert panel.status.value.endswith("pod/lab: 2/2 ready, Running, restarts 2 (10s ago)")
    panel.heal_button.click()
    assert panel.message.value == 'unable to upgrade connection: container not found ("stress")'

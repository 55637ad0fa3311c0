"""The etcd panel's buttons act on the real cluster, headlessly (no browser, no kernel); its status
line, roles timeline and logs come from one read of the members."""

import pytest

from k8slab import Cluster
from k8slab.lab.widgets.etcd_panel import WRITE_KEY, EtcdPanel
from tests.lab.widgets.chart import pictures, texts, tips


@pytest.fixture
def panel() -> EtcdPanel:
    # the panel shows etcd and Raft alone: no addons to boot
    return EtcdPanel(Cluster(workers=1, seed=2, control_planes=3, check_invariants=True,
                             skip_phases=["addon"]))


def logs_title(panel: EtcdPanel) -> str:
    [title] = [t for t in texts(panel.chart.value) if t.startswith("Raft logs at")]
    return title


def test_the_panel_starts_with_a_leader_and_invariants_holding(panel):
    assert "3 of 3 members up · leader: control-plane-" in panel.status.value
    assert panel.status.value.endswith("invariants hold ✓")
    assert len(pictures(panel.chart.value)) == 2  # the roles timeline and the logs
    leader = panel.cluster.etcd_leader()
    assert f"{leader} (leader, t=2)" in texts(panel.chart.value)


def test_killing_the_leader_elects_another_and_restart_shows_it_back_at_once(panel):
    leader = panel.cluster.etcd_leader()
    panel.member_dropdown.value = leader
    panel.kill_button.click()
    assert panel.message.value == f"{leader} killed"
    assert not panel.cluster.host_is_up(leader)
    assert f"{leader}: down" in texts(panel.chart.value)
    panel.advance_button.click()
    panel.advance_button.click()
    assert panel.cluster.etcd_leader() not in (None, leader)
    assert "2 of 3 members up" in panel.status.value
    assert any(tip.startswith(f"{leader}: down") for tip in tips(panel.chart.value))
    before = panel.cluster.now
    panel.restart_button.click()
    assert panel.message.value.startswith(f"{leader} restarted; its etcd member runs again after")
    assert 0 < panel.cluster.now - before <= 10
    assert "3 of 3 members up" in panel.status.value
    assert f"{leader}: down" not in texts(panel.chart.value)
    assert panel.status.value.endswith("invariants hold ✓")


def test_status_and_pictures_describe_one_instant(panel):
    panel.advance_button.click()
    now = f"{panel.cluster.now:.1f}"
    assert panel.status.value.startswith(f"t = {now} s")
    assert logs_title(panel).startswith(f"Raft logs at t = {now} s")
    assert texts(panel.chart.value)[0].endswith(f"t = 0 to {panel.cluster.now:g} s")


def test_refreshing_reads_without_advancing_time(panel):
    before = panel.cluster.now
    panel.refresh()
    assert panel.cluster.now == before


def test_writes_reach_every_member_and_the_logs_grow(panel):
    first = logs_title(panel)
    panel.write_button.click()
    panel.write_button.click()
    assert panel.message.value.startswith(f"put {WRITE_KEY} 2: OK")
    panel.advance_button.click()
    members = [panel.cluster.network.host(name).memory["etcd"]
               for name in panel.cluster.control_planes]
    values = [m.store.get(WRITE_KEY).value for m in members]
    assert values == ["2", "2", "2"]
    last = max(s.raft.last_index for s in panel.members.values())
    assert logs_title(panel) != first
    assert f"index {last}, term 2" in tips(panel.chart.value)


def test_an_isolated_leader_is_replaced_and_a_double_kill_is_explained(panel):
    leader = panel.cluster.etcd_leader()
    panel.member_dropdown.value = leader
    panel.isolate_button.click()
    for _ in range(3):
        panel.advance_button.click()
    assert panel.cluster.etcd_leader() != leader
    assert f"leader: {panel.cluster.etcd_leader()}" in panel.status.value
    panel.heal_button.click()
    assert panel.message.value == "network healed"
    panel.kill_button.click()
    panel.kill_button.click()
    assert panel.message.value.startswith(f"{leader} is already down")


def test_restarting_a_running_member_says_so_and_runs_nothing(panel):
    before = panel.cluster.now
    panel.restart_button.click()
    assert panel.message.value == "control-plane-1 is running; kill_node('control-plane-1') first"
    assert panel.cluster.now == before

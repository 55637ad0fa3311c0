"""The etcd panel's buttons act on the real cluster, headlessly (no browser, no kernel)."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from k8slab import Cluster  # noqa: E402
from k8slab.lab.widgets.etcd_panel import WRITE_KEY, EtcdPanel  # noqa: E402


@pytest.fixture
def panel() -> EtcdPanel:
    return EtcdPanel(Cluster(workers=1, seed=2, control_planes=3, check_invariants=True))


def test_the_panel_starts_with_a_leader_and_invariants_holding(panel):
    assert "3 of 3 members up · leader: control-plane-" in panel.status.value
    assert panel.status.value.endswith("invariants hold ✓")
    assert len(panel.figures) == 2


def test_killing_the_leader_elects_another_and_restarting_brings_it_back(panel):
    leader = panel.cluster.etcd_leader()
    panel.member_dropdown.value = leader
    panel.kill_button.click()
    assert panel.message.value == f"{leader} killed"
    assert not panel.cluster.host_is_up(leader)
    panel.advance_button.click()
    panel.advance_button.click()
    assert panel.cluster.etcd_leader() not in (None, leader)
    assert "2 of 3 members up" in panel.status.value
    panel.restart_button.click()
    panel.advance_button.click()
    assert "3 of 3 members up" in panel.status.value
    assert panel.status.value.endswith("invariants hold ✓")


def test_writes_reach_every_member(panel):
    panel.write_button.click()
    panel.write_button.click()
    assert panel.message.value.startswith(f"put {WRITE_KEY} 2: OK")
    panel.advance_button.click()
    members = [panel.cluster.network.host(name).memory["etcd"]
               for name in panel.cluster.control_planes]
    values = [m.store.get(WRITE_KEY).value for m in members]
    assert values == ["2", "2", "2"]


def test_an_isolated_leader_is_replaced_and_a_double_kill_is_explained(panel):
    leader = panel.cluster.etcd_leader()
    panel.member_dropdown.value = leader
    panel.isolate_button.click()
    for _ in range(3):
        panel.advance_button.click()
    assert panel.cluster.etcd_leader() != leader
    panel.heal_button.click()
    assert panel.message.value == "network healed"
    panel.kill_button.click()
    panel.kill_button.click()
    assert panel.message.value.startswith(f"{leader} is already down")

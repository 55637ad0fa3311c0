"""The step-by-step Raft panel's controls act on a real RaftStepper, headlessly."""


import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from k8slab.lab.widgets.raft_panel import FALLBACK, RaftPanel  # noqa: E402
from k8slab.robustness import figure8  # noqa: E402
from k8slab.robustness.raft_stepper import RaftStepper  # noqa: E402


@pytest.fixture
def panel() -> RaftPanel:
    return RaftPanel(RaftStepper(3, seed=1))


def test_the_panel_starts_at_step_0_with_nothing_in_flight(panel):
    assert panel.status.value == "step 0 of 0 · leader: none · 0 in flight · Figure 3 holds ✓"
    assert panel.message_dropdown.value is None
    assert bytes(panel.image.value).startswith(b"\x89PNG")


def test_time_out_deliver_and_drop_change_the_simulation(panel):
    panel.member_dropdown.value = "s2"
    panel.timeout_button.click()
    assert panel.message.value == "s2 timed out: now candidate in term 1"
    assert len(panel.message_dropdown.options) == 2
    second = panel.message_dropdown.options[1][1]
    panel.message_dropdown.value = second
    panel.drop_button.click()
    assert panel.message.value.startswith(f"dropped #{second} s2→s3")
    panel.deliver_button.click()
    panel.deliver_all_button.click()
    assert panel.stepper.leader() == "s2"
    assert panel.status.value.startswith("step 4 of 4 · leader: s2 (term 1)")


def test_the_slider_redraws_a_past_moment_without_changing_the_run(panel):
    panel.timeout_button.click()
    panel.deliver_all_button.click()
    before = panel.image.value
    panel.slider.value = 1
    assert panel.status.value.startswith("step 1 of 2 (the past: acting forks here)")
    assert bytes(panel.image.value) != bytes(before) and len(panel.stepper.history) == 3


def test_acting_from_the_past_forks_the_history(panel):
    panel.timeout_button.click()
    panel.deliver_all_button.click()
    panel.slider.value = 1
    panel.deliver_button.click()
    assert panel.message.value.startswith("forked at step 1: delivered #1")
    assert len(panel.stepper.history) == 3 and panel.slider.value == 2


def test_errors_are_said_and_change_nothing(panel):
    panel.write_button.click()
    assert panel.message.value.startswith("no member leads")
    panel.restart_button.click()
    assert panel.message.value == "s1 is running; crash it before restarting it"
    assert len(panel.stepper.history) == 1


def test_crash_restart_write_and_tick(panel):
    panel.timeout_button.click()
    panel.deliver_all_button.click()
    panel.write_button.click()
    assert panel.message.value == "s1 appended 'w1' at index 2 in term 1"
    panel.member_dropdown.value = "s3"
    panel.crash_button.click()
    panel.tick_button.click()
    assert panel.stepper.ticks == 1 and panel.stepper.moment.node("s3").up is False
    panel.restart_button.click()
    assert panel.stepper.moment.node("s3").up


def test_the_text_fallback_says_to_run_the_cell(panel):
    assert panel._repr_mimebundle_()["text/plain"] == FALLBACK


def test_scrubbing_figure_8_redraws_every_moment():
    panel = RaftPanel(figure8.figure_8())
    panel.redraw_ms.clear()
    for step in range(len(panel.stepper.history)):
        panel.slider.value = step
    # One redraw per moment scrubbed to (the time each took is reported by benchmarks/, not
    # asserted here).
    assert len(panel.redraw_ms) >= len(panel.stepper.history) - 1

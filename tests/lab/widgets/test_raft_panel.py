"""The step-by-step Raft panel's controls act on a real RaftStepper, headlessly, and its SVG
chart changes as each action implies."""

import xml.etree.ElementTree as ET

import pytest

from k8slab.lab.widgets.raft_panel import FALLBACK, RaftPanel
from k8slab.robustness import figure8
from k8slab.robustness.raft_stepper import RaftStepper

NS = "{http://www.w3.org/2000/svg}"


def texts(panel: RaftPanel) -> list[str]:
    return [t.text for t in ET.fromstring(panel.chart.value).iter(f"{NS}text")]


def in_flight(panel: RaftPanel) -> list[str]:
    """The chart's in-flight list: its heading and one line per message."""
    return [t for t in texts(panel) if t.startswith(("in flight:", "#"))]


def badge(panel: RaftPanel, name: str) -> tuple[str, str]:
    """The chart's row label of member `name` and the term written in its badge."""
    shown = texts(panel)
    label = next(i for i, t in enumerate(shown[:-1])
                 if t.startswith(f"{name} ") and shown[i + 1].isdigit())
    return shown[label], shown[label + 1]


@pytest.fixture
def panel() -> RaftPanel:
    return RaftPanel(RaftStepper(3, seed=1))


def test_the_panel_starts_at_step_0_with_nothing_in_flight(panel):
    assert panel.status.value == "step 0 of 0 · leader: none · 0 in flight · Figure 3 holds ✓"
    assert panel.message_dropdown.value is None
    assert in_flight(panel) == ["in flight: 0 message(s), oldest first"]
    assert badge(panel, "s2") == ("s2 follower", "0") and "Figure 3's properties hold ✓" in texts(
        panel)


def test_time_out_deliver_and_drop_change_the_simulation(panel):
    panel.member_dropdown.value = "s2"
    panel.timeout_button.click()
    assert panel.message.value == "s2 timed out: now candidate in term 1"
    assert badge(panel, "s2") == ("s2 candidate", "1")
    assert len(panel.message_dropdown.options) == 2
    assert len(in_flight(panel)) == 3
    second = panel.message_dropdown.options[1][1]
    panel.message_dropdown.value = second
    panel.drop_button.click()
    assert panel.message.value.startswith(f"dropped #{second} s2→s3")
    assert in_flight(panel)[0] == "in flight: 1 message(s), oldest first"
    assert not any(line.startswith(f"#{second} ") for line in in_flight(panel))
    panel.deliver_button.click()
    assert in_flight(panel)[0] == "in flight: 1 message(s), oldest first"  # s1's answer
    assert in_flight(panel)[1].startswith("#3 s1→s2 vote granted")
    panel.deliver_all_button.click()
    assert panel.stepper.leader() == "s2"
    assert badge(panel, "s2") == ("s2 leader", "1")
    assert panel.status.value.startswith("step 4 of 4 · leader: s2 (term 1)")


def test_the_slider_redraws_a_past_moment_without_changing_the_run(panel):
    panel.timeout_button.click()
    panel.deliver_all_button.click()
    assert texts(panel)[0] == "Raft, step 2 · t = 0.0 s" and badge(panel, "s1")[0] == "s1 leader"
    panel.slider.value = 1
    assert panel.status.value.startswith("step 1 of 2 (the past: acting forks here)")
    assert texts(panel)[:2] == ["Raft, step 1 · t = 0.0 s", "s1 timed out: now candidate in term 1"]
    assert badge(panel, "s1") == ("s1 candidate", "1") and len(panel.stepper.history) == 3


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
    cells = [c for c in ET.fromstring(panel.chart.value).iter(f"{NS}rect")
             if "s1 index 2" in "".join(c.itertext())]
    assert len(cells) == 1 and cells[0].get("stroke-dasharray") == "4 2"  # not committed yet
    panel.member_dropdown.value = "s3"
    panel.crash_button.click()
    assert badge(panel, "s3") == ("s3 crashed", "1")
    panel.tick_button.click()
    assert panel.stepper.ticks == 1 and panel.stepper.moment.node("s3").up is False
    assert texts(panel)[0] == "Raft, step 5 · t = 0.1 s"
    panel.restart_button.click()
    assert panel.stepper.moment.node("s3").up and badge(panel, "s3") == ("s3 follower", "1")


def test_the_text_fallback_says_to_run_the_cell(panel):
    assert panel._repr_mimebundle_()["text/plain"] == FALLBACK


def test_scrubbing_figure_8_redraws_every_moment():
    panel = RaftPanel(figure8.figure_8())
    panel.redraw_ms.clear()
    charts = set()
    for step in range(len(panel.stepper.history)):
        panel.slider.value = step
        assert texts(panel)[0].startswith(f"Raft, step {step} ·")
        charts.add(panel.chart.value)
    # One redraw per moment scrubbed to (the time each took is reported by benchmarks/, not
    # asserted here); every moment looks different.
    assert len(panel.redraw_ms) >= len(panel.stepper.history) - 1
    assert len(charts) == len(panel.stepper.history)

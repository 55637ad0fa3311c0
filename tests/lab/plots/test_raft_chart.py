"""The Raft panel's SVG chart draws what a moment holds: role badges with terms, cells coloured by
term and faded until committed, the commit index, crashed members, and the messages in flight."""

import xml.etree.ElementTree as ET

from k8slab.lab.plots.raft_chart import UNCOMMITTED_ALPHA, log_width, raft_moment_svg
from k8slab.lab.plots.raft_logs import COMMIT_COLOUR, term_colour
from k8slab.lab.plots.style import ROLE_COLOURS
from k8slab.robustness import figure8
from k8slab.robustness.raft_stepper import RaftStepper

NS = "{http://www.w3.org/2000/svg}"


def after_stage_c() -> RaftStepper:
    stepper = RaftStepper(5, seed=8)
    for stage in (figure8.stage_a, figure8.stage_b, figure8.stage_c):
        stage(stepper)
    return stepper


def cell(root: ET.Element, name: str, index: int) -> ET.Element | None:
    found = [r for r in root.iter(f"{NS}rect")
             if "".join(r.itertext()).startswith(f"{name} index {index}:")]
    return found[0] if found else None


def test_after_stage_c_the_old_entry_is_faded_and_dashed_on_three_rows():
    stepper = after_stage_c()
    root = ET.fromstring(raft_moment_svg(stepper.moment, log_width(stepper.history)))
    index_2 = [cell(root, name, 2) for name in stepper.names]
    assert [c is not None for c in index_2] == [True, True, True, False, True]
    for c in index_2[:3]:
        assert c.get("fill") == term_colour(1)
        assert float(c.get("fill-opacity")) == UNCOMMITTED_ALPHA
        assert c.get("stroke-dasharray") == "4 2"
    committed = cell(root, "s1", 1)
    assert committed.get("fill-opacity") is None and committed.get("stroke-dasharray") is None
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "s5 crashed" in texts and "1 x" in texts
    crashed = [c for c in root.iter(f"{NS}circle") if "".join(c.itertext()).startswith("s5:")]
    assert crashed[0].get("fill") == ROLE_COLOURS["down"] and crashed[0].get("stroke-dasharray")
    assert "in flight: 1 message(s), oldest first" in texts
    assert "Figure 3's properties hold ✓" in texts
    commit_bars = [line for line in root.iter(f"{NS}line")
                   if line.get("stroke") == COMMIT_COLOUR and line.get("stroke-width") == "3"]
    assert len(commit_bars) == 1 + sum(1 for n in stepper.moment.nodes if n.commit)  # + legend


def test_every_colour_is_in_the_legend_and_no_text_is_under_9_points():
    stepper = figure8.figure_8()
    width = log_width(stepper.history)
    for moment in stepper.history:
        root = ET.fromstring(raft_moment_svg(moment, width))
        texts = [t.text for t in root.iter(f"{NS}text")]
        for term in {e.term for n in moment.nodes for e in n.entries}:
            assert f"term {term}" in texts
        for label in ("follower", "candidate", "leader", "crashed (log on disk)", "commit index",
                      "not committed"):
            assert label in texts
        assert min(float(t.get("font-size")) for t in root.iter(f"{NS}text")) >= 12


def test_the_chart_keeps_its_size_while_messages_come_and_go():
    stepper = figure8.figure_8()
    width = log_width(stepper.history)
    sizes = {(ET.fromstring(raft_moment_svg(m, width)).get("height")) for m in stepper.history}
    assert len(sizes) == 1

"""The panels' SVG charts: drawn from rows already read, legible (no text under 12 px = 9 pt),
every colour in a legend, and the numbers where the rows put them."""

import xml.etree.ElementTree as ET

import pytest

from k8slab.lab.plots.pods_per_node import WorkerRow, pods_per_node_svg
from k8slab.lab.plots.raft_roles import Segment, roles_timeline_svg
from k8slab.lab.plots.svg import MIN_FONT_PX, Svg, nice_ticks
from k8slab.lab.plots.utilization import utilization_svg

NS = "{http://www.w3.org/2000/svg}"


def parsed(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def texts(markup: str) -> list[str]:
    return [t.text for t in parsed(markup).iter(f"{NS}text")]


def tips(markup: str) -> list[str]:
    return [t.text for t in parsed(markup).iter(f"{NS}title")]


@pytest.mark.parametrize(("top", "ticks"), [(4, [0, 1, 2, 3, 4]), (12, [0, 5, 10]),
                                            (4000, [0, 1000, 2000, 3000, 4000]),
                                            (0.3, [0, 0.1, 0.2])])
def test_ticks_are_round_numbers_up_to_the_top(top, ticks):
    assert nice_ticks(top) == pytest.approx(ticks)


def test_text_under_9_points_is_refused_and_text_is_escaped():
    svg = Svg(100, 50)
    with pytest.raises(ValueError, match="below 12 px"):
        svg.text(0, 0, "tiny", size=MIN_FONT_PX - 1)
    svg.text(0, 0, "<none> & more")
    assert texts(svg.markup()) == ["<none> & more"]
    assert parsed(svg.markup()).get("width") == "100"


def test_the_pods_chart_draws_each_row_and_hatches_a_down_host():
    rows = [WorkerRow("worker-1", True, 2, 750, 4000),
            WorkerRow("worker-2", False, 0, 0, 4000)]
    markup = pods_per_node_svg(rows, 12.0)
    assert texts(markup)[0] == "Pods per worker node at t = 12.0 s (as the API server reports them)"
    assert ["worker-1: 2 running", "worker-1: 750m CPU requested",
            "worker-1: 4000m CPU allocatable"] == [t for t in tips(markup) if "worker-1" in t]
    assert "(down)" in texts(markup)
    hatched = [r for r in parsed(markup).iter(f"{NS}rect") if r.get("fill") == "url(#k8slab-hatch)"]
    assert len(hatched) == 2  # the legend's swatch and worker-2's bar
    for label in ("running pods", "host down", "CPU requested", "CPU allocatable"):
        assert label in texts(markup)
    assert min(float(t.get("font-size")) for t in parsed(markup).iter(f"{NS}text")) >= 12


def test_utilization_bars_are_capped_at_the_chart_top_but_say_the_real_percent():
    row = {"node": "n", "pods": 3, "cpu %": 150.0, "memory %": 20.0}
    markup = utilization_svg([row], 1.0, "requested")
    assert tips(markup) == ["cpu 150 %", "memory 20 %"]
    assert "150" in texts(markup) and "3 pods" in texts(markup)


def test_the_roles_chart_labels_each_stretch_with_its_term_where_it_fits():
    segments = {"a": [Segment(0, 9, "follower", 1), Segment(9, 10, "leader", 2)],
                "b": [Segment(0, 0.01, "follower", 1), Segment(0.01, 10, "down", 1)]}
    markup = roles_timeline_svg(segments, 0, 10)
    drawn = texts(markup)
    assert "term 1" in drawn and "down" in drawn
    assert "a: leader, term 2, 9.00 to 10.00 s" in tips(markup)
    assert drawn.count("1") == 0  # b's first stretch is too thin for any label


def test_time_ticks_fall_on_round_times_inside_the_run():
    from k8slab.lab.plots.svg import time_ticks

    assert time_ticks(123.4, 190) == [140, 160, 180]
    assert time_ticks(0, 2) == [0, 0.5, 1, 1.5, 2]
    assert time_ticks(5, 5) == [5]

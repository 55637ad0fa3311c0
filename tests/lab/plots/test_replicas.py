"""The replicas chart draws what the sampler read: a line per ReplicaSet ending at its last
count, the available total, and the rollout's bounds from the Deployment's spec."""

from k8slab.lab.plots.replicas import (
    available_totals,
    replicas_chart,
    replicas_svg,
    rs_colours,
    summary,
)
from k8slab.lab.replica_sampler import DeploymentSample, ReplicaSample
from tests.lab.widgets.chart import font_sizes, pictures, texts, tips

SVG = "{http://www.w3.org/2000/svg}"

# A rollout of 4 replicas with maxSurge 1 and maxUnavailable 1, sampled at 0, 1, 2 s.
SAMPLES = [
    ReplicaSample(0.0, "web-old", 1, 4, 4, 4, 4),
    ReplicaSample(1.0, "web-old", 1, 3, 3, 3, 3), ReplicaSample(1.0, "web-new", 2, 2, 2, 0, 0),
    ReplicaSample(2.0, "web-old", 1, 0, 0, 0, 0), ReplicaSample(2.0, "web-new", 2, 4, 4, 4, 4),
]
BOUNDS = [DeploymentSample(t, 4, 1, 1) for t in (0.0, 1.0, 2.0)]


def test_available_is_summed_over_replica_sets_at_each_instant():
    assert available_totals(SAMPLES) == [(0.0, 4), (1.0, 3), (2.0, 4)]


def test_each_replica_set_has_a_line_ending_at_its_last_count_and_the_bounds_are_drawn():
    markup = replicas_svg(SAMPLES, BOUNDS, "rollout")
    assert tips(markup) == ["max pods: 5", "min available: 3", "replicas: 4",
                            "rev 1 web-old: 0 pods", "rev 2 web-new: 4 pods", "available: 4"]
    assert "rev 1: web-old" in texts(markup) and "rev 2: web-new" in texts(markup)
    assert "max pods = replicas + maxSurge" in texts(markup)
    assert min(font_sizes(markup)) >= 12


def test_a_step_line_holds_each_value_until_the_next_sample():
    [svg] = pictures(replicas_svg(SAMPLES, BOUNDS, "rollout"))
    new = next(p for p in svg.iter(f"{SVG}polyline")
               if p.find(f"{SVG}title").text.startswith("rev 2"))
    points = new.get("points").split()
    assert len(points) == 3  # (1 s, 2), (2 s, 2), (2 s, 4)
    assert points[1].split(",")[0] == points[2].split(",")[0]
    assert points[0].split(",")[1] == points[1].split(",")[1]


def test_the_newest_replica_set_is_blue_and_older_ones_differ():
    assert rs_colours(1) == ["#4c72b0"]
    two = rs_colours(2)
    assert two[-1] == "#4c72b0" and two[0] != two[1]
    assert len(rs_colours(9)) == 9 and rs_colours(9)[-1] == "#4c72b0"


def test_nothing_sampled_says_so():
    markup = replicas_svg([], [], "rollout")
    assert "nothing sampled yet" in texts(markup)
    assert summary([], "web") == "no ReplicaSet of deployment/web sampled yet"


def test_the_chart_shows_as_svg_with_a_one_line_summary():
    class Sampler:
        deployment, samples, bounds = "web", SAMPLES, BOUNDS

    chart = replicas_chart(Sampler())
    assert chart._repr_svg_().startswith("<svg")
    assert repr(chart) == ("deployment/web at t = 2.0 s · rev 1 web-old: 0 pods, "
                           "rev 2 web-new: 4 pods · 4 available")


def test_a_deployment_without_replica_sets_yet_draws_its_bounds_and_says_so():
    markup = replicas_svg([], BOUNDS, "rollout")
    assert "no ReplicaSet yet" in texts(markup)
    assert tips(markup) == ["max pods: 5", "min available: 3", "replicas: 4"]

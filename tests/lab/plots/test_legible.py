"""Every figure is legible where a reader sees it: no text under 9 pt once JupyterLab has fitted
the figure to its output area, every axis labelled, every colour explained in a legend."""

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from k8slab.lab.cluster import Cluster
from k8slab.lab.plots.architecture import architecture
from k8slab.lab.plots.pods_per_node import pods_per_node
from k8slab.lab.plots.raft_logs import raft_logs
from k8slab.lab.plots.raft_messages import election_sequence
from k8slab.lab.plots.raft_roles import roles_timeline
from k8slab.lab.plots.style import MIN_POINTS, displayed_points
from k8slab.lab.plots.swimlane import swimlane
from k8slab.lab.plots.utilization import compare_utilization, utilization


@pytest.fixture(scope="module")
def ha() -> Cluster:
    """Three etcd members, a leader killed and replaced, writes committed, a worker running pods."""
    cluster = Cluster(workers=2, seed=3, control_planes=3)
    cluster.apply([{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"web-{i}"},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                                             "resources": {"requests": {"cpu": "250m"}}}]}}
                   for i in range(3)])
    cluster.run(5)
    cluster.kill_node(cluster.etcd_leader())
    cluster.run(5)
    return cluster


FIGURES = {
    "architecture": lambda c: architecture(c),
    "pods_per_node": lambda c: pods_per_node(c),
    "utilization": lambda c: utilization(c, "requested"),
    "compare_utilization": lambda c: compare_utilization(c, c, ("a", "b")),
    "roles_timeline": lambda c: roles_timeline(c),
    "raft_logs": lambda c: raft_logs(c),
    "election_sequence": lambda c: election_sequence(c, 4.5, 6.5),
    "swimlane": lambda c: swimlane(c, "pod/default/web-1"),
}
# The figures whose colours stand for something (roles, terms, resources, states).
WITH_LEGEND = ("pods_per_node", "utilization", "compare_utilization", "roles_timeline",
               "raft_logs", "election_sequence")


@pytest.fixture(scope="module", params=list(FIGURES))
def drawn(request, ha) -> tuple[str, Figure]:
    figure = FIGURES[request.param](ha)
    figure.canvas.draw()  # lay out tick labels and legends as the notebook would
    return request.param, figure


def texts(figure: Figure) -> list[Text]:
    return [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]


def test_no_text_is_smaller_than_9_points_as_displayed(drawn):
    name, figure = drawn
    small = sorted({(round(displayed_points(t.get_fontsize(), figure), 1), t.get_text()[:30])
                    for t in texts(figure)
                    if displayed_points(t.get_fontsize(), figure) < MIN_POINTS - 1e-9})
    assert not small, f"{name}: text under {MIN_POINTS} pt as displayed: {small[:8]}"


def test_every_axis_with_a_scale_is_labelled(drawn):
    name, figure = drawn
    for ax in figure.axes:
        if not ax.axison:
            continue
        if any(t.get_text() for t in ax.get_xticklabels()) and ax.xaxis.get_ticks_position() \
                != "none":
            assert ax.get_xlabel() or ax.get_xticklabels()[0].get_text(), name
        if any(t.get_text().replace(".", "").isdigit() for t in ax.get_yticklabels()):
            assert ax.get_ylabel() or figure.axes[0].get_ylabel(), f"{name}: unlabelled y axis"
        if any(t.get_text().replace(".", "").isdigit() for t in ax.get_xticklabels()):
            assert ax.get_xlabel(), f"{name}: unlabelled x axis"


@pytest.mark.parametrize("name", WITH_LEGEND)
def test_colours_are_explained_in_a_legend(name, ha):
    # The architecture map and the swimlane are left out: their colours mark boxes and lanes
    # that carry their names in place.
    figure = FIGURES[name](ha)
    figure.canvas.draw()
    legends = [ax.get_legend() for ax in figure.axes if ax.get_legend()] + figure.legends
    assert legends, f"{name} has no legend"
    assert all(legend.get_texts() for legend in legends)

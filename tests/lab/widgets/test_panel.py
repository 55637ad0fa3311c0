"""What every panel shares: a line saying what its controls do, lines that wrap, legible charts
with a legend, and a plain-text stand-in where the widgets cannot be drawn."""

import ipywidgets as widgets
import pytest

from k8slab import Cluster
from k8slab.lab.plots.svg import MIN_FONT_PX
from k8slab.lab.widgets.cluster_panel import ClusterPanel
from k8slab.lab.widgets.etcd_panel import EtcdPanel
from k8slab.lab.widgets.panel import PANEL_CLASS, WRAPPING
from k8slab.lab.widgets.scheduler_panel import SchedulerPanel
from tests.lab.widgets.chart import font_sizes, texts

PANELS = {
    "ClusterPanel": lambda: ClusterPanel(Cluster(workers=2, seed=1)),
    "EtcdPanel": lambda: EtcdPanel(Cluster(workers=1, seed=2, control_planes=3)),
    "SchedulerPanel": lambda: SchedulerPanel(Cluster(workers=2, seed=1)),
}
LEGENDS = {"ClusterPanel": ["running pods", "CPU requested", "CPU allocatable"],
           "EtcdPanel": ["follower", "candidate", "leader", "down", "commit index"],
           "SchedulerPanel": ["cpu requested", "memory requested", "allocatable (100 %)"]}


@pytest.fixture(scope="module", params=list(PANELS))
def panel(request):
    return PANELS[request.param]()


def test_the_plain_text_form_says_to_run_the_cell(panel):
    """A notebook saved without widget state shows the text/plain of the cell's output."""
    name = type(panel).__name__
    for shown in (panel.ui, panel):
        bundle = shown._repr_mimebundle_()
        assert bundle["text/plain"] == (f"{name}: run this cell to get the panel "
                                        f"({panel.about.value})")
        assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == panel.ui.model_id


def test_one_line_says_what_the_controls_do(panel):
    about = panel.about.value
    assert "\n" not in about and 40 < len(about) < 260
    assert panel.ui.children[1] is panel.about
    buttons = [w for row in panel.ui.children if isinstance(row, widgets.HBox)
               for w in row.children if isinstance(w, widgets.Button)]
    for button in buttons:
        word = button.description.split()[0]
        assert word in about, f"the about line does not say what {word!r} does"


def test_status_and_message_lines_wrap_instead_of_being_clipped(panel):
    assert PANEL_CLASS in panel.ui._dom_classes
    [style] = [w for w in panel.ui.children if isinstance(w, widgets.HTML) and w.value == WRAPPING]
    assert "white-space: normal" in style.value and "overflow: visible" in style.value
    assert panel.status in panel.ui.children and panel.message in panel.ui.children


def test_chart_text_is_at_least_9_points_and_the_colours_have_a_legend(panel):
    assert min(font_sizes(panel.chart.value)) >= MIN_FONT_PX == 12  # 9 pt = 12 CSS px
    drawn = texts(panel.chart.value)
    for label in LEGENDS[type(panel).__name__]:
        assert label in drawn


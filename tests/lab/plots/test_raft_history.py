"""The chapter's picture of a moment is the panel's chart of that moment, shown as SVG."""

from k8slab.lab.plots.raft_chart import log_width, raft_moment_svg
from k8slab.lab.plots.raft_history import raft_moment
from k8slab.robustness import figure8


def test_raft_moment_shows_the_chosen_step_as_the_panel_draws_it():
    stepper = figure8.figure_8()
    chart = raft_moment(stepper, 5)
    moment = stepper.history[5]
    assert chart._repr_svg_() == raft_moment_svg(moment, log_width(stepper.history))
    assert repr(chart) == "<Raft moment: step 5, s1 appended 'x' at index 2 in term 1>"
    assert raft_moment(stepper).step == stepper.moment.step

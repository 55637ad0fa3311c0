"""The step-by-step picture draws what a moment holds: roles, terms, committed and faded cells."""

import matplotlib

matplotlib.use("Agg")

from k8slab.lab.plots.raft_history import UNCOMMITTED_ALPHA, RaftPicture, log_width, raft_moment  # noqa: E402,E501
from k8slab.robustness import figure8  # noqa: E402
from k8slab.robustness.raft_stepper import RaftStepper  # noqa: E402


def test_after_stage_c_the_old_entry_is_drawn_faded_on_three_rows():
    stepper = RaftStepper(5, seed=8)
    for stage in (figure8.stage_a, figure8.stage_b, figure8.stage_c):
        stage(stepper)
    picture = RaftPicture(stepper.names, log_width(stepper.history))
    picture.draw(stepper.moment)
    index_2 = [row[1] for row in picture.cells]
    assert [c.get_visible() for c in index_2] == [True, True, True, False, True]
    assert [c.get_alpha() for c in index_2[:3]] == [UNCOMMITTED_ALPHA] * 3
    assert [t.get_text() for t in picture.texts[0][:3]] == ["1", "1 x", "3"]
    assert picture.labels[4].get_text() == "s5 down" and picture.terms[0].get_text() == "3"
    assert "in flight: 1 message(s)" in picture.flight.get_text()


def test_drawing_again_reuses_the_artists_and_png_changes():
    stepper = figure8.figure_8()
    picture = RaftPicture(stepper.names, log_width(stepper.history))
    artists = len(picture.ax.patches) + len(picture.ax.texts)
    picture.draw(stepper.history[0])
    first = picture.png()
    picture.draw(stepper.moment)
    assert picture.png() != first
    assert len(picture.ax.patches) + len(picture.ax.texts) == artists
    assert all(c.get_alpha() == 1.0 for row in picture.cells for c in row[:3])


def test_raft_moment_returns_a_figure_of_the_chosen_step():
    stepper = figure8.figure_8()
    figure = raft_moment(stepper, 5)
    title = "step 5 · t = 0.1 s · s1 appended 'x' at index 2 in term 1"
    assert figure.texts[0].get_text() == title

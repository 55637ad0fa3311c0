"""Figure 8 of the Raft paper, played message by message: an entry of an old term that sits in a
majority of logs is overwritten, was never committed, and Figure 3's properties hold throughout."""

from k8slab.raft import Entry
from k8slab.robustness import figure8
from k8slab.robustness.raft_stepper import RaftStepper

X = Entry(2, 1, figure8.CLIENT_WRITE)


def played(*stages) -> RaftStepper:
    stepper = RaftStepper(5, seed=8)
    for stage in stages:
        stage(stepper)
    return stepper


def test_after_c_the_old_entry_is_in_a_majority_of_logs_and_not_committed():
    moment = played(figure8.stage_a, figure8.stage_b, figure8.stage_c).moment
    assert moment.leaders == ["s1"] and moment.node("s1").term == 3
    assert moment.copies(2, 1) == 3  # s1, s2, s3: three logs of five
    assert all(node.commit < 2 for node in moment.nodes)


def test_d_overwrites_the_entry_everywhere_and_it_was_never_committed():
    stepper = figure8.figure_8()
    moments = stepper.history
    assert all(m.node(n.name).commit < 2 for m in moments for n in m.nodes
               if (e := m.node(n.name).entry(2)) is not None and e == X)
    final = stepper.moment
    assert final.leaders == ["s5"] and final.node("s5").term == 4
    assert [n.entry(2).term for n in final.nodes] == [2] * 5
    assert all(n.commit == 3 for n in final.nodes)
    assert stepper.violations() == []


def test_every_moment_of_figure_8_keeps_figure_3():
    for committed_first in (False, True):
        stepper = figure8.figure_8(committed_first=committed_first)
        assert [m.violations for m in stepper.history if m.violations] == []


def test_e_commits_the_entry_with_one_of_the_current_term_and_s5_can_no_longer_win():
    stepper = figure8.figure_8(committed_first=True)
    final = stepper.moment
    assert final.node("s2").commit == final.node("s3").commit == 3
    assert final.node("s2").entry(2) == X and final.copies(3, 3) == 3
    assert final.node("s5").role == "candidate" and final.leaders == []


def test_figure_8_is_the_same_every_time():
    assert figure8.figure_8().history == figure8.figure_8().history

"""The step-by-step network: messages wait until delivered or dropped, and every action is real."""

import pytest

from k8slab.errors import K8sLabError
from k8slab.raft import RequestVote
from k8slab.robustness.raft_stepper import RaftStepper, StepError


@pytest.fixture
def three() -> RaftStepper:
    return RaftStepper(3, seed=1)


def test_a_timeout_sends_vote_requests_that_wait_in_flight(three):
    assert three.timeout("s1") == "s1 timed out: now candidate in term 1"
    assert [(f.message.dst, type(f.message)) for f in three.in_flight] == [
        ("s2", RequestVote), ("s3", RequestVote)]
    assert three.moment.node("s2").term == 0  # nothing arrives until the reader delivers it


def test_delivering_votes_elects_the_candidate_and_its_empty_entry_commits(three):
    three.timeout("s1")
    three.deliver()  # s2 gets the request; its grant is now in flight
    assert three.in_flight[-1].describe().endswith("s2→s1 vote granted (term 1)")
    three.deliver_all()
    assert three.leader() == "s1"
    assert [n.commit for n in three.moment.nodes] == [1, 1, 1]


def test_a_dropped_message_never_arrives(three):
    three.timeout("s1")
    first = three.in_flight[0].number
    assert three.drop(first).startswith(f"dropped #{first} s1→s2")
    three.deliver_all()
    s2 = three.moment.node("s2")  # it never saw the request; the new leader's append found it
    assert s2.voted_for is None and s2.leader == "s1" and three.leader() == "s1"


def test_ticks_time_a_follower_out_on_its_own(three):
    three.tick(19)  # randomized timeouts are 10 to 19 ticks
    assert three.now == 1.9
    assert any(n.role == "candidate" for n in three.moment.nodes)


def test_an_uncommitted_write_stays_uncommitted_while_its_messages_are_dropped(three):
    three.timeout("s1")
    three.deliver_all()
    three.propose("a")
    while three.in_flight:
        three.drop()
    assert three.moment.node("s1").last_index == 2 and three.moment.node("s1").commit == 1


def test_a_crashed_member_keeps_its_disk_and_loses_messages_sent_to_it(three):
    three.timeout("s1")
    three.deliver_all()
    three.crash("s2")
    three.propose("a")
    assert three.deliver().startswith("lost #") and three.moment.action.endswith("s2 is crashed")
    three.deliver_all()
    assert three.moment.node("s2").up is False and three.moment.node("s2").last_index == 1
    three.restart("s2")
    three.tick()
    three.deliver_all()
    assert three.moment.node("s2").last_index == 2 and three.violations() == []


def test_rewind_forks_the_history_and_replays_it_exactly(three):
    three.timeout("s1")
    three.deliver_all()
    three.propose("a")
    three.deliver_all()
    before = list(three.history)
    three.rewind(2)
    assert three.history == before[:3] and len(three.actions) == 2
    three.timeout("s2")  # a new future from step 2
    assert three.moment.step == 3 and three.moment.action.startswith("s2 timed out")


@pytest.mark.parametrize("action, args, words", [
    ("timeout", ("s9",), "no member named 's9'; members are: s1, s2, s3"),
    ("deliver", (), "no message is in flight"),
    ("drop", (7,), "no message is in flight"),
    ("propose", ("a",), "no member leads"),
    ("tick", (0,), "tick takes 1 to 100 ticks, got 0"),
    ("restart", ("s1",), "s1 is running; crash it before restarting it"),
])
def test_bad_actions_are_refused_and_change_nothing(three, action, args, words):
    with pytest.raises(StepError, match=words) as caught:
        getattr(three, action)(*args)
    assert isinstance(caught.value, K8sLabError)
    assert len(three.history) == 1 and three.actions == []


def test_a_message_number_not_in_flight_names_those_that_are(three):
    three.timeout("s1")
    with pytest.raises(StepError, match="no message #99 in flight; in flight: 1, 2"):
        three.deliver(99)


def test_the_same_seed_makes_the_same_history():
    runs = []
    for _ in range(2):
        stepper = RaftStepper(5, seed=3)
        stepper.tick(40)
        stepper.deliver_all()
        runs.append(stepper.history)
    assert runs[0] == runs[1]

"""The invariant checker catches each broken property of Figure 3 (so the nemesis test can fail).

Nodes are built straight from logs and hard states, then forced into states Raft never reaches.
"""

import random

import pytest

from k8slab.raft import Entry, HardState, RaftNode, Role
from k8slab.raft.invariants import PROPERTIES, History, check

PEERS = ["n1", "n2", "n3"]


def node(node_id: str, log: list[Entry], commit: int = 0, term: int = 1) -> RaftNode:
    state = HardState(term, None, commit)
    return RaftNode(node_id, PEERS, rng=random.Random(0), hard_state=state, log=log)


def leader(node_id: str, log: list[Entry], term: int) -> RaftNode:
    raft = node(node_id, log, term=term)
    raft.role = Role.LEADER
    return raft


def observed(*nodes: RaftNode) -> list[str]:
    history = History()
    history.observe(nodes)
    return check(nodes, history)


def test_healthy_logs_pass():
    log = [Entry(1, 1, "a"), Entry(2, 1, "b")]
    assert observed(node("n1", log, commit=2), node("n2", log[:1], commit=1)) == []


def test_two_leaders_in_one_term_break_election_safety():
    found = observed(leader("n1", [], term=3), leader("n2", [], term=3))
    assert found == ["Election Safety: n1 and n2 both led term 3"]


def test_two_leaders_over_time_in_one_term_break_election_safety():
    history = History()
    history.observe([leader("n1", [], term=3)])
    history.observe([leader("n2", [], term=3)])
    assert check([], history) == ["Election Safety: n1 and n2 both led term 3"]


def test_same_index_and_term_with_different_history_breaks_log_matching():
    a = node("n1", [Entry(1, 1, "a"), Entry(2, 2, "b")])
    b = node("n2", [Entry(1, 1, "x"), Entry(2, 2, "b")])
    assert observed(a, b) == [
        "Log Matching: n1 and n2 agree on entry 2 (term 2) but not on the entries before it"
    ]


def test_different_entries_committed_at_one_index_break_state_machine_safety():
    found = observed(node("n1", [Entry(1, 1, "a")], commit=1), node("n2", [Entry(1, 2, "b")], 1))
    assert found[:2] == [
        "State Machine Safety: n2 committed Entry(index=1, term=2, data='b') where "
        "Entry(index=1, term=1, data='a') was committed",
        "State Machine Safety: n2 applied Entry(index=1, term=2, data='b') where "
        "Entry(index=1, term=1, data='a') was applied",
    ]


def test_a_leader_missing_an_entry_committed_before_its_term_breaks_leader_completeness():
    history = History()
    history.observe([node("n1", [Entry(1, 1, "a")], commit=1, term=1)])
    newer = leader("n2", [Entry(1, 2, "other")], term=2)
    assert "Leader Completeness: n2, leader of term 2, lacks committed entries [1]" in check(
        [newer], history
    )


def test_a_commit_index_that_goes_back_is_reported():
    history = History()
    history.observe([node("n1", [Entry(1, 1), Entry(2, 1)], commit=2)])
    history.observe([node("n1", [Entry(1, 1), Entry(2, 1)], commit=1)])
    assert check([], history) == ["commit index of n1 went back from 2 to 1"]


def test_the_checker_names_figure_threes_five_properties():
    assert PROPERTIES == ("Election Safety", "Leader Append-Only", "Log Matching",
                          "Leader Completeness", "State Machine Safety")


@pytest.mark.parametrize(("later", "found"), [
    ([Entry(1, 1, "a"), Entry(2, 2, "b"), Entry(3, 2, "c")], []),
    ([Entry(1, 1, "a"), Entry(2, 2, "x")],
     ["Leader Append-Only: n1, leader of term 2, had Entry(index=2, term=2, data='b') and "
      "overwrote it with Entry(index=2, term=2, data='x')"]),
    ([Entry(1, 1, "a")],
     ["Leader Append-Only: n1, leader of term 2, had Entry(index=2, term=2, data='b') and "
      "deleted"]),
], ids=["appends", "overwrites", "deletes"])
def test_a_leader_that_overwrites_or_deletes_in_its_term_breaks_leader_append_only(later, found):
    history = History()
    history.observe([leader("n1", [Entry(1, 1, "a"), Entry(2, 2, "b")], term=2)])
    history.observe([leader("n1", later, term=2)])
    assert [v for v in history.violations if v.startswith("Leader Append-Only")] == found


def test_a_log_cut_after_leadership_moved_on_is_no_violation():
    history = History()
    history.observe([leader("n1", [Entry(1, 1, "a"), Entry(2, 2, "b")], term=2)])
    history.observe([node("n1", [Entry(1, 1, "a")], term=3)])  # a follower in term 3
    history.observe([leader("n1", [Entry(1, 1, "a"), Entry(2, 4, "c")], term=4)])
    assert history.violations == []

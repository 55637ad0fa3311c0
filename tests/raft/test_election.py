"""Leader election (paper §5.2, §5.4.1) with etcd's pre-vote and check-quorum (thesis §9.6, §4.2.3).

Each test sets up a cluster on the in-memory network or one node by hand, injects ticks or
messages, and asserts what came out: roles, terms, votes, and the answers sent.
"""

import random

import pytest

from k8slab.raft import (
    AppendEntries,
    AppendEntriesResponse,
    Entry,
    HardState,
    RaftNode,
    RequestVote,
    RequestVoteResponse,
    Role,
)
from k8slab.raft.invariants import check
from tests.raft.harness import Network


def cluster(size: int, seed: int = 0, **config) -> Network:
    return Network([f"n{i}" for i in range(1, size + 1)], seed, **config)


def settle_leader(net: Network, limit: int = 200) -> tuple[str, int]:
    """Tick and deliver until someone leads; returns the leader and the ticks it took."""
    for ticks in range(1, limit + 1):
        net.tick_all()
        net.deliver_all()
        if net.leader() is not None:
            return net.leader(), ticks
    raise AssertionError(f"no leader after {limit} ticks")


def voter(log=(), term=1, voted_for=None, peers=("n1", "n2", "n3"), **config) -> RaftNode:
    commit = 1 if log else 0
    state = HardState(term, voted_for, commit)
    return RaftNode(
        "n1", list(peers), rng=random.Random(0), hard_state=state, log=list(log), **config
    )


def answers(raft: RaftNode) -> list:
    ready = raft.ready()
    raft.advance(ready)
    return list(ready.messages)


# -- elections on the network ----------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 3, 5, 7])
def test_a_cluster_of_any_size_elects_exactly_one_leader_that_everyone_follows(size):
    net = cluster(size, seed=size)
    leader, ticks = settle_leader(net)
    # The first node to time out wins: its timeout is in [election_tick, 2 * election_tick - 1].
    assert 10 <= ticks <= 19
    net.stabilize()
    nodes = net.live_nodes()
    assert [n.id for n in nodes if n.role is Role.LEADER] == [leader]
    assert {(n.term, n.leader_id, n.commit_index) for n in nodes} == {(1, leader, 1)}
    assert all(n.log == [Entry(1, 1, None)] for n in nodes)
    assert check(nodes, net.history) == []


@pytest.mark.parametrize("seed", range(20))
def test_elections_always_settle_on_one_leader(seed):
    net = cluster(5, seed=seed, pre_vote=False, check_quorum=False)
    for node_id in net.ids:  # everyone times out together: split votes happen
        net.nodes[node_id].advance_ticks(9)
    settle_leader(net)
    assert check(net.live_nodes(), net.history) == []


def test_a_lone_candidate_redraws_its_timeout_each_term_within_the_range():
    net = cluster(3, seed=7, pre_vote=False)
    net.isolate("n1")
    lone, terms, gaps, ticks = net.nodes["n1"], [0], [], 0
    while len(gaps) < 30:
        net.tick_all()
        ticks += 1
        if lone.term != terms[-1]:
            terms.append(lone.term)
            gaps.append(ticks)
            ticks = 0
    assert all(10 <= gap <= 19 for gap in gaps[1:])
    assert len(set(gaps)) > 3  # redrawn at every new term


# -- the vote rules --------------------------------------------------------------------------


def test_a_node_grants_one_vote_per_term_and_repeats_it():
    raft = voter()
    raft.step(RequestVote("n2", "n1", 2, "n2", 0, 0))
    assert answers(raft) == [RequestVoteResponse("n1", "n2", 2, vote_granted=True)]
    assert (raft.term, raft.voted_for) == (2, "n2")
    raft.step(RequestVote("n3", "n1", 2, "n3", 0, 0))
    assert answers(raft) == [RequestVoteResponse("n1", "n3", 2, vote_granted=False)]
    raft.step(RequestVote("n2", "n1", 2, "n2", 0, 0))  # a retry gets the same answer
    assert answers(raft) == [RequestVoteResponse("n1", "n2", 2, vote_granted=True)]


@pytest.mark.parametrize(
    ("last_log_index", "last_log_term", "granted"),
    [
        (1, 3, True),  # higher last term wins, even with a shorter log
        (3, 2, True),  # same last term, longer log
        (2, 2, True),  # same last term, same length
        (1, 2, False),  # same last term, shorter log
        (5, 1, False),  # lower last term loses, however long
    ],
)
def test_a_vote_goes_only_to_a_log_at_least_as_up_to_date(last_log_index, last_log_term, granted):
    raft = voter(log=[Entry(1, 1), Entry(2, 2)], term=2)
    raft.step(RequestVote("n2", "n1", 3, "n2", last_log_index, last_log_term))
    assert answers(raft) == [RequestVoteResponse("n1", "n2", 3, vote_granted=granted)]
    assert raft.voted_for == ("n2" if granted else None)


def test_a_pre_vote_is_granted_for_the_next_term_without_changing_term_or_vote():
    raft = voter(term=4, voted_for="n3")
    raft.step(RequestVote("n2", "n1", 5, "n2", 0, 0, pre_vote=True))
    assert answers(raft) == [RequestVoteResponse("n1", "n2", 5, vote_granted=True, pre_vote=True)]
    assert (raft.term, raft.voted_for, raft.role) == (4, "n3", Role.FOLLOWER)


def test_a_pre_vote_round_lost_leaves_the_term_alone():
    raft = voter(term=4, pre_vote=True)
    raft.campaign()
    asked = answers(raft)
    assert raft.role is Role.PRE_CANDIDATE and raft.term == 4
    assert [(m.term, m.pre_vote) for m in asked] == [(5, True), (5, True)]
    for peer in ("n2", "n3"):
        raft.step(RequestVoteResponse(peer, "n1", 4, vote_granted=False, pre_vote=True))
    assert (raft.role, raft.term) == (Role.FOLLOWER, 4)


def test_a_pre_vote_round_won_starts_the_real_election():
    raft = voter(term=4)
    raft.campaign()
    answers(raft)
    raft.step(RequestVoteResponse("n2", "n1", 5, vote_granted=True, pre_vote=True))
    assert (raft.role, raft.term, raft.voted_for) == (Role.CANDIDATE, 5, "n1")
    assert [(m.term, m.pre_vote) for m in answers(raft)] == [(5, False), (5, False)]
    raft.step(RequestVoteResponse("n3", "n1", 5, vote_granted=True))
    assert raft.role is Role.LEADER and raft.log[-1] == Entry(1, 5, None)


def test_an_isolated_node_keeps_its_term_with_pre_vote_and_inflates_it_without():
    for pre_vote, grows in ((True, False), (False, True)):
        net = cluster(3, seed=1, pre_vote=pre_vote)
        leader, _ = settle_leader(net)
        lonely = next(i for i in net.ids if i != leader)
        net.isolate(lonely)
        for _ in range(100):
            net.tick_all()
            net.deliver_all()
        assert (net.nodes[lonely].term > 1) is grows


# -- disruptions: check-quorum, the leader lease, stale terms -------------------------------


def test_a_leader_that_cannot_hear_a_quorum_steps_down_at_the_same_term():
    net = cluster(3, seed=2)
    leader, _ = settle_leader(net)
    net.stabilize()
    net.isolate(leader)
    ticks = 0
    while net.nodes[leader].role is Role.LEADER:
        net.tick_all()
        net.deliver_all()
        ticks += 1
    # tickHeartbeat checks every election_tick ticks; the window may have begun earlier.
    assert ticks <= 2 * 10
    assert (net.nodes[leader].term, net.nodes[leader].leader_id) == (1, None)


def test_a_leader_that_hears_one_follower_of_two_keeps_leading():
    net = cluster(3, seed=2)
    leader, _ = settle_leader(net)
    other = next(i for i in net.ids if i != leader)
    net.cut(leader, other)
    net.stabilize(ticks=50)
    assert net.leader() == leader and net.nodes[leader].term == 1


def test_a_rejoining_node_does_not_depose_the_leader_with_pre_vote():
    net = cluster(3, seed=3)
    leader, _ = settle_leader(net)
    rejoining = next(i for i in net.ids if i != leader)
    net.isolate(rejoining)
    net.stabilize(ticks=100)
    net.heal()
    net.stabilize(ticks=30)
    assert net.leader() == leader and {n.term for n in net.live_nodes()} == {1}
    assert check(net.live_nodes(), net.history) == []


def test_without_pre_vote_a_rejoining_node_forces_a_new_term():
    net = cluster(3, seed=3, pre_vote=False)
    leader, _ = settle_leader(net)
    rejoining = next(i for i in net.ids if i != leader)
    net.isolate(rejoining)
    net.stabilize(ticks=100)
    inflated = net.nodes[rejoining].term
    net.heal()
    net.stabilize(ticks=30)
    assert inflated > 1 and min(n.term for n in net.live_nodes()) >= inflated
    assert check(net.live_nodes(), net.history) == []


def test_a_follower_with_a_live_leader_ignores_a_higher_term_vote_request():
    raft = voter(term=2)
    raft.step(AppendEntries("n2", "n1", 2, "n2", 0, 0, (), 0))
    answers(raft)
    raft.step(RequestVote("n3", "n1", 3, "n3", 9, 9))
    assert answers(raft) == [] and (raft.term, raft.voted_for, raft.leader_id) == (2, None, "n2")


def test_without_check_quorum_the_same_request_wins_a_vote():
    raft = voter(term=2, check_quorum=False)
    raft.step(AppendEntries("n2", "n1", 2, "n2", 0, 0, (), 0))
    answers(raft)
    raft.step(RequestVote("n3", "n1", 3, "n3", 9, 9))
    assert answers(raft) == [RequestVoteResponse("n1", "n3", 3, vote_granted=True)]


def test_a_stale_leader_is_told_the_new_term_and_steps_down():
    raft = voter(term=5)
    raft.step(AppendEntries("n2", "n1", 3, "n2", 0, 0, (), 0))
    assert answers(raft) == [AppendEntriesResponse("n1", "n2", 5, success=False)]

    stale = voter(term=3, peers=("n1", "n2", "n3"))
    stale.campaign()
    for peer in ("n2", "n3"):
        stale.step(RequestVoteResponse(peer, "n1", 4, vote_granted=True, pre_vote=True))
    stale.step(RequestVoteResponse("n2", "n1", 4, vote_granted=True))
    assert stale.role is Role.LEADER
    stale.step(AppendEntriesResponse("n3", "n1", 5, success=False))
    assert (stale.role, stale.term, stale.leader_id) == (Role.FOLLOWER, 5, None)

"""The Raft node as a pure state machine: ticks and proposals in, a Ready out.

A single voter is its own quorum: it elects itself after its randomized election timeout,
commits what it persisted, and hands each entry out exactly once.
"""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.raft import Entry, HardState, NotLeaderError, RaftNode, Role


def node(seed: int = 1, **kwargs) -> RaftNode:
    return RaftNode("n1", ["n1"], rng=random.Random(seed), **kwargs)


def ticks_to_lead(raft: RaftNode, limit: int = 100) -> int:
    for ticks in range(1, limit + 1):
        raft.tick()
        if raft.role is Role.LEADER:
            return ticks
    raise AssertionError(f"no leader after {limit} ticks")


def test_a_new_node_is_a_follower_of_term_zero():
    raft = node()
    assert (raft.role, raft.term, raft.voted_for, raft.leader_id) == (Role.FOLLOWER, 0, None, None)
    assert raft.last_index == 0 and not raft.has_ready()


def test_it_elects_itself_after_exactly_its_randomized_timeout():
    # etcd-io/raft resetRandomizedElectionTimeout: electionTimeout + rand.Intn(electionTimeout).
    expected = 10 + random.Random(4).randrange(10)
    raft = node(seed=4, election_tick=10)
    for _ in range(expected - 1):
        raft.tick()
    assert raft.role is Role.FOLLOWER and raft.term == 0
    raft.tick()
    assert raft.role is Role.LEADER


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32), election_tick=st.integers(2, 30))
def test_the_timeout_is_a_whole_number_of_ticks_in_one_to_two_election_timeouts(seed,
                                                                                 election_tick):
    ticks = ticks_to_lead(node(seed, election_tick=election_tick))
    assert election_tick <= ticks <= 2 * election_tick - 1


def test_the_timeouts_vary_with_the_seed():
    assert len({ticks_to_lead(node(seed)) for seed in range(40)}) > 3


def test_the_new_leader_is_at_term_one_and_its_first_entry_is_a_no_op():
    raft = node()
    ticks_to_lead(raft)
    assert (raft.term, raft.voted_for, raft.leader_id) == (1, "n1", "n1")
    assert raft.log == [Entry(1, 1, None)]
    ready = raft.ready()
    assert ready.entries == (Entry(1, 1, None),)
    assert ready.committed_entries == (Entry(1, 1, None),)
    assert ready.hard_state == HardState(term=1, voted_for="n1", commit=1)
    assert (ready.role, ready.leader_id) == (Role.LEADER, "n1")


def test_advance_ticks_shortens_the_first_election():
    plain, advanced = node(seed=9), node(seed=9)
    advanced.advance_ticks(9)
    assert ticks_to_lead(advanced) == ticks_to_lead(plain) - 9


def test_propose_before_leadership_raises_not_leader():
    raft = node()
    with pytest.raises(NotLeaderError, match="raft node n1 is follower, not leader"):
        raft.propose("put a")
    assert raft.log == []


def test_ready_hands_out_each_entry_once_and_each_commit_once():
    raft = node()
    ticks_to_lead(raft)
    raft.ready()
    assert not raft.has_ready()
    assert raft.propose("put a") == 2
    assert raft.propose("put b") == 3
    assert raft.has_ready()
    ready = raft.ready()
    assert ready.entries == (Entry(2, 1, "put a"), Entry(3, 1, "put b"))
    assert ready.committed_entries == ready.entries
    assert ready.hard_state.commit == 3
    again = raft.ready()
    assert again.entries == () and again.committed_entries == ()
    assert not raft.has_ready()


def test_a_leader_ignores_ticks():
    raft = node()
    ticks_to_lead(raft)
    for _ in range(100):
        raft.tick()
    assert (raft.role, raft.term, raft.last_index) == (Role.LEADER, 1, 1)


def test_restart_from_hard_state_and_log_keeps_term_vote_and_log():
    before = node(seed=2)
    ticks_to_lead(before)
    before.propose("put a")
    ready = before.ready()
    disk_state, disk_log = ready.hard_state, list(ready.entries)

    after = node(seed=3, hard_state=disk_state, log=disk_log)
    assert (after.term, after.voted_for, after.role) == (1, "n1", Role.FOLLOWER)
    assert after.log == disk_log and after.last_index == 2
    assert (after.commit_index, after.applied_index) == (2, 2)
    assert not after.has_ready()  # what was on disk is persisted and was applied before

    ticks_to_lead(after)
    assert after.term == 2
    assert after.log[-1] == Entry(3, 2, None)
    assert after.ready().committed_entries == (Entry(3, 2, None),)


def test_compact_forgets_applied_entries_behind_a_snapshot():
    raft = node()
    ticks_to_lead(raft)
    raft.propose("a")
    raft.propose("b")
    raft.ready()
    raft.compact(2)
    assert (raft.snapshot_index, raft.snapshot_term) == (2, 1)
    assert raft.log == [Entry(3, 1, "b")]
    assert raft.entries_after(2) == [Entry(3, 1, "b")]
    assert raft.last_index == 3
    raft.compact(1)  # already covered: nothing changes
    assert raft.snapshot_index == 2
    assert raft.propose("c") == 4
    with pytest.raises(ValueError, match="cannot compact to 4: only 3 applied"):
        raft.compact(4)
    raft.ready()
    raft.compact(4)
    assert raft.log == [] and raft.last_index == 4


def test_restart_after_compaction_continues_the_indexes():
    raft = node()
    ticks_to_lead(raft)
    raft.propose("a")
    raft.propose("b")
    ready = raft.ready()
    raft.compact(2)
    restarted = node(hard_state=ready.hard_state, log=list(raft.log), snapshot_index=2,
                     snapshot_term=1)
    assert restarted.last_index == 3
    assert restarted.entries_after(2) == [Entry(3, 1, "b")]
    ticks_to_lead(restarted)
    assert restarted.log[-1] == Entry(4, 2, None)


@pytest.mark.parametrize("peers", [["n1", "n2", "n3"], ["n2"], []])
def test_more_than_one_voter_is_refused_clearly(peers):
    with pytest.raises(ValueError, match="this Raft runs a single voter") as caught:
        RaftNode("n1", peers, rng=random.Random(1))
    assert repr(peers) in str(caught.value)


def test_election_tick_must_exceed_heartbeat_tick():
    with pytest.raises(ValueError, match="election_tick must be greater than heartbeat_tick"):
        node(election_tick=1, heartbeat_tick=1)

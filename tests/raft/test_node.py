"""The Raft node as a pure state machine: ticks, messages and proposals in, a Ready out.

These transcripts drive one node by hand, playing the caller: take a Ready, "persist" it,
call advance. A single voter is its own quorum, so it needs no network at all.
"""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.errors import K8sLabError
from k8slab.raft import (
    Entry,
    HardState,
    NotLeaderError,
    RaftError,
    RaftNode,
    Ready,
    RequestVote,
    Role,
    SnapshotOutOfDateError,
)


def node(seed: int = 1, peers: tuple[str, ...] = ("n1",), **kwargs) -> RaftNode:
    return RaftNode("n1", list(peers), rng=random.Random(seed), **kwargs)


def ticks_to_lead(raft: RaftNode, limit: int = 100) -> int:
    for ticks in range(1, limit + 1):
        raft.tick()
        if raft.role is Role.LEADER:
            return ticks
    raise AssertionError(f"no leader after {limit} ticks")


def cycle(raft: RaftNode) -> list[Ready]:
    """Play the caller: take and acknowledge Readies until the node has nothing more."""
    readies = []
    while raft.has_ready():
        ready = raft.ready()
        raft.advance(ready)
        readies.append(ready)
    return readies


def test_a_new_node_is_a_follower_of_term_zero():
    raft = node()
    assert (raft.role, raft.term, raft.voted_for, raft.leader_id) == (Role.FOLLOWER, 0, None, None)
    assert raft.last_index == 0 and raft.log == [] and not raft.has_ready()


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
def test_the_timeout_is_a_whole_number_of_ticks_in_one_to_two_election_timeouts(
    seed, election_tick
):
    ticks = ticks_to_lead(node(seed, election_tick=election_tick))
    assert election_tick <= ticks <= 2 * election_tick - 1


def test_the_timeouts_vary_with_the_seed():
    assert len({ticks_to_lead(node(seed)) for seed in range(40)}) > 3


def test_the_new_leader_commits_its_no_op_one_ready_after_handing_it_out():
    raft = node()
    ticks_to_lead(raft)
    assert (raft.term, raft.voted_for, raft.leader_id) == (1, "n1", "n1")
    assert raft.log == [Entry(1, 1, None)]
    first = raft.ready()
    assert first.entries == (Entry(1, 1, None),)
    assert first.committed_entries == ()  # not persisted yet, so not counted
    assert first.hard_state == HardState(term=1, voted_for="n1", commit=0)
    assert (first.role, first.leader_id, first.term) == (Role.LEADER, "n1", 1)
    raft.advance(first)  # the caller persisted it: the leader's own copy now counts
    assert raft.commit_index == 1 and raft.has_ready()
    second = raft.ready()
    assert second.entries == () and second.committed_entries == (Entry(1, 1, None),)
    assert second.hard_state.commit == 1
    raft.advance(second)
    assert raft.applied_index == 1 and not raft.has_ready()


def test_advance_ticks_shortens_the_first_election():
    plain, advanced = node(seed=9), node(seed=9)
    advanced.advance_ticks(9)
    assert ticks_to_lead(advanced) == ticks_to_lead(plain) - 9


def test_propose_and_read_before_leadership_raise_not_leader():
    raft = node()
    with pytest.raises(NotLeaderError, match="raft node n1 is follower, not leader"):
        raft.propose("put a")
    with pytest.raises(NotLeaderError, match="raft node n1 is follower, not leader"):
        raft.read_index("read 1")
    assert raft.log == [] and isinstance(NotLeaderError("x"), K8sLabError)


def test_ready_hands_out_each_entry_once_and_each_commit_once():
    raft = node()
    ticks_to_lead(raft)
    cycle(raft)
    assert raft.propose("put a") == 2
    assert raft.propose("put b") == 3
    readies = cycle(raft)
    assert [r.entries for r in readies] == [(Entry(2, 1, "put a"), Entry(3, 1, "put b")), ()]
    assert [r.committed_entries for r in readies] == [(), readies[0].entries]
    assert raft.ready().entries == () and not raft.has_ready()
    assert (raft.commit_index, raft.applied_index) == (3, 3)


def test_applied_index_moves_only_when_the_caller_advances():
    raft = node()
    ticks_to_lead(raft)
    raft.advance(raft.ready())
    ready = raft.ready()
    assert ready.committed_entries and raft.applied_index == 0
    raft.advance(ready)
    assert raft.applied_index == 1


def test_a_single_voter_stays_leader_without_peers():
    raft = node()
    ticks_to_lead(raft)
    for _ in range(100):
        raft.tick()
        cycle(raft)
    assert (raft.role, raft.term, raft.last_index) == (Role.LEADER, 1, 1)


def test_a_campaign_hands_out_the_vote_and_the_requests_in_one_ready():
    raft = node(peers=("n1", "n2", "n3"), pre_vote=False)
    raft.campaign()
    ready = raft.ready()
    # The caller persists the vote before it sends the requests that reveal it.
    assert ready.hard_state == HardState(term=1, voted_for="n1", commit=0)
    assert ready.messages == tuple(
        RequestVote("n1", peer, 1, "n1", 0, 0, pre_vote=False) for peer in ("n2", "n3")
    )
    assert ready.role is Role.CANDIDATE and not raft.has_ready()


def test_restart_from_hard_state_and_log_keeps_term_vote_and_log():
    before = node(seed=2)
    ticks_to_lead(before)
    before.propose("put a")
    disk_log = [entry for ready in cycle(before) for entry in ready.entries]
    disk_state = before.hard_state

    after = node(seed=3, hard_state=disk_state, log=disk_log)
    assert (after.term, after.voted_for, after.role) == (1, "n1", Role.FOLLOWER)
    assert after.log == disk_log and after.last_index == 2
    assert (after.commit_index, after.applied_index) == (2, 2)
    assert not after.has_ready()  # what was on disk is persisted and was applied before

    ticks_to_lead(after)
    assert after.term == 2 and after.log[-1] == Entry(3, 2, None)
    assert [r.committed_entries for r in cycle(after)] == [(), (Entry(3, 2, None),)]


def test_compact_forgets_applied_entries_behind_a_snapshot():
    raft = node()
    ticks_to_lead(raft)
    raft.propose("a")
    raft.propose("b")
    cycle(raft)
    with pytest.raises(RaftError, match="call set_snapshot_data first"):
        raft.compact(2)
    raft.set_snapshot_data(2, {"state": "after a"})
    assert raft.snapshot == (2, 1, {"state": "after a"})
    raft.compact(2)
    assert (raft.snapshot_index, raft.snapshot_term) == (2, 1)
    assert raft.log == [Entry(3, 1, "b")] and raft.entries_after(2) == [Entry(3, 1, "b")]
    assert raft.last_index == 3 and raft.term_at(2) == 1 and raft.term_at(1) is None
    raft.compact(1)  # already covered: nothing changes
    assert raft.snapshot_index == 2
    assert raft.propose("c") == 4
    with pytest.raises(RaftError, match="cannot compact to 4: only 3 applied"):
        raft.compact(4)
    with pytest.raises(RaftError, match="cannot take a snapshot at 4"):
        raft.set_snapshot_data(4, "too early")
    cycle(raft)
    raft.set_snapshot_data(4, "all")
    raft.compact(4)
    assert raft.log == [] and raft.last_index == 4
    # etcd-io/raft storage.go: CreateSnapshot below the kept snapshot is ErrSnapOutOfDate.
    with pytest.raises(SnapshotOutOfDateError,
                       match="^requested index is older than the existing snapshot$"):
        raft.set_snapshot_data(3, "stale")
    assert raft.snapshot == (4, 1, "all")


def test_restart_after_compaction_continues_the_indexes():
    raft = node()
    ticks_to_lead(raft)
    raft.propose("a")
    raft.propose("b")
    cycle(raft)
    raft.set_snapshot_data(2, "state")
    raft.compact(2)
    restarted = node(
        hard_state=raft.hard_state,
        log=raft.log,
        snapshot_index=2,
        snapshot_term=1,
        snapshot_data="state",
    )
    assert restarted.last_index == 3 and restarted.snapshot == (2, 1, "state")
    assert restarted.entries_after(2) == [Entry(3, 1, "b")]
    ticks_to_lead(restarted)
    assert restarted.log[-1] == Entry(4, 2, None)


@pytest.mark.parametrize("peers", [["n2", "n3"], ["n1", "n1", "n2"], []])
def test_peers_must_list_every_voter_once_including_the_node(peers):
    with pytest.raises(RaftError, match="peers must list every voter once") as caught:
        RaftNode("n1", peers, rng=random.Random(1))
    assert repr(peers) in str(caught.value)


def test_election_tick_must_exceed_heartbeat_tick():
    with pytest.raises(RaftError, match="need 0 < heartbeat_tick < election_tick"):
        node(election_tick=1, heartbeat_tick=1)


def test_a_log_with_a_gap_or_a_commit_beyond_it_is_refused():
    with pytest.raises(K8sLabError, match="contiguous after index 0"):
        node(log=[Entry(2, 1)])
    with pytest.raises(K8sLabError, match="commit index 3 is outside the log"):
        node(log=[Entry(1, 1)], hard_state=HardState(1, None, 3))


def test_a_message_for_another_node_is_refused():
    raft = node(peers=("n1", "n2"))
    with pytest.raises(RaftError, match="got one from 'n2' to 'n3'"):
        raft.step(RequestVote("n2", "n3", 1, "n2", 0, 0))

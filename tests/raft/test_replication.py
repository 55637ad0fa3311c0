"""Log replication, paper §5.3 and §5.4.2: AppendEntries, repair of diverged logs, commit rules.

Clusters run on the in-memory network; a few scenarios start from logs written straight onto
the nodes' disks, as the paper's figures draw them.
"""

import random

import pytest

from k8slab.raft import (
    AppendEntries,
    AppendEntriesResponse,
    Entry,
    HardState,
    Heartbeat,
    RaftNode,
    Role,
)
from k8slab.raft.errors import RaftLogError
from k8slab.raft.invariants import check
from k8slab.raft.log import RaftLog
from tests.raft.harness import Network


def elected(size: int = 3, seed: int = 0, **config) -> tuple[Network, str]:
    net = Network([f"n{i}" for i in range(1, size + 1)], seed, **config)
    while net.leader() is None:
        net.tick_all()
        net.deliver_all()
    net.stabilize()
    return net, net.leader()


def from_disks(logs: dict[str, list[Entry]], term: int, seed: int = 0) -> Network:
    """A cluster whose nodes restart from the given logs, all at `term`, entry 1 committed."""
    net = Network(list(logs), seed)
    for node_id, log in logs.items():
        net.disks[node_id].entries = list(log)
        net.disks[node_id].hard_state = HardState(term, None, 1)
        net.restart(node_id)
    return net


def terms(net: Network, node_id: str) -> list[int]:
    return [entry.term for entry in net.nodes[node_id].log]


def test_an_entry_commits_once_a_majority_holds_it_and_reaches_the_rest_later():
    net, leader = elected(seed=1)
    slow = next(i for i in net.ids if i != leader)
    net.cut(leader, slow)
    index = net.propose(leader, "put a")
    net.deliver_all()
    assert net.nodes[leader].commit_index == index
    assert net.nodes[slow].last_index == index - 1  # it never got the append
    net.heal()
    net.stabilize()
    assert net.nodes[slow].log[-1] == Entry(index, 1, "put a")
    assert net.nodes[slow].commit_index == index
    assert net.state[slow] == net.state[leader]


def test_a_heartbeat_never_tells_a_follower_to_commit_past_what_it_holds():
    net, leader = elected(seed=1)
    slow = next(i for i in net.ids if i != leader)
    net.cut(leader, slow)
    net.propose(leader, "put a")
    net.deliver_all()
    net.tick_all()
    beats = {m.dst: m.leader_commit for m in net.queue if isinstance(m, Heartbeat)}
    assert net.nodes[leader].commit_index == 2
    assert beats[slow] == 1 and set(beats.values()) == {1, 2}


def test_a_follower_drops_a_conflicting_uncommitted_tail_and_takes_the_leaders_entries():
    raft = RaftNode(
        "n1",
        ["n1", "n2", "n3"],
        rng=random.Random(0),
        hard_state=HardState(2, None, 1),
        log=[Entry(1, 1), Entry(2, 2, "x"), Entry(3, 2, "y")],
    )
    raft.step(AppendEntries("n2", "n1", 3, "n2", 1, 1, (Entry(2, 3, "a"),), 2))
    ready = raft.ready()
    assert raft.log == [Entry(1, 1), Entry(2, 3, "a")] and raft.commit_index == 2
    # The caller must overwrite its stored entries from index 2 on.
    assert ready.entries == (Entry(2, 3, "a"),)
    assert ready.committed_entries == (Entry(2, 3, "a"),)
    assert ready.messages == (AppendEntriesResponse("n1", "n2", 3, success=True, match_index=2),)


def test_an_append_that_does_not_fit_is_rejected_with_a_hint():
    raft = RaftNode(
        "n1",
        ["n1", "n2"],
        rng=random.Random(0),
        log=[Entry(1, 1), Entry(2, 1)],
        hard_state=HardState(1, None, 1),
    )
    raft.step(AppendEntries("n2", "n1", 2, "n2", 7, 2, (Entry(8, 2),), 7))
    reply = raft.ready().messages
    assert reply == (
        AppendEntriesResponse(
            "n1", "n2", 2, success=False, rejected_index=7, reject_hint=2, reject_hint_term=1
        ),
    )
    assert raft.last_index == 2


def test_the_log_refuses_to_overwrite_a_committed_entry():
    log = RaftLog([Entry(1, 1), Entry(2, 1)], 0, 0, commit=2)
    with pytest.raises(RaftLogError, match="refusing to overwrite entry 2: entries up to 2"):
        log.append([Entry(2, 2)])


def test_a_stale_append_below_the_commit_index_changes_nothing():
    raft = RaftNode(
        "n1",
        ["n1", "n2"],
        rng=random.Random(0),
        log=[Entry(1, 1), Entry(2, 1)],
        hard_state=HardState(1, None, 2),
    )
    raft.step(AppendEntries("n2", "n1", 1, "n2", 0, 0, (Entry(1, 1),), 1))
    assert raft.ready().messages == (
        AppendEntriesResponse("n1", "n2", 1, success=True, match_index=2),
    )
    assert raft.last_index == 2


def test_fast_backoff_skips_a_diverged_tail_in_one_probe():
    # etcd-io/raft raft.go stepLeader MsgAppResp comment: leader 1 3 3 3 5 5 5 5 5,
    # follower 1 1 1 1 2 2. One rejection with hint (6, term 2) sends the leader to index 1.
    leader_log = [Entry(i, t) for i, t in enumerate([1, 3, 3, 3, 5, 5, 5, 5, 5], start=1)]
    follower_log = [Entry(i, t) for i, t in enumerate([1, 1, 1, 1, 2, 2], start=1)]
    net = from_disks({"n1": leader_log, "n2": follower_log}, term=5)
    net.campaign("n1")
    net.deliver_all()
    rejects = [m for m in net.delivered if isinstance(m, AppendEntriesResponse) and not m.success]
    assert [(m.rejected_index, m.reject_hint, m.reject_hint_term) for m in rejects] == [(9, 6, 2)]
    assert terms(net, "n2") == [1, 3, 3, 3, 5, 5, 5, 5, 5, 6]


def test_a_partitioned_leader_loses_its_uncommitted_entries_when_the_partition_heals():
    net, old = elected(size=5, seed=4)
    minority = [old, next(i for i in net.ids if i != old)]
    majority = [i for i in net.ids if i not in minority]
    for a in minority:
        for b in majority:
            net.cut(a, b)
    lost = [net.propose(old, f"lost {k}") for k in range(3)]
    # The majority elects a new leader; check-quorum makes the old one step down.
    while net.leader() not in majority or net.nodes[old].role is Role.LEADER:
        net.tick_all()
        net.deliver_all()
    new = net.leader()
    net.propose(new, "kept")
    net.deliver_all()
    assert net.nodes[old].commit_index < lost[0]
    net.heal()
    net.stabilize(ticks=5)
    data = [e.data for e in net.nodes[new].log]
    assert "kept" in data and not any(str(d).startswith("lost") for d in data)
    assert all(node.log == net.nodes[new].log for node in net.live_nodes())
    assert all(net.state[i] == net.state[new] for i in net.ids)
    assert check(net.live_nodes(), net.history) == []


FIGURE_8 = {
    "s1": [Entry(1, 1, "x"), Entry(2, 2, "from term 2")],
    "s2": [Entry(1, 1, "x"), Entry(2, 2, "from term 2")],
    "s3": [Entry(1, 1, "x"), Entry(2, 2, "from term 2")],
    "s4": [Entry(1, 1, "x")],
    "s5": [Entry(1, 1, "x"), Entry(2, 3, "from term 3")],
}


def test_figure_8_a_leader_never_commits_an_old_term_entry_by_counting_replicas():
    net = from_disks(FIGURE_8, term=3, seed=8)
    net.crash("s5")
    net.campaign("s1")
    while net.nodes["s1"].role is not Role.LEADER:
        net.deliver()
    net.isolate("s1")
    net.deliver_all()
    s1 = net.nodes["s1"]
    assert (s1.term, terms(net, "s1")) == (4, [1, 2, 4])
    # s2 and s3 acknowledge entry 2: the term-2 entry is now on a majority (s1, s2, s3)...
    for follower in ("s2", "s3"):
        s1.step(AppendEntriesResponse(follower, "s1", 4, success=True, match_index=2))
    # ...but it is not from s1's term, so counting replicas does not commit it (§5.4.2).
    assert s1.commit_index == 1
    # Rightly so: s5 can still win term 5 and replace it.
    net.crash("s1")
    net.restart("s5")
    while net.leader() != "s5":
        net.campaign("s5")
        net.deliver_all()
    net.heal()
    net.restart("s1")
    net.stabilize(ticks=3)
    assert all(terms(net, i) == [1, 3, 5] for i in net.ids)
    assert all(e.data != "from term 2" for i in net.ids for e in net.state[i])
    assert check(net.live_nodes(), net.history) == []


def test_figure_8_an_old_term_entry_commits_with_the_first_entry_of_the_new_term():
    net = from_disks(FIGURE_8, term=3, seed=8)
    net.crash("s5")
    net.campaign("s1")
    net.deliver_all()
    assert net.nodes["s1"].commit_index == 3  # the no-op of term 4 carried entry 2 with it
    net.restart("s5")
    net.stabilize(ticks=30)
    assert net.leader() == "s1" and terms(net, "s5") == [1, 2, 4]
    assert check(net.live_nodes(), net.history) == []

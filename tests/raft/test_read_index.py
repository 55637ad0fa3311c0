"""ReadIndex (thesis §6.4, etcd's ReadOnlySafe): a linearizable read without writing the log.

The leader notes its commit index, confirms with a quorum of heartbeat acks that it still leads,
and only then answers `ReadState(index, context)`; the caller serves the read once applied there.
"""

import pytest

from k8slab.raft import Heartbeat, NotLeaderError, ReadState
from tests.raft.harness import Network


def elected(size: int = 3, seed: int = 0) -> tuple[Network, str]:
    net = Network([f"n{i}" for i in range(1, size + 1)], seed)
    while net.leader() is None:
        net.tick_all()
        net.deliver_all()
    net.stabilize()
    return net, net.leader()


def test_a_read_is_answered_after_a_quorum_acks_the_heartbeat_carrying_it():
    net, leader = elected()
    net.propose(leader, "put a")
    net.deliver_all()
    net.read_index(leader, "read 1")
    assert net.read_states[leader] == []
    assert {(m.dst, m.context) for m in net.queue if isinstance(m, Heartbeat)} == {
        (i, "read 1") for i in net.ids if i != leader
    }
    net.deliver_all()
    assert net.read_states[leader] == [ReadState(2, "read 1")]


def test_one_follower_is_enough_in_a_cluster_of_three():
    net, leader = elected()
    net.cut(leader, next(i for i in net.ids if i != leader))
    net.read_index(leader, "read 1")
    net.deliver_all()
    assert net.read_states[leader] == [ReadState(1, "read 1")]


def test_a_leader_cut_off_from_the_quorum_answers_nothing_until_it_hears_from_it():
    net, leader = elected(size=5)
    net.isolate(leader)
    net.read_index(leader, "read 1")
    net.deliver_all()
    assert net.read_states[leader] == []
    net.heal()
    net.tick_all()  # the next heartbeat carries the newest pending read
    net.deliver_all()
    assert net.read_states[leader] == [ReadState(1, "read 1")]


def test_an_ack_for_a_newer_read_answers_the_older_ones_too():
    net, leader = elected()
    net.isolate(leader)
    net.read_index(leader, "read 1")
    net.read_index(leader, "read 2")
    net.queue.clear()
    net.heal()
    net.tick_all()
    net.deliver_all()
    assert net.read_states[leader] == [ReadState(1, "read 1"), ReadState(1, "read 2")]


def test_a_new_leader_waits_until_it_commits_in_its_own_term():
    net = Network(["n1", "n2", "n3"], 0)
    net.campaign("n1")
    while net.leader() is None:
        net.deliver()
    net.read_index("n1", "early read")
    assert not any(isinstance(m, Heartbeat) for m in net.queue)
    net.deliver_all()
    assert net.read_states["n1"] == [ReadState(1, "early read")]  # includes the no-op


def test_a_single_voter_answers_at_once():
    net = Network(["n1"], 0)
    while net.leader() is None:
        net.tick_all()
    net.read_index("n1", "read")
    assert net.read_states["n1"] == [ReadState(1, "read")]


def test_a_follower_refuses_reads():
    net, leader = elected()
    follower = next(i for i in net.ids if i != leader)
    with pytest.raises(NotLeaderError, match=f"raft node {follower} is follower, not leader"):
        net.read_index(follower, "read")


def test_pending_reads_are_dropped_when_the_leader_steps_down():
    net, leader = elected()
    net.isolate(leader)
    net.read_index(leader, "read")
    net.stabilize(ticks=25)  # check-quorum: it steps down
    net.heal()
    net.stabilize(ticks=25)
    assert net.read_states[leader] == []

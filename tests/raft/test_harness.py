"""The in-memory network the Raft tests and notebooks drive: deterministic, lossy on request.

A crash keeps only what the node persisted through its Ready; a restart boots from that.
"""

import pytest

from k8slab.raft import Entry, HardState, RaftError, Role
from tests.raft.harness import Network


def run(seed: int) -> Network:
    net = Network(["a", "b", "c"], seed)
    net.drop(0.2)
    for round_ in range(40):
        net.tick_all()
        net.reorder()
        net.deliver_all()
        if net.leader() and round_ % 5 == 0:
            net.propose(net.leader(), f"put {round_}")
    return net


def test_the_same_seed_gives_the_same_history_and_another_seed_another():
    assert run(7).delivered == run(7).delivered
    assert run(7).delivered != run(8).delivered


def test_a_crashed_node_comes_back_with_its_persisted_term_vote_and_log():
    net = Network(["a", "b", "c"], 1)
    net.campaign("a")
    net.deliver_all()
    net.propose("a", "put x")
    net.deliver_all()
    net.crash("b")
    assert net.nodes["b"] is None and [n.id for n in net.live_nodes()] == ["a", "c"]
    net.restart("b")
    back = net.nodes["b"]
    assert (back.role, back.term, back.voted_for) == (Role.FOLLOWER, 1, "a")
    assert back.log == [Entry(1, 1, None), Entry(2, 1, "put x")]
    assert net.disks["b"].hard_state == HardState(1, "a", back.commit_index)
    assert net.state["b"] == back.log[: back.commit_index]


def test_messages_to_a_crashed_node_or_over_a_cut_link_are_lost():
    net = Network(["a", "b", "c"], 1)
    net.crash("c")
    net.cut("a", "b")
    net.campaign("a")
    sent = len(net.queue)
    assert net.deliver_all() == sent and net.delivered == []
    net.heal()
    net.restart("c")
    net.campaign("a")
    net.deliver_all()
    assert net.leader() == "a"


def test_duplicated_and_dropped_messages():
    net = Network(["a", "b", "c"], 1)
    net.campaign("a")
    first = net.queue[0]
    net.duplicate(0)
    assert net.queue[-1] == first and len(net.queue) == 3
    net.drop_at(0)
    assert len(net.queue) == 2


def test_unknown_or_crashed_nodes_are_refused_clearly():
    net = Network(["a", "b", "c"], 1)
    with pytest.raises(RaftError, match=r"no node 'z'; the nodes are \['a', 'b', 'c'\]"):
        net.crash("z")
    net.crash("a")
    with pytest.raises(RaftError, match="node a is down; restart it first"):
        net.propose("a", "put x")

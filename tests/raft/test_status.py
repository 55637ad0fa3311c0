"""A node's Status is a snapshot of what etcd-io/raft's Status reports: after an election and a
write it holds the term, vote, leader, commit and applied indexes and the log, and stays as it was.
"""

import dataclasses
import random

import pytest

from k8slab.raft import Entry, RaftNode, Role
from k8slab.raft.status import Status

IDS = ["n1", "n2", "n3"]


def cluster() -> dict[str, RaftNode]:
    return {i: RaftNode(i, IDS, rng=random.Random(j)) for j, i in enumerate(IDS)}


def stabilize(nodes: dict[str, RaftNode]) -> None:
    """Play every caller and a lossless network until no node has anything more to do."""
    while any(node.has_ready() for node in nodes.values()):
        messages = []
        for node in nodes.values():
            while node.has_ready():
                ready = node.ready()
                node.advance(ready)
                messages.extend(ready.messages)
        for message in messages:
            nodes[message.dst].step(message)


@pytest.fixture
def elected() -> dict[str, RaftNode]:
    """n1 won term 1 (with a pre-vote first) and committed its no-op; everyone applied it."""
    nodes = cluster()
    nodes["n1"].campaign()
    stabilize(nodes)
    return nodes


def test_a_new_node_reports_a_follower_of_term_zero_with_an_empty_log():
    assert cluster()["n1"].status() == Status("n1", 0, None, 0, None, Role.FOLLOWER, 0, 0, ())


def test_after_an_election_the_leader_and_a_follower_report_it(elected):
    leader, follower = elected["n1"].status(), elected["n2"].status()
    assert leader == Status("n1", 1, "n1", 1, "n1", Role.LEADER, 1, 0, (Entry(1, 1),))
    assert follower == Status("n2", 1, "n1", 1, "n1", Role.FOLLOWER, 1, 0, (Entry(1, 1),))
    assert leader.last_index == 1


def test_a_write_shows_in_the_log_and_the_indexes(elected):
    elected["n1"].propose({"op": "put"})
    stabilize(elected)
    status = elected["n3"].status()
    assert (status.commit, status.applied, status.last_index) == (2, 2, 2)
    assert status.entries == (Entry(1, 1), Entry(2, 1, {"op": "put"}))


def test_a_status_is_a_snapshot_that_neither_follows_nor_changes_the_node(elected):
    before = elected["n1"].status()
    elected["n1"].propose({"op": "put"})
    stabilize(elected)
    assert (before.commit, before.last_index, len(before.entries)) == (1, 1, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        before.term = 7
    assert isinstance(before.entries, tuple)
    assert elected["n1"].term == 1


def test_a_compacted_log_reports_its_snapshot_index_and_only_the_entries_after_it(elected):
    leader = elected["n1"]
    for i in range(3):
        leader.propose({"op": "put", "i": i})
    stabilize(elected)
    leader.set_snapshot_data(3, "state")
    leader.compact(3)
    status = leader.status()
    assert (status.snapshot_index, status.last_index) == (3, 4)
    assert [entry.index for entry in status.entries] == [4]

"""RaftSafety follows whichever nodes are up at each observation and remembers what it saw."""

import random

from k8slab.raft import HardState, RaftNode, Role
from k8slab.robustness.etcd_lab import EtcdLab
from k8slab.robustness.raft_safety import RaftSafety


def leader(node_id: str, term: int) -> RaftNode:
    state = HardState(term, None, 0)
    raft = RaftNode(node_id, ["n1", "n2"], rng=random.Random(0), hard_state=state)
    raft.role = Role.LEADER
    return raft


def test_a_leader_seen_earlier_still_counts_after_its_node_is_gone():
    up = [leader("n1", term=3)]
    safety = RaftSafety(lambda: up)
    safety.observe()
    up[:] = [leader("n2", term=3)]
    assert safety.violations() == []  # n2 alone, now, breaks nothing
    safety.observe()
    assert safety.violations() == ["Election Safety: n1 and n2 both led term 3"]


def test_a_healthy_etcd_cluster_has_no_violation():
    lab = EtcdLab(members=3, seed=2)
    assert lab.run_until_leader() is not None
    lab.run(5)
    assert lab.raft_safety.violations() == []
    assert lab.raft_safety.history.leaders

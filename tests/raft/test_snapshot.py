"""Log compaction and InstallSnapshot (paper §7): a follower behind the compacted log catches up.

The caller hands Raft its state-machine snapshot with `set_snapshot_data`; a leader sends it to a
follower whose next entry is gone, and the follower's Ready carries it for the caller to restore.
"""

import random

from k8slab.raft import (
    Entry,
    HardState,
    InstallSnapshot,
    InstallSnapshotResponse,
    RaftNode,
    SnapshotData,
)
from k8slab.raft.invariants import check
from tests.raft.harness import Network


def elected(seed: int = 0) -> tuple[Network, str]:
    net = Network(["n1", "n2", "n3"], seed)
    while net.leader() is None:
        net.tick_all()
        net.deliver_all()
    net.stabilize()
    return net, net.leader()


def follower(**kwargs) -> RaftNode:
    return RaftNode("n1", ["n1", "n2"], rng=random.Random(0), **kwargs)


def test_a_lagging_follower_catches_up_from_the_leaders_snapshot():
    net, leader = elected(seed=5)
    lagging = next(i for i in net.ids if i != leader)
    net.crash(lagging)
    for k in range(10):
        net.propose(leader, f"put {k}")
    net.stabilize()
    for node_id in net.ids:
        if node_id != lagging:
            net.compact(node_id)
    assert net.nodes[leader].snapshot_index == 11 and net.nodes[leader].log == []
    net.restart(lagging)
    net.stabilize(ticks=2)
    sent = [m for m in net.delivered if isinstance(m, InstallSnapshot)]
    assert [(m.dst, m.last_included_index, m.last_included_term) for m in sent] == [
        (lagging, 11, 1)
    ]
    caught_up = net.nodes[lagging]
    assert (caught_up.snapshot_index, caught_up.commit_index, caught_up.applied_index) == (
        11,
        11,
        11,
    )
    assert net.state[lagging] == net.state[leader]
    assert net.disks[lagging].snapshot == SnapshotData(11, 1, tuple(net.state[leader]))
    net.propose(leader, "after the snapshot")
    net.stabilize()
    assert net.nodes[lagging].log == [Entry(12, 1, "after the snapshot")]
    assert check(net.live_nodes(), net.history) == []


def test_a_restarted_follower_boots_from_the_snapshot_it_installed():
    net, leader = elected(seed=5)
    lagging = next(i for i in net.ids if i != leader)
    net.crash(lagging)
    net.propose(leader, "a")
    net.stabilize()
    net.compact(leader)
    net.restart(lagging)
    net.stabilize()
    net.restart(lagging)
    rebooted = net.nodes[lagging]
    assert rebooted.snapshot == net.nodes[leader].snapshot
    assert net.state[lagging] == net.state[leader]


def test_a_follower_installs_a_snapshot_and_hands_it_out_in_its_ready():
    raft = follower(log=[Entry(1, 1, "old")], hard_state=HardState(1, None, 0))
    raft.step(InstallSnapshot("n2", "n1", 2, "n2", 7, 2, data={"k": "v"}))
    ready = raft.ready()
    assert ready.snapshot == SnapshotData(7, 2, {"k": "v"})
    assert ready.entries == () and ready.committed_entries == ()
    assert ready.hard_state == HardState(2, None, 7)
    assert ready.messages == (InstallSnapshotResponse("n1", "n2", 2, match_index=7),)
    assert raft.log == [] and (raft.snapshot_index, raft.last_index) == (7, 7)
    assert raft.applied_index == 0
    raft.advance(ready)
    assert raft.applied_index == 7 and raft.snapshot == SnapshotData(7, 2, {"k": "v"})


def test_a_snapshot_the_follower_already_committed_is_ignored():
    log = [Entry(1, 1), Entry(2, 1), Entry(3, 1)]
    raft = follower(log=log, hard_state=HardState(1, None, 3))
    raft.step(InstallSnapshot("n2", "n1", 1, "n2", 2, 1, data="stale"))
    ready = raft.ready()
    assert ready.snapshot is None and raft.log == log
    assert ready.messages == (InstallSnapshotResponse("n1", "n2", 1, match_index=3),)


def test_a_snapshot_of_entries_the_follower_holds_only_moves_its_commit():
    log = [Entry(1, 1), Entry(2, 1), Entry(3, 1)]
    raft = follower(log=log, hard_state=HardState(1, None, 1))
    raft.step(InstallSnapshot("n2", "n1", 1, "n2", 2, 1, data="state"))
    ready = raft.ready()
    assert ready.snapshot is None and raft.log == log and raft.commit_index == 2
    assert ready.committed_entries == (Entry(2, 1),)


def test_a_lost_snapshot_is_sent_again_after_an_election_timeout():
    net, leader = elected(seed=5)
    lagging = next(i for i in net.ids if i != leader)
    net.crash(lagging)
    net.propose(leader, "a")
    net.stabilize()
    net.compact(leader)
    net.restart(lagging)
    lost = []
    for _ in range(25):
        net.tick_all()
        while net.queue:
            if isinstance(net.queue[0], InstallSnapshot) and not lost:
                lost.append(net.queue.pop(0))
            else:
                net.deliver()
    assert len(lost) == 1
    assert [m.dst for m in net.delivered if isinstance(m, InstallSnapshot)] == [lagging]
    assert net.state[lagging] == net.state[leader]

"""etcd as a Raft cluster on its own: elections, quorum loss, stale leaders, leases.

Figures come from etcd's defaults: 100 ms ticks, a 1 s election timeout randomized into
[1 s, 2 s), a 7 s request timeout (raft-etcd reference §c).
"""

import pytest

from k8slab.errors import K8sLabError
from k8slab.etcd.errors import RequestTimeoutError
from k8slab.etcd.member import REQUEST_TIMEOUT
from k8slab.raft import Role
from k8slab.robustness.etcd_lab import EtcdLab, election_times

SEEDS = range(100)
TIMED_OUT = "etcdserver: request timed out"  # rpctypes ErrGRPCTimeout
ELECTION_TIMEOUT = 1.0


def test_three_members_elect_one_leader_within_two_seconds_for_every_seed():
    for seed in SEEDS:
        lab = EtcdLab(3, seed, observe_every_event=False)
        assert lab.run_until_leader(limit=2.0) is not None, seed
        assert sum(n.role is Role.LEADER for n in lab.raft_nodes()) == 1


def test_after_the_leader_dies_a_new_one_is_elected_within_the_randomized_timeout():
    times = sorted(election_times(3, SEEDS)[1])
    # One round: a follower times out between 1 s and 2 s after the last heartbeat it heard.
    one_round = 2 * ELECTION_TIMEOUT
    assert sum(t <= one_round for t in times) >= 95
    # A split vote costs one more randomized timeout; never more than two rounds here.
    assert times[-1] <= 2 * one_round
    # ...and not before the election timeout (less up to two ticks of timer phase).
    assert times[0] >= ELECTION_TIMEOUT - 0.2


def test_with_a_minority_down_writes_commit():
    lab = EtcdLab(3, 1)
    leader = lab.run_until_leader()
    follower = next(n for n in lab.names if n != leader)
    lab.crash(follower)
    assert lab.put("/k", "1").revision == 2
    assert lab.get("/k") == "1"
    assert lab.violations() == []


def test_with_a_majority_down_writes_and_linearizable_reads_time_out_serializable_answer():
    lab = EtcdLab(3, 2)
    leader = lab.run_until_leader()
    lab.put("/k", "1")
    for name in lab.names:
        if name != leader:
            lab.crash(name)
    only = lab.client([leader])
    start = lab.now
    error = lab.put("/k", "2", client=only)
    assert isinstance(error, RequestTimeoutError) and error.message == TIMED_OUT
    assert lab.now - start == pytest.approx(REQUEST_TIMEOUT, abs=0.2)
    assert lab.get("/k", serializable=True, client=only) == "1"
    error = lab.get("/k", client=only)
    assert isinstance(error, RequestTimeoutError) and error.message == TIMED_OUT
    assert lab.violations() == []


def test_an_isolated_leader_steps_down_and_cannot_depose_the_new_one_when_it_returns():
    lab = EtcdLab(3, 3)
    old = lab.run_until_leader()
    others = [n for n in lab.names if n != old]
    lab.partition([old], others)
    lab.run(3 * ELECTION_TIMEOUT)
    assert lab.member(old).raft.role is not Role.LEADER  # check-quorum: it lost its quorum
    new = lab.leader()
    assert new in others
    term = lab.member(new).raft.term
    lab.heal()
    lab.run(3)
    assert lab.leader() == new and lab.member(new).raft.term == term  # pre-vote kept it
    assert lab.member(old).raft.leader_id == new
    assert lab.violations() == []


def test_a_restarted_member_catches_up_from_its_wal_and_the_leader():
    lab = EtcdLab(3, 4)
    leader = lab.run_until_leader()
    follower = next(n for n in lab.names if n != leader)
    lab.put("/a", "1")
    lab.crash(follower)
    for i in range(5):
        lab.put(f"/b{i}", str(i))
    lab.restart(follower)
    lab.run(2)
    stores = {n: lab.member(n).store.revision for n in lab.names}
    assert len(set(stores.values())) == 1, stores
    assert lab.violations() == []


def test_bad_input_is_refused_clearly():
    with pytest.raises(K8sLabError, match="1, 3, 5 or 7 members"):
        EtcdLab(0)
    with pytest.raises(K8sLabError, match='no etcd member named "etcd-9"'):
        EtcdLab(3).crash("etcd-9")


def test_an_expired_lease_is_revoked_by_the_leader_and_its_keys_deleted_everywhere():
    lab = EtcdLab(3, 6)
    lab.run_until_leader()
    client = lab.client()
    lease = lab._sync(client.lease_grant(3))
    lab._sync(client.put("/lock", "me", lease=lease.id))
    lab.run(1)
    assert all(lab.member(n).store.get("/lock") for n in lab.names)
    lab.run(5)
    assert not any(lab.member(n).store.get("/lock") for n in lab.names)
    revokes = [r for r in lab.trace if r.component == "etcd" and r.kind == "lease_revoke"]
    assert len(revokes) == 3  # applied once on each member
    assert lab.violations() == []


def test_keep_alive_holds_a_lease_past_its_ttl():
    lab = EtcdLab(3, 7)
    lab.run_until_leader()
    client = lab.client()
    lease = lab._sync(client.lease_grant(3))
    lab._sync(client.put("/lock", "me", lease=lease.id))
    for _ in range(4):
        lab.run(2)
        assert lab._sync(client.lease_keep_alive(lease.id)).ttl == 3
    assert lab.member(lab.leader()).store.get("/lock") is not None


def test_each_member_s_status_follows_a_crash_and_a_new_election():
    lab = EtcdLab(3, 3)
    old = lab.run_until_leader()
    assert [lab.status(n).leader for n in lab.names] == [old] * 3
    before = lab.status(old)
    lab.crash(old)
    new = lab.run_until_leader()
    assert lab.status(old) is None
    after = lab.status(new)
    assert (after.member, after.is_leader, after.leader) == (new, True, new)
    assert after.term > before.term and before.is_leader  # the old snapshot keeps what it saw
    assert after.raft.lead == new and after.raft.raft_state is Role.LEADER

"""An etcd member: Raft, a WAL on the host's disk and the MVCC store; rebuilt from disk after a
crash."""

import hashlib

import pytest

from k8slab.etcd import dbfile
from k8slab.etcd import member as member_module
from k8slab.etcd.client import EtcdClient, op_delete, op_put
from k8slab.etcd.errors import EmptyKeyError, FutureRevisionError
from k8slab.etcd.member import ELECTION_TICKS, REQUEST_TIMEOUT, TICK_SECONDS, WAL
from k8slab.etcd.membership import cluster_id, member_id
from k8slab.etcd.wire import Compare, RangeRequest, TxnRequest, prefix_end
from k8slab.raft import Role
from k8slab.robustness.etcd_lab import CLIENT_HOST, EtcdLab


def keys_and_revision(member) -> tuple:
    kvs = [(kv.key, kv.value, kv.mod_revision) for kv in member.store.dump()]
    return kvs, member.store.revision


def test_before_the_election_writes_wait_for_a_leader_serializable_reads_answer(unelected):
    client = unelected.client()
    assert unelected.call(client.get("/a", serializable=True)).revision == 1
    result = unelected.call(client.txn([], [op_put("/a", "1")]))
    assert result.succeeded and result.revision == 2
    assert unelected.sim.now < REQUEST_TIMEOUT
    assert unelected.member.raft.role is Role.LEADER


def test_a_single_member_elects_itself_within_one_election_timeout(unelected):
    unelected.sim.run(ELECTION_TICKS * TICK_SECONDS + 0.01)
    assert unelected.member.raft.role is Role.LEADER
    [change] = unelected.sim.trace.where(component="etcd", kind="raft-role")
    # Bootstrapped at term 1, the member's first election is for term 2.
    assert change.details == {"role": "leader", "term": 2, "leader": unelected.member.name}


def test_a_write_is_applied_and_read_back(etcd):
    client = etcd.client()
    result = etcd.call(client.txn([], [op_put("/registry/pods/default/web", "{}")]))
    assert (result.succeeded, result.revision) == (True, 2)
    answer = etcd.call(client.get("/registry/pods/default/web"))
    [kv] = answer.kvs
    assert (kv.value, kv.create_revision, kv.mod_revision, kv.version) == ("{}", 2, 2, 1)
    assert answer.revision == 2
    wal = etcd.db.disk[WAL]
    assert wal["entries"][-1].data.request.success == (op_put("/registry/pods/default/web", "{}"),)
    assert wal["hard_state"].commit == etcd.member.raft.last_index


def test_a_failed_request_is_answered_with_its_error_and_changes_nothing(etcd):
    error = etcd.call(etcd.client().compact(5))
    assert isinstance(error, FutureRevisionError)
    assert error.message == "etcdserver: mvcc: required revision is a future revision"
    assert etcd.member.store.revision == 1


def write_keys(etcd, n: int) -> None:
    client = etcd.client()
    for i in range(n):
        etcd.call(client.txn([Compare(f"/k/{i % 7}", "version", ">", -1)],
                             [op_put(f"/k/{i % 7}", str(i))]))
    etcd.call(client.txn([], [op_delete("/k/3")]))


def test_a_restarted_member_rebuilds_the_store_from_its_wal(etcd):
    write_keys(etcd, 12)
    before = keys_and_revision(etcd.member)
    member = etcd.restart_member()
    assert keys_and_revision(member) == before
    [restore] = etcd.sim.trace.where(component="etcd", kind="restore")[-1:]
    assert restore.details["revision"] == before[1]
    etcd.sim.run(2.0)
    assert (member.raft.role, member.raft.term) == (Role.LEADER, 3)
    result = etcd.call(etcd.client().txn([], [op_put("/after", "x")]))
    assert result.revision == before[1] + 1


def test_a_restart_replays_a_lease_grant_from_the_wal(etcd):
    # Events are stored with a lease (their TTL), so a cluster's WAL holds LeaseGrant entries.
    granted = etcd.call(etcd.client().lease_grant(3600))
    member = etcd.restart_member()
    [restore] = etcd.sim.trace.where(component="etcd", kind="restore")[-1:]
    assert restore.details["replayed"] >= 1
    assert member.store.lessor.lookup(granted.id) is not None


def test_a_member_restarted_twice_still_has_everything(etcd):
    write_keys(etcd, 5)
    before = keys_and_revision(etcd.member)
    etcd.restart_member()
    etcd.sim.run(2.0)
    member = etcd.restart_member()
    assert keys_and_revision(member) == before
    etcd.sim.run(2.0)
    assert member.raft.term == 4


def test_a_restart_after_a_snapshot_rebuilds_the_same_store(etcd, monkeypatch):
    monkeypatch.setattr(member_module, "SNAPSHOT_COUNT", 10)
    monkeypatch.setattr(member_module, "SNAPSHOT_CATCH_UP_ENTRIES", 4)
    write_keys(etcd, 25)
    assert etcd.sim.trace.where(component="etcd", kind="snapshot")
    before = keys_and_revision(etcd.member)
    member = etcd.restart_member()
    assert keys_and_revision(member) == before
    etcd.sim.run(2.0)
    assert etcd.call(etcd.client().txn([], [op_put("/after", "x")])).revision == before[1] + 1


def test_the_old_member_is_gone_after_the_crash(etcd):
    old = etcd.member
    etcd.restart_member()
    etcd.sim.run(2.0)
    etcd.call(etcd.client().txn([], [op_put("/a", "1")]))
    assert old.store.get("/a") is None
    assert etcd.member.store.get("/a").value == "1"


def test_range_of_a_prefix_through_the_member(etcd):
    write_keys(etcd, 3)
    answer = etcd.call(etcd.client().get("/k/", range_end=prefix_end("/k/"), limit=2))
    assert [kv.key for kv in answer.kvs] == ["/k/0", "/k/1"]
    assert answer.count == 3 and answer.more


@pytest.mark.parametrize("bad", [RangeRequest(""), TxnRequest(success=(op_put("", "x"),))])
def test_an_empty_key_is_refused_over_the_wire(etcd, bad):
    error = etcd.call(etcd.network.rpc("app", "db", 2379, bad))
    assert isinstance(error, EmptyKeyError) and error.message == "etcdserver: key is not provided"


# -- bootstrap (etcdserver/raft.go startNode, etcd-io/raft bootstrap.go) ------------------------


def test_a_fresh_cluster_bootstraps_its_membership_then_elects_at_term_two():
    lab = EtcdLab(3, seed=1)
    lab.sim.run(3.0)
    leader = lab.leader()
    ids = sorted(member_id(name) for name in lab.names)
    for name in lab.names:
        member = lab.member(name)
        assert member.raft.term == 2
        entries = member.raft.log
        assert [(e.index, e.term) for e in entries[:4]] == [(1, 1), (2, 1), (3, 1), (4, 2)]
        assert [(e.data.type, e.data.node_id) for e in entries[:3]] == [
            ("ConfChangeAddNode", i) for i in ids]
        assert entries[3].data is None  # the first leader's empty entry, after the members
        assert member.cluster_id == cluster_id(ids)
    assert lab.member(leader).raft.commit_index >= 4
    boots = lab.trace.where(component="etcd", kind="bootstrap")
    assert [(r.host, r.details) for r in boots] == [
        (name, {"members": 3, "term": 1, "commit": 3}) for name in lab.names]


def test_a_restarted_member_finds_its_wal_and_does_not_bootstrap_again(etcd):
    log_before = etcd.member.raft.log
    etcd.restart_member()
    assert etcd.member.raft.log == log_before
    assert len(etcd.sim.trace.where(component="etcd", kind="bootstrap")) == 1


def _first_campaign(members_up: int, seed: int) -> float:
    lab = EtcdLab(3, seed=seed)
    for name in lab.names[members_up:]:
        lab.network.crash(name)
    lab.sim.run(3.0)
    votes = [r for r in lab.trace.where(component="etcd", kind="raft-msg")
             if r.details["type"] == "RequestVote"]
    return votes[0].time


@pytest.mark.parametrize("seed", range(1, 9))
def test_the_initial_tick_advance_waits_for_more_than_one_connected_peer(seed):
    # adjustTicks: with both peers connected the clock jumps 8 ticks at the first 50 ms check,
    # leaving 2 to 11 of the 10 to 19 ticks of the randomized timeout; with one peer it does
    # not jump, so the first campaign waits at least the 10 ticks of a whole timeout.
    assert 0.1 <= _first_campaign(3, seed) < 0.05 + 0.1 + 1.1
    assert _first_campaign(2, seed) >= ELECTION_TICKS * TICK_SECONDS


def test_a_snapshot_is_the_members_db_file_with_its_sha256():
    lab = EtcdLab(members=3, seed=2)
    leader = lab.run_until_leader()
    client = EtcdClient(lab.network.host(CLIENT_HOST).group("c"), leader)
    lab.sim.run_process(lab.network.host(CLIENT_HOST).group("p").spawn(client.put("/k", "v")), 10)
    answer = lab.sim.run_process(
        lab.network.host(CLIENT_HOST).group("s").spawn(client.snapshot()), 10)
    db = answer.blob[:-32]
    assert answer.blob[-32:] == hashlib.sha256(db).digest()
    backend = dbfile.decode(db)
    member = lab.member(leader)
    assert backend.current() == member.store.dump()
    assert backend.consistent_index == member.raft.applied_index
    assert [m.name for m in backend.members] == sorted(lab.names, key=lambda n: member_id(n))

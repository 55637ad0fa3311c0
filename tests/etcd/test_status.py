"""A member's status, as `etcdctl endpoint status` reports it: the leader, the Raft term and
indexes and the store's revision, with the Raft status under it; a snapshot, read or over the wire.
"""

import dataclasses

import pytest

from k8slab.etcd.status import MemberStatus
from k8slab.raft import Role


def test_an_elected_member_reports_itself_leader_of_term_two(etcd):
    status = etcd.member.status()
    assert isinstance(status, MemberStatus)
    assert (status.member, status.leader, status.term, status.is_leader) == ("db", "db", 2, True)
    assert status.raft.raft_state is Role.LEADER and status.raft.id == "db"
    assert status.raft_index == status.raft_applied_index == status.raft.last_index
    assert status.revision == 1


def test_a_write_moves_the_raft_indexes_and_the_revision(etcd):
    before = etcd.member.status()
    etcd.call(etcd.client().put("/demo/greeting", "hello"))
    after = etcd.member.status()
    assert after.revision == before.revision + 1 == 2
    assert after.raft_index == after.raft_applied_index == before.raft_index + 1
    assert after.raft.entries[-1].index == after.raft_index and after.raft.entries[-1].data
    assert (before.revision, len(before.raft.entries)) == (1, before.raft_index)
    with pytest.raises(dataclasses.FrozenInstanceError):
        before.term = 9


def test_the_status_answered_over_the_wire_is_the_members(etcd):
    answered = etcd.call(etcd.client().status())
    assert answered == etcd.member.status()


def test_a_member_that_has_not_heard_of_a_leader_says_so(unelected):
    status = unelected.member.status()
    assert (status.leader, status.term, status.is_leader) == (None, 1, False)  # bootstrapped
    assert status.raft.raft_state is Role.FOLLOWER

"""Leases against etcd's lessor (server/lease/lessor.go) and its gRPC answers (v3rpc/lease.go).

A lease is granted with a TTL (raised to the minimum), kept alive, and revoked or expired; its
keys go with it in one revision. Time is always passed in.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k8slab.etcd.client import op_delete
from k8slab.etcd.errors import (
    InvalidArgumentError,
    LeaseExistsError,
    LeaseNotFoundError,
    LeaseTTLTooLargeError,
)
from k8slab.etcd.lease import MAX_LEASE_TTL, MIN_LEASE_TTL, min_lease_ttl
from k8slab.etcd.watchable_store import WatchableStore
from k8slab.etcd.wire import (
    Compare,
    KeyValue,
    LeaseTimeToLiveResponse,
    PutRequest,
    ResponseHeader,
    WatchResponse,
)

# -- granting -------------------------------------------------------------------------------------


def test_the_minimum_ttl_is_one_and_a_half_election_timeouts_rounded_up():
    assert MIN_LEASE_TTL == min_lease_ttl() == 2  # 15 ticks x 100 ms = 1.5 s -> 2 s
    assert min_lease_ttl(election_ticks=50) == 8  # 7.5 s -> 8 s
    assert min_lease_ttl(election_ticks=20, heartbeat_ms=50) == 2  # 1.5 s
    assert min_lease_ttl(election_ticks=10, heartbeat_ms=200) == 3  # exactly 3 s


@pytest.mark.parametrize(("asked", "granted"), [(-5, 2), (0, 2), (1, 2), (2, 2), (3, 3),
                                                (MAX_LEASE_TTL, MAX_LEASE_TTL)])
def test_a_short_ttl_is_raised_to_the_minimum(asked, granted):
    assert WatchableStore().lessor.grant(asked).ttl == granted


def test_a_ttl_above_the_maximum_is_refused():
    store = WatchableStore()
    with pytest.raises(LeaseTTLTooLargeError, match="^etcdserver: too large lease TTL$"):
        store.lessor.grant(MAX_LEASE_TTL + 1)
    assert store.lessor.leases() == []


def test_id_zero_takes_the_next_free_id_from_a_counter():
    lessor = WatchableStore().lessor
    assert [lessor.grant(10).id for _ in range(2)] == [1, 2]
    assert lessor.grant(10, 4).id == 4
    assert [lessor.grant(10).id for _ in range(2)] == [3, 5]


def test_an_id_in_use_is_refused():
    lessor = WatchableStore().lessor
    lessor.grant(10, 7)
    with pytest.raises(LeaseExistsError, match="^etcdserver: lease already exists$"):
        lessor.grant(60, 7)
    assert lessor.time_to_live(7, 0.0).granted_ttl == 10


@pytest.mark.parametrize("args", [("10",), (1.5,), (10, "7"), (True,)])
def test_a_ttl_or_id_that_is_not_an_integer_is_named(args):
    with pytest.raises(InvalidArgumentError, match="must be an integer"):
        WatchableStore().lessor.grant(*args)


# -- keys ------------------------------------------------------------------------------------------


@pytest.fixture
def leased() -> WatchableStore:
    """Lease 1 (TTL 10, granted at t=0) holds /b and /a; lease 2 (TTL 20) holds /c; /d has none."""
    store = WatchableStore()
    store.lessor.grant(10, 1, now=0.0)
    store.lessor.grant(20, 2, now=0.0)
    store.put("/b", "1", lease=1)  # 2
    store.put("/a", "1", lease=1)  # 3
    store.put("/c", "1", lease=2)  # 4
    store.put("/d", "1")  # 5
    return store


def keys_of(store: WatchableStore, lease_id: int) -> tuple[str, ...]:
    return store.lessor.time_to_live(lease_id, 0.0, keys=True).keys


def test_a_put_with_a_lease_attaches_the_key(leased):
    assert keys_of(leased, 1) == ("/a", "/b")
    assert leased.get("/a").lease == 1


def test_a_key_has_at_most_one_lease_and_a_put_without_one_detaches_it(leased):
    leased.put("/a", "2", lease=2)
    assert (keys_of(leased, 1), keys_of(leased, 2)) == (("/b",), ("/a", "/c"))
    leased.put("/a", "3")
    assert keys_of(leased, 2) == ("/c",)
    leased.put("/c", "", ignore_value=True, ignore_lease=True)
    assert keys_of(leased, 2) == ("/c",)


def test_a_deleted_key_leaves_its_lease(leased):
    leased.delete_range("/b")
    assert keys_of(leased, 1) == ("/a",)
    leased.txn([], [op_delete("/a")], [])
    assert keys_of(leased, 1) == ()


def test_a_put_with_an_unknown_lease_changes_nothing(leased):
    for attempt in (lambda: leased.put("/x", "1", lease=9),
                    lambda: leased.txn([], [PutRequest("/x", "1", lease=9)], [])):
        with pytest.raises(LeaseNotFoundError, match="^etcdserver: requested lease not found$"):
            attempt()
    assert leased.revision == 5 and leased.get("/x") is None


def test_a_lease_compare_reads_the_keys_lease(leased):
    assert leased.txn([Compare("/a", "lease", "=", 1), Compare("/d", "lease", "=", 0)],
                      [], []).succeeded
    assert not leased.txn([Compare("/c", "lease", "<", 2)], [], []).succeeded


# -- revoking -------------------------------------------------------------------------------------


def test_revoke_deletes_every_attached_key_in_one_revision(leased):
    heard: list[WatchResponse] = []
    leased.watch("/", "0", callback=heard.append, prev_kv=True)
    assert leased.lessor.revoke(1) == 6
    assert [kv.key for kv in leased.dump()] == ["/c", "/d"]
    [response] = heard
    assert response.revision == 6
    assert [(e.type, e.kv.key, e.kv.mod_revision) for e in response.events] == [
        ("DELETE", "/a", 6), ("DELETE", "/b", 6)]  # in key order, as etcd sorts them
    assert response.events[0].prev_kv == KeyValue("/a", "1", 3, 3, 1, 1)
    assert leased.lessor.leases() == [2]


def test_revoking_a_lease_without_keys_is_no_revision():
    store = WatchableStore()
    store.lessor.grant(10, 1)
    assert store.lessor.revoke(1) == 1
    assert store.revision == 1


def test_revoking_an_unknown_lease_is_not_found(leased):
    leased.lessor.revoke(1)
    with pytest.raises(LeaseNotFoundError, match="^etcdserver: requested lease not found$"):
        leased.lessor.revoke(1)
    assert leased.revision == 6


def test_a_key_moved_to_another_lease_survives_the_old_ones_revocation(leased):
    leased.put("/a", "2", lease=2)
    leased.lessor.revoke(1)
    assert [kv.key for kv in leased.dump()] == ["/a", "/c", "/d"]


# -- time ---------------------------------------------------------------------------------------


def test_time_to_live_counts_down_in_whole_seconds(leased):
    none = ResponseHeader()  # the member fills the header in as it answers
    assert leased.lessor.time_to_live(1, 0.0) == LeaseTimeToLiveResponse(none, 1, 10, 10)
    assert leased.lessor.time_to_live(1, 3.7).ttl == 6  # int64(Remaining().Seconds()) truncates
    assert leased.lessor.time_to_live(2, 5.0, keys=True) == LeaseTimeToLiveResponse(
        none, 2, 15, 20, ("/c",))


def test_time_to_live_of_an_unknown_lease_is_minus_one():
    unknown = WatchableStore().lessor.time_to_live(42, 0.0)
    assert unknown == LeaseTimeToLiveResponse(ResponseHeader(), 42, -1)


def test_keep_alive_restarts_the_countdown(leased):
    assert leased.lessor.keep_alive(1, 8.0) == 10
    assert leased.lessor.time_to_live(1, 8.0).ttl == 10
    assert leased.lessor.expire(12.0) == []
    assert leased.lessor.expire(18.0) == [1]


@pytest.mark.parametrize("now", [10.0, 11.0])
def test_an_expired_lease_cannot_be_kept_alive(leased, now):
    with pytest.raises(LeaseNotFoundError, match="^etcdserver: requested lease not found$"):
        leased.lessor.keep_alive(1, now)
    with pytest.raises(LeaseNotFoundError):
        leased.lessor.keep_alive(99, 0.0)


def test_expire_revokes_due_leases_earliest_first_each_in_its_own_revision(leased):
    assert leased.lessor.expired(9.9) == [] and leased.lessor.expire(9.9) == []
    assert leased.revision == 5
    assert leased.lessor.expire(25.0) == [1, 2]
    assert leased.revision == 7
    assert [kv.key for kv in leased.dump()] == ["/d"]
    assert leased.lessor.leases() == []


def test_leases_lists_soonest_expiry_first():
    lessor = WatchableStore().lessor
    lessor.grant(30, 1, now=0.0)
    lessor.grant(10, 2, now=0.0)
    lessor.grant(10, 3, now=0.0)
    assert lessor.leases() == [2, 3, 1]


def test_a_demoted_lessor_never_expires_and_a_promoted_one_restarts_every_countdown(leased):
    leased.lessor.demote()
    assert leased.lessor.expire(1000.0) == []
    assert leased.lessor.time_to_live(1, 1000.0).ttl == 10
    leased.lessor.promote(1000.0, extend=1.0)  # etcd extends by one election timeout
    assert leased.lessor.expired(1010.5) == []
    assert leased.lessor.expire(1011.0) == [1]


def test_restored_leases_wait_for_promotion(leased):
    copy = WatchableStore()
    copy.restore_snapshot(leased.snapshot())
    assert copy.lessor.expire(1000.0) == []
    copy.lessor.promote(1000.0)
    assert copy.lessor.expire(1020.0) == [1, 2]
    assert [kv.key for kv in copy.dump()] == ["/d"]


@given(ttls=st.lists(st.integers(-3, 50), min_size=1, max_size=6),
       now=st.floats(0, 100, allow_nan=False))
def test_exactly_the_leases_past_their_ttl_expire(ttls, now):
    store = WatchableStore()
    for i, ttl in enumerate(ttls):
        lease = store.lessor.grant(ttl, now=0.0)
        store.put(f"/k{i}", "v", lease=lease.id)
    due = [i + 1 for i, ttl in enumerate(ttls) if max(ttl, MIN_LEASE_TTL) <= now]
    assert sorted(store.lessor.expire(now)) == due
    assert sorted(kv.key for kv in store.dump()) == sorted(
        f"/k{i}" for i in range(len(ttls)) if i + 1 not in due)
    assert store.revision == 1 + len(ttls) + len(due)

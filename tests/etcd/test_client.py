"""The etcd client over the network: get, put, delete, txn, compact, and watches that replay then
follow."""

import hashlib

import pytest

from k8slab.etcd.client import CLIENT_TIMEOUT, EtcdClient, op_delete, op_get, op_put
from k8slab.etcd.errors import CompactedError, RequestTimeoutError
from k8slab.etcd.member import REQUEST_TIMEOUT, EtcdMember
from k8slab.etcd.membership import cluster_id, member_id
from k8slab.etcd.wire import Compare, PutRequest, ResponseHeader, WatchResponse
from k8slab.robustness.etcd_lab import EtcdLab
from k8slab.sim.errors import TimedOutError
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network


def watch(etcd, prefix: str, start: int):
    messages: list[WatchResponse] = []
    closed: list[str] = []
    stream = etcd.client().watch(prefix, start, messages.append, closed.append, prefix=True)
    return stream, messages, closed


def revisions(messages: list[WatchResponse]) -> list[tuple]:
    return [(e.type, e.kv.key, e.kv.mod_revision) for m in messages for e in m.events]


def test_a_get_with_prefix_reads_only_the_prefix(etcd):
    client = etcd.client()
    for key in ("/registry/pods/a", "/registry/pods/b", "/registry/podsecurity", "/x"):
        etcd.call(client.txn([], [op_put(key, "v")]))
    answer = etcd.call(client.get("/registry/pods/", prefix=True))
    assert [kv.key for kv in answer.kvs] == ["/registry/pods/a", "/registry/pods/b"]
    assert (answer.count, answer.revision) == (2, 5)


def test_txn_create_if_absent_over_the_wire(etcd):
    client = etcd.client()
    create = [Compare("/lock", "create", "=", 0)]
    first = etcd.call(client.txn(create, [op_put("/lock", "a")], [op_get("/lock")]))
    second = etcd.call(client.txn(create, [op_put("/lock", "b")], [op_get("/lock")]))
    assert (first.succeeded, first.revision) == (True, 2)
    assert (second.succeeded, second.revision) == (False, 2)
    assert second.responses[0].kvs[0].value == "a"


def test_put_get_and_delete_are_one_request_each(etcd):
    client = etcd.client()
    assert etcd.call(client.put("/p/a", "1")).revision == 2
    assert etcd.call(client.put("/p/b", "2")).revision == 3
    [kv] = etcd.call(client.get("/p/b")).kvs
    assert (kv.value, kv.mod_revision) == ("2", 3)
    assert etcd.call(client.get("/p/", prefix=True, keys_only=True)).kvs[0].value == ""
    deleted = etcd.call(client.delete("/p/", prefix=True))
    assert (deleted.revision, deleted.deleted) == (4, 2)
    applied = [(r.kind, r.obj) for r in etcd.sim.trace.where(component="etcd")
               if r.kind in ("put", "delete")]
    assert applied == [("put", "/p/a"), ("put", "/p/b"), ("delete", "/p/")]


def test_compact_over_the_wire(etcd):
    client = etcd.client()
    for i in range(3):
        etcd.call(client.txn([], [op_put("/a", str(i))]))
    assert etcd.call(client.compact(3)).revision == 4
    again = etcd.call(client.compact(3))
    assert isinstance(again, CompactedError)
    assert again.message == "etcdserver: mvcc: required revision has been compacted"


def test_a_watch_replays_from_its_start_revision_then_follows_in_order(etcd):
    client = etcd.client()
    etcd.call(client.txn([], [op_put("/p/a", "1")]))  # 2
    etcd.call(client.txn([], [op_put("/p/b", "1")]))  # 3
    etcd.call(client.txn([], [op_put("/q", "1")]))  # 4: outside the prefix
    etcd.call(client.txn([], [op_put("/p/a", "2")]))  # 5
    stream, messages, closed = watch(etcd, "/p/", 3)
    etcd.sim.run(0.01)
    assert revisions(messages) == [("PUT", "/p/b", 3), ("PUT", "/p/a", 5)]
    etcd.call(client.txn([], [op_delete("/p/b"), op_put("/p/c", "1")]))  # 6
    etcd.call(client.txn([], [op_put("/q", "2")]))  # 7: not for us
    etcd.call(client.txn([], [op_put("/p/a", "3")]))  # 8
    etcd.sim.run(0.01)
    assert revisions(messages[1:]) == [("DELETE", "/p/b", 6), ("PUT", "/p/c", 6),
                                       ("PUT", "/p/a", 8)]
    assert [m.revision for m in messages[1:]] == [6, 8]
    assert stream.open and closed == []


def test_a_watch_from_the_next_revision_sends_only_new_events(etcd):
    client = etcd.client()
    etcd.call(client.txn([], [op_put("/p/a", "1")]))  # 2
    _, messages, _ = watch(etcd, "/p/", 3)
    etcd.sim.run(0.01)
    assert messages == []
    etcd.call(client.txn([], [op_put("/p/a", "2")]))
    etcd.sim.run(0.01)
    assert revisions(messages) == [("PUT", "/p/a", 3)]


def test_a_watch_from_a_compacted_revision_is_canceled(etcd):
    client = etcd.client()
    for i in range(4):
        etcd.call(client.txn([], [op_put("/p/a", str(i))]))  # 2..5
    etcd.call(client.compact(4))
    stream, messages, closed = watch(etcd, "/p/", 3)
    etcd.sim.run(0.01)
    [canceled] = messages
    assert (canceled.compact_revision, canceled.canceled, canceled.events) == (4, True, [])
    assert canceled.err() == "etcdserver: mvcc: required revision has been compacted"
    assert closed == ["etcdserver: mvcc: required revision has been compacted"]
    assert not stream.open
    _, messages, closed = watch(etcd, "/p/", 4)  # the compact revision itself is still there
    etcd.sim.run(0.01)
    assert revisions(messages) == [("PUT", "/p/a", 4), ("PUT", "/p/a", 5)]
    assert closed == []


def test_a_watch_breaks_when_the_member_crashes(etcd):
    _, _, closed = watch(etcd, "/p/", 2)
    etcd.sim.run(0.01)
    etcd.network.crash("db")
    etcd.sim.run(0.01)
    assert closed == ["host crashed"]


def test_a_watch_on_a_restarted_member_follows_the_new_store(etcd):
    etcd.call(etcd.client().txn([], [op_put("/p/a", "1")]))  # 2
    etcd.restart_member()
    etcd.sim.run(2.0)
    _, messages, _ = watch(etcd, "/p/", 3)
    etcd.call(etcd.client().txn([], [op_put("/p/a", "2")]))
    etcd.sim.run(0.01)
    assert revisions(messages) == [("PUT", "/p/a", 3)]


# -- the range options, over the wire -----------------------------------------------------------


def _three_keys(etcd):
    client = etcd.client()
    for key, value in (("/a", "3"), ("/b", "1"), ("/c", "2"), ("/a", "1")):  # revisions 2..5
        etcd.call(client.put(key, value))
    return client


@pytest.mark.parametrize(("key", "options", "keys", "count", "more"), [
    ("", {"prefix": True}, ["/a", "/b", "/c"], 3, False),
    ("", {"from_key": True}, ["/a", "/b", "/c"], 3, False),
    ("/b", {"from_key": True}, ["/b", "/c"], 2, False),
    ("/a", {"range_end": "/c"}, ["/a", "/b"], 2, False),
    ("/", {"prefix": True, "limit": 1}, ["/a"], 3, True),
    ("/", {"prefix": True, "sort_target": "MOD", "sort_order": "DESCEND"},
     ["/a", "/c", "/b"], 3, False),
    ("/", {"prefix": True, "min_create_revision": 3, "max_mod_revision": 3}, ["/b"], 3, False),
    ("/", {"prefix": True, "count_only": True}, [], 3, False),
], ids=["every-key-by-prefix", "every-key-from-key", "from-key", "range-end", "limit-more",
        "sort", "revision-filters", "count-only"])
def test_get_options_reach_the_store(etcd, key, options, keys, count, more):
    client = _three_keys(etcd)
    answer = etcd.call(client.get(key, **options))
    assert ([kv.key for kv in answer.kvs], answer.count, answer.more) == (keys, count, more)


def test_get_at_a_revision_and_keys_only_over_the_wire(etcd):
    client = _three_keys(etcd)
    past = etcd.call(client.get("/a", revision=4, keys_only=True))
    assert [(kv.key, kv.value, kv.mod_revision) for kv in past.kvs] == [("/a", "", 2)]


def test_options_that_cannot_go_together_are_refused_before_sending(etcd):
    with pytest.raises(ValueError, match="at most one of prefix, from_key and range_end"):
        op_get("/a", prefix=True, range_end="/b")


def test_every_answer_carries_the_members_header(etcd):
    client = etcd.client()
    put = etcd.call(client.put("/a", "1"))
    member = etcd.member
    assert put.header == ResponseHeader(member.cluster_id, member.id, 2, member.raft.term)
    assert etcd.call(client.get("/a")).header == put.header
    status = etcd.call(client.status())
    assert (status.header.member_id, status.leader_id) == (member.id, member.id)


def test_member_and_cluster_ids_are_etcds_hashes_of_the_peer_urls():
    # membership/member.go computeMemberId: sha1("https://db:2380" + "etcd-cluster")[:8].
    digest = hashlib.sha1(b"https://db:2380etcd-cluster").digest()
    assert member_id("db") == int.from_bytes(digest[:8], "big")
    ids = [member_id(n) for n in ("m1", "m2", "m3")]
    packed = b"".join(i.to_bytes(8, "big") for i in sorted(ids))
    assert cluster_id(ids[::-1]) == int.from_bytes(hashlib.sha1(packed).digest()[:8], "big")


# -- put's and watch's prev_kv is opt-in --------------------------------------------------------


def test_put_and_delete_return_the_previous_version_only_when_asked(etcd):
    client = etcd.client()
    etcd.call(client.put("/a", "1"))
    assert etcd.call(client.put("/a", "2")).prev_kv is None
    previous = etcd.call(client.put("/a", "3", prev_kv=True)).prev_kv
    assert (previous.value, previous.mod_revision) == ("2", 3)
    deleted = etcd.call(client.delete("/a", prev_kv=True))
    assert [kv.value for kv in deleted.prev_kvs] == ["3"]


@pytest.mark.parametrize("prev_kv", [False, True], ids=["plain", "prev-kv"])
def test_a_watch_sends_prev_kv_only_when_the_watcher_asked(etcd, prev_kv):
    client = etcd.client()
    etcd.call(client.put("/p/a", "1"))  # 2
    messages: list[WatchResponse] = []
    client.watch("/p/a", 0, messages.append, lambda _: None, prev_kv=prev_kv)
    etcd.sim.run(0.01)
    etcd.call(client.put("/p/a", "2"))  # 3
    etcd.call(client.delete("/p/a"))  # 4
    etcd.sim.run(0.01)
    previous = [e.prev_kv.value if e.prev_kv else None for m in messages for e in m.events]
    assert previous == (["1", "2"] if prev_kv else [None, None])
    assert [m.header.member_id for m in messages] == [etcd.member.id] * 2


# -- leases ---------------------------------------------------------------------------------------


def test_lease_grant_answers_with_its_header(etcd):
    granted = etcd.call(etcd.client().lease_grant(60))
    member = etcd.member
    assert (granted.id, granted.ttl) == (1, 60)
    assert granted.header == ResponseHeader(member.cluster_id, member.id, 1, member.raft.term)


def test_lease_time_to_live_and_leases_over_the_wire(etcd):
    client = etcd.client()
    lease = etcd.call(client.lease_grant(60)).id
    other = etcd.call(client.lease_grant(10)).id
    etcd.call(client.put("/b", "1", lease=lease))
    etcd.call(client.put("/a", "1", lease=lease))
    etcd.sim.run(5.5)
    ttl = etcd.call(client.lease_time_to_live(lease))
    assert (ttl.id, ttl.ttl, ttl.granted_ttl, ttl.keys) == (lease, 54, 60, ())
    with_keys = etcd.call(client.lease_time_to_live(lease, keys=True))
    assert with_keys.keys == ("/a", "/b")
    assert etcd.call(client.lease_time_to_live(99)).ttl == -1  # unknown: TTL -1, no error
    listed = etcd.call(client.leases())
    assert [status.id for status in listed.leases] == [other, lease]  # soonest expiry first
    assert listed.header.member_id == etcd.member.id
    kept = etcd.call(client.lease_keep_alive(lease))
    assert (kept.id, kept.ttl) == (lease, 60)
    etcd.call(client.lease_revoke(lease))
    assert etcd.call(client.get("/", prefix=True)).kvs == []


# -- deadlines ------------------------------------------------------------------------------------


def test_a_write_without_a_leader_times_out_exactly_at_the_request_timeout():
    sim = Simulation(1)
    network = Network(sim)
    db = network.add_host("db")
    db.start()
    for name in ("gone-1", "gone-2"):  # the other two members never came up
        network.add_host(name)
    member = EtcdMember(db.group("etcd"), "db", ["db", "gone-1", "gone-2"])
    member.start()
    sim.run(0.35)
    start = sim.now
    with pytest.raises(RequestTimeoutError, match="^etcdserver: request timed out$"):
        sim.run_process(db.group("call").spawn(member.serve(PutRequest("/a", "1"))), 30.0)
    assert sim.now - start == pytest.approx(REQUEST_TIMEOUT, abs=1e-9)


def test_a_clients_deadline_covers_its_retries_on_every_endpoint(etcd):
    for name in ("gone-1", "gone-2"):
        etcd.network.add_host(name).start()
        etcd.network.crash(name)
    client = EtcdClient(etcd.app.group("client"), ["gone-1", "gone-2", "db"])
    start = etcd.sim.now
    answer = etcd.call(client.get("/a"))
    assert isinstance(answer, TimedOutError)
    assert etcd.sim.now - start == pytest.approx(CLIENT_TIMEOUT, abs=1e-9)


def test_member_list_names_every_member_with_its_urls():
    lab = EtcdLab(3, seed=1)
    lab.sim.run(3.0)
    answer = lab.sim.run_process(lab.network.host("client").group("ml").spawn(
        EtcdClient(lab.network.host("client").group("ml"), "etcd-2").member_list()), 10.0)
    assert [(m.name, m.peer_urls, m.client_urls) for m in answer.members] == sorted(
        [(n, (f"https://{n}:2380",), (f"https://{n}:2379",)) for n in lab.names],
        key=lambda row: member_id(row[0]))
    assert answer.header.member_id == member_id("etcd-2")

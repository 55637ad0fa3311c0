"""The etcd client over the network: get, put, delete, txn, compact, and watches that replay then
follow."""

from k8slab.etcd.client import op_delete, op_get, op_put
from k8slab.etcd.errors import CompactedError
from k8slab.etcd.wire import CompactionResponse, Compare, WatchResponse


def watch(etcd, prefix: str, start: int):
    messages: list[WatchResponse] = []
    closed: list[str] = []
    stream = etcd.client().watch(prefix, start, messages.append, closed.append)
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
    assert etcd.call(client.compact(3)) == CompactionResponse(4)
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
    assert messages == [WatchResponse(0, 0, [], compact_revision=4, canceled=True)]
    assert closed == ["watch canceled: revision compacted"]
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

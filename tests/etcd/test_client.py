"""The etcd client over the network: range, txn, compact, and watches that replay then follow."""

from k8slab.errors import GoneError
from k8slab.etcd.mvcc import Compare


def put(key, value):
    return ("put", key, value)


def watch(etcd, prefix: str, start: int):
    messages: list[dict] = []
    closed: list[str] = []
    stream = etcd.client().watch(prefix, start, messages.append, closed.append)
    return stream, messages, closed


def revisions(messages: list[dict]) -> list[tuple]:
    return [(e.type, e.kv.key, e.kv.mod_revision) for m in messages for e in m["events"]]


def test_range_prefix_reads_only_the_prefix(etcd):
    client = etcd.client()
    for key in ("/registry/pods/a", "/registry/pods/b", "/registry/podsecurity", "/x"):
        etcd.call(client.txn([], [put(key, "v")]))
    answer = etcd.call(client.range_prefix("/registry/pods/"))
    assert [kv.key for kv in answer["kvs"]] == ["/registry/pods/a", "/registry/pods/b"]
    assert (answer["count"], answer["revision"]) == (2, 5)


def test_txn_create_if_absent_over_the_wire(etcd):
    client = etcd.client()
    create = [Compare("/lock", "create", "=", 0)]
    first = etcd.call(client.txn(create, [put("/lock", "a")], [("range", "/lock")]))
    second = etcd.call(client.txn(create, [put("/lock", "b")], [("range", "/lock")]))
    assert (first.succeeded, first.revision) == (True, 2)
    assert (second.succeeded, second.revision) == (False, 2)
    assert second.results[0][0].value == "a"


def test_compact_over_the_wire(etcd):
    client = etcd.client()
    for i in range(3):
        etcd.call(client.txn([], [put("/a", str(i))]))
    assert etcd.call(client.compact(3)) == 4
    again = etcd.call(client.compact(3))
    assert isinstance(again, GoneError)
    assert again.message == "mvcc: required revision has been compacted"


def test_a_watch_replays_from_its_start_revision_then_follows_in_order(etcd):
    client = etcd.client()
    etcd.call(client.txn([], [put("/p/a", "1")]))  # 2
    etcd.call(client.txn([], [put("/p/b", "1")]))  # 3
    etcd.call(client.txn([], [put("/q", "1")]))  # 4: outside the prefix
    etcd.call(client.txn([], [put("/p/a", "2")]))  # 5
    stream, messages, closed = watch(etcd, "/p/", 3)
    etcd.sim.run(0.01)
    assert revisions(messages) == [("PUT", "/p/b", 3), ("PUT", "/p/a", 5)]
    etcd.call(client.txn([], [("delete", "/p/b"), put("/p/c", "1")]))  # 6
    etcd.call(client.txn([], [put("/q", "2")]))  # 7: not for us
    etcd.call(client.txn([], [put("/p/a", "3")]))  # 8
    etcd.sim.run(0.01)
    assert revisions(messages[1:]) == [("DELETE", "/p/b", 6), ("PUT", "/p/c", 6),
                                       ("PUT", "/p/a", 8)]
    assert [m["revision"] for m in messages[1:]] == [6, 8]
    assert stream.open and closed == []


def test_a_watch_from_the_next_revision_sends_only_new_events(etcd):
    client = etcd.client()
    etcd.call(client.txn([], [put("/p/a", "1")]))  # 2
    _, messages, _ = watch(etcd, "/p/", 3)
    etcd.sim.run(0.01)
    assert messages == []
    etcd.call(client.txn([], [put("/p/a", "2")]))
    etcd.sim.run(0.01)
    assert revisions(messages) == [("PUT", "/p/a", 3)]


def test_a_watch_from_a_compacted_revision_is_canceled(etcd):
    client = etcd.client()
    for i in range(4):
        etcd.call(client.txn([], [put("/p/a", str(i))]))  # 2..5
    etcd.call(client.compact(4))
    stream, messages, closed = watch(etcd, "/p/", 3)
    etcd.sim.run(0.01)
    assert messages == [{"canceled": True, "compact_revision": 4}]
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
    etcd.call(etcd.client().txn([], [put("/p/a", "1")]))  # 2
    etcd.restart_member()
    etcd.sim.run(2.0)
    _, messages, _ = watch(etcd, "/p/", 3)
    etcd.call(etcd.client().txn([], [put("/p/a", "2")]))
    etcd.sim.run(0.01)
    assert revisions(messages) == [("PUT", "/p/a", 3)]

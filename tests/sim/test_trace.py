"""The trace: every record in order, indexed by object and by component."""

from k8slab.sim.trace import Trace


def sample() -> Trace:
    trace = Trace()
    trace.record(0.0, "cp", "etcd", "txn", "/registry/pods/default/web", revision=2)
    trace.record(0.1, "cp", "apiserver", "create", "pod/default/web", user="admin")
    trace.record(0.2, "worker-1", "kubelet", "sync", "pod/default/web")
    trace.record(0.3, "cp", "apiserver", "create", "pod/default/db", user="admin")
    trace.record(0.4, "cp", "etcd", "txn", "/registry/pods/default/db", revision=3)
    return trace


def test_records_are_numbered_in_the_order_they_happened():
    trace = sample()
    assert len(trace) == 5
    assert [rec.seq for rec in trace] == [0, 1, 2, 3, 4]
    assert trace[3].obj == "pod/default/db"


def test_about_one_object_lists_its_records_in_order():
    assert [(r.component, r.kind) for r in sample().about("pod/default/web")] == [
        ("apiserver", "create"),
        ("kubelet", "sync"),
    ]


def test_about_several_objects_merges_them_in_time_order():
    trace = sample()
    merged = trace.about("/registry/pods/default/db", "pod/default/web", "pod/default/db")
    assert [r.seq for r in merged] == [1, 2, 3, 4]
    assert trace.about("pod/default/nothing") == []


def test_about_returns_a_copy():
    trace = sample()
    trace.about("pod/default/web").clear()
    assert len(trace.about("pod/default/web")) == 2


def test_by_component_and_components():
    trace = sample()
    assert [r.seq for r in trace.by_component("etcd")] == [0, 4]
    assert trace.by_component("scheduler") == []
    assert trace.components() == ["etcd", "apiserver", "kubelet"]


def test_where_matches_every_given_field():
    trace = sample()
    assert [r.seq for r in trace.where(host="cp", kind="create")] == [1, 3]
    assert [r.seq for r in trace.where(host="worker-1")] == [2]
    assert trace.where(host="cp", component="kubelet") == []
    assert len(trace.where()) == 5


def test_since_is_exclusive():
    assert [r.seq for r in sample().since(2)] == [3, 4]


def test_row_flattens_details_and_rounds_the_time():
    trace = Trace()
    rec = trace.record(1.23456789, "cp", "etcd", "txn", "/k", revision=7)
    assert rec.row() == {"time": 1.234568, "host": "cp", "component": "etcd", "kind": "txn",
                         "object": "/k", "revision": 7}

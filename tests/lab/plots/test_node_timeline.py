"""The node timeline picks, out of the whole trace, exactly the records of one node's story:
its power, its Lease renewals, the node controller's verdicts, its pods' eviction and deletion,
their replacements and where those were placed."""

from k8slab.lab.plots.node_timeline import (
    last_crash,
    node_moments,
    node_timeline_svg,
    timeline_rows,
)
from k8slab.sim.trace import Trace
from tests.lab.widgets.chart import font_sizes, texts, tips

KCM = "kube-controller-manager"


def story() -> Trace:
    """worker-2 runs web-a; it dies at 100 s; the cluster notices and replaces web-a by web-b.
    worker-1's records are noise the timeline must leave out."""
    t = Trace()
    t.record(10, "control-plane", "scheduler", "Scheduled", "pod/default/web-a", node="worker-2")
    t.record(10, "control-plane", "scheduler", "Scheduled", "pod/default/web-z", node="worker-1")
    t.record(11, "worker-2", "kubelet", "SyncPod", "pod/default/web-a")
    t.record(11, "worker-2", "kubelet", "SyncPod", "pod/default/web-old")
    # a rollout deleted web-old from worker-2 before the crash: not part of the node's story
    t.record(80, "control-plane", "apiserver", "delete", "pod/default/web-old",
             user="system:kube-controller-manager")
    for time in (75, 85, 95):
        t.record(time, "worker-2", "kubelet", "RenewLease", "lease/kube-node-lease/worker-2")
        t.record(time, "worker-1", "kubelet", "RenewLease", "lease/kube-node-lease/worker-1")
    t.record(100, "worker-2", "host", "crash", "worker-2")
    t.record(150, "control-plane", KCM, "NodeNotReady", "node/worker-2", type="Normal",
             message="Node worker-2 status is now: NodeNotReady", controller="node-controller")
    t.record(150, "control-plane", KCM, "NodeNotReady", "pod/default/web-a", type="Warning",
             message="Node is not ready", controller="node-controller")
    t.record(450, "control-plane", KCM, "TaintManagerEviction", "pod/default/web-a",
             type="Normal", message="Marking for deletion Pod default/web-a",
             controller="taint-eviction-controller")
    t.record(450, "control-plane", KCM, "TaintManagerEviction", "pod/default/web-z",
             type="Normal", message="Marking for deletion Pod default/web-z")
    t.record(450, "control-plane", "apiserver", "delete", "pod/default/web-a",
             user="system:kube-controller-manager")
    t.record(451, "control-plane", KCM, "SuccessfulCreate", "replicaset/default/web-5d",
             type="Normal", message="Created pod: web-b", controller="replicaset-controller")
    t.record(451, "control-plane", "scheduler", "Scheduled", "pod/default/web-b", node="worker-1")
    return t


def test_the_story_of_the_dead_node_in_order():
    moments = node_moments(story(), "worker-2")
    assert [(m.time, m.lane, m.kind, m.obj) for m in moments] == [
        (75, "lease", "RenewLease", "lease/kube-node-lease/worker-2"),
        (85, "lease", "RenewLease", "lease/kube-node-lease/worker-2"),
        (95, "lease", "RenewLease", "lease/kube-node-lease/worker-2"),
        (100, "host", "crash", "worker-2"),
        (150, "node", "NodeNotReady", "node/worker-2"),
        (450, "evicted", "TaintManagerEviction", "pod/default/web-a"),
        (450, "deleted", "delete", "pod/default/web-a"),
        (451, "created", "SuccessfulCreate", "replicaset/default/web-5d"),
        (451, "scheduled", "Scheduled", "pod/default/web-b"),
    ]
    assert moments[-2].detail == "pod/default/web-b" and moments[-1].detail == "worker-1"


def test_it_starts_thirty_seconds_before_the_crash_unless_told():
    assert last_crash(story(), "worker-2") == 100
    assert last_crash(story(), "worker-1") is None
    assert node_moments(story(), "worker-2")[0].time == 75
    assert node_moments(story(), "worker-2", since=90)[0].time == 95


def test_the_table_leaves_lease_renewals_out_unless_asked():
    rows = timeline_rows(node_moments(story(), "worker-2"))
    assert [row["kind"] for row in rows] == ["crash", "NodeNotReady", "TaintManagerEviction",
                                             "delete", "SuccessfulCreate", "Scheduled"]
    assert rows[1] == {"time": 150, "lane": "node lifecycle: the Node", "kind": "NodeNotReady",
                       "object": "node/worker-2",
                       "detail": "Node worker-2 status is now: NodeNotReady"}
    assert len(timeline_rows(node_moments(story(), "worker-2"), renewals=True)) == 9


def test_the_picture_labels_each_lane_and_the_first_of_each_kind_with_its_time():
    markup = node_timeline_svg(node_moments(story(), "worker-2"), "worker-2 dies")
    drawn = texts(markup)
    assert "kubelet: Lease renewed" in drawn and "scheduler: new pods placed" in drawn
    assert "TaintManagerEviction at 450.0 s" in drawn
    assert "NodeNotReady at 150.0 s" in drawn
    assert "RenewLease at 75.0 s" not in drawn  # renewals are marks, not labels
    assert len(tips(markup)) == 9
    assert min(font_sizes(markup)) >= 12


def test_an_empty_story_says_so():
    assert "nothing recorded about this node yet" in texts(node_timeline_svg([], "x"))


def test_kinds_that_come_together_share_a_label_and_repeats_are_counted():
    from k8slab.lab.plots.node_timeline import Moment, lane_labels

    moments = [Moment(155, "node", "NodeStatusUnknown", "node/w"),
               Moment(155.2, "node", "NodeNotReady", "node/w"),
               Moment(300, "node", "NoExecuteTaintAdded", "node/w"),
               Moment(301, "node", "NoExecuteTaintAdded", "node/w")]
    assert lane_labels(moments, 5) == [(155, "NodeStatusUnknown, NodeNotReady at 155.0 s"),
                                       (300, "NoExecuteTaintAdded ×2 at 300.0 s")]

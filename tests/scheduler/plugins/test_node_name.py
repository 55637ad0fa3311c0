from k8slab.scheduler.framework.interface import UNRESOLVABLE
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.plugins.node_name import ERR_REASON, NodeName


def test_pod_without_node_name_fits_any_node(make_pod, make_node, filter_status):
    assert filter_status(NodeName(), make_pod("p"), NodeInfo(make_node("foo"))) is None


def test_pod_naming_this_node_fits(make_pod, make_node, filter_status):
    pod = make_pod("p", node_name="foo")
    assert filter_status(NodeName(), pod, NodeInfo(make_node("foo"))) is None


def test_pod_naming_another_node_does_not_fit_and_preemption_cannot_help(
    make_pod, make_node, filter_status
):
    status = filter_status(NodeName(), make_pod("p", node_name="bar"), NodeInfo(make_node("foo")))
    assert (status.code, status.reasons, status.plugin) == (UNRESOLVABLE, (ERR_REASON,), "NodeName")


def test_reason_is_upstreams():
    # kk pkg/scheduler/framework/plugins/nodename/node_name.go ErrReason
    assert ERR_REASON == "node(s) didn't match the requested node name"


def test_node_name_only_filters():
    assert NodeName().extension_points() == ("filter",)

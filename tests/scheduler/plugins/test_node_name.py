"""NodeName against kk .../nodename/node_name_test.go (TestNodeName)."""

import pytest

from k8slab.scheduler.framework.interface import UNRESOLVABLE
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.plugins.node_name import ERR_REASON, NodeName

# TestNodeName: (name, the pod's spec.nodeName, the node's name, fits). Preemption cannot change a
# node's name, so a rejection is UnschedulableAndUnresolvable.
CASES = [
    ("no host specified", None, "foo", True),
    ("host matches", "foo", "foo", True),
    ("host doesn't match", "bar", "foo", False),
]


@pytest.mark.parametrize(
    ("node_name", "node", "fits"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_filter(make_pod, make_node, filter_status, node_name, node, fits):
    status = filter_status(
        NodeName(), make_pod("p", node_name=node_name), NodeInfo(make_node(node))
    )
    if fits:
        assert status is None
    else:
        assert (status.code, status.reasons, status.plugin) == (
            UNRESOLVABLE,
            (ERR_REASON,),
            "NodeName",
        )


def test_reason_is_upstreams():
    # kk pkg/scheduler/framework/plugins/nodename/node_name.go ErrReason
    assert ERR_REASON == "node(s) didn't match the requested node name"


def test_node_name_only_filters():
    assert NodeName().extension_points() == ("filter",)

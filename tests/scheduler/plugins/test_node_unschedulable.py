import pytest

from k8slab.scheduler.framework.interface import UNRESOLVABLE
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.plugins.node_unschedulable import ERR_REASON_UNSCHEDULABLE, NodeUnschedulable

UNSCHEDULABLE_TOLERATION = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}


@pytest.mark.parametrize(
    ("unschedulable", "tolerations", "rejected"),
    [
        # the cases of kk .../nodeunschedulable/node_unschedulable_test.go
        (True, [], True),
        (False, [], False),
        (True, [UNSCHEDULABLE_TOLERATION], False),
        # and the toleration rules they rely on
        (True, [{"operator": "Exists"}], False),
        (True, [{"key": "node.kubernetes.io/unschedulable", "operator": "Exists"}], False),
        (True, [{**UNSCHEDULABLE_TOLERATION, "effect": "NoExecute"}], True),
        (True, [{"key": "other", "operator": "Exists"}], True),
    ],
)
def test_cordoned_nodes_are_rejected_unless_tolerated(
    make_pod, make_node, filter_status, unschedulable, tolerations, rejected
):
    node = NodeInfo(make_node("n1", unschedulable=unschedulable))
    status = filter_status(NodeUnschedulable(), make_pod("p", tolerations=tolerations), node)
    if not rejected:
        assert status is None
    else:
        assert (status.code, status.reasons) == (UNRESOLVABLE, (ERR_REASON_UNSCHEDULABLE,))


def test_reason_is_upstreams():
    assert ERR_REASON_UNSCHEDULABLE == "node(s) were unschedulable"

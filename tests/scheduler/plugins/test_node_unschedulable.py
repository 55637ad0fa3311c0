import pytest

from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.plugins.node_unschedulable import ERR_REASON_UNSCHEDULABLE, NodeUnschedulable

UNSCHEDULABLE_TOLERATION = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}


@pytest.mark.parametrize(
    ("unschedulable", "tolerations", "expected"),
    [
        # the cases of kk .../nodeunschedulable/node_unschedulable_test.go
        (True, [], ERR_REASON_UNSCHEDULABLE),
        (False, [], None),
        (True, [UNSCHEDULABLE_TOLERATION], None),
        # and the toleration rules they rely on
        (True, [{"operator": "Exists"}], None),
        (True, [{"key": "node.kubernetes.io/unschedulable", "operator": "Exists"}], None),
        (True, [{**UNSCHEDULABLE_TOLERATION, "effect": "NoExecute"}], ERR_REASON_UNSCHEDULABLE),
        (True, [{"key": "other", "operator": "Exists"}], ERR_REASON_UNSCHEDULABLE),
    ],
)
def test_cordoned_nodes_are_rejected_unless_tolerated(
    make_pod, make_node, unschedulable, tolerations, expected
):
    node = NodeInfo(make_node("n1", unschedulable=unschedulable))
    assert NodeUnschedulable().filter(make_pod("p", tolerations=tolerations), node) == expected


def test_reason_is_upstreams():
    assert ERR_REASON_UNSCHEDULABLE == "node(s) were unschedulable"

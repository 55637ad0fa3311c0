"""NodeUnschedulable against kk .../nodeunschedulable/node_unschedulable_test.go."""

import pytest

from k8slab.scheduler.framework.interface import UNRESOLVABLE
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.plugins.node_unschedulable import ERR_REASON_UNSCHEDULABLE, NodeUnschedulable

UNSCHEDULABLE_TOLERATION = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}


# TestNodeUnschedulable (node_unschedulable_test.go), then the toleration rules its cases rely on:
# (name, spec.unschedulable, the pod's tolerations, rejected).
CASES = [
    ("Does not schedule pod to unschedulable node (node.Spec.Unschedulable==true)", True, [], True),
    ("Schedule pod to normal node", False, [], False),
    (
        "Schedule pod with toleration to unschedulable node (node.Spec.Unschedulable==true)",
        True,
        [UNSCHEDULABLE_TOLERATION],
        False,
    ),
    ("k8slab: a toleration of every taint", True, [{"operator": "Exists"}], False),
    (
        "k8slab: Exists on the key, any effect",
        True,
        [{"key": "node.kubernetes.io/unschedulable", "operator": "Exists"}],
        False,
    ),
    (
        "k8slab: the right key with another effect",
        True,
        [{**UNSCHEDULABLE_TOLERATION, "effect": "NoExecute"}],
        True,
    ),
    ("k8slab: another key", True, [{"key": "other", "operator": "Exists"}], True),
]


@pytest.mark.parametrize(
    ("unschedulable", "tolerations", "rejected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
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

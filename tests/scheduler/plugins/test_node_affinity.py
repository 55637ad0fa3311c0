"""NodeAffinity against the cases of kk .../nodeaffinity/node_affinity_test.go."""

import pytest

from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.interface import UNRESOLVABLE, PreFilterResult, as_status
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.plugins.node_affinity import (
    ERR_REASON_CONFLICT,
    ERR_REASON_ENFORCED,
    ERR_REASON_POD,
    NodeAffinity,
)

REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"


def expr(key, operator, *values):
    return {"key": key, "operator": operator, "values": list(values)}


def node_with(make_node, labels, name="node1"):
    return NodeInfo(make_node(name, labels=labels))


def term(*expressions, names=()):
    """A nodeSelectorTerm: these matchExpressions, and a matchFields metadata.name In per name."""
    result: dict = {}
    if expressions:
        result["matchExpressions"] = list(expressions)
    if names:
        result["matchFields"] = [
            {"key": "metadata.name", "operator": "In", "values": [name]} for name in names
        ]
    return result


def required_terms(*terms):
    """spec.affinity whose required node affinity has these nodeSelectorTerms."""
    return {"nodeAffinity": {REQUIRED: {"nodeSelectorTerms": list(terms)}}}


IN_FOO_BAR = expr("foo", "In", "bar", "value2")
GPU_EXISTS = expr("GPU", "Exists")
ADDED_NODE2 = {REQUIRED: {"nodeSelectorTerms": [term(names=["node2"])]}}
ADDED_ZONE_BAR = {REQUIRED: {"nodeSelectorTerms": [term(expr("zone", "In", "bar"))]}}

# TestNodeAffinity (node_affinity_test.go): (name, spec.nodeSelector, spec.affinity, the node's
# name and labels, the profile's addedAffinity, whether PreFilter runs, the rejection reason or
# None). Upstream's "Pod with an invalid value in Affinity term won't be scheduled onto the node"
# is left out: k8slab does not check a label value's syntax (the API server's job).
FILTER_CASES = [
    ("missing labels", {"foo": "bar"}, {}, "node1", {}, None, True, ERR_REASON_POD),
    ("same labels", {"foo": "bar"}, {}, "node1", {"foo": "bar"}, None, True, None),
    (
        "node labels are superset",
        {"foo": "bar"},
        {},
        "node1",
        {"foo": "bar", "baz": "blah"},
        None,
        True,
        None,
    ),
    (
        "node labels are subset",
        {"foo": "bar", "baz": "blah"},
        {},
        "node1",
        {"foo": "bar"},
        None,
        True,
        ERR_REASON_POD,
    ),
    (
        "Pod with matchExpressions using In operator that matches the existing node",
        {},
        required_terms(term(IN_FOO_BAR)),
        "node1",
        {"foo": "bar"},
        None,
        True,
        None,
    ),
    (
        "Pod with matchExpressions using Gt operator that matches the existing node",
        {},
        required_terms(term(expr("kernel-version", "Gt", "0204"))),
        "node1",
        {"kernel-version": "0206"},
        None,
        True,
        None,
    ),
    (
        "Pod with matchExpressions using NotIn operator that matches the existing node",
        {},
        required_terms(term(expr("mem-type", "NotIn", "DDR", "DDR2"))),
        "node1",
        {"mem-type": "DDR3"},
        None,
        True,
        None,
    ),
    (
        "Pod with matchExpressions using Exists operator that matches the existing node",
        {},
        required_terms(term(GPU_EXISTS)),
        "node1",
        {"GPU": "NVIDIA-GRID-K1"},
        None,
        True,
        None,
    ),
    (
        "Pod with affinity that don't match node's labels won't schedule onto the node",
        {},
        required_terms(term(expr("foo", "In", "value1", "value2"))),
        "node1",
        {"foo": "bar"},
        None,
        True,
        ERR_REASON_POD,
    ),
    (
        "Pod with empty MatchExpressions is not a valid value will match no objects and won't "
        "schedule onto the node",
        {},
        required_terms({"matchExpressions": []}),
        "node1",
        {"foo": "bar"},
        None,
        True,
        ERR_REASON_POD,
    ),
    (
        "Pod with no Affinity will schedule onto a node",
        {},
        {},
        "node1",
        {"foo": "bar"},
        None,
        True,
        None,
    ),
    (
        "Pod with Affinity but nil NodeSelector will schedule onto a node",
        {},
        {"nodeAffinity": {}},
        "node1",
        {"foo": "bar"},
        None,
        True,
        None,
    ),
    (
        "Pod with multiple matchExpressions ANDed that matches the existing node",
        {},
        required_terms(term(GPU_EXISTS, expr("GPU", "NotIn", "AMD", "INTER"))),
        "node1",
        {"GPU": "NVIDIA-GRID-K1"},
        None,
        True,
        None,
    ),
    (
        "Pod with multiple matchExpressions ANDed that doesn't match the existing node",
        {},
        required_terms(term(GPU_EXISTS, expr("GPU", "In", "AMD", "INTER"))),
        "node1",
        {"GPU": "NVIDIA-GRID-K1"},
        None,
        True,
        ERR_REASON_POD,
    ),
    (
        "Pod with multiple NodeSelectorTerms ORed in affinity, matches the node's labels and will "
        "schedule onto the node",
        {},
        required_terms(term(IN_FOO_BAR), term(expr("diffkey", "In", "wrong", "value2"))),
        "node1",
        {"foo": "bar"},
        None,
        True,
        None,
    ),
    (
        "Pod with an Affinity and a PodSpec.NodeSelector(the old thing that we are deprecating) "
        "both are satisfied, will schedule onto the node",
        {"foo": "bar"},
        required_terms(term(expr("foo", "Exists"))),
        "node1",
        {"foo": "bar"},
        None,
        True,
        None,
    ),
    (
        "Pod with an Affinity matches node's labels but the PodSpec.NodeSelector(the old thing "
        "that we are deprecating) is not satisfied, won't schedule onto the node",
        {"foo": "bar"},
        required_terms(term(expr("foo", "Exists"))),
        "node1",
        {"foo": "barrrrrr"},
        None,
        True,
        ERR_REASON_POD,
    ),
    (
        "Pod with matchFields using In operator that matches the existing node",
        {},
        required_terms(term(names=["node1"])),
        "node1",
        {},
        None,
        True,
        None,
    ),
    (
        "Pod with matchFields using In operator that does not match the existing node",
        {},
        required_terms(term(names=["node1"])),
        "node2",
        {},
        None,
        True,
        ERR_REASON_POD,
    ),
    (
        "Pod with two terms: matchFields does not match, but matchExpressions matches",
        {},
        required_terms(term(names=["node1", "node2"]), term(expr("foo", "In", "bar"))),
        "node2",
        {"foo": "bar"},
        None,
        True,
        None,
    ),
    (
        "Pod with one term: matchFields does not match, but matchExpressions matches",
        {},
        required_terms(term(expr("foo", "In", "bar"), names=["node1"])),
        "node2",
        {"foo": "bar"},
        None,
        True,
        ERR_REASON_POD,
    ),
    (
        "Pod with one term: both matchFields and matchExpressions match",
        {},
        required_terms(term(expr("foo", "In", "bar"), names=["node1"])),
        "node1",
        {"foo": "bar"},
        None,
        True,
        None,
    ),
    (
        "Pod with two terms: both matchFields and matchExpressions do not match",
        {},
        required_terms(term(names=["node1"]), term(expr("foo", "In", "not-match-to-bar"))),
        "node2",
        {"foo": "bar"},
        None,
        True,
        ERR_REASON_POD,
    ),
    (
        "Pod with two terms of node.Name affinity",
        {},
        required_terms(term(names=["node1"]), term(names=["node2"])),
        "node2",
        {},
        None,
        True,
        None,
    ),
    (
        "Pod with two conflicting mach field requirements",
        {},
        required_terms(term(names=["node1", "node2"])),
        "node2",
        {"foo": "bar"},
        None,
        True,
        ERR_REASON_CONFLICT,
    ),
    (
        "Matches added affinity and Pod's node affinity",
        {},
        required_terms(term(expr("zone", "In", "foo"))),
        "node2",
        {"zone": "foo"},
        ADDED_NODE2,
        True,
        None,
    ),
    (
        "Matches added affinity but not Pod's node affinity",
        {},
        required_terms(term(expr("zone", "In", "bar"))),
        "node2",
        {"zone": "foo"},
        ADDED_NODE2,
        True,
        ERR_REASON_POD,
    ),
    (
        "Doesn't match added affinity",
        {},
        {},
        "node2",
        {"zone": "foo"},
        ADDED_ZONE_BAR,
        True,
        ERR_REASON_ENFORCED,
    ),
    (
        "Matches node selector correctly even if PreFilter is not called",
        {"foo": "bar"},
        {},
        "node1",
        {"foo": "bar", "baz": "blah"},
        None,
        False,
        None,
    ),
    (
        "Matches node affinity correctly even if PreFilter is not called",
        {},
        required_terms(term(GPU_EXISTS, expr("GPU", "NotIn", "AMD", "INTER"))),
        "node1",
        {"GPU": "NVIDIA-GRID-K1"},
        None,
        False,
        None,
    ),
]


@pytest.mark.parametrize(
    ("selector", "affinity", "node", "labels", "added", "pre_filter", "reason"),
    [case[1:] for case in FILTER_CASES],
    ids=[case[0] for case in FILTER_CASES],
)
def test_filter(
    make_pod, make_node, filter_status, selector, affinity, node, labels, added, pre_filter, reason
):
    spec = {}
    if selector:
        spec["nodeSelector"] = selector
    if affinity:
        spec["affinity"] = affinity
    plugin, pod, info = (
        NodeAffinity(added),
        make_pod("p", **spec),
        node_with(make_node, labels, node),
    )
    if pre_filter:
        status = filter_status(plugin, pod, info)
    else:
        status = as_status(plugin.filter(CycleState(), pod, info), plugin.name)
    if reason is None:
        assert status is None
    else:
        assert (status.code, status.reasons) == (UNRESOLVABLE, (reason,))


def test_reasons_are_upstreams():
    assert ERR_REASON_POD == "node(s) didn't match Pod's node affinity/selector"
    assert ERR_REASON_CONFLICT == "pod affinity terms conflict"


def test_match_fields_by_name_narrow_the_search_in_pre_filter(make_pod, make_node):
    terms = [term(names=["node1"]), term(names=["node2"])]
    pod = make_pod("p", affinity={"nodeAffinity": {REQUIRED: {"nodeSelectorTerms": terms}}})
    result = NodeAffinity().pre_filter(CycleState(), pod, [])
    assert result == PreFilterResult(frozenset({"node1", "node2"}))


def test_names_that_cannot_all_hold_are_a_conflict(make_pod):
    pod = make_pod(
        "p",
        affinity={
            "nodeAffinity": {REQUIRED: {"nodeSelectorTerms": [term(names=["node1", "node2"])]}}
        },
    )
    status = NodeAffinity().pre_filter(CycleState(), pod, [])
    assert (status.code, status.reasons) == (UNRESOLVABLE, (ERR_REASON_CONFLICT,))


def test_a_term_without_names_lets_every_node_through(make_pod):
    terms = [term(names=["node1"]), term(expr("zone", "Exists"))]
    pod = make_pod("p", affinity={"nodeAffinity": {REQUIRED: {"nodeSelectorTerms": terms}}})
    assert NodeAffinity().pre_filter(CycleState(), pod, []) is None


def test_a_pod_without_node_affinity_skips_the_plugin(make_pod):
    assert NodeAffinity().pre_filter(CycleState(), make_pod("p"), []).code == "Skip"


def preferred(*weighted):
    return {
        "nodeAffinity": {
            PREFERRED: [
                {"weight": weight, "preference": {"matchExpressions": exprs}}
                for weight, exprs in weighted
            ]
        }
    }


LABEL1, LABEL2, LABEL3 = {"foo": "bar"}, {"key": "value"}, {"az": "az1"}
LABEL4, LABEL5 = {"abc": "az11", "def": "az22"}, {"foo": "bar", "key": "value", "az": "az1"}
AFFINITY1 = preferred((2, [expr("foo", "In", "bar")]))
AFFINITY2 = preferred(
    (2, [expr("foo", "In", "bar")]),
    (4, [expr("key", "In", "value")]),
    (5, [expr("foo", "In", "bar"), expr("key", "In", "value"), expr("az", "In", "az1")]),
)
ADDED_KEY_VALUE = {
    PREFERRED: [{"weight": 3, "preference": {"matchExpressions": [expr("key", "In", "value")]}}]
}

# TestNodeAffinityPriority: (name, spec.affinity, nodes as (name, labels), the profile's
# addedAffinity, the normalized scores, None when PreScore skips). Upstream's "all nodes are same
# priority as NodeAffinity is nil" runs Score without PreScore, and its broken-affinity case tests
# PreScore's validation, which is the API server's job here.
SCORE_CASES = [
    (
        "Skip is returned in PreScore when NodeAffinity is nil",
        {},
        [("node1", LABEL1)],
        None,
        None,
    ),
    (
        "no node matches preferred scheduling requirements in NodeAffinity of pod so all nodes' "
        "priority is zero",
        AFFINITY1,
        [("node1", LABEL4), ("node2", LABEL2), ("node3", LABEL3)],
        None,
        {"node1": 0, "node2": 0, "node3": 0},
    ),
    (
        "only node1 matches the preferred scheduling requirements of pod",
        AFFINITY1,
        [("node1", LABEL1), ("node2", LABEL2), ("node3", LABEL3)],
        None,
        {"node1": 100, "node2": 0, "node3": 0},
    ),
    (
        "all nodes matches the preferred scheduling requirements of pod but with different "
        "priorities ",
        AFFINITY2,
        [("node1", LABEL1), ("node5", LABEL5), ("node2", LABEL2)],
        None,
        {"node1": 18, "node5": 100, "node2": 36},
    ),
    (
        "added affinity",
        {},
        [("node1", LABEL1), ("node2", LABEL2)],
        AFFINITY1["nodeAffinity"],
        {"node1": 100, "node2": 0},
    ),
    (
        "added affinity and pod has default affinity",
        AFFINITY1,
        [("node1", LABEL1), ("node2", LABEL2), ("node3", LABEL5)],
        ADDED_KEY_VALUE,
        {"node1": 40, "node2": 60, "node3": 100},
    ),
]


@pytest.mark.parametrize(
    ("affinity", "nodes", "added", "expected"),
    [case[1:] for case in SCORE_CASES],
    ids=[case[0] for case in SCORE_CASES],
)
def test_score(make_pod, make_node, scores_of, affinity, nodes, added, expected):
    pod = make_pod("p", **({"affinity": affinity} if affinity else {}))
    infos = [node_with(make_node, labels, name) for name, labels in nodes]
    assert scores_of(NodeAffinity(added), pod, infos) == expected

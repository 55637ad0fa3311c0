"""NodeAffinity against the cases of kk .../nodeaffinity/node_affinity_test.go, in our words."""

import pytest

from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.interface import UNRESOLVABLE, PreFilterResult
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


def required(*terms):
    """spec.affinity with these nodeSelectorTerms (each a list of matchExpressions)."""
    return {
        "nodeAffinity": {REQUIRED: {"nodeSelectorTerms": [{"matchExpressions": t} for t in terms]}}
    }


def node_with(make_node, labels, name="node1"):
    return NodeInfo(make_node(name, labels=labels))


FILTER_CASES = [
    ("no selector", {}, {}, {"foo": "bar"}, True),
    ("nodeSelector, node without labels", {"foo": "bar"}, {}, {}, False),
    ("nodeSelector matches", {"foo": "bar"}, {}, {"foo": "bar"}, True),
    ("nodeSelector value differs", {"foo": "bar"}, {}, {"foo": "baz"}, False),
    ("In matches", {}, required([expr("foo", "In", "bar", "value2")]), {"foo": "bar"}, True),
    ("In, label absent", {}, required([expr("foo", "In", "bar")]), {}, False),
    ("NotIn, label absent", {}, required([expr("foo", "NotIn", "bar")]), {}, True),
    ("NotIn, value listed", {}, required([expr("foo", "NotIn", "bar")]), {"foo": "bar"}, False),
    ("Exists", {}, required([expr("foo", "Exists")]), {"foo": "x"}, True),
    (
        "DoesNotExist, label present",
        {},
        required([expr("foo", "DoesNotExist")]),
        {"foo": "x"},
        False,
    ),
    (
        "Gt compares integers",
        {},
        required([expr("kernel", "Gt", "0204")]),
        {"kernel": "0206"},
        True,
    ),
    ("Gt, smaller", {}, required([expr("kernel", "Gt", "204")]), {"kernel": "204"}, False),
    ("Lt", {}, required([expr("gpu", "Lt", "8")]), {"gpu": "2"}, True),
    (
        "Gt on a label that is no integer",
        {},
        required([expr("gpu", "Gt", "1")]),
        {"gpu": "a"},
        False,
    ),
    (
        "Gt with a value that is no integer",
        {},
        required([expr("gpu", "Gt", "x")]),
        {"gpu": "2"},
        False,
    ),
    (
        "expressions of a term are ANDed",
        {},
        required([expr("foo", "In", "bar"), expr("zone", "Exists")]),
        {"foo": "bar"},
        False,
    ),
    (
        "terms are ORed",
        {},
        required([expr("foo", "In", "nope")], [expr("zone", "Exists")]),
        {"zone": "z1"},
        True,
    ),
    (
        "a term with an unknown operator matches nothing, the others still count",
        {},
        required([expr("foo", "Like", "bar")], [expr("zone", "Exists")]),
        {"foo": "bar", "zone": "z1"},
        True,
    ),
    (
        "empty nodeSelectorTerms match no node",
        {},
        {"nodeAffinity": {REQUIRED: {"nodeSelectorTerms": []}}},
        {"a": "b"},
        False,
    ),
    (
        "an empty term matches no node",
        {},
        {"nodeAffinity": {REQUIRED: {"nodeSelectorTerms": [{}]}}},
        {"a": "b"},
        False,
    ),
    (
        "nodeSelector and affinity must both match",
        {"foo": "bar"},
        required([expr("zone", "Exists")]),
        {"zone": "z1"},
        False,
    ),
]


@pytest.mark.parametrize(
    ("selector", "affinity", "labels", "fits"),
    [case[1:] for case in FILTER_CASES],
    ids=[case[0] for case in FILTER_CASES],
)
def test_filter(make_pod, make_node, filter_status, selector, affinity, labels, fits):
    spec = {}
    if selector:
        spec["nodeSelector"] = selector
    if affinity:
        spec["affinity"] = affinity
    status = filter_status(NodeAffinity(), make_pod("p", **spec), node_with(make_node, labels))
    if fits:
        assert status is None
    else:
        assert (status.code, status.reasons) == (UNRESOLVABLE, (ERR_REASON_POD,))


def test_reasons_are_upstreams():
    assert ERR_REASON_POD == "node(s) didn't match Pod's node affinity/selector"
    assert ERR_REASON_CONFLICT == "pod affinity terms conflict"


def fields_term(*names):
    return {
        "matchFields": [{"key": "metadata.name", "operator": "In", "values": [n]} for n in names]
    }


def test_match_fields_by_name_narrow_the_search_in_pre_filter(make_pod, make_node):
    terms = [fields_term("node1"), fields_term("node2")]
    pod = make_pod("p", affinity={"nodeAffinity": {REQUIRED: {"nodeSelectorTerms": terms}}})
    result = NodeAffinity().pre_filter(CycleState(), pod, [])
    assert result == PreFilterResult(frozenset({"node1", "node2"}))


def test_names_that_cannot_all_hold_are_a_conflict(make_pod):
    pod = make_pod(
        "p",
        affinity={
            "nodeAffinity": {REQUIRED: {"nodeSelectorTerms": [fields_term("node1", "node2")]}}
        },
    )
    status = NodeAffinity().pre_filter(CycleState(), pod, [])
    assert (status.code, status.reasons) == (UNRESOLVABLE, (ERR_REASON_CONFLICT,))


def test_a_term_without_names_lets_every_node_through(make_pod):
    terms = [fields_term("node1"), {"matchExpressions": [expr("zone", "Exists")]}]
    pod = make_pod("p", affinity={"nodeAffinity": {REQUIRED: {"nodeSelectorTerms": terms}}})
    assert NodeAffinity().pre_filter(CycleState(), pod, []) is None


def test_a_pod_without_node_affinity_skips_the_plugin(make_pod):
    assert NodeAffinity().pre_filter(CycleState(), make_pod("p"), []).code == "Skip"


def test_added_affinity_applies_to_every_pod(make_pod, make_node, filter_status):
    plugin = NodeAffinity(
        {REQUIRED: {"nodeSelectorTerms": [{"matchExpressions": [expr("pool", "In", "gpu")]}]}}
    )
    status = filter_status(plugin, make_pod("p"), node_with(make_node, {"pool": "cpu"}))
    assert status.reasons == (ERR_REASON_ENFORCED,)
    assert filter_status(plugin, make_pod("p"), node_with(make_node, {"pool": "gpu"})) is None


def preferred(*weighted):
    return {
        "nodeAffinity": {
            PREFERRED: [
                {"weight": weight, "preference": {"matchExpressions": exprs}}
                for weight, exprs in weighted
            ]
        }
    }


def test_score_sums_the_weights_of_matching_preferred_terms_then_scales_to_100(
    make_pod, make_node, scores_of
):
    # TestNodeAffinityPriority "all machines matches the preferred scheduling requirements..."
    pod = make_pod(
        "p",
        affinity=preferred(
            (2, [expr("foo", "In", "bar")]),
            (4, [expr("key", "In", "value")]),
            (5, [expr("az", "In", "az1")]),
        ),
    )
    nodes = [
        node_with(make_node, {"foo": "bar"}, "machine1"),
        node_with(make_node, {"foo": "bar", "key": "value", "az": "az1"}, "machine5"),
        node_with(make_node, {"foo": "bar", "key": "value"}, "machine2"),
    ]
    # raw 2, 11, 6 → 100 × raw div 11
    assert scores_of(NodeAffinity(), pod, nodes) == {
        "machine1": 18,
        "machine5": 100,
        "machine2": 54,
    }


def test_no_matching_preferred_term_scores_zero(make_pod, make_node, scores_of):
    pod = make_pod("p", affinity=preferred((3, [expr("foo", "In", "bar")])))
    nodes = [node_with(make_node, {}, "a"), node_with(make_node, {"foo": "baz"}, "b")]
    assert scores_of(NodeAffinity(), pod, nodes) == {"a": 0, "b": 0}


def test_without_preferred_terms_score_is_skipped(make_pod, make_node, scores_of):
    assert scores_of(NodeAffinity(), make_pod("p"), [node_with(make_node, {})]) is None


def test_added_preferred_terms_add_to_the_pods(make_pod, make_node, scores_of):
    plugin = NodeAffinity(
        {PREFERRED: [{"weight": 5, "preference": {"matchExpressions": [expr("ssd", "Exists")]}}]}
    )
    nodes = [node_with(make_node, {"ssd": "1"}, "a"), node_with(make_node, {}, "b")]
    assert scores_of(plugin, make_pod("p"), nodes) == {"a": 100, "b": 0}

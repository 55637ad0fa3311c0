import pytest

from k8slab.scheduler.framework import MAX_NODE_SCORE, UNRESOLVABLE, CycleState
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.plugins.taint_toleration import (
    ERR_REASON_UNTOLERATED,
    TaintToleration,
    toleration_tolerates_taint,
)


def taint(key, value, effect):
    return {"key": key, "value": value, "effect": effect}


def toleration(key, value, effect, operator="Equal"):
    return {"key": key, "operator": operator, "value": value, "effect": effect}


@pytest.fixture
def scores_for(make_pod, make_node, scores_of):
    def run(tolerations, node_taints):
        """PreScore, Score then normalize, for nodes nodeA, nodeB, ... with these taints."""
        pod = make_pod("pod1", tolerations=tolerations)
        infos = [
            NodeInfo(make_node(f"node{chr(65 + i)}", taints=t)) for i, t in enumerate(node_taints)
        ]
        return scores_of(TaintToleration(), pod, infos)

    return run


# Score cases of kk .../tainttoleration/taint_toleration_test.go (TestTaintTolerationScore).
def test_tolerated_taint_scores_higher_than_intolerable_one(scores_for):
    got = scores_for(
        [toleration("foo", "bar", "PreferNoSchedule")],
        [[taint("foo", "bar", "PreferNoSchedule")], [taint("foo", "blah", "PreferNoSchedule")]],
    )
    assert got == {"nodeA": MAX_NODE_SCORE, "nodeB": 0}


def test_number_of_tolerated_taints_does_not_matter(scores_for):
    got = scores_for(
        [
            toleration("cpu-type", "arm64", "PreferNoSchedule"),
            toleration("disk-type", "ssd", "PreferNoSchedule"),
        ],
        [
            [],
            [taint("cpu-type", "arm64", "PreferNoSchedule")],
            [
                taint("cpu-type", "arm64", "PreferNoSchedule"),
                taint("disk-type", "ssd", "PreferNoSchedule"),
            ],
        ],
    )
    assert got == {"nodeA": 100, "nodeB": 100, "nodeC": 100}


def test_more_intolerable_taints_score_lower(scores_for):
    got = scores_for(
        [toleration("foo", "bar", "PreferNoSchedule")],
        [
            [],
            [taint("cpu-type", "arm64", "PreferNoSchedule")],
            [
                taint("cpu-type", "arm64", "PreferNoSchedule"),
                taint("disk-type", "ssd", "PreferNoSchedule"),
            ],
        ],
    )
    assert got == {"nodeA": 100, "nodeB": 50, "nodeC": 0}


def test_only_prefer_no_schedule_taints_and_tolerations_count_for_score(scores_for):
    got = scores_for(
        [
            toleration("cpu-type", "arm64", "NoSchedule"),
            toleration("disk-type", "ssd", "NoSchedule"),
        ],
        [
            [],
            [taint("cpu-type", "arm64", "NoSchedule")],
            [
                taint("cpu-type", "arm64", "PreferNoSchedule"),
                taint("disk-type", "ssd", "PreferNoSchedule"),
            ],
        ],
    )
    assert got == {"nodeA": 100, "nodeB": 100, "nodeC": 0}


def test_pod_without_tolerations_prefers_the_untainted_node(scores_for):
    got = scores_for([], [[], [taint("cpu-type", "arm64", "PreferNoSchedule")]])
    assert got == {"nodeA": 100, "nodeB": 0}


def test_raw_score_is_the_count_of_untolerated_prefer_no_schedule_taints(make_pod, make_node):
    info = NodeInfo(
        make_node(
            "n", taints=[taint("a", "", "PreferNoSchedule"), taint("b", "", "PreferNoSchedule")]
        )
    )
    assert TaintToleration().score(CycleState(), make_pod("p"), info) == 2


def test_normalize_is_reversed_with_integer_division():
    # 100 - 100*raw div max: raw 1 of max 3 -> 100 - 33 = 67
    plugin, state = TaintToleration(), CycleState()
    assert plugin.normalize(state, {}, {"a": 0, "b": 1, "c": 3}) == {"a": 100, "b": 67, "c": 0}
    assert plugin.normalize(state, {}, {"a": 0, "b": 0}) == {"a": 100, "b": 100}


# Filter cases of TestTaintTolerationFilter.
@pytest.mark.parametrize(
    ("tolerations", "node_taints", "expected"),
    [
        ([], [taint("dedicated", "user1", "NoSchedule")], "{dedicated: user1}"),
        (
            [{"key": "dedicated", "value": "user1", "effect": "NoSchedule"}],
            [taint("dedicated", "user1", "NoSchedule")],
            None,
        ),
        (
            [toleration("dedicated", "user2", "NoSchedule")],
            [taint("dedicated", "user1", "NoSchedule")],
            "{dedicated: user1}",
        ),
        (
            [{"key": "foo", "operator": "Exists", "effect": "NoSchedule"}],
            [taint("foo", "bar", "NoSchedule")],
            None,
        ),
        (
            [
                toleration("dedicated", "user2", "NoSchedule"),
                {"key": "foo", "operator": "Exists", "effect": "NoSchedule"},
            ],
            [taint("dedicated", "user2", "NoSchedule"), taint("foo", "bar", "NoSchedule")],
            None,
        ),
        (
            [toleration("foo", "bar", "PreferNoSchedule")],
            [taint("foo", "bar", "NoSchedule")],
            "{foo: bar}",
        ),
        (
            [{"key": "foo", "operator": "Equal", "value": "bar"}],
            [taint("foo", "bar", "NoSchedule")],
            None,
        ),
        (
            [toleration("dedicated", "user2", "NoSchedule")],
            [taint("dedicated", "user1", "PreferNoSchedule")],
            None,
        ),
        ([], [taint("dedicated", "user1", "PreferNoSchedule")], None),
        # NoExecute also repels at scheduling time
        (
            [],
            [taint("node.kubernetes.io/unreachable", "", "NoExecute")],
            "{node.kubernetes.io/unreachable: }",
        ),
    ],
)
def test_filter(make_pod, make_node, filter_status, tolerations, node_taints, expected):
    info = NodeInfo(make_node("nodeA", taints=node_taints))
    status = filter_status(TaintToleration(), make_pod("pod1", tolerations=tolerations), info)
    if expected is None:
        assert status is None
    else:
        assert status.code == UNRESOLVABLE
        assert status.reasons == (f"node(s) had untolerated taint {expected}",)


def test_filter_reason_is_the_v1_32_form():
    assert ERR_REASON_UNTOLERATED.format(key="k", value="") == "node(s) had untolerated taint {k: }"


@pytest.mark.parametrize(
    ("tol", "expected"),
    [
        ({"operator": "Exists"}, True),  # empty key + Exists tolerates everything
        ({"key": "k", "operator": "Exists"}, True),
        ({"key": "k", "value": "v"}, True),  # empty operator means Equal
        ({"key": "k", "value": "w"}, False),
        ({"key": "k", "operator": "Equal", "value": "w"}, False),
        ({"key": "other", "operator": "Exists"}, False),
        ({"key": "k", "operator": "Exists", "effect": "NoExecute"}, False),
        ({"key": "k", "operator": "Exists", "effect": "NoSchedule"}, True),
        ({"key": "k", "operator": "Gt", "value": "1"}, False),  # unknown to us: matches nothing
        ({"key": "k", "operator": "equal", "value": "v"}, False),
    ],
)
def test_toleration_matching(tol, expected):
    assert toleration_tolerates_taint(tol, taint("k", "v", "NoSchedule")) is expected


def test_extension_points():
    assert TaintToleration().extension_points() == ("filter", "pre_score", "score", "normalize")

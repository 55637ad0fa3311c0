import dataclasses
import random

import pytest

from k8slab.errors import K8sLabError
from k8slab.scheduler.framework import (
    Decision,
    Framework,
    NodeScore,
    Plugin,
    PluginScore,
    Rejection,
    default_normalize_score,
    select_host,
)
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.plugins import default_profile

NO_SCHEDULE = {"key": "dedicated", "value": "db", "effect": "NoSchedule"}
PREFER_NO = {"key": "spot", "value": "true", "effect": "PreferNoSchedule"}


class NeverUsedRandom(random.Random):
    """A random generator that fails the test if the scheduler draws from it."""

    def randrange(self, *args, **kwargs):
        raise AssertionError("the scheduler drew a random number")

    def random(self):
        raise AssertionError("the scheduler drew a random number")


def infos(make_node, *specs):
    """NodeInfos from (name, node kwargs) pairs."""
    return [NodeInfo(make_node(name, **kwargs)) for name, kwargs in specs]


# --- the FitError message -----------------------------------------------------------------------


def test_fit_error_histogram_mixes_reasons_sorted_as_strings(make_pod, make_node):
    nodes = infos(
        make_node,
        *[(f"small{i}", {"cpu": "500m"}) for i in range(3)],
        *[(f"tainted{i}", {"taints": [NO_SCHEDULE]}) for i in range(2)],
    )
    decision = default_profile().schedule(make_pod("web", [{"cpu": "1"}]), nodes, random.Random(0))
    assert decision.node is None
    assert (
        decision.message
        == "0/5 nodes are available: 2 node(s) had untolerated taint {dedicated: db}, "
        "3 Insufficient cpu."
    )


def test_a_node_short_of_cpu_and_memory_counts_under_both(make_pod, make_node):
    nodes = infos(
        make_node, ("a", {"cpu": "500m", "memory": "1Gi"}), ("b", {"cpu": "500m", "memory": "1Gi"})
    )
    decision = default_profile().schedule(
        make_pod("p", [{"cpu": "1", "memory": "2Gi"}]), nodes, random.Random(0)
    )
    assert decision.filtered["a"] == Rejection(
        "NodeResourcesFit", ("Insufficient cpu", "Insufficient memory")
    )
    assert decision.message == "0/2 nodes are available: 2 Insufficient cpu, 2 Insufficient memory."


def test_counts_sort_as_strings_so_10_comes_before_2(make_pod, make_node):
    nodes = infos(
        make_node,
        *[(f"small{i:02}", {"cpu": "500m"}) for i in range(10)],
        *[(f"tainted{i}", {"taints": [NO_SCHEDULE]}) for i in range(2)],
    )
    decision = default_profile().schedule(make_pod("p", [{"cpu": "1"}]), nodes, random.Random(0))
    assert (
        decision.message
        == "0/12 nodes are available: 10 Insufficient cpu, "
        "2 node(s) had untolerated taint {dedicated: db}."
    )


def test_only_the_first_failing_filter_is_recorded(make_pod, make_node):
    nodes = infos(
        make_node,
        ("cordoned", {"unschedulable": True, "taints": [NO_SCHEDULE], "cpu": "100m"}),
        ("tainted", {"taints": [NO_SCHEDULE], "cpu": "100m"}),
        ("named", {}),
    )
    pod = make_pod("p", [{"cpu": "1"}], node_name="elsewhere")
    decision = default_profile().schedule(pod, nodes, random.Random(0))
    assert decision.filtered == {
        "cordoned": Rejection("NodeUnschedulable", ("node(s) were unschedulable",)),
        "tainted": Rejection("NodeName", ("node(s) didn't match the requested node name",)),
        "named": Rejection("NodeName", ("node(s) didn't match the requested node name",)),
    }
    assert decision.message == (
        "0/3 nodes are available: 1 node(s) were unschedulable, "
        "2 node(s) didn't match the requested node name."
    )


def test_filtered_keeps_the_order_nodes_were_given(make_pod, make_node):
    nodes = infos(make_node, ("z", {"cpu": "1m"}), ("a", {"cpu": "1m"}), ("m", {"cpu": "1m"}))
    decision = default_profile().schedule(make_pod("p", [{"cpu": "1"}]), nodes, random.Random(0))
    assert list(decision.filtered) == ["z", "a", "m"]


def test_no_nodes_at_all(make_pod):
    decision = default_profile().schedule(make_pod("p"), [], random.Random(0))
    assert decision.node is None
    assert decision.message == "no nodes available to schedule pods"


def test_success_message_is_the_scheduled_event(make_pod, make_node):
    decision = default_profile().schedule(
        make_pod("web", namespace="shop"), infos(make_node, ("n1", {})), random.Random(0)
    )
    assert decision.scheduled
    assert decision.message == "Successfully assigned shop/web to n1"


# --- scoring and selection ----------------------------------------------------------------------


def test_one_feasible_node_is_taken_without_scoring(make_pod, make_node):
    nodes = infos(
        make_node, ("full", {"pods": "0"}), ("ok", {}), ("tainted", {"taints": [NO_SCHEDULE]})
    )
    decision = default_profile().schedule(make_pod("p"), nodes, NeverUsedRandom())
    assert decision.node == "ok"
    assert decision.scores == ()
    assert decision.feasible == ("ok",)


def test_total_is_the_weighted_sum_of_normalized_scores(make_pod, make_node):
    nodes = infos(make_node, ("spot", {"taints": [PREFER_NO]}), ("plain", {}))
    pod = make_pod("p", [{"cpu": "1", "memory": "2Gi"}])
    decision = default_profile().schedule(pod, nodes, random.Random(0))
    spot, plain = decision.scores
    assert spot.of("TaintToleration") == PluginScore(
        "TaintToleration", raw=1, normalized=0, weight=3
    )
    assert plain.of("TaintToleration") == PluginScore(
        "TaintToleration", raw=0, normalized=100, weight=3
    )
    # LeastAllocated: cpu (4000-1000)*100 div 4000 = 75, memory (8-2)*100 div 8 = 75
    assert spot.of("NodeResourcesFit") == PluginScore(
        "NodeResourcesFit", raw=75, normalized=75, weight=1
    )
    assert (spot.total, plain.total) == (75, 375)
    assert decision.node == "plain"


def test_rows_explain_every_node(make_pod, make_node):
    nodes = infos(
        make_node,
        ("spot", {"taints": [PREFER_NO]}),
        ("tainted", {"taints": [NO_SCHEDULE]}),
        ("plain", {}),
    )
    decision = default_profile().schedule(
        make_pod("p", [{"cpu": "1", "memory": "2Gi"}]), nodes, random.Random(0)
    )
    rows = decision.rows()
    assert [row["node"] for row in rows] == ["spot", "tainted", "plain"]
    assert rows[1] == {
        "node": "tainted",
        "filter": "TaintToleration: node(s) had untolerated taint {dedicated: db}",
        "TaintToleration raw": None,
        "TaintToleration normalized": None,
        "TaintToleration weighted": None,
        "NodeResourcesFit raw": None,
        "NodeResourcesFit normalized": None,
        "NodeResourcesFit weighted": None,
        "total": None,
        "chosen": False,
    }
    assert rows[2] == {
        "node": "plain",
        "filter": "passed",
        "TaintToleration raw": 0,
        "TaintToleration normalized": 100,
        "TaintToleration weighted": 300,
        "NodeResourcesFit raw": 75,
        "NodeResourcesFit normalized": 75,
        "NodeResourcesFit weighted": 75,
        "total": 375,
        "chosen": True,
    }
    assert [row["chosen"] for row in rows] == [False, False, True]


def test_decision_is_frozen(make_pod, make_node):
    decision = default_profile().schedule(
        make_pod("p"), infos(make_node, ("n1", {})), random.Random(0)
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.node = "other"


def node_scores(*totals):
    return [NodeScore(f"n{i}", (PluginScore("P", t, t, 1),)) for i, t in enumerate(totals)]


def test_select_host_takes_the_highest_total_whatever_the_rng():
    for seed in range(20):
        assert select_host(node_scores(10, 30, 20, 29), random.Random(seed)) == "n1"


def test_select_host_needs_scores():
    with pytest.raises(K8sLabError):
        select_host([], random.Random(0))


def test_ties_are_broken_uniformly():
    # 4 tied nodes, 8000 draws from one fixed seed: the chi-square statistic (3 degrees of freedom)
    # must stay under 16.27 (p = 0.001). The seed is fixed, so this cannot flake.
    rng = random.Random(20240611)
    scores = node_scores(50, 50, 50, 50, 10)
    counts = {f"n{i}": 0 for i in range(4)}
    draws = 8000
    for _ in range(draws):
        counts[select_host(scores, rng)] += 1
    expected = draws / 4
    chi_square = sum((count - expected) ** 2 / expected for count in counts.values())
    assert chi_square < 16.27, counts


def test_tie_breaking_is_reservoir_sampling_with_the_given_rng():
    # the k-th tie replaces the pick when rng.randrange(k) == 0, exactly as upstream's rand.Intn(k)
    scores = node_scores(7, 7, 7)
    rng, mirror = random.Random(3), random.Random(3)
    for _ in range(50):
        pick = "n0"
        for k, node in ((2, "n1"), (3, "n2")):
            if mirror.randrange(k) == 0:
                pick = node
        assert select_host(scores, rng) == pick


def test_schedule_is_deterministic_for_a_seed(make_pod, make_node):
    nodes = infos(make_node, *[(f"n{i}", {}) for i in range(6)])
    pods = [make_pod(f"p{i}") for i in range(30)]
    first = [default_profile().schedule(p, nodes, random.Random(7)).node for p in pods]
    again = [default_profile().schedule(p, nodes, random.Random(7)).node for p in pods]
    assert first == again
    one_rng = random.Random(11)
    picks = [default_profile().schedule(p, nodes, one_rng).node for p in pods]
    assert len(set(picks)) > 1


# --- the framework itself -----------------------------------------------------------------------


class Counting(Plugin):
    name = "Counting"

    def score(self, pod, node_info):
        return node_info.pod_count


class Broken(Plugin):
    name = "Broken"

    def score(self, pod, node_info):
        return 500


class ByName(Plugin):
    name = "ByName"

    def filter(self, pod, node_info):
        return ["not", "a", "tuple"] if node_info.name == "bad" else None


def test_plugins_declare_extension_points_by_defining_methods():
    assert Counting().extension_points() == ("score",)
    assert ByName().extension_points() == ("filter",)
    with pytest.raises(K8sLabError, match="unknown extension point"):
        Counting().implements("permit")


def test_default_normalize_is_identity_and_weights_default_to_one(make_pod, make_node):
    framework = Framework([Counting()])
    assert framework.weights == {"Counting": 1}
    nodes = infos(make_node, ("a", {}), ("b", {}))
    nodes[1].add_pod(make_pod("x"))
    decision = framework.schedule(make_pod("p"), nodes, random.Random(0))
    assert [s.total for s in decision.scores] == [0, 1]
    assert decision.node == "b"


def test_normalized_scores_must_be_in_0_to_100(make_pod, make_node):
    with pytest.raises(K8sLabError, match="Broken gave node a the normalized score 500"):
        Framework([Broken()]).schedule(
            make_pod("p"), infos(make_node, ("a", {}), ("b", {})), random.Random(0)
        )


def test_filter_results_must_be_reasons(make_pod, make_node):
    with pytest.raises(K8sLabError, match="filter of plugin ByName returned"):
        Framework([ByName()]).run_filters(make_pod("p"), infos(make_node, ("bad", {}))[0])


@pytest.mark.parametrize(
    ("plugins", "weights", "message"),
    [
        ([Counting(), Counting()], None, "listed twice"),
        ([Counting()], {"ByName": 2}, "not a score plugin"),
        ([Counting()], {"Counting": 0}, "positive integer"),
        ([Counting()], {"Counting": 1.5}, "positive integer"),
        ([Plugin()], None, "no name"),
    ],
)
def test_bad_profiles_are_clear_errors(plugins, weights, message):
    with pytest.raises(K8sLabError, match=message):
        Framework(plugins, weights)


def test_nodes_given_twice_are_an_error(make_pod, make_node):
    with pytest.raises(K8sLabError, match="given twice"):
        default_profile().schedule(
            make_pod("p"), infos(make_node, ("a", {}), ("a", {})), random.Random(0)
        )


@pytest.mark.parametrize(
    ("scores", "reverse", "expected"),
    [
        ({"a": 0, "b": 5, "c": 10}, False, {"a": 0, "b": 50, "c": 100}),
        ({"a": 1, "b": 3}, False, {"a": 33, "b": 100}),
        ({"a": 0, "b": 0}, False, {"a": 0, "b": 0}),
        ({"a": 0, "b": 0}, True, {"a": 100, "b": 100}),
        ({"a": 1, "b": 3}, True, {"a": 67, "b": 0}),
        ({}, True, {}),
    ],
)
def test_default_normalize_score(scores, reverse, expected):
    assert default_normalize_score(scores, reverse) == expected


def test_decision_can_be_built_and_read_directly():
    decision = Decision(
        pod="default/p",
        nodes=("a", "b"),
        filtered={"a": Rejection("X", ("r1", "r2")), "b": Rejection("Y", ("r1",))},
        scores=(),
        score_plugins=(),
        node=None,
    )
    assert decision.reason_histogram() == ["1 r2", "2 r1"]
    assert decision.message == "0/2 nodes are available: 1 r2, 2 r1."
    assert decision.feasible == ()

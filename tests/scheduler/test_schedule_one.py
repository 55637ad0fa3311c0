"""One scheduling cycle, as schedulePod runs it (kk pkg/scheduler/schedule_one.go): the FitError
message, scoring and the choice of a host, and how many nodes Filter examines. Through
scheduling_cycle, so clusters of 100 nodes or more take the vectorized path as the scheduler does.
"""

import random

import pytest

from k8slab.errors import K8sLabError
from k8slab.scheduler.framework.diagnosis import NodeScore, PluginScore, Rejection
from k8slab.scheduler.framework.interface import UNRESOLVABLE, UNSCHEDULABLE
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.plugins.registry import default_profile, new_framework
from k8slab.scheduler.schedule_one import num_feasible_nodes_to_find, select_host
from k8slab.scheduler.scheduler import scheduling_cycle
from k8slab.scheduler.snapshot import Snapshot


def profile(**args):
    """The default profile without preemption (these tests look at Filter and Score)."""
    return default_profile(args or None, disabled=["DefaultPreemption"])


NO_SCHEDULE = {"key": "dedicated", "value": "db", "effect": "NoSchedule"}
PREFER_NO = {"key": "spot", "value": "true", "effect": "PreferNoSchedule"}


# --- the FitError message -----------------------------------------------------------------------


def test_fit_error_histogram_mixes_reasons_sorted_as_strings(make_pod, make_node_infos):
    nodes = make_node_infos(
        *[(f"small{i}", {"cpu": "500m"}) for i in range(3)],
        *[(f"tainted{i}", {"taints": [NO_SCHEDULE]}) for i in range(2)],
    )
    decision = scheduling_cycle(
        profile(), Snapshot(nodes), make_pod("web", [{"cpu": "1"}]), random.Random(0)
    )
    assert decision.node is None
    assert (
        decision.message
        == "0/5 nodes are available: 2 node(s) had untolerated taint(s), "
        "3 Insufficient cpu."
    )


def test_a_node_short_of_cpu_and_memory_counts_under_both(make_pod, make_node_infos):
    nodes = make_node_infos(
        ("a", {"cpu": "500m", "memory": "1Gi"}), ("b", {"cpu": "500m", "memory": "1Gi"})
    )
    decision = scheduling_cycle(
        profile(), Snapshot(nodes), make_pod("p", [{"cpu": "1", "memory": "2Gi"}]), random.Random(0)
    )
    assert decision.filtered["a"] == Rejection(
        "NodeResourcesFit", ("Insufficient cpu", "Insufficient memory"), UNSCHEDULABLE
    )
    assert decision.message == "0/2 nodes are available: 2 Insufficient cpu, 2 Insufficient memory."


def test_counts_sort_as_strings_so_10_comes_before_2(make_pod, make_node_infos):
    nodes = make_node_infos(
        *[(f"small{i:02}", {"cpu": "500m"}) for i in range(10)],
        *[(f"tainted{i}", {"taints": [NO_SCHEDULE]}) for i in range(2)],
    )
    decision = scheduling_cycle(
        profile(), Snapshot(nodes), make_pod("p", [{"cpu": "1"}]), random.Random(0)
    )
    assert (
        decision.message == "0/12 nodes are available: 10 Insufficient cpu, "
        "2 node(s) had untolerated taint(s)."
    )


def test_only_the_first_failing_filter_is_recorded(make_pod, make_node_infos):
    nodes = make_node_infos(
        ("cordoned", {"unschedulable": True, "taints": [NO_SCHEDULE], "cpu": "100m"}),
        ("tainted", {"taints": [NO_SCHEDULE], "cpu": "100m"}),
        ("named", {}),
    )
    pod = make_pod("p", [{"cpu": "1"}], node_name="elsewhere")
    decision = scheduling_cycle(profile(), Snapshot(nodes), pod, random.Random(0))
    assert decision.filtered == {
        "cordoned": Rejection("NodeUnschedulable", ("node(s) were unschedulable",), UNRESOLVABLE),
        "tainted": Rejection(
            "NodeName", ("node(s) didn't match the requested node name",), UNRESOLVABLE
        ),
        "named": Rejection(
            "NodeName", ("node(s) didn't match the requested node name",), UNRESOLVABLE
        ),
    }
    assert decision.message == (
        "0/3 nodes are available: 1 node(s) were unschedulable, "
        "2 node(s) didn't match the requested node name."
    )


def test_filtered_keeps_the_order_nodes_were_given(make_pod, make_node_infos):
    nodes = make_node_infos(("z", {"cpu": "1m"}), ("a", {"cpu": "1m"}), ("m", {"cpu": "1m"}))
    decision = scheduling_cycle(
        profile(), Snapshot(nodes), make_pod("p", [{"cpu": "1"}]), random.Random(0)
    )
    assert list(decision.filtered) == ["z", "a", "m"]


def test_no_nodes_at_all(make_pod):
    decision = scheduling_cycle(profile(), Snapshot([]), make_pod("p"), random.Random(0))
    assert decision.node is None
    assert decision.message == "no nodes available to schedule pods"


def test_success_message_is_the_scheduled_event(make_pod, make_node_infos):
    decision = scheduling_cycle(
        profile(),
        Snapshot(make_node_infos(("n1", {}))),
        make_pod("web", namespace="shop"),
        random.Random(0),
    )
    assert decision.scheduled
    assert decision.message == "Successfully assigned shop/web to n1"


# --- scoring and selection ----------------------------------------------------------------------


def test_one_feasible_node_is_taken_without_scoring(make_pod, never_used_random, make_node_infos):
    nodes = make_node_infos(
        ("full", {"pods": "0"}), ("ok", {}), ("tainted", {"taints": [NO_SCHEDULE]})
    )
    decision = scheduling_cycle(profile(), Snapshot(nodes), make_pod("p"), never_used_random)
    assert decision.node == "ok"
    assert decision.scores == ()
    assert decision.feasible == ("ok",)


def taints_and_fit():
    """A small profile: TaintToleration (weight 3) and NodeResourcesFit (weight 1)."""
    return new_framework(["TaintToleration", "NodeResourcesFit"], {"TaintToleration": 3})


def test_total_is_the_weighted_sum_of_normalized_scores(make_pod, make_node_infos):
    nodes = make_node_infos(("spot", {"taints": [PREFER_NO]}), ("plain", {}))
    pod = make_pod("p", [{"cpu": "1", "memory": "2Gi"}])
    decision = scheduling_cycle(taints_and_fit(), Snapshot(nodes), pod, random.Random(0))
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


def test_rows_explain_every_node(make_pod, make_node_infos):
    nodes = make_node_infos(
        ("spot", {"taints": [PREFER_NO]}),
        ("tainted", {"taints": [NO_SCHEDULE]}),
        ("plain", {}),
    )
    decision = scheduling_cycle(
        taints_and_fit(),
        Snapshot(nodes),
        make_pod("p", [{"cpu": "1", "memory": "2Gi"}]),
        random.Random(0),
    )
    rows = decision.rows()
    assert [row["node"] for row in rows] == ["spot", "tainted", "plain"]
    assert rows[1] == {
        "node": "tainted",
        "filter": "TaintToleration: node(s) had untolerated taint(s)",
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


def test_default_profile_rows_show_only_the_score_plugins_that_ran(make_pod, make_node_infos):
    nodes = make_node_infos(("a", {}), ("b", {}))
    decision = scheduling_cycle(
        profile(), Snapshot(nodes), make_pod("p", [{"cpu": "1"}]), random.Random(0)
    )
    # NodeAffinity, PodTopologySpread and InterPodAffinity have nothing to do for this pod
    assert decision.score_plugins == (
        "TaintToleration",
        "NodeResourcesFit",
        "NodeResourcesBalancedAllocation",
        "ImageLocality",
    )
    assert decision.skipped_score_plugins == (
        "NodeAffinity",
        "PodTopologySpread",
        "InterPodAffinity",
    )
    row = decision.rows()[0]
    assert "NodeAffinity raw" not in row
    # cpu 1 of 4, memory 0 of 8Gi: balanced 100 × (1 − |0.25 − 0| / 2) = 87
    assert row["NodeResourcesBalancedAllocation raw"] == 87
    assert row["ImageLocality raw"] == 0


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


def test_schedule_is_deterministic_for_a_seed(make_pod, make_node_infos):
    nodes = make_node_infos(*[(f"n{i}", {}) for i in range(6)])
    pods = [make_pod(f"p{i}") for i in range(30)]
    first = [scheduling_cycle(profile(), Snapshot(nodes), p, random.Random(7)).node for p in pods]
    again = [scheduling_cycle(profile(), Snapshot(nodes), p, random.Random(7)).node for p in pods]
    assert first == again
    one_rng = random.Random(11)
    picks = [scheduling_cycle(profile(), Snapshot(nodes), p, one_rng).node for p in pods]
    assert len(set(picks)) > 1


# --- how many nodes are examined (schedule_one.go) ---------------------------------------------


@pytest.mark.parametrize(
    ("nodes", "percentage", "expected"),
    [
        # TestNumFeasibleNodesToFind, with today's minimum of 100 nodes
        (10, 0, 10),
        (10, 40, 10),
        (99, 0, 99),
        (100, 0, 100),
        (500, 0, 230),  # 50 − 500 div 125 = 46 %
        (1000, 0, 420),
        (1000, 40, 400),
        (5000, 0, 500),  # 10 %
        (6000, 0, 300),  # 50 − 48 = 2 %, floored at 5 %
        (6000, 20, 1200),
        (150, 10, 100),  # 15 nodes would be too few: at least 100
    ],
)
def test_num_feasible_nodes_to_find(nodes, percentage, expected):
    assert num_feasible_nodes_to_find(nodes, percentage) == expected


def many_nodes(make_node, count):
    return [NodeInfo(make_node(f"n{i:03}")) for i in range(count)]


def test_filtering_stops_once_enough_nodes_fit_and_the_next_cycle_starts_after(make_pod, make_node):
    nodes = many_nodes(make_node, 200)
    framework = profile()
    first = scheduling_cycle(framework, Snapshot(nodes), make_pod("p"), random.Random(0))
    assert len(first.scores) == 100  # max(200 × 49 %, 100)
    assert [s.node for s in first.scores] == [f"n{i:03}" for i in range(100)]
    assert first.unexamined == tuple(f"n{i:03}" for i in range(100, 200))
    assert first.next_start_index == 100
    assert first.rows()[150]["filter"] == "not examined"
    second = scheduling_cycle(
        framework, Snapshot(nodes), make_pod("q"), random.Random(0), start_index=100
    )
    assert [s.node for s in second.scores][:2] == ["n100", "n101"]
    assert second.next_start_index == 0


def test_the_profile_percentage_wins_over_the_schedulers(make_pod, make_node):
    nodes = many_nodes(make_node, 400)
    framework = new_framework(["NodeResourcesFit"], percentage_of_nodes_to_score=50)
    decision = scheduling_cycle(
        framework, Snapshot(nodes), make_pod("p"), random.Random(0), percentage_of_nodes_to_score=10
    )
    assert len(decision.scores) == 200


def test_a_nominated_pod_tries_its_nominated_node_first(
    make_pod, make_node_infos, never_used_random
):
    nodes = make_node_infos(*[(f"n{i}", {}) for i in range(5)])
    pod = make_pod("p")
    pod["status"] = {"nominatedNodeName": "n3"}
    decision = scheduling_cycle(profile(), Snapshot(nodes), pod, never_used_random)
    assert decision.node == "n3"
    assert decision.unexamined == ("n0", "n1", "n2", "n4")


def test_nominated_pods_of_equal_or_higher_priority_hold_their_room(make_pod, make_node_infos):
    nodes = make_node_infos(("a", {"cpu": "1"}), ("b", {"cpu": "1"}))
    waiting = make_pod("waiting", [{"cpu": "800m"}], priority=10)
    pod = make_pod("p", [{"cpu": "500m"}], priority=10)
    decision = scheduling_cycle(
        profile(), Snapshot(nodes), pod, random.Random(0), nominated_pods={"a": [waiting]}
    )
    assert decision.node == "b"
    assert decision.filtered["a"].reasons == ("Insufficient cpu",)
    urgent = make_pod("urgent", [{"cpu": "500m"}], priority=100)
    decision = scheduling_cycle(
        profile(), Snapshot(nodes[:1]), urgent, random.Random(0), nominated_pods={"a": [waiting]}
    )
    assert decision.node == "a"


def test_nodes_given_twice_are_an_error(make_pod, make_node_infos):
    with pytest.raises(K8sLabError, match="given twice"):
        scheduling_cycle(
            profile(),
            Snapshot(make_node_infos(("a", {}), ("a", {}))),
            make_pod("p"),
            random.Random(0),
        )

"""NodeResourcesBalancedAllocation against kk .../noderesources/balanced_allocation_test.go."""

import pytest

from k8slab.errors import K8sLabError
from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.plugins.node_resources_balanced_allocation import (
    NodeResourcesBalancedAllocation,
    balanced_score,
)

CPU_ONLY = [{"cpu": "1000"}, {"cpu": "2000"}]
CPU_AND_MEMORY = [{"cpu": "1000", "memory": "2000"}, {"cpu": "2000", "memory": "3000"}]


def scores(make_pod, make_node, make_node_info, scores_of, pod, nodes, existing):
    infos = [
        make_node_info(make_node(name, cpu=cpu, memory=memory), *existing.get(name, []))
        for name, cpu, memory in nodes
    ]
    return scores_of(NodeResourcesBalancedAllocation(), pod, infos)


def test_a_best_effort_pod_skips_the_plugin(make_pod, make_node, make_node_info, scores_of):
    # kk issue #129138: otherwise every best-effort pod prefers the same node
    got = scores(
        make_pod,
        make_node,
        make_node_info,
        scores_of,
        make_pod("p", [None]),
        [("m1", "4000", "10000")],
        {},
    )
    assert got is None


def test_differently_sized_nodes(make_pod, make_node, make_node_info, scores_of):
    # cpu 3000/4000 = 0.75, memory 5000/10000 = 0.5: std 0.125 → 87; 0.5 and 0.5 → 100
    pod = make_pod("p", CPU_AND_MEMORY)
    nodes = [("machine1", "4000", "10000"), ("machine2", "6000", "10000")]
    got = scores(make_pod, make_node, make_node_info, scores_of, pod, nodes, {})
    assert got == {"machine1": 87, "machine2": 100}


def test_existing_pods_count_with_their_real_requests(
    make_pod, make_node, make_node_info, scores_of
):
    # machine1: cpu 6000/10000 = 0.6, memory 5000/20000 = 0.25 → 82
    # machine2: cpu 6000/10000 = 0.6, memory 10000/50000 = 0.2 → 80
    pod = make_pod("p", CPU_AND_MEMORY)
    nodes = [("machine1", "10000", "20000"), ("machine2", "10000", "50000")]
    existing = {"machine1": [make_pod("e", CPU_ONLY)], "machine2": [make_pod("e", CPU_AND_MEMORY)]}
    got = scores(make_pod, make_node, make_node_info, scores_of, pod, nodes, existing)
    assert got == {"machine1": 82, "machine2": 80}


def test_requests_beyond_capacity_count_as_full(make_pod, make_node, make_node_info, scores_of):
    # cpu 12000/10000 capped at 1, memory 0.25 → std 0.375 → 62
    pod = make_pod("p", [{"cpu": "6000", "memory": "5000"}])
    existing = {"m": [make_pod("e", [{"cpu": "6000"}])]}
    got = scores(
        make_pod, make_node, make_node_info, scores_of, pod, [("m", "10000", "20000")], existing
    )
    assert got == {"m": 62}


def test_no_default_requests_for_containers_without_requests(
    make_pod, make_node, make_node_info, scores_of
):
    # the 100m / 200Mi scoring defaults are NodeResourcesFit's; here only real requests count
    pod = make_pod("p", [{"cpu": "2000"}, None])
    got = scores(make_pod, make_node, make_node_info, scores_of, pod, [("m", "4000", "1Gi")], {})
    assert got == {"m": 75}


def test_three_resources_use_the_population_standard_deviation(make_pod, make_node, make_node_info):
    node = make_node_info(make_node("m", cpu="4", memory="4Gi", extra={"example.com/gpu": 4}))
    pod = make_pod("p", [{"cpu": "1", "memory": "2Gi", "example.com/gpu": "4"}])
    plugin = NodeResourcesBalancedAllocation(["cpu", "memory", "example.com/gpu"])
    # fractions 0.25, 0.5, 1.0: mean 0.5833, std 0.3118 → int(68.8) = 68
    assert plugin.score(CycleState(), pod, node) == 68


@pytest.mark.parametrize(
    ("fractions", "expected"),
    [([0.5, 0.5], 100), ([0.75, 0.5], 87), ([1.5, 0.0], 50), ([0.3], 100), ([], 100)],
)
def test_balanced_score_truncates(fractions, expected):
    assert balanced_score(fractions) == expected


def test_weights_must_be_1():
    # validation_pluginargs.go ValidateNodeResourcesBalancedAllocationArgs
    with pytest.raises(K8sLabError, match=r"resources\[0\].weight: Invalid value: 2: must be 1"):
        NodeResourcesBalancedAllocation({"cpu": 2})
    with pytest.raises(K8sLabError, match=r'resources\[1\].name: Duplicate value: "cpu"'):
        NodeResourcesBalancedAllocation.from_args(
            {"resources": [{"name": "cpu", "weight": 1}, {"name": "cpu", "weight": 1}]}
        )

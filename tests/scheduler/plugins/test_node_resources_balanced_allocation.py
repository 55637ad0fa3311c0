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


def scores(make_pod, make_node, make_node_info, scores_of, pod, nodes, existing, plugin=None):
    infos = [
        make_node_info(
            make_node(name, cpu=cpu, memory=memory, extra=extra), *existing.get(name, [])
        )
        for name, cpu, memory, extra in nodes
    ]
    return scores_of(plugin or NodeResourcesBalancedAllocation(), pod, infos)


GPU = {"nvidia.com/gpu": 8}
WITH_GPU = ["cpu", "memory", "nvidia.com/gpu"]

# TestNodeResourcesBalancedAllocation (balanced_allocation_test.go): (name, the pod's containers
# (None: best effort), nodes as (name, cpu, memory, extended), the containers of the pods already
# on each node, the resources scored, the scores, None when PreScore skips). Upstream's cpuOnly
# pod runs on node1, its cpuAndMemory pod on node2.
CASES = [
    (
        "nothing scheduled, nothing requested, skip in PreScore",
        [None],
        [("node1", "4000", "10000", None), ("node2", "4000", "10000", None)],
        {},
        None,
        None,
    ),
    (
        "nothing scheduled, resources requested, differently sized nodes",
        CPU_AND_MEMORY,
        [("node1", "4000", "10000", None), ("node2", "6000", "10000", None)],
        {},
        None,
        {"node1": 87, "node2": 100},
    ),
    (
        "resources requested, pods scheduled with resources",
        CPU_AND_MEMORY,
        [("node1", "10000", "20000", None), ("node2", "10000", "20000", None)],
        {"node1": CPU_ONLY, "node2": CPU_AND_MEMORY},
        None,
        {"node1": 82, "node2": 95},
    ),
    (
        "resources requested, pods scheduled with resources, differently sized nodes",
        CPU_AND_MEMORY,
        [("node1", "10000", "20000", None), ("node2", "10000", "50000", None)],
        {"node1": CPU_ONLY, "node2": CPU_AND_MEMORY},
        None,
        {"node1": 82, "node2": 80},
    ),
    (
        "requested resources at node capacity",
        CPU_ONLY,
        [("node1", "6000", "10000", None), ("node2", "6000", "10000", None)],
        {"node1": CPU_ONLY, "node2": CPU_AND_MEMORY},
        None,
        {"node1": 50, "node2": 75},
    ),
    (
        "node without the scalar resource should skip the scalar resource",
        CPU_AND_MEMORY,
        [("node1", "3500", "40000", GPU), ("node2", "3500", "40000", None)],
        {},
        WITH_GPU,
        {"node1": 63, "node2": 63},
    ),
]


@pytest.mark.parametrize(
    ("containers", "nodes", "existing", "resources", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_score(
    make_pod, make_node, make_node_info, scores_of, containers, nodes, existing, resources, expected
):
    # kk issue #129138: a best-effort pod skips the plugin, else every one prefers the same node
    pod = make_pod("p", containers)
    on_nodes = {node: [make_pod("e", pods)] for node, pods in existing.items()}
    plugin = NodeResourcesBalancedAllocation(resources)
    got = scores(make_pod, make_node, make_node_info, scores_of, pod, nodes, on_nodes, plugin)
    assert got == expected


def test_k8slab_requests_beyond_capacity_count_as_full(
    make_pod, make_node, make_node_info, scores_of
):
    # cpu 12000/10000 capped at 1, memory 0.25 → std 0.375 → 62
    pod = make_pod("p", [{"cpu": "6000", "memory": "5000"}])
    existing = {"m": [make_pod("e", [{"cpu": "6000"}])]}
    nodes = [("m", "10000", "20000", None)]
    got = scores(make_pod, make_node, make_node_info, scores_of, pod, nodes, existing)
    assert got == {"m": 62}


def test_no_default_requests_for_containers_without_requests(
    make_pod, make_node, make_node_info, scores_of
):
    # the 100m / 200Mi scoring defaults are NodeResourcesFit's; here only real requests count
    pod = make_pod("p", [{"cpu": "2000"}, None])
    nodes = [("m", "4000", "1Gi", None)]
    got = scores(make_pod, make_node, make_node_info, scores_of, pod, nodes, {})
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

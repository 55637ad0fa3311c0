"""NodeResourcesFit's scoring strategies against the cases of kk .../noderesources/
least_allocated_test.go, most_allocated_test.go, requested_to_capacity_ratio_test.go and fit_test.go
(TestFitScore); upstream's sizes kept as written: cpu "4000" is 4000 cores there too.
"""

import pytest

from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.plugins.node_resources_fit import (
    NodeResourcesFit,
    broken_linear,
    go_quotient,
)
from k8slab.scheduler.snapshot import Snapshot

# --- Score --------------------------------------------------------------------------------------


def scores(make_pod, make_node, make_node_info, pod_containers, nodes, existing, **plugin_args):
    """Raw scores by node: `nodes` is [(name, cpu, memory)], `existing` {node: [requests]}."""
    plugin = NodeResourcesFit(**plugin_args)
    pod = make_pod("pod", pod_containers)
    result = {}
    for name, cpu, memory in nodes:
        pods = [
            make_pod("e", [r]) if r != "no-containers" else make_pod("e")
            for r in existing.get(name, [])
        ]
        info = make_node_info(make_node(name, cpu=cpu, memory=memory), *pods)
        result[name] = plugin.score(CycleState(Snapshot([info])), pod, info)
    return result


TWO_CONTAINERS = [{"cpu": "1000", "memory": "2000"}, {"cpu": "2000", "memory": "3000"}]

# TestLeastAllocatedScoringStrategy (least_allocated_test.go): (name, pod containers, nodes,
# existing pods' requests per node, expected, resources).
LEAST_ALLOCATED_CASES = [
    (
        "nothing scheduled, nothing requested",
        [],
        [("node1", "4000", "10000"), ("node2", "4000", "10000")],
        {},
        {"node1": 100, "node2": 100},
        None,
    ),
    (
        "nothing scheduled, resources requested, differently sized nodes",
        TWO_CONTAINERS,
        [("node1", "4000", "10000"), ("node2", "6000", "10000")],
        {},
        {"node1": 37, "node2": 50},
        None,
    ),
    (
        "no resources requested, pods scheduled",
        [],
        [("node1", "4000", "10000"), ("node2", "4000", "10000")],
        {"node1": ["no-containers", "no-containers"], "node2": ["no-containers", "no-containers"]},
        {"node1": 100, "node2": 100},
        None,
    ),
    (
        "no resources requested, pods scheduled with resources",
        [],
        [("node1", "10000", "20000"), ("node2", "10000", "20000")],
        {
            "node1": [{"cpu": "3000", "memory": "0"}, {"cpu": "3000", "memory": "0"}],
            "node2": [{"cpu": "3000", "memory": "0"}, {"cpu": "3000", "memory": "5000"}],
        },
        {"node1": 70, "node2": 57},
        None,
    ),
    (
        "resources requested, pods scheduled with resources",
        TWO_CONTAINERS,
        [("node1", "10000", "20000"), ("node2", "10000", "20000")],
        {"node1": [{"cpu": "3000", "memory": "0"}], "node2": [{"cpu": "3000", "memory": "5000"}]},
        {"node1": 57, "node2": 45},
        None,
    ),
    (
        "resources requested, pods scheduled with resources, differently sized nodes",
        TWO_CONTAINERS,
        [("node1", "10000", "20000"), ("node2", "10000", "50000")],
        {"node1": [{"cpu": "3000", "memory": "0"}], "node2": [{"cpu": "3000", "memory": "5000"}]},
        {"node1": 57, "node2": 60},
        None,
    ),
    (
        "requested resources exceed node capacity",
        [{"cpu": "3000", "memory": "0"}],
        [("node1", "4000", "10000"), ("node2", "4000", "10000")],
        {"node1": [{"cpu": "3000", "memory": "0"}], "node2": [{"cpu": "3000", "memory": "5000"}]},
        {"node1": 50, "node2": 25},
        None,
    ),
    (
        "zero node resources, pods scheduled with resources",
        [],
        [("node1", "", ""), ("node2", "", "")],
        {"node1": [{"cpu": "3000", "memory": "0"}], "node2": [{"cpu": "3000", "memory": "5000"}]},
        {"node1": 0, "node2": 0},
        None,
    ),
    (
        "nothing scheduled, resources requested with different weight on CPU and memory, "
        "differently sized nodes",
        TWO_CONTAINERS,
        [("node1", "4000", "10000"), ("node2", "6000", "10000")],
        {},
        {"node1": 41, "node2": 50},
        {"memory": 2, "cpu": 1},
    ),
    (
        "k8slab: a resource the node lacks is left out of the average",
        [{"cpu": "3000", "memory": "4000"}],
        [("node1", "6000", ""), ("node2", "6000", "10000")],
        {},
        {"node1": 50, "node2": 55},
        None,
    ),
]


@pytest.mark.parametrize(
    ("pod_containers", "nodes", "existing", "expected", "resources"),
    [case[1:] for case in LEAST_ALLOCATED_CASES],
    ids=[case[0] for case in LEAST_ALLOCATED_CASES],
)
def test_least_allocated(
    make_pod, make_node, make_node_info, pod_containers, nodes, existing, expected, resources
):
    got = scores(
        make_pod, make_node, make_node_info, pod_containers, nodes, existing, resources=resources
    )
    assert got == expected


# TestMostAllocatedScoringStrategy (most_allocated_test.go); upstream names the weighted case as
# the one before it, pytest tells them apart by a suffix.
MOST_ALLOCATED_CASES = [
    (
        "nothing scheduled, nothing requested",
        [],
        [("node1", "4000", "10000"), ("node2", "4000", "10000")],
        {},
        {"node1": 0, "node2": 0},
        None,
    ),
    (
        "nothing scheduled, resources requested, differently sized nodes",
        TWO_CONTAINERS,
        [("node1", "4000", "10000"), ("node2", "6000", "10000")],
        {},
        {"node1": 62, "node2": 50},
        None,
    ),
    (
        "no resources requested, pods scheduled with resources",
        [],
        [("node1", "10000", "20000"), ("node2", "10000", "20000")],
        {
            "node1": [{"cpu": "3000", "memory": "0"}, {"cpu": "3000", "memory": "0"}],
            "node2": [{"cpu": "3000", "memory": "0"}, {"cpu": "3000", "memory": "5000"}],
        },
        {"node1": 30, "node2": 42},
        None,
    ),
    (
        "resources requested, pods scheduled with resources",
        TWO_CONTAINERS,
        [("node1", "10000", "20000"), ("node2", "10000", "20000")],
        {"node1": [{"cpu": "3000", "memory": "0"}], "node2": [{"cpu": "3000", "memory": "5000"}]},
        {"node1": 42, "node2": 55},
        None,
    ),
    (
        "resources requested equal node capacity",
        [{"cpu": "2000", "memory": "4000"}, {"cpu": "3000", "memory": "5000"}],
        [("node1", "5000", "10000"), ("node2", "10000", "9000")],
        {},
        {"node1": 95, "node2": 75},
        None,
    ),
    (
        "nothing scheduled, resources requested, differently sized nodes",
        TWO_CONTAINERS,
        [("node1", "4000", "10000"), ("node2", "6000", "10000")],
        {},
        {"node1": 58, "node2": 50},
        {"memory": 2, "cpu": 1},
    ),
    (
        "no resources requested, pods scheduled, nonzero request for resource",
        [None],
        [("node1", "250m", "1000Mi"), ("node2", "250m", "1000Mi")],
        {"node1": [None, None]},
        {"node1": 80, "node2": 30},
        None,
    ),
]


@pytest.mark.parametrize(
    ("pod_containers", "nodes", "existing", "expected", "resources"),
    [case[1:] for case in MOST_ALLOCATED_CASES],
    ids=[case[0] for case in MOST_ALLOCATED_CASES],
)
def test_most_allocated(
    make_pod, make_node, make_node_info, pod_containers, nodes, existing, expected, resources
):
    got = scores(
        make_pod,
        make_node,
        make_node_info,
        pod_containers,
        nodes,
        existing,
        scoring_strategy="MostAllocated",
        resources=resources,
    )
    assert got == expected


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [("LeastAllocated", {"node1": 32, "node2": 63}), ("MostAllocated", {"node1": 67, "node2": 36})],
    ids=[
        "test case for ScoringStrategy LeastAllocated",
        "test case for ScoringStrategy MostAllocated",
    ],
)
def test_fit_score_by_strategy(make_pod, make_node, make_node_info, strategy, expected):
    # TestFitScore (fit_test.go)
    got = scores(
        make_pod,
        make_node,
        make_node_info,
        [{"cpu": "1000", "memory": "2000"}],
        [("node1", "4000", "10000"), ("node2", "6000", "10000")],
        {
            "node1": [{"cpu": "2000", "memory": "4000"}],
            "node2": [{"cpu": "1000", "memory": "2000"}],
        },
        scoring_strategy=strategy,
    )
    assert got == expected


# --- RequestedToCapacityRatio (requested_to_capacity_ratio_test.go) -----------------------------

LEAST_LIKE_SHAPE = [(0, 10), (100, 0)]

# TestRequestedToCapacityRatioScoringStrategy: pods from st.MakePod() have no containers, they ask
# for nothing, not even the defaults. (name, pod containers, nodes' cpu, existing, expected).
RTCR_CASES = [
    (
        "nothing scheduled, nothing requested (default - least requested nodes have priority)",
        "no-containers",
        ("4000", "4000"),
        None,
        (100, 100),
    ),
    (
        "nothing scheduled, resources requested, differently sized nodes (default - least "
        "requested nodes have priority)",
        TWO_CONTAINERS,
        ("4000", "6000"),
        None,
        (38, 50),
    ),
    (
        "no resources requested, pods scheduled with resources (default - least requested nodes "
        "have priority)",
        "no-containers",
        ("4000", "6000"),
        {"cpu": "3000", "memory": "5000"},
        (38, 50),
    ),
]


@pytest.mark.parametrize(
    ("pod_containers", "cpus", "existing", "expected"),
    [case[1:] for case in RTCR_CASES],
    ids=[case[0] for case in RTCR_CASES],
)
def test_requested_to_capacity_ratio(
    make_pod, make_node, make_node_info, pod_containers, cpus, existing, expected
):
    plugin = NodeResourcesFit("RequestedToCapacityRatio", shape=LEAST_LIKE_SHAPE)
    pod = make_pod("pod") if pod_containers == "no-containers" else make_pod("pod", pod_containers)
    got = []
    for index, cpu in enumerate(cpus):
        node = make_node(f"node{index + 1}", cpu=cpu, memory="10000")
        pods = [make_pod("e", [existing])] if existing else [make_pod("e"), make_pod("f")]
        info = make_node_info(node, *pods)
        got.append(plugin.score(CycleState(Snapshot([info])), pod, info))
    # 38 = round((25 + 50) / 2): upstream rounds the average, it does not floor it
    assert tuple(got) == expected


EXTENDED_1 = {"intel.com/foo": 4, "intel.com/bar": 8}
EXTENDED_2 = {"intel.com/foo": 8, "intel.com/bar": 4}
FOO_2, FOO_4 = {"intel.com/foo": "2"}, {"intel.com/foo": "4"}
FOO_BAR_2, FOO_4_BAR_2 = {**FOO_2, "intel.com/bar": "2"}, {**FOO_4, "intel.com/bar": "2"}

# TestResourceBinPackingSingleExtended (intel.com/foo weight 1) and ...MultipleExtended (foo
# weight 3, bar weight 5), shape 0→0, 100→1: (name, pod request, existing pod on node2, scores of
# node1 and node2). The trailing space is upstream's.
SINGLE_EXTENDED_CASES = [
    ("nothing scheduled, nothing requested", None, None, (0, 0)),
    ("resources requested, pods scheduled with less resources", FOO_2, None, (2, 5)),
    (
        "resources requested, pods scheduled with resources, on node with existing pod running ",
        FOO_2,
        FOO_2,
        (2, 10),
    ),
    ("resources requested, pods scheduled with more resources", FOO_4, None, (5, 10)),
]
MULTIPLE_EXTENDED_CASES = [
    ("nothing scheduled, nothing requested", None, None, (0, 0)),
    ("resources requested, pods scheduled with less resources", FOO_BAR_2, None, (4, 3)),
    (
        "resources requested, pods scheduled with resources, on node with existing pod running ",
        FOO_BAR_2,
        FOO_4_BAR_2,
        (4, 7),
    ),
    ("resources requested, pods scheduled with more resources", FOO_4_BAR_2, None, (5, 5)),
]


def bin_packing_scores(make_pod, make_node, make_node_info, resources, request, existing):
    plugin = NodeResourcesFit("RequestedToCapacityRatio", resources, shape=[(0, 0), (100, 1)])
    pod = make_pod("pod", [request]) if request else make_pod("pod")
    node1 = make_node_info(make_node("node1", cpu="4", memory="10000Mi", extra=EXTENDED_2))
    node2_pods = [make_pod("e", [existing])] if existing else []
    node2 = make_node_info(
        make_node("node2", cpu="4", memory="10000Mi", extra=EXTENDED_1), *node2_pods
    )
    return tuple(plugin.score(CycleState(), pod, info) for info in (node1, node2))


@pytest.mark.parametrize(
    ("request_", "existing", "expected"),
    [case[1:] for case in SINGLE_EXTENDED_CASES],
    ids=[case[0] for case in SINGLE_EXTENDED_CASES],
)
def test_bin_packing_on_one_extended_resource(
    make_pod, make_node, make_node_info, request_, existing, expected
):
    resources = {"intel.com/foo": 1}
    got = bin_packing_scores(make_pod, make_node, make_node_info, resources, request_, existing)
    assert got == expected


@pytest.mark.parametrize(
    ("request_", "existing", "expected"),
    [case[1:] for case in MULTIPLE_EXTENDED_CASES],
    ids=[case[0] for case in MULTIPLE_EXTENDED_CASES],
)
def test_bin_packing_on_several_extended_resources(
    make_pod, make_node, make_node_info, request_, existing, expected
):
    resources = {"intel.com/foo": 3, "intel.com/bar": 5}
    got = bin_packing_scores(make_pod, make_node, make_node_info, resources, request_, existing)
    assert got == expected


@pytest.mark.parametrize(
    ("shape", "points"),
    [
        # TestBrokenLinearFunction (upstream's cases are unnamed: case_0, case_1, case_2)
        (
            [(10, 1), (90, 9)],
            {-10: 1, 0: 1, 9: 1, 10: 1, 15: 1, 19: 1, 20: 2, 89: 8, 90: 9, 99: 9, 100: 9, 110: 9},
        ),
        ([(0, 2), (40, 10), (100, 0)], {-10: 2, 0: 2, 20: 6, 30: 8, 40: 10, 70: 5, 100: 0, 110: 0}),
        ([(0, 2), (40, 2), (100, 2)], {-10: 2, 0: 2, 20: 2, 70: 2, 110: 2}),
    ],
    ids=["case_0", "case_1", "case_2"],
)
def test_broken_linear_function(shape, points):
    function = broken_linear(shape)
    assert {p: function(p) for p in points} == points


# Inexact divisions: Go's int64 `/` truncates toward zero, so on a falling segment the score rounds
# up where Python's `//` would round it down (floor in the comment). Rising segments agree.
INEXACT_CASES = [
    (
        "falling 100 to 0 over 0..60",
        [(0, 100), (60, 0)],
        # 50: 100 + (-5000 / 60) = 100 - 83 = 17 (floor 16); 59: 100 - 98 = 2 (floor 1)
        {0: 100, 1: 99, 50: 17, 59: 2, 60: 0, 61: 0},
    ),
    (
        "upstream case_1 between its points",
        [(0, 2), (40, 10), (100, 0)],
        # 41: 10 + (-10 / 60) = 10 (floor 9); 99: 10 + (-590 / 60) = 10 - 9 = 1 (floor 0)
        {1: 2, 39: 9, 41: 10, 99: 1},
    ),
    (
        "falling to a non-zero score",
        [(20, 9), (50, 3)],
        # 30 is exact (7); 21: 9 + (-6 / 30) = 9 (floor 8); 49: 9 + (-174 / 30) = 4 (floor 3)
        {21: 9, 30: 7, 49: 4},
    ),
    (
        "rising 0 to 100 over 0..60, where truncation is floor",
        [(0, 0), (60, 100)],
        {1: 1, 50: 83, 59: 98},
    ),
]


@pytest.mark.parametrize(
    ("shape", "points"),
    [case[1:] for case in INEXACT_CASES],
    ids=[case[0] for case in INEXACT_CASES],
)
def test_broken_linear_truncates_toward_zero_as_go_does(shape, points):
    function = broken_linear(shape)
    assert {p: function(p) for p in points} == points


@pytest.mark.parametrize(
    ("numerator", "denominator", "quotient"),
    [(7, 2, 3), (-7, 2, -3), (7, -2, -3), (-7, -2, 3), (-5000, 60, -83), (-6, 3, -2), (0, 5, 0)],
    ids=["7/2", "-7/2", "7/-2", "-7/-2", "-5000/60", "-6/3 exact", "0/5"],
)
def test_go_quotient_truncates_toward_zero(numerator, denominator, quotient):
    assert go_quotient(numerator, denominator) == quotient


def test_requested_to_capacity_ratio_scores_a_falling_shape_as_upstream(
    make_pod, make_node, make_node_info
):
    # shape {0: 10, 60: 0} scaled by 10 is {0: 100, 60: 0}; 2 of 4 cpus is 50 % utilization → 17
    plugin = NodeResourcesFit("RequestedToCapacityRatio", {"cpu": 1}, shape=[(0, 10), (60, 0)])
    info = make_node_info(make_node("n", cpu="4", memory="10Gi"))
    pod = make_pod("p", [{"cpu": "2"}])
    assert plugin.score(CycleState(Snapshot([info])), pod, info) == 17


def test_least_and_most_allocated_skip_an_extended_resource_the_pod_does_not_request(
    make_pod, make_node, make_node_info
):
    # least/most_allocated_test.go "bypass extended resource if the pod does not request"
    node = make_node_info(make_node("n", cpu="4", memory="10Gi", extra={"example.com/gpu": 4}))
    resources = {"cpu": 1, "memory": 1, "example.com/gpu": 1}
    pod = make_pod("p", [{"cpu": "2", "memory": "5Gi"}])
    for strategy, expected in (("LeastAllocated", 50), ("MostAllocated", 50)):
        plugin = NodeResourcesFit(strategy, resources)
        assert plugin.score(CycleState(), pod, node) == expected
    gpu_pod = make_pod("g", [{"cpu": "2", "memory": "5Gi", "example.com/gpu": "1"}])
    assert NodeResourcesFit("LeastAllocated", resources).score(CycleState(), gpu_pod, node) == 58
    assert NodeResourcesFit("MostAllocated", resources).score(CycleState(), gpu_pod, node) == 41

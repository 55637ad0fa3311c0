"""NodeResourcesFit against the cases of kk .../noderesources/fit_test.go, least_allocated_test.go
and most_allocated_test.go (upstream's sizes kept as written: cpu "4000" is 4000 cores there too).
"""

import pytest

from k8slab.errors import K8sLabError
from k8slab.scheduler.plugins.node_resources_fit import (
    NodeResourcesFit,
    insufficient_resources,
    least_requested_score,
    most_requested_score,
)

CPU, MEM, PODS = "Insufficient cpu", "Insufficient memory", "Too many pods"


def req(milli_cpu, memory):
    """A container's requests in upstream's test units: millicores and bytes."""
    return {"cpu": f"{milli_cpu}m", "memory": str(memory)}


def small_node(make_node, pods="32"):
    # fit_test.go: allocatable 10 millicores, 20 bytes, 32 pods
    return make_node("node", cpu="10m", memory="20", pods=pods)


# --- Filter -------------------------------------------------------------------------------------

ENOUGH_REQUESTS_CASES = [
    # (name, pod containers, pod init containers, overhead, existing pod's request, reasons)
    ("no resources requested always fits", [], [], None, (10, 20), None),
    ("too many resources fails", [req(1, 1)], [], None, (10, 20), (CPU, MEM)),
    ("fails due to init container cpu", [req(1, 1)], [req(3, 1)], None, (8, 19), (CPU,)),
    (
        "fails due to highest init container cpu",
        [req(1, 1)],
        [req(3, 1), req(2, 1)],
        None,
        (8, 19),
        (CPU,),
    ),
    ("fails due to init container memory", [req(1, 1)], [req(1, 3)], None, (9, 19), (MEM,)),
    (
        "fails due to highest init container memory",
        [req(1, 1)],
        [req(1, 3), req(1, 2)],
        None,
        (9, 19),
        (MEM,),
    ),
    ("init container fits: max, not sum", [req(1, 1)], [req(1, 1)], None, (9, 19), None),
    (
        "several init containers fit: max, not sum",
        [req(1, 1)],
        [req(1, 1), req(1, 1)],
        None,
        (9, 19),
        None,
    ),
    ("both resources fit", [req(1, 1)], [], None, (5, 5), None),
    ("one resource memory fits", [req(2, 1)], [], None, (9, 5), (CPU,)),
    ("one resource cpu fits", [req(1, 2)], [], None, (5, 19), (MEM,)),
    ("equal edge case", [req(5, 1)], [], None, (5, 19), None),
    ("equal edge case for init container", [req(4, 1)], [req(5, 1)], None, (5, 19), None),
    ("resources + pod overhead fits", [req(1, 1)], [], {"cpu": "3m", "memory": "13"}, (5, 5), None),
    (
        "requests + overhead does not fit for memory",
        [req(1, 1)],
        [],
        {"cpu": "1m", "memory": "15"},
        (5, 5),
        (MEM,),
    ),
]


@pytest.mark.parametrize(
    ("containers", "init", "overhead", "existing", "expected"),
    [case[1:] for case in ENOUGH_REQUESTS_CASES],
    ids=[case[0] for case in ENOUGH_REQUESTS_CASES],
)
def test_filter_enough_requests(
    make_pod, make_node, make_node_info, containers, init, overhead, existing, expected
):
    info = make_node_info(small_node(make_node), make_pod("existing", [req(*existing)]))
    pod = make_pod("pod", containers, init_containers=init, overhead=overhead)
    assert NodeResourcesFit().filter(pod, info) == expected


@pytest.mark.parametrize(
    ("containers", "init", "existing"),
    [
        ([], [], (10, 20)),
        ([req(1, 1)], [], (5, 5)),
        ([req(5, 1)], [], (5, 19)),
        ([req(5, 1)], [req(5, 1)], (5, 19)),
    ],
)
def test_filter_not_enough_pod_slots(
    make_pod, make_node, make_node_info, containers, init, existing
):
    # TestNotEnoughRequests: allocatable pods = 1 and one pod already there
    info = make_node_info(small_node(make_node, pods="1"), make_pod("existing", [req(*existing)]))
    assert NodeResourcesFit().filter(make_pod("pod", containers, init_containers=init), info) == (
        PODS,
    )


def test_filter_reports_every_shortage_in_upstream_order(make_pod, make_node, make_node_info):
    info = make_node_info(small_node(make_node, pods="1"), make_pod("existing", [req(10, 20)]))
    assert NodeResourcesFit().filter(make_pod("pod", [req(1, 1)]), info) == (PODS, CPU, MEM)


def test_insufficient_resources_say_how_short(make_pod, make_node, make_node_info):
    info = make_node_info(small_node(make_node), make_pod("existing", [req(8, 19)]))
    short = insufficient_resources(make_pod("pod", [req(1, 1)], init_containers=[req(3, 1)]), info)
    assert [(s.resource, s.reason, s.requested, s.used, s.capacity) for s in short] == [
        ("cpu", CPU, 3, 8, 10)
    ]


def test_filter_ignores_the_non_zero_defaults(make_pod, make_node, make_node_info):
    # a container without requests needs no room at filter time (defaults are for scoring only)
    info = make_node_info(small_node(make_node), make_pod("existing", [req(10, 20)]))
    assert NodeResourcesFit().filter(make_pod("pod", [None]), info) is None


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
        result[name] = plugin.score(pod, info)
    return result


TWO_CONTAINERS = [{"cpu": "1000", "memory": "2000"}, {"cpu": "2000", "memory": "3000"}]

LEAST_ALLOCATED_CASES = [
    # (name, pod containers, nodes, existing pods' requests per node, expected, resources)
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
        "no resources requested, pods without containers scheduled",
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
        "different weights on cpu and memory",
        TWO_CONTAINERS,
        [("node1", "4000", "10000"), ("node2", "6000", "10000")],
        {},
        {"node1": 41, "node2": 50},
        {"memory": 2, "cpu": 1},
    ),
    (
        "a resource the node lacks is left out of the average",
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
        "different weights on cpu and memory",
        TWO_CONTAINERS,
        [("node1", "4000", "10000"), ("node2", "6000", "10000")],
        {},
        {"node1": 58, "node2": 50},
        {"memory": 2, "cpu": 1},
    ),
    (
        "no resources requested, pods scheduled, non-zero request for resource",
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
)
def test_fit_score_by_strategy(make_pod, make_node, make_node_info, strategy, expected):
    # TestFitScore
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


def test_per_resource_scores_use_integer_division():
    assert least_requested_score(3000, 4000) == 25
    assert least_requested_score(1, 3) == 66
    assert least_requested_score(5, 4) == 0
    assert least_requested_score(1, 0) == 0
    assert most_requested_score(1, 3) == 33
    assert most_requested_score(5, 4) == 100
    assert most_requested_score(1, 0) == 0


def test_score_has_no_normalize_step():
    assert NodeResourcesFit().extension_points() == ("filter", "score")


@pytest.mark.parametrize(
    "args",
    [
        {"scoring_strategy": "RequestedToCapacityRatio"},
        {"scoring_strategy": "leastallocated"},
        {"resources": {"memory": -1, "cpu": 1}},
        {"resources": {"memory": 1, "cpu": 0}},
        {"resources": {"memory": 1, "cpu": 101}},
        {"resources": {"nvidia.com/gpu": 1}},
        {"resources": {}},
    ],
)
def test_bad_arguments_are_clear_errors(args):
    with pytest.raises(K8sLabError, match="NodeResourcesFit"):
        NodeResourcesFit(**args)


def test_unknown_strategy_error_names_the_supported_ones():
    with pytest.raises(K8sLabError, match="LeastAllocated, MostAllocated"):
        NodeResourcesFit(scoring_strategy="BinPack")

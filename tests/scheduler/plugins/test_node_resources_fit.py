"""NodeResourcesFit against the cases of kk .../noderesources/fit_test.go, least_allocated_test.go
and most_allocated_test.go (upstream's sizes kept as written: cpu "4000" is 4000 cores there too).
"""

import pytest

from k8slab.errors import K8sLabError
from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.interface import UNSCHEDULABLE
from k8slab.scheduler.plugins.node_resources_fit import (
    NodeResourcesFit,
    broken_linear,
    insufficient_resources,
    least_requested_score,
    most_requested_score,
)
from k8slab.scheduler.snapshot import Snapshot

CPU, MEM, PODS = "Insufficient cpu", "Insufficient memory", "Too many pods"


def req(milli_cpu, memory):
    """A container's requests in upstream's test units: millicores and bytes."""
    return {"cpu": f"{milli_cpu}m", "memory": str(memory)}


def fit_reasons(filter_status, pod, info, plugin=None):
    """The Filter's reasons (None when the node fits); they are always Unschedulable."""
    status = filter_status(plugin or NodeResourcesFit(), pod, info)
    if status is None:
        return None
    assert status.code == UNSCHEDULABLE
    return status.reasons


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
    make_pod,
    make_node,
    make_node_info,
    filter_status,
    containers,
    init,
    overhead,
    existing,
    expected,
):
    info = make_node_info(small_node(make_node), make_pod("existing", [req(*existing)]))
    pod = make_pod("pod", containers, init_containers=init, overhead=overhead)
    assert fit_reasons(filter_status, pod, info) == expected


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
    make_pod, make_node, make_node_info, filter_status, containers, init, existing
):
    # TestNotEnoughRequests: allocatable pods = 1 and one pod already there
    info = make_node_info(small_node(make_node, pods="1"), make_pod("existing", [req(*existing)]))
    pod = make_pod("pod", containers, init_containers=init)
    assert fit_reasons(filter_status, pod, info) == (PODS,)


def test_filter_reports_every_shortage_in_upstream_order(
    make_pod, make_node, make_node_info, filter_status
):
    info = make_node_info(small_node(make_node, pods="1"), make_pod("existing", [req(10, 20)]))
    assert fit_reasons(filter_status, make_pod("pod", [req(1, 1)]), info) == (PODS, CPU, MEM)


def test_insufficient_resources_say_how_short(make_pod, make_node, make_node_info):
    info = make_node_info(small_node(make_node), make_pod("existing", [req(8, 19)]))
    short = insufficient_resources(make_pod("pod", [req(1, 1)], init_containers=[req(3, 1)]), info)
    assert [(s.resource, s.reason, s.requested, s.used, s.capacity) for s in short] == [
        ("cpu", CPU, 3, 8, 10)
    ]


def test_filter_ignores_the_non_zero_defaults(make_pod, make_node, make_node_info, filter_status):
    # a container without requests needs no room at filter time (defaults are for scoring only)
    info = make_node_info(small_node(make_node), make_pod("existing", [req(10, 20)]))
    assert fit_reasons(filter_status, make_pod("pod", [None]), info) is None


@pytest.mark.parametrize(
    ("extended_request", "expected"),
    [
        # "extended resource fits" / "extended resource capacity enforced" (fit_test.go)
        ("1", None),
        ("3", ("Insufficient example.com/aaa",)),
        ("0", None),
    ],
)
def test_filter_checks_extended_resources(
    make_pod, make_node, make_node_info, filter_status, extended_request, expected
):
    node = make_node("node", cpu="10m", memory="20", extra={"example.com/aaa": 5})
    info = make_node_info(node, make_pod("existing", [{"example.com/aaa": "3"}]))
    pod = make_pod("pod", [{"cpu": "1m", "example.com/aaa": extended_request}])
    assert fit_reasons(filter_status, pod, info) == expected


def test_filter_can_ignore_extended_resources_by_name_or_group(
    make_pod, make_node, make_node_info, filter_status
):
    info = make_node_info(make_node("node", extra={"example.com/aaa": 1}))
    pod = make_pod("pod", [{"example.com/aaa": "2", "example.com/bbb": "1"}])
    assert fit_reasons(filter_status, pod, info) == (
        "Insufficient example.com/aaa",
        "Insufficient example.com/bbb",
    )
    by_name = NodeResourcesFit(ignored_resources=["example.com/aaa"])
    assert fit_reasons(filter_status, pod, info, by_name) == ("Insufficient example.com/bbb",)
    by_group = NodeResourcesFit(ignored_resource_groups=["example.com"])
    assert fit_reasons(filter_status, pod, info, by_group) is None


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


def test_fit_extension_points_have_no_normalize_step():
    assert NodeResourcesFit().extension_points() == ("pre_filter", "filter", "pre_score", "score")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            {"scoring_strategy": "leastallocated"},
            'scoringStrategy.type: Unsupported value: "leastallocated": supported values: '
            '"LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"',
        ),
        (
            {"resources": {"memory": -1, "cpu": 1}},
            "scoringStrategy.resources[0].weight: Invalid value: -1: "
            "resource weight of memory not in valid range (0, 100]",
        ),
        (
            {"resources": {"memory": 1, "cpu": 101}},
            "scoringStrategy.resources[1].weight: Invalid value: 101: "
            "resource weight of cpu not in valid range (0, 100]",
        ),
        (
            {"scoring_strategy": "RequestedToCapacityRatio"},
            "scoringStrategy.requestedToCapacityRatio: Required value: "
            "must be specified when type is RequestedToCapacityRatio",
        ),
        (
            {"shape": [(0, 1)]},
            "scoringStrategy.requestedToCapacityRatio: Forbidden: "
            "must be nil when type is not RequestedToCapacityRatio",
        ),
        (
            {"scoring_strategy": "RequestedToCapacityRatio", "shape": []},
            "scoringStrategy.requestedToCapacityRatio.shape: Required value: "
            "at least one point must be specified",
        ),
        (
            {"scoring_strategy": "RequestedToCapacityRatio", "shape": [(10, 1), (10, 2)]},
            "scoringStrategy.requestedToCapacityRatio.shape[1].utilization: Invalid value: 10: "
            "values must be sorted in increasing order",
        ),
        (
            {"scoring_strategy": "RequestedToCapacityRatio", "shape": [(101, 11)]},
            "[scoringStrategy.requestedToCapacityRatio.shape[0].utilization: Invalid value: 101: "
            "not in valid range [0, 100], scoringStrategy.requestedToCapacityRatio.shape[0].score: "
            "Invalid value: 11: not in valid range [0, 10]]",
        ),
        ({"resources": {}}, "at least one resource"),
    ],
)
def test_bad_arguments_are_upstreams_validation_errors(args, message):
    # kk pkg/scheduler/apis/config/validation/validation_pluginargs.go
    with pytest.raises(K8sLabError) as caught:
        NodeResourcesFit(**args)
    assert message in str(caught.value)


def test_args_from_a_profile_use_the_yaml_field_names():
    plugin = NodeResourcesFit.from_args(
        {
            "scoringStrategy": {
                "type": "RequestedToCapacityRatio",
                "resources": [
                    {"name": "cpu", "weight": 3},
                    {"name": "example.com/gpu", "weight": 1},
                ],
                "requestedToCapacityRatio": {
                    "shape": [{"utilization": 0, "score": 0}, {"utilization": 100, "score": 10}]
                },
            }
        }
    )
    assert plugin.scoring_strategy == "RequestedToCapacityRatio"
    assert plugin.resources == {"cpu": 3, "example.com/gpu": 1}
    assert plugin.shape == [(0, 0), (100, 10)]
    with pytest.raises(K8sLabError, match="unknown field"):
        NodeResourcesFit.from_args({"scoringStrategy": {}, "typo": 1})


# --- RequestedToCapacityRatio (requested_to_capacity_ratio_test.go) -----------------------------

LEAST_LIKE_SHAPE = [(0, 10), (100, 0)]

RTCR_CASES = [
    # pods from st.MakePod() have no containers: they ask for nothing, not even the defaults
    ("nothing scheduled, nothing requested", "no-containers", ("4000", "4000"), None, (100, 100)),
    (
        "nothing scheduled, resources requested, differently sized nodes",
        TWO_CONTAINERS,
        ("4000", "6000"),
        None,
        (38, 50),
    ),
    (
        "no resources requested, pods scheduled with resources",
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


@pytest.mark.parametrize(
    ("resources", "pod_request", "existing_on_node2", "expected"),
    [
        # TestResourceBinPackingSingleExtended: shape 0→0, 100→1 (×10)
        ({"intel.com/foo": 1}, None, None, (0, 0)),
        ({"intel.com/foo": 1}, {"intel.com/foo": "2"}, None, (2, 5)),
        ({"intel.com/foo": 1}, {"intel.com/foo": "2"}, {"intel.com/foo": "2"}, (2, 10)),
        ({"intel.com/foo": 1}, {"intel.com/foo": "4"}, None, (5, 10)),
        # TestResourceBinPackingMultipleExtended: foo weight 3, bar weight 5
        ({"intel.com/foo": 3, "intel.com/bar": 5}, None, None, (0, 0)),
        (
            {"intel.com/foo": 3, "intel.com/bar": 5},
            {"intel.com/foo": "2", "intel.com/bar": "2"},
            None,
            (4, 3),
        ),
    ],
)
def test_bin_packing_on_extended_resources(
    make_pod, make_node, make_node_info, resources, pod_request, existing_on_node2, expected
):
    plugin = NodeResourcesFit("RequestedToCapacityRatio", resources, shape=[(0, 0), (100, 1)])
    pod = make_pod("pod", [pod_request]) if pod_request else make_pod("pod")
    node1 = make_node_info(make_node("node1", cpu="4", memory="10000Mi", extra=EXTENDED_2))
    node2_pods = [make_pod("e", [existing_on_node2])] if existing_on_node2 else []
    node2 = make_node_info(
        make_node("node2", cpu="4", memory="10000Mi", extra=EXTENDED_1), *node2_pods
    )
    assert tuple(plugin.score(CycleState(), pod, info) for info in (node1, node2)) == expected


@pytest.mark.parametrize(
    ("shape", "points"),
    [
        # TestBrokenLinearFunction
        (
            [(10, 1), (90, 9)],
            {-10: 1, 0: 1, 9: 1, 10: 1, 15: 1, 19: 1, 20: 2, 89: 8, 90: 9, 99: 9, 100: 9, 110: 9},
        ),
        ([(0, 2), (40, 10), (100, 0)], {-10: 2, 0: 2, 20: 6, 30: 8, 40: 10, 70: 5, 100: 0, 110: 0}),
        ([(0, 2), (40, 2), (100, 2)], {-10: 2, 0: 2, 20: 2, 70: 2, 110: 2}),
    ],
)
def test_broken_linear_function(shape, points):
    function = broken_linear(shape)
    assert {p: function(p) for p in points} == points


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

"""NodeResourcesFit's Filter and arguments against the cases of kk .../noderesources/fit_test.go
(upstream's sizes kept as written). Its scoring strategies: test_node_resources_fit_scoring.py.
"""

import pytest

from k8slab.errors import K8sLabError
from k8slab.scheduler.framework.interface import UNSCHEDULABLE
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

# TestEnoughRequests (fit_test.go), the cases on cpu, memory and overhead:
# (name, pod containers, pod init containers, overhead, existing pod's request, reasons).
ENOUGH_REQUESTS_CASES = [
    ("no resources requested always fits", [], [], None, (10, 20), None),
    ("too many resources fails", [req(1, 1)], [], None, (10, 20), (CPU, MEM)),
    (
        "too many resources fails due to init container cpu",
        [req(1, 1)],
        [req(3, 1)],
        None,
        (8, 19),
        (CPU,),
    ),
    (
        "too many resources fails due to highest init container cpu",
        [req(1, 1)],
        [req(3, 1), req(2, 1)],
        None,
        (8, 19),
        (CPU,),
    ),
    (
        "too many resources fails due to init container memory",
        [req(1, 1)],
        [req(1, 3)],
        None,
        (9, 19),
        (MEM,),
    ),
    (
        "too many resources fails due to highest init container memory",
        [req(1, 1)],
        [req(1, 3), req(1, 2)],
        None,
        (9, 19),
        (MEM,),
    ),
    (
        "init container fits because it's the max, not sum, of containers and init containers",
        [req(1, 1)],
        [req(1, 1)],
        None,
        (9, 19),
        None,
    ),
    (
        "multiple init containers fit because it's the max, not sum, of containers and init "
        "containers",
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


# TestNotEnoughRequests: allocatable pods = 1 and one pod already there. (name, pod containers,
# pod init containers, existing pod's request).
NOT_ENOUGH_REQUESTS_CASES = [
    (
        "even without specified resources, predicate fails when there's no space for additional "
        "pod",
        [],
        [],
        (10, 20),
    ),
    (
        "even if both resources fit, predicate fails when there's no space for additional pod",
        [req(1, 1)],
        [],
        (5, 5),
    ),
    (
        "even for equal edge case, predicate fails when there's no space for additional pod",
        [req(5, 1)],
        [],
        (5, 19),
    ),
    (
        "even for equal edge case, predicate fails when there's no space for additional pod due "
        "to init container",
        [req(5, 1)],
        [req(5, 1)],
        (5, 19),
    ),
]


@pytest.mark.parametrize(
    ("containers", "init", "existing"),
    [case[1:] for case in NOT_ENOUGH_REQUESTS_CASES],
    ids=[case[0] for case in NOT_ENOUGH_REQUESTS_CASES],
)
def test_filter_not_enough_pod_slots(
    make_pod, make_node, make_node_info, filter_status, containers, init, existing
):
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


AAA, BBB = "example.com/aaa", "example.com/bbb"

# TestEnoughRequests, the cases on extended resources (the node has 5 of example.com/aaa):
# (name, pod containers, pod init containers, what the existing pod uses, reasons).
EXTENDED_CASES = [
    ("extended resource fits", [{AAA: "1"}], [], {}, None),
    ("extended resource fits for init container", [], [{AAA: "1"}], {}, None),
    (
        "extended resource capacity enforced",
        [{**req(1, 1), AAA: "10"}],
        [],
        {AAA: "0"},
        (f"Insufficient {AAA}",),
    ),
    (
        "extended resource allocatable enforced",
        [{**req(1, 1), AAA: "1"}],
        [],
        {AAA: "5"},
        (f"Insufficient {AAA}",),
    ),
    (
        "extended resource allocatable enforced for multiple containers",
        [{**req(1, 1), AAA: "3"}, {**req(1, 1), AAA: "3"}],
        [],
        {AAA: "2"},
        (f"Insufficient {AAA}",),
    ),
    (
        "extended resource allocatable admits multiple init containers",
        [],
        [{**req(1, 1), AAA: "3"}, {**req(1, 1), AAA: "3"}],
        {AAA: "2"},
        None,
    ),
    (
        "extended resource allocatable enforced for unknown resource",
        [{**req(1, 1), BBB: "1"}],
        [],
        {},
        (f"Insufficient {BBB}",),
    ),
    ("k8slab: an extended resource requested as 0 is not checked", [{BBB: "0"}], [], {}, None),
]


@pytest.mark.parametrize(
    ("containers", "init", "existing", "expected"),
    [case[1:] for case in EXTENDED_CASES],
    ids=[case[0] for case in EXTENDED_CASES],
)
def test_filter_checks_extended_resources(
    make_pod, make_node, make_node_info, filter_status, containers, init, existing, expected
):
    node = make_node("node", cpu="10m", memory="20", extra={AAA: 5})
    info = make_node_info(node, make_pod("existing", [existing]))
    pod = make_pod("pod", containers, init_containers=init)
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

"""PodTopologySpread against the cases of kk .../podtopologyspread/filtering_test.go
(TestSingleConstraint) and, in our words, more of filtering_test.go and scoring_test.go."""

import pytest

from k8slab.errors import K8sLabError
from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.interface import UNRESOLVABLE, UNSCHEDULABLE
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.plugins.pod_topology_spread import (
    ERR_REASON_CONSTRAINTS_NOT_MATCH,
    ERR_REASON_NODE_LABEL_NOT_MATCH,
    SYSTEM_DEFAULT_CONSTRAINTS,
    PodTopologySpread,
)
from k8slab.scheduler.snapshot import Snapshot

FOO = {"matchExpressions": [{"key": "foo", "operator": "Exists"}]}


def spread(key, max_skew=1, when="DoNotSchedule", **extra):
    return {
        "maxSkew": max_skew,
        "topologyKey": key,
        "whenUnsatisfiable": when,
        "labelSelector": FOO,
        **extra,
    }


def cluster(make_node, make_pod, layout, labels=None):
    """NodeInfos from {node: (zone or None, number of pods labelled foo)}."""
    infos = []
    for name, (zone, count) in layout.items():
        node_labels = {"kubernetes.io/hostname": name, **(labels or {}).get(name, {})}
        if zone:
            node_labels["zone"] = zone
        pods = [make_pod(f"{name}-{i}", labels={"foo": ""}) for i in range(count)]
        infos.append(NodeInfo(make_node(name, labels=node_labels), pods))
    return infos


def verdicts(plugin, pod, infos):
    """Filter every node after one PreFilter over them all: node -> None or (code, reason)."""
    state = CycleState(Snapshot(infos))
    answer = plugin.pre_filter(state, pod, infos)
    if answer is not None and answer.code == "Skip":
        return {info.name: None for info in infos}
    result = {}
    for info in infos:
        status = plugin.filter(state, pod, info)
        result[info.name] = None if status is None else (status.code, status.reasons[0])
    return result


SKEW = (UNSCHEDULABLE, ERR_REASON_CONSTRAINTS_NOT_MATCH)
MISSING = (UNRESOLVABLE, ERR_REASON_NODE_LABEL_NOT_MATCH)
LAYOUT = {
    "node-a": ("zone1", 0),
    "node-b": ("zone1", 0),
    "node-x": ("zone2", 0),
    "node-y": ("zone2", 0),
}


FOUR_NODES = {
    "node-a": {"zone": "zone1", "node": "node-a"},
    "node-b": {"zone": "zone1", "node": "node-b"},
    "node-x": {"zone": "zone2", "node": "node-x"},
    "node-y": {"zone": "zone2", "node": "node-y"},
}
SPREAD_2103 = {"node-a": 2, "node-b": 1, "node-y": 3}
BAR = {"matchExpressions": [{"key": "bar", "operator": "Exists"}]}


def single_constraint_world(make_node, make_pod, nodes, existing, other_namespace, terminating):
    """NodeInfos with labels `nodes`; `existing` foo-labelled pods per node (those named in
    `other_namespace` in that namespace, those in `terminating` being deleted)."""
    infos = []
    for name, labels in nodes.items():
        pods = []
        for i in range(existing.get(name, 0)):
            pod = make_pod(
                f"p-{name}-{i}", namespace=other_namespace.get(name, "default"), labels={"foo": ""}
            )
            if name in terminating:
                pod["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
            pods.append(pod)
        infos.append(NodeInfo(make_node(name, labels=labels), pods))
    return infos


# TestSingleConstraint (filtering_test.go): (name, the incoming pod's labels, its constraint's
# maxSkew, topologyKey and selector, its node affinity "node In ..." or None, the nodes' labels,
# matching pods per node, namespaces of pods not in "default", nodes whose pods are terminating,
# and the verdict per node: None (fits), SKEW (Unschedulable) or MISSING (Unresolvable)).
SINGLE_CONSTRAINT_CASES = [
    (
        "no existing pods",
        {"foo": ""},
        1,
        "zone",
        FOO,
        None,
        FOUR_NODES,
        {},
        {},
        (),
        {"node-a": None, "node-b": None, "node-x": None, "node-y": None},
    ),
    (
        "no existing pods, incoming pod doesn't match itself",
        {"foo": ""},
        1,
        "zone",
        BAR,
        None,
        FOUR_NODES,
        {},
        {},
        (),
        {"node-a": None, "node-b": None, "node-x": None, "node-y": None},
    ),
    (
        "existing pods in a different namespace do not count",
        {"foo": ""},
        1,
        "zone",
        FOO,
        None,
        FOUR_NODES,
        {"node-a": 2, "node-x": 1, "node-y": 1},
        {"node-a": "ns1"},
        (),
        {"node-a": None, "node-b": None, "node-x": SKEW, "node-y": SKEW},
    ),
    (
        "pods spread across zones as 3/3, all nodes fit",
        {"foo": ""},
        1,
        "zone",
        FOO,
        None,
        FOUR_NODES,
        SPREAD_2103,
        {},
        (),
        {"node-a": None, "node-b": None, "node-x": None, "node-y": None},
    ),
    (
        "pods spread across zones as 1/2 due to absence of label 'zone' on node-b",
        {"foo": ""},
        1,
        "zone",
        FOO,
        None,
        {**FOUR_NODES, "node-b": {"zon": "zone1", "node": "node-b"}},
        {"node-a": 1, "node-b": 1, "node-x": 1, "node-y": 1},
        {},
        (),
        {"node-a": None, "node-b": MISSING, "node-x": SKEW, "node-y": SKEW},
    ),
    (
        "pod cannot be scheduled as all nodes don't have label 'rack'",
        {"foo": ""},
        1,
        "rack",
        FOO,
        None,
        {"node-a": FOUR_NODES["node-a"], "node-x": FOUR_NODES["node-x"]},
        {},
        {},
        (),
        {"node-a": MISSING, "node-x": MISSING},
    ),
    (
        "pods spread across nodes as 2/1/0/3, only node-x fits",
        {"foo": ""},
        1,
        "node",
        FOO,
        None,
        FOUR_NODES,
        SPREAD_2103,
        {},
        (),
        {"node-a": SKEW, "node-b": SKEW, "node-x": None, "node-y": SKEW},
    ),
    (
        "pods spread across nodes as 2/1/0/3, maxSkew is 2, node-b and node-x fit",
        {"foo": ""},
        2,
        "node",
        FOO,
        None,
        FOUR_NODES,
        SPREAD_2103,
        {},
        (),
        {"node-a": SKEW, "node-b": None, "node-x": None, "node-y": SKEW},
    ),
    (
        "pods spread across nodes as 2/1/0/3, but pod doesn't match itself",
        {"bar": ""},
        1,
        "node",
        FOO,
        None,
        FOUR_NODES,
        SPREAD_2103,
        {},
        (),
        {"node-a": SKEW, "node-b": None, "node-x": None, "node-y": SKEW},
    ),
    (
        "incoming pod has nodeAffinity, pods spread as 2/~1~/~0~/3, hence node-a fits",
        {"foo": ""},
        1,
        "node",
        FOO,
        ["node-a", "node-y"],
        FOUR_NODES,
        SPREAD_2103,
        {},
        (),
        {"node-a": None, "node-b": None, "node-x": None, "node-y": SKEW},
    ),
    (
        "terminating Pods should be excluded",
        {"foo": ""},
        1,
        "node",
        FOO,
        None,
        {"node-a": {"node": "node-a"}, "node-b": {"node": "node-b"}},
        {"node-a": 1, "node-b": 1},
        {},
        ("node-a",),
        {"node-a": None, "node-b": SKEW},
    ),
]


@pytest.mark.parametrize(
    (
        "labels",
        "max_skew",
        "key",
        "selector",
        "affinity_nodes",
        "nodes",
        "existing",
        "other_namespace",
        "terminating",
        "expected",
    ),
    [case[1:] for case in SINGLE_CONSTRAINT_CASES],
    ids=[case[0] for case in SINGLE_CONSTRAINT_CASES],
)
def test_single_constraint(
    make_pod,
    make_node,
    labels,
    max_skew,
    key,
    selector,
    affinity_nodes,
    nodes,
    existing,
    other_namespace,
    terminating,
    expected,
):
    infos = single_constraint_world(
        make_node, make_pod, nodes, existing, other_namespace, terminating
    )
    constraint = {**spread(key, max_skew), "labelSelector": selector}
    spec = {"topologySpreadConstraints": [constraint]}
    if affinity_nodes:
        term = {"matchExpressions": [{"key": "node", "operator": "In", "values": affinity_nodes}]}
        required = {"nodeSelectorTerms": [term]}
        spec["affinity"] = {
            "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": required}
        }
    pod = make_pod("p", labels=labels, **spec)
    assert verdicts(PodTopologySpread(), pod, infos) == expected


def test_min_domains_counts_missing_domains_as_empty(make_pod, make_node):
    # two zones exist but minDomains is 3: the global minimum counts as 0
    layout = {"node-a": ("zone1", 1), "node-x": ("zone2", 1)}
    pod = make_pod(
        "p", labels={"foo": ""}, topologySpreadConstraints=[spread("zone", minDomains=3)]
    )
    got = verdicts(PodTopologySpread(), pod, cluster(make_node, make_pod, layout))
    assert got == {"node-a": SKEW, "node-x": SKEW}
    without = make_pod("q", labels={"foo": ""}, topologySpreadConstraints=[spread("zone")])
    assert set(
        verdicts(PodTopologySpread(), without, cluster(make_node, make_pod, layout)).values()
    ) == {None}


def test_nodes_outside_the_pods_node_affinity_do_not_count_by_default(make_pod, make_node):
    # zone2's only node is excluded by the pod's node affinity. Honored (the default), zone2 is
    # no domain, the minimum is zone1's 1 and node-a fits; ignored, zone2 counts as 0 and it
    # does not (nodeAffinityPolicy, common.go matchNodeInclusionPolicies).
    layout = {"node-a": ("zone1", 1), "node-x": ("zone2", 0)}
    infos = cluster(make_node, make_pod, layout, {"node-x": {"team": "other"}})
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchExpressions": [{"key": "team", "operator": "DoesNotExist"}]}
                ]
            }
        }
    }
    honor = make_pod(
        "p", labels={"foo": ""}, affinity=affinity, topologySpreadConstraints=[spread("zone")]
    )
    assert verdicts(PodTopologySpread(), honor, infos)["node-a"] is None
    constraint = spread("zone", nodeAffinityPolicy="Ignore")
    ignore = make_pod(
        "q", labels={"foo": ""}, affinity=affinity, topologySpreadConstraints=[constraint]
    )
    assert verdicts(PodTopologySpread(), ignore, infos)["node-a"] == SKEW


def test_node_taints_policy_honor_leaves_out_tainted_nodes(make_pod, make_node):
    layout = {"node-a": ("zone1", 1), "node-x": ("zone2", 0)}
    infos = cluster(make_node, make_pod, layout)
    infos[1].taints = [{"key": "dedicated", "value": "db", "effect": "NoSchedule"}]
    constraint = spread("zone", nodeTaintsPolicy="Honor")
    honor = make_pod("p", labels={"foo": ""}, topologySpreadConstraints=[constraint])
    assert verdicts(PodTopologySpread(), honor, infos)["node-a"] is None
    default = make_pod("q", labels={"foo": ""}, topologySpreadConstraints=[spread("zone")])
    assert verdicts(PodTopologySpread(), default, infos)["node-a"] == SKEW


def test_a_pod_without_hard_constraints_skips_the_filter(make_pod):
    assert PodTopologySpread().pre_filter(CycleState(), make_pod("p"), []).code == "Skip"


def test_preemption_can_take_matching_pods_away(make_pod, make_node):
    infos = cluster(make_node, make_pod, {"node-a": ("zone1", 2), "node-x": ("zone2", 0)})
    pod = make_pod("p", labels={"foo": ""}, topologySpreadConstraints=[spread("zone")])
    plugin, state = PodTopologySpread(), CycleState(Snapshot(infos))
    plugin.pre_filter(state, pod, infos)
    assert plugin.filter(state, pod, infos[0]) is not None
    trial = state.clone()
    for victim in infos[0].pods:
        plugin.pre_filter_remove_pod(trial, pod, victim, infos[0])
    assert plugin.filter(trial, pod, infos[0]) is None
    assert plugin.filter(state, pod, infos[0]) is not None  # the original state is untouched


# --- Score (ScheduleAnyway) --------------------------------------------------------------------


def soft(key, max_skew=1):
    return spread(key, max_skew, "ScheduleAnyway")


def test_score_on_hosts_2_1_0_3(make_pod, make_node, scores_of):
    # "one constraint on node, all 4 nodes are candidates": raw = count × ln(4 + 2), rounded:
    # 4, 2, 0, 5 → 100 × (5 + 0 − raw) div 5
    layout = {"node-a": (None, 2), "node-b": (None, 1), "node-c": (None, 0), "node-d": (None, 3)}
    pod = make_pod(
        "p", labels={"foo": ""}, topologySpreadConstraints=[soft("kubernetes.io/hostname")]
    )
    got = scores_of(PodTopologySpread(), pod, cluster(make_node, make_pod, layout))
    assert got == {"node-a": 20, "node-b": 60, "node-c": 100, "node-d": 0}


def test_score_with_no_matching_pods_is_100_everywhere(make_pod, make_node, scores_of):
    pod = make_pod(
        "p", labels={"foo": ""}, topologySpreadConstraints=[soft("kubernetes.io/hostname")]
    )
    got = scores_of(
        PodTopologySpread(), pod, cluster(make_node, make_pod, {"a": (None, 0), "b": (None, 0)})
    )
    assert got == {"a": 100, "b": 100}


def test_score_counts_the_whole_zone(make_pod, make_node, scores_of):
    # zone1 holds 3, zone2 holds 1, two zones: ln(4) weights; raw 3 × 1.386 = 4.16 → 4, 1.39 → 1
    layout = {
        "node-a": ("zone1", 2),
        "node-b": ("zone1", 1),
        "node-x": ("zone2", 1),
        "node-y": ("zone2", 0),
    }
    pod = make_pod("p", labels={"foo": ""}, topologySpreadConstraints=[soft("zone")])
    got = scores_of(PodTopologySpread(), pod, cluster(make_node, make_pod, layout))
    assert got == {"node-a": 25, "node-b": 25, "node-x": 100, "node-y": 100}


def test_score_ignores_nodes_missing_a_topology_key(make_pod, make_node, scores_of):
    layout = {"node-a": ("zone1", 1), "node-b": (None, 0), "node-x": ("zone2", 0)}
    pod = make_pod("p", labels={"foo": ""}, topologySpreadConstraints=[soft("zone")])
    got = scores_of(PodTopologySpread(), pod, cluster(make_node, make_pod, layout))
    assert got["node-b"] == 0
    assert got["node-x"] == 100


def test_max_skew_waters_the_difference_down(make_pod, make_node, scores_of):
    layout = {"node-a": (None, 2), "node-b": (None, 0)}
    pod = make_pod(
        "p", labels={"foo": ""}, topologySpreadConstraints=[soft("kubernetes.io/hostname", 5)]
    )
    # raw = count × ln(4) + 4: 6.77 → 7 and 4 → 100 × (7 + 4 − raw) div 7
    assert scores_of(PodTopologySpread(), pod, cluster(make_node, make_pod, layout)) == {
        "node-a": 57,
        "node-b": 100,
    }


def test_system_defaults_need_a_selector_from_the_pods_workloads(make_pod, make_node, scores_of):
    layout = {"node-a": ("zone1", 2), "node-b": ("zone1", 0)}
    infos = cluster(make_node, make_pod, layout)
    pod = make_pod("p", labels={"foo": ""})
    assert scores_of(PodTopologySpread(), pod, infos) is None
    plugin = PodTopologySpread(default_selector=lambda p: {"matchLabels": {"foo": ""}})
    # hostname maxSkew 3 and zone maxSkew 5 (plugin.go systemDefaultConstraints); zone is the
    # same for both nodes: a raw 2 × ln(4) + 2 + 2 × ln(3) + 4 = 11 vs 0 + 2 + 4.4 + 4 ≈ 8
    got = scores_of(plugin, pod, infos)
    assert got["node-b"] == 100 and got["node-a"] < 100
    assert [c["maxSkew"] for c in SYSTEM_DEFAULT_CONSTRAINTS] == [3, 5]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"defaulting_type": "Sometimes"}, 'defaultingType: Unsupported value: "Sometimes"'),
        (
            {"default_constraints": [soft("zone")]},
            'defaultingType: Invalid value: "System": when .defaultConstraints are not empty',
        ),
        (
            {"defaulting_type": "List", "default_constraints": [soft("zone", 0)]},
            r"defaultConstraints\[0\].maxSkew: Invalid value: 0: not in valid range \(0, inf\)",
        ),
    ],
)
def test_bad_args_are_upstreams_validation_errors(kwargs, message):
    with pytest.raises(K8sLabError, match=message):
        PodTopologySpread(**kwargs)

"""The vectorized cycle decides exactly as the per-node cycle: same node, same rejections, same
unexamined nodes, every plugin's raw, normalized and weighted score, same random draws; and each
decision says which cycle made it, and why a cycle ran node by node."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.scheduler import schedule_one, vectorized
from k8slab.scheduler.framework.diagnosis import (
    PER_NODE,
    VECTORIZED,
    NodeScore,
    PluginScore,
    Rejection,
)
from k8slab.scheduler.framework.interface import UNSCHEDULABLE, Plugin, Status
from k8slab.scheduler.framework.runtime import Framework
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.plugins.node_resources_fit import NodeResourcesFit
from k8slab.scheduler.plugins.registry import default_profile, new_framework
from k8slab.scheduler.plugins.taint_toleration import TaintToleration
from k8slab.scheduler.schedule_one import select_host
from k8slab.scheduler.scheduler import VECTORIZED_MIN_NODES, scheduling_cycle
from k8slab.scheduler.snapshot import Snapshot
from k8slab.scheduler.vectorized import array_form, select_row
from k8slab.scheduler.vectorized_diagnosis import LazyRejections, LazyScores

ZONES = ("a", "b", "c", "d")
TAINT_KEYS = ("dedicated", "spot", "gpu")
EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
# The share of cycles the vectorized cycle must decide itself in the scale test.
MIN_FAST_PATH_SHARE = 0.9


def random_node(rng: random.Random, index: int) -> dict:
    """A node with random size, labels, taints, images, sometimes cordoned or odd."""
    name = f"n{index:03}"
    labels = {"kubernetes.io/hostname": name, "tier": rng.choice(("web", "db", "batch"))}
    if rng.random() < 0.9:
        labels["topology.kubernetes.io/zone"] = rng.choice(ZONES)
    if rng.random() < 0.5:
        labels["rank"] = str(rng.randrange(10))
    allocatable = {
        "cpu": rng.choice(("1", "2", "4", "500m")),
        "memory": rng.choice(("1Gi", "2Gi", "4Gi", "0")),
        "pods": str(rng.choice((3, 5, 110))),
    }
    if rng.random() < 0.2:
        allocatable["example.com/gpu"] = str(rng.randrange(3))
    if rng.random() < 0.2:
        allocatable["ephemeral-storage"] = rng.choice(("1Gi", "10Gi"))
    taints = [
        {"key": rng.choice(TAINT_KEYS), "value": rng.choice(("x", "y")), "effect": effect}
        for effect in rng.sample(EFFECTS, rng.choice((0, 0, 0, 1, 2)))
    ]
    spec: dict = {"taints": taints} if taints else {}
    if rng.random() < 0.05:
        spec["unschedulable"] = True
    images = [
        {"names": [f"img{i}:1"], "sizeBytes": rng.randrange(10, 900) * 2**20}
        for i in rng.sample(range(4), rng.randrange(3))
    ]
    return {
        "metadata": {"name": name, "labels": labels},
        "spec": spec,
        "status": {"allocatable": allocatable, "images": images},
    }


def _requests(rng: random.Random) -> dict | None:
    if rng.random() < 0.2:
        return None
    requests = {}
    if rng.random() < 0.9:
        requests["cpu"] = rng.choice(("100m", "250m", "1", "0"))
    if rng.random() < 0.8:
        requests["memory"] = rng.choice(("64Mi", "512Mi", "1Gi"))
    if rng.random() < 0.1:
        requests["example.com/gpu"] = "1"
    if rng.random() < 0.05:
        requests["ephemeral-storage"] = "2Gi"
    return requests


def random_pod(rng: random.Random, index: int) -> dict:
    """A pod with random requests, tolerations, node affinity, spread and pod (anti-)affinity."""
    app = f"app{rng.randrange(3)}"
    containers = []
    for c in range(rng.choice((1, 1, 2))):
        container: dict = {"name": f"c{c}", "image": f"img{rng.randrange(5)}:1"}
        requests = _requests(rng)
        if requests is not None:
            container["resources"] = {"requests": requests}
        containers.append(container)
    spec: dict = {"containers": containers}
    if rng.random() < 0.4:
        spec["tolerations"] = [
            {"key": rng.choice(TAINT_KEYS), "operator": "Exists", "effect": rng.choice(EFFECTS)}
        ]
    if rng.random() < 0.15:
        spec["nodeSelector"] = {"tier": rng.choice(("web", "db"))}
    node_affinity: dict = {}
    if rng.random() < 0.2:
        operator = rng.choice(("In", "NotIn", "Exists", "Gt"))
        expression: dict = {"key": "topology.kubernetes.io/zone", "operator": operator}
        if operator in ("In", "NotIn"):
            expression["values"] = rng.sample(ZONES, 2)
        if operator == "Gt":
            expression = {"key": "rank", "operator": "Gt", "values": [str(rng.randrange(9))]}
        node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {
            "nodeSelectorTerms": [{"matchExpressions": [expression]}]
        }
    if rng.random() < 0.3:
        node_affinity["preferredDuringSchedulingIgnoredDuringExecution"] = [
            {
                "weight": rng.randrange(1, 100),
                "preference": {
                    "matchExpressions": [
                        {"key": "tier", "operator": "In", "values": [rng.choice(("web", "db"))]}
                    ]
                },
            }
        ]
    affinity: dict = {"nodeAffinity": node_affinity} if node_affinity else {}
    if rng.random() < 0.05:
        affinity["podAntiAffinity"] = {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {
                    "labelSelector": {"matchLabels": {"app": app}},
                    "topologyKey": "kubernetes.io/hostname",
                }
            ]
        }
    if affinity:
        spec["affinity"] = affinity
    if rng.random() < 0.35:
        spec["topologySpreadConstraints"] = [
            {
                "maxSkew": rng.randrange(1, 3),
                "topologyKey": rng.choice(
                    ("topology.kubernetes.io/zone", "kubernetes.io/hostname")
                ),
                "whenUnsatisfiable": rng.choice(("DoNotSchedule", "ScheduleAnyway")),
                "labelSelector": {"matchLabels": {"app": app}},
                **({"minDomains": 3} if rng.random() < 0.2 else {}),
                **({"nodeTaintsPolicy": "Honor"} if rng.random() < 0.3 else {}),
            }
            for _ in range(rng.choice((1, 1, 2)))
        ]
    if rng.random() < 0.03:
        containers[0]["ports"] = [{"containerPort": 80, "hostPort": 8080}]
    return {
        "metadata": {"name": f"p{index:03}", "namespace": "default", "labels": {"app": app}},
        "spec": spec,
    }


def assert_same(plain, fast) -> None:
    """Every part of two Decisions that a reader can see is equal."""
    assert fast.node == plain.node
    assert fast.next_start_index == plain.next_start_index
    assert list(fast.filtered.items()) == list(plain.filtered.items())
    assert tuple(fast.unexamined) == tuple(plain.unexamined)
    assert tuple(fast.scores) == tuple(plain.scores)
    assert fast.score_plugins == plain.score_plugins
    assert fast.skipped_score_plugins == plain.skipped_score_plugins
    assert fast.feasible == plain.feasible
    assert fast.message == plain.message
    assert fast.rows() == plain.rows()
    assert fast == plain


class World:
    """A cluster of NodeInfos and a default profile: one per cycle, built alike."""

    def __init__(self, nodes: list[dict], rng_seed: int, **profile_args: object) -> None:
        self.infos = [NodeInfo(node) for node in nodes]
        self.snapshot = Snapshot()
        self.framework = default_profile(profile_args or None)
        self.rng = random.Random(rng_seed)
        self.start = 0

    def schedule(self, pod: dict, fast: bool, percentage: int):
        """One cycle: vectorized.schedule_pod if `fast`, else schedule_one.schedule_pod."""
        self.snapshot.update(self.infos)
        cycle = vectorized.schedule_pod if fast else schedule_one.schedule_pod
        decision = cycle(
            self.framework,
            self.snapshot,
            pod,
            self.rng,
            start_index=self.start,
            percentage_of_nodes_to_score=percentage,
        )
        self.start = decision.next_start_index
        if decision.node is not None:
            next(i for i in self.infos if i.name == decision.node).add_pod(pod)
        return decision

    def remove(self, name: str) -> None:
        for info in self.infos:
            for pod in info.pods:
                if pod["metadata"]["name"] == name:
                    info.remove_pod(pod)

    def replace_node(self, index: int, node: dict) -> None:
        old = self.infos[index]
        self.infos[index] = NodeInfo(node, old.pods)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_vectorized_decisions_equal_the_per_node_path(seed):
    rng = random.Random(seed)
    nodes = [random_node(rng, i) for i in range(rng.choice((1, 2, 5, 40, 130, 160)))]
    args = {}
    strategy = rng.random()
    if strategy < 0.2:
        args = {"NodeResourcesFit": {"scoring_strategy": "MostAllocated"}}
    elif strategy < 0.35:  # a falling shape: divisions that truncate toward zero, as Go's do
        shape = [(0, 10), (60, 0), (100, 3)]
        ratio = {"scoring_strategy": "RequestedToCapacityRatio", "shape": shape}
        args = {"NodeResourcesFit": ratio}
    plain, fast = World(nodes, seed, **args), World(nodes, seed, **args)
    percentage = rng.choice((0, 0, 10, 30, 100))
    for index in range(40):
        pod = random_pod(rng, index)
        slow, quick = plain.schedule(pod, False, percentage), fast.schedule(pod, True, percentage)
        assert_same(slow, quick)
        assert (slow.path, slow.why_per_node) == (PER_NODE, "")
        assert quick.path == VECTORIZED or (quick.path, bool(quick.why_per_node)) == (
            PER_NODE,
            True,
        )
        assert plain.rng.getstate() == fast.rng.getstate()
        if rng.random() < 0.1:
            gone = f"p{rng.randrange(index + 1):03}"
            plain.remove(gone)
            fast.remove(gone)
        if rng.random() < 0.05:
            row = rng.randrange(len(nodes))
            node = random_node(rng, row)
            plain.replace_node(row, node)
            fast.replace_node(row, node)


def test_a_full_cluster_falls_back_to_the_per_node_cycle_with_preemption():
    nodes = [
        {"metadata": {"name": f"n{i}"}, "status": {"allocatable": {"cpu": "1", "pods": "110"}}}
        for i in range(120)
    ]
    plain, fast = World(nodes, 1), World(nodes, 1)
    paths = []
    for index in range(121):
        pod = {
            "metadata": {"name": f"p{index}"},
            "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1"}}}]},
        }
        decision = fast.schedule(pod, True, 0)
        assert_same(plain.schedule(pod, False, 0), decision)
        paths.append((decision.path, decision.why_per_node))
    assert paths == [(VECTORIZED, "")] * 120 + [
        (PER_NODE, "no node fits, and PostFilter (preemption) runs node by node")
    ]


def test_huge_quantities_take_the_per_node_cycle():
    nodes = [
        {"metadata": {"name": f"n{i}"}, "status": {"allocatable": {"cpu": "1", "memory": "8E"}}}
        for i in range(3)
    ]
    plain, fast = World(nodes, 1), World(nodes, 1)
    pod = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}}
    decision = fast.schedule(pod, True, 0)
    assert_same(plain.schedule(pod, False, 0), decision)
    assert not fast.snapshot.table.exact
    assert decision.why_per_node == (
        "a node has a quantity too large for exact int64 and float64 arithmetic"
    )


@pytest.mark.parametrize(
    ("pod_spec", "pod_status", "nominated", "why"),
    [
        (
            {"tolerations": [{"operator": "Exists"}]},
            {},
            None,
            "",
        ),
        (
            {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {
                                    "matchFields": [
                                        {
                                            "key": "metadata.name",
                                            "operator": "In",
                                            "values": ["n1"],
                                        }
                                    ]
                                }
                            ]
                        }
                    }
                }
            },
            {},
            None,
            "PreFilter of NodeAffinity narrows the nodes",
        ),
        (
            {},
            {"nominatedNodeName": "n2"},
            None,
            "the pod is nominated to a node, which it tries first",
        ),
        (
            {},
            {},
            {"n3": [{"metadata": {"name": "waiting"}, "spec": {"priority": 5}}]},
            "pods are nominated to nodes, and Filter counts them node by node",
        ),
    ],
    ids=["vectorized", "narrowed by PreFilter", "nominated pod", "pods nominated to nodes"],
)
def test_each_decision_says_which_cycle_made_it_and_why(pod_spec, pod_status, nominated, why):
    room = {"status": {"allocatable": {"pods": "10"}}}
    infos = [NodeInfo({"metadata": {"name": f"n{i}"}, **room}) for i in range(5)]
    pod = {"metadata": {"name": "p"}, "spec": {"containers": [], **pod_spec}, "status": pod_status}
    decision = vectorized.schedule_pod(
        default_profile(), Snapshot(infos), pod, random.Random(0), nominated_pods=nominated
    )
    assert (decision.path, decision.why_per_node) == ((PER_NODE, why) if why else (VECTORIZED, ""))


def test_the_scheduler_runs_small_clusters_node_by_node_and_large_ones_over_arrays():
    assert VECTORIZED_MIN_NODES == 100
    room = {"status": {"allocatable": {"pods": "10"}}}
    infos = [NodeInfo({"metadata": {"name": f"n{i}"}, **room}) for i in range(99)]
    snapshot, framework = Snapshot(infos), default_profile()
    pod = {"metadata": {"name": "p"}, "spec": {}}
    decision = scheduling_cycle(framework, snapshot, pod, random.Random(0))
    assert (decision.path, decision.why_per_node) == (
        PER_NODE,
        "99 nodes, fewer than 100: node by node is quicker",
    )
    assert not snapshot.has_table
    snapshot.update([*infos, NodeInfo({"metadata": {"name": "last"}, **room})])
    decision = scheduling_cycle(framework, snapshot, pod, random.Random(0))
    assert (decision.path, decision.why_per_node) == (VECTORIZED, "")
    assert snapshot.has_table


class OddOut(Plugin):
    """A reader's plugin without an array form: it runs node by node in the vectorized cycle."""

    name = "OddOut"

    def filter(self, state, pod, node_info):
        return "odd" if int(node_info.name[1:]) % 2 else None

    def score(self, state, pod, node_info):
        return int(node_info.name[1:]) % 7


def test_a_custom_plugin_runs_node_by_node_inside_the_vectorized_cycle():
    def world():
        framework = new_framework(["NodeResourcesFit"], {})
        framework = Framework([*framework.plugins, OddOut()])
        room = {"status": {"allocatable": {"pods": "10"}}}
        infos = [NodeInfo({"metadata": {"name": f"n{i}"}, **room}) for i in range(10)]
        return framework, Snapshot(infos)

    (slow, slow_nodes), (quick, quick_nodes) = world(), world()
    pod = {"metadata": {"name": "p"}, "spec": {}}
    plain = schedule_one.schedule_pod(slow, slow_nodes, pod, random.Random(3))
    fast = vectorized.schedule_pod(quick, quick_nodes, pod, random.Random(3))
    assert_same(plain, fast)
    assert fast.path == VECTORIZED
    assert fast.filtered["n1"] == Rejection("OddOut", ("odd",), UNSCHEDULABLE)


class TaintCounting(TaintToleration):
    """TaintToleration with its own NormalizeScore: the inherited array form must not be used."""

    extends = ("filter", "pre_score", "score", "normalize")

    def normalize(self, state, pod, scores):
        return {node: min(score, 1) * 100 for node, score in scores.items()}


def test_an_array_form_counts_only_beside_the_per_node_method_it_mirrors():
    assert array_form(TaintToleration(), "normalize") is not None
    assert array_form(TaintCounting(), "normalize") is None
    assert array_form(TaintCounting(), "filter") is None  # TaintToleration has none: signature
    assert array_form(NodeResourcesFit(), "filter") is not None
    spot = {"key": "spot", "value": "x", "effect": "PreferNoSchedule"}
    infos = [
        NodeInfo({"metadata": {"name": f"n{i}"}, "spec": {"taints": [spot] * (i % 2)}})
        for i in range(4)
    ]
    framework = Framework([TaintCounting()])
    pod = {"metadata": {"name": "p"}, "spec": {}}
    plain = schedule_one.schedule_pod(framework, Snapshot(infos), pod, random.Random(1))
    fast = vectorized.schedule_pod(framework, Snapshot(infos), pod, random.Random(1))
    assert_same(plain, fast)
    assert [s.of("TaintToleration").normalized for s in fast.scores] == [0, 100, 0, 100]


def test_most_decisions_at_scale_are_made_over_arrays():
    # A fast path that always handed over to the per-node cycle would still decide correctly:
    # this counts how often it really ran (the benchmark's workload mix, at a test's scale).
    rng = random.Random(11)
    fast = World([random_node(rng, i) for i in range(300)], 11)
    paths = Counter()
    for index in range(300):
        decision = fast.schedule(random_pod(rng, index), True, 0)
        paths[decision.path] += 1
    assert paths[VECTORIZED] / sum(paths.values()) >= MIN_FAST_PATH_SHARE, paths


@given(st.lists(st.integers(0, 3), min_size=1, max_size=40), st.integers(0, 1000))
def test_select_row_draws_what_select_host_draws(totals, seed):
    scores = [NodeScore(f"n{i}", (PluginScore("P", t, t, 1),)) for i, t in enumerate(totals)]
    by_host, by_row = random.Random(seed), random.Random(seed)
    chosen = select_host(scores, by_host)
    assert f"n{select_row(np.array(totals), by_row)}" == chosen
    assert by_host.getstate() == by_row.getstate()


def test_table_follows_add_pod_and_remove_pod():
    info = NodeInfo({"metadata": {"name": "n"}, "status": {"allocatable": {"cpu": "2"}}})
    snapshot = Snapshot([info])
    pod = {
        "metadata": {"name": "p", "labels": {"app": "x"}},
        "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "500m"}}}]},
    }
    vectorized.schedule_pod(default_profile(), snapshot, pod, random.Random(0))
    table = snapshot.table
    counts = table.matching("x", lambda p: p["metadata"]["labels"]["app"] == "x")
    info.add_pod(pod)
    assert table.requested[0, table.column_of["cpu"]] == 500
    assert table.free[0, table.column_of["cpu"]] == 1500
    assert table.pod_count[0] == 1 and counts[0] == 1
    info.remove_pod(pod)
    assert table.requested[0, table.column_of["cpu"]] == 0
    assert table.pod_count[0] == 0 and counts[0] == 0


def test_lazy_views_compare_like_what_they_stand_for():
    statuses = np.array([Status(UNSCHEDULABLE, ("no",), "P")], dtype=object)
    lazy = LazyRejections(("a", "b", "c"), [(np.array([2]), None, statuses)])
    assert lazy == {"c": Rejection("P", ("no",), UNSCHEDULABLE)} and list(lazy) == ["c"]
    scores = LazyScores(
        ("a", "b"), np.array([1, 0]), [("P", np.array([5, 6]), np.array([50, 60]), 2)]
    )
    assert scores == (
        NodeScore("b", (PluginScore("P", 5, 50, 2),)),
        NodeScore("a", (PluginScore("P", 6, 60, 2),)),
    )
    assert scores[0].total == 100
    with pytest.raises(TypeError):
        hash(scores)

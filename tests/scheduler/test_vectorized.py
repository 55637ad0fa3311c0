"""The vectorized cycle decides exactly as the per-node path: same node, same rejections, same
unexamined nodes, every plugin's raw, normalized and weighted score, same random draws."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.scheduler.framework import (
    UNSCHEDULABLE,
    VECTORIZED_MIN_NODES,
    NodeScore,
    PluginScore,
    Rejection,
    Status,
    select_host,
)
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.plugins import default_profile, new_framework
from k8slab.scheduler.vectorized import LazyRejections, LazyScores, select_row

ZONES = ("a", "b", "c", "d")
TAINT_KEYS = ("dedicated", "spot", "gpu")
EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


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
    """A cluster of NodeInfos and a default profile: one per path, built alike."""

    def __init__(self, nodes: list[dict], rng_seed: int, **profile_args: object) -> None:
        self.infos = [NodeInfo(node) for node in nodes]
        self.framework = default_profile(profile_args or None)
        self.rng = random.Random(rng_seed)
        self.start = 0

    def schedule(self, pod: dict, vectorized: bool, percentage: int):
        decision = self.framework.schedule(
            pod,
            self.infos,
            self.rng,
            start_index=self.start,
            percentage_of_nodes_to_score=percentage,
            vectorized=vectorized,
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
    if rng.random() < 0.3:
        args = {"NodeResourcesFit": {"scoring_strategy": "MostAllocated"}}
    plain, fast = World(nodes, seed, **args), World(nodes, seed, **args)
    percentage = rng.choice((0, 0, 10, 30, 100))
    for index in range(40):
        pod = random_pod(rng, index)
        assert_same(plain.schedule(pod, False, percentage), fast.schedule(pod, True, percentage))
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


def test_a_full_cluster_falls_back_to_the_per_node_path_with_preemption():
    nodes = [
        {"metadata": {"name": f"n{i}"}, "status": {"allocatable": {"cpu": "1", "pods": "110"}}}
        for i in range(120)
    ]
    plain, fast = World(nodes, 1), World(nodes, 1)
    for index in range(121):
        pod = {
            "metadata": {"name": f"p{index}"},
            "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1"}}}]},
        }
        assert_same(plain.schedule(pod, False, 0), fast.schedule(pod, True, 0))
    assert fast.framework._table is not None


def test_huge_quantities_take_the_per_node_path():
    nodes = [
        {"metadata": {"name": f"n{i}"}, "status": {"allocatable": {"cpu": "1", "memory": "8E"}}}
        for i in range(3)
    ]
    plain, fast = World(nodes, 1), World(nodes, 1)
    pod = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}}
    assert_same(plain.schedule(pod, False, 0), fast.schedule(pod, True, 0))
    assert not fast.framework._table.exact


def test_small_clusters_take_the_per_node_path_by_default():
    infos = [NodeInfo({"metadata": {"name": f"n{i}"}}) for i in range(VECTORIZED_MIN_NODES - 1)]
    framework = default_profile()
    framework.schedule({"metadata": {"name": "p"}, "spec": {}}, infos, random.Random(0))
    assert framework._table is None
    infos.append(NodeInfo({"metadata": {"name": "last"}}))
    framework.schedule({"metadata": {"name": "p"}, "spec": {}}, infos, random.Random(0))
    assert framework._table is not None


def test_a_custom_plugin_runs_node_by_node_inside_the_vectorized_cycle():
    from k8slab.scheduler.framework import Plugin

    class OddOut(Plugin):
        name = "OddOut"

        def filter(self, state, pod, node_info):
            return "odd" if int(node_info.name[1:]) % 2 else None

        def score(self, state, pod, node_info):
            return int(node_info.name[1:]) % 7

    def world():
        framework = new_framework(["NodeResourcesFit"], {})
        framework = type(framework)([*framework.plugins, OddOut()])
        room = {"status": {"allocatable": {"pods": "10"}}}
        infos = [NodeInfo({"metadata": {"name": f"n{i}"}, **room}) for i in range(10)]
        return framework, infos

    (slow, slow_infos), (quick, quick_infos) = world(), world()
    pod = {"metadata": {"name": "p"}, "spec": {}}
    plain = slow.schedule(pod, slow_infos, random.Random(3), vectorized=False)
    fast = quick.schedule(pod, quick_infos, random.Random(3), vectorized=True)
    assert_same(plain, fast)
    assert fast.filtered["n1"] == Rejection("OddOut", ("odd",))


@given(st.lists(st.integers(0, 3), min_size=1, max_size=40), st.integers(0, 1000))
def test_select_row_draws_what_select_host_draws(totals, seed):
    scores = [NodeScore(f"n{i}", (PluginScore("P", t, t, 1),)) for i, t in enumerate(totals)]
    by_host, by_row = random.Random(seed), random.Random(seed)
    chosen = select_host(scores, by_host)
    assert f"n{select_row(np.array(totals), by_row)}" == chosen
    assert by_host.getstate() == by_row.getstate()


def test_table_follows_add_pod_and_remove_pod():
    info = NodeInfo({"metadata": {"name": "n"}, "status": {"allocatable": {"cpu": "2"}}})
    framework = default_profile()
    pod = {
        "metadata": {"name": "p", "labels": {"app": "x"}},
        "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "500m"}}}]},
    }
    framework.schedule(pod, [info], random.Random(0), vectorized=True)
    table = framework._table
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
    assert lazy == {"c": Rejection("P", ("no",))} and list(lazy) == ["c"]
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

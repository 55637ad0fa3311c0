"""Invariants of scheduling pods one after another onto random nodes, checked with hypothesis."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.errors import K8sLabError
from k8slab.scheduler.node_info import NodeInfo, pod_key
from k8slab.scheduler.plugins.registry import default_profile
from k8slab.scheduler.scheduler import scheduling_cycle
from k8slab.scheduler.snapshot import Snapshot

TAINTS = [
    {"key": "dedicated", "value": "db", "effect": "NoSchedule"},
    {"key": "spot", "value": "true", "effect": "PreferNoSchedule"},
    {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"},
]
TOLERATIONS = [
    {"key": "dedicated", "operator": "Equal", "value": "db", "effect": "NoSchedule"},
    {"key": "spot", "operator": "Exists"},
    {"operator": "Exists"},
]

requests = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {},
        optional={
            "cpu": st.integers(0, 3000).map(lambda m: f"{m}m"),
            "memory": st.integers(0, 4 * 2**30).map(str),
        },
    ),
)


def containers(prefix, all_requests):
    """Containers with these requests (None: a container with no resources at all)."""
    return [
        {"name": f"{prefix}{j}", **({"resources": {"requests": r}} if r is not None else {})}
        for j, r in enumerate(all_requests)
    ]


def one_taint_per_key(taint):
    return taint["key"]


@st.composite
def nodes(draw):
    count = draw(st.integers(1, 6))
    result = []
    for i in range(count):
        node = {
            "metadata": {"name": f"node-{i}"},
            "spec": {
                "unschedulable": draw(st.booleans()),
                "taints": draw(
                    st.lists(st.sampled_from(TAINTS), max_size=2, unique_by=one_taint_per_key)
                ),
            },
            "status": {
                "allocatable": {
                    "cpu": f"{draw(st.integers(0, 8000))}m",
                    "memory": str(draw(st.integers(0, 16 * 2**30))),
                    "pods": str(draw(st.integers(0, 8))),
                }
            },
        }
        result.append(node)
    return result


@st.composite
def pods(draw):
    count = draw(st.integers(1, 40))
    result = []
    for i in range(count):
        spec = {
            "containers": containers("c", draw(st.lists(requests, max_size=3))),
            "initContainers": containers("i", draw(st.lists(requests, max_size=2))),
            "tolerations": draw(st.lists(st.sampled_from(TOLERATIONS), max_size=2)),
        }
        result.append({"metadata": {"name": f"pod-{i}", "namespace": "default"}, "spec": spec})
    return result


@settings(max_examples=150, deadline=None)
@given(nodes(), pods(), st.integers(0, 2**32), st.sampled_from(["LeastAllocated", "MostAllocated"]))
def test_bound_pods_never_overcommit_a_node(node_objs, pod_objs, seed, strategy):
    framework = default_profile({"NodeResourcesFit": {"scoring_strategy": strategy}})
    infos = [NodeInfo(node) for node in node_objs]
    by_name = {info.name: info for info in infos}
    rng = random.Random(seed)
    for pod in pod_objs:
        decision = scheduling_cycle(framework, Snapshot(infos), pod, rng)
        assert decision.nodes == tuple(by_name)
        if decision.node is None:
            assert set(decision.filtered) == set(by_name)
            continue
        assert decision.node in decision.feasible
        assert decision.node not in decision.filtered
        by_name[decision.node].add_pod(pod)
        with pytest.raises(K8sLabError):
            by_name[decision.node].add_pod(pod)
        if decision.scores:
            best = max(score.total for score in decision.scores)
            chosen = next(score for score in decision.scores if score.node == decision.node)
            assert chosen.total == best
    for info in infos:
        assert info.requested["cpu"] <= info.allocatable["cpu"]
        assert info.requested["memory"] <= info.allocatable["memory"]
        assert info.pod_count <= info.allocatable["pods"]
    keys = [pod_key(pod) for info in infos for pod in info.pods]
    assert len(keys) == len(set(keys))


@settings(max_examples=50, deadline=None)
@given(nodes(), pods(), st.integers(0, 2**32))
def test_same_seed_same_decisions(node_objs, pod_objs, seed):
    def run():
        infos = [NodeInfo(node) for node in node_objs]
        by_name = {info.name: info for info in infos}
        rng = random.Random(seed)
        placed = []
        for pod in pod_objs:
            decision = scheduling_cycle(default_profile(), Snapshot(infos), pod, rng)
            placed.append((decision.node, decision.message, decision.rows()))
            if decision.node:
                by_name[decision.node].add_pod(pod)
        return placed

    assert run() == run()


@st.composite
def prioritized_pods(draw):
    count = draw(st.integers(1, 30))
    return [
        {
            "metadata": {"name": f"pod-{i}", "namespace": "default"},
            "spec": {
                "priority": draw(st.integers(0, 3)),
                "containers": containers("c", draw(st.lists(requests, min_size=1, max_size=2))),
            },
        }
        for i in range(count)
    ]


@settings(max_examples=100, deadline=None)
@given(nodes(), prioritized_pods(), st.integers(0, 2**32))
def test_preemption_keeps_its_promise(node_objs, pod_objs, seed):
    """Evicting the victims makes the nominated node fit the preemptor, and only lower-priority
    pods are ever victims; no node is overcommitted on the way."""
    framework = default_profile()
    infos = [NodeInfo(node) for node in node_objs]
    by_name = {info.name: info for info in infos}
    rng = random.Random(seed)
    for pod in pod_objs:
        decision = scheduling_cycle(framework, Snapshot(infos), pod, rng)
        if decision.nominated_node is not None:
            assert decision.victims
            node = by_name[decision.nominated_node]
            for victim in decision.victims:
                assert victim["spec"]["priority"] < pod["spec"]["priority"]
                node.remove_pod(victim)
            retry = {**pod, "status": {"nominatedNodeName": decision.nominated_node}}
            decision = scheduling_cycle(framework, Snapshot(infos), retry, rng)
            assert decision.node == node.name
        if decision.node is not None:
            by_name[decision.node].add_pod(pod)
    for info in infos:
        assert info.requested["cpu"] <= info.allocatable["cpu"]
        assert info.requested["memory"] <= info.allocatable["memory"]
        assert info.pod_count <= info.allocatable["pods"]


def test_ties_between_identical_nodes_are_spread_uniformly():
    # 5 identical empty nodes score the same for every pod: over 5,000 cycles (seeded, so this
    # cannot flake) each must be chosen about 1,000 times; chi-square (4 degrees of freedom)
    # below 18.47 (p = 0.001).
    node = {"status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}}
    infos = [NodeInfo({**node, "metadata": {"name": f"n{i}"}}) for i in range(5)]
    framework = default_profile()
    rng = random.Random(7)
    pod = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}}
    counts = dict.fromkeys((info.name for info in infos), 0)
    for _ in range(5000):
        counts[scheduling_cycle(framework, Snapshot(infos), pod, rng).node] += 1
    expected = 1000
    chi_square = sum((count - expected) ** 2 / expected for count in counts.values())
    assert chi_square < 18.47, counts

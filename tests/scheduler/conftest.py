"""Builders of Kubernetes-shaped Node and Pod dicts for the scheduler tests (cf. st.MakePod)."""

from __future__ import annotations

import random

import pytest

from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.interface import SKIP, Status, as_status
from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.snapshot import Snapshot


def _container(name: str, requests: dict | None) -> dict:
    container: dict = {"name": name, "image": "registry.k8s.io/pause:3.10.1"}
    if requests is not None:
        container["resources"] = {"requests": dict(requests)}
    return container


def build_pod(
    name: str = "pod",
    containers: list[dict | None] | tuple = (),
    init_containers: list[dict | None] | tuple = (),
    tolerations: list[dict] | tuple = (),
    node_name: str | None = None,
    overhead: dict | None = None,
    namespace: str = "default",
    labels: dict | None = None,
    **spec_fields,
) -> dict:
    """A Pod; each entry of `containers` is that container's requests (None: no resources)."""
    spec: dict = {"containers": [_container(f"c{i}", req) for i, req in enumerate(containers)]}
    if init_containers:
        spec["initContainers"] = [
            _container(f"init{i}", req) for i, req in enumerate(init_containers)
        ]
    if tolerations:
        spec["tolerations"] = [dict(t) for t in tolerations]
    if node_name:
        spec["nodeName"] = node_name
    if overhead:
        spec["overhead"] = dict(overhead)
    spec.update(spec_fields)
    metadata: dict = {"name": name, "namespace": namespace}
    if labels:
        metadata["labels"] = dict(labels)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}


def build_node(
    name: str = "node1",
    cpu: str = "4",
    memory: str = "8Gi",
    pods: str = "110",
    taints: list[dict] | tuple = (),
    unschedulable: bool = False,
    labels: dict | None = None,
    extra: dict | None = None,
    images: list[dict] | tuple = (),
) -> dict:
    """A Node with status.allocatable cpu/memory/pods (empty string: leave that resource out),
    plus `extra` resources, labels and status.images."""
    allocatable = {
        key: value for key, value in (("cpu", cpu), ("memory", memory), ("pods", pods)) if value
    }
    allocatable.update({key: str(value) for key, value in (extra or {}).items()})
    spec: dict = {}
    if taints:
        spec["taints"] = [dict(t) for t in taints]
    if unschedulable:
        spec["unschedulable"] = True
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": dict(labels or {})},
        "spec": spec,
        "status": {
            "allocatable": allocatable,
            "capacity": dict(allocatable),
            "images": [dict(image) for image in images],
        },
    }


def build_node_info(node: dict, *pods: dict) -> NodeInfo:
    """A NodeInfo for `node` with `pods` already on it (names made unique per node)."""
    named = [
        {**pod, "metadata": {**pod["metadata"], "name": f"{node['metadata']['name']}-existing-{i}"}}
        for i, pod in enumerate(pods)
    ]
    return NodeInfo(node, named)


def build_node_infos(*specs: tuple[str, dict]) -> list[NodeInfo]:
    """NodeInfos from (name, build_node keyword arguments) pairs."""
    return [NodeInfo(build_node(name, **kwargs)) for name, kwargs in specs]


class NeverUsedRandom(random.Random):
    """A random generator that fails the test if the scheduler draws from it."""

    def randrange(self, *args, **kwargs):
        raise AssertionError("the scheduler drew a random number")

    def random(self):
        raise AssertionError("the scheduler drew a random number")


def run_filter(plugin, pod: dict, node_info: NodeInfo, nodes=None) -> Status | None:
    """PreFilter (over `nodes`, default just this node) then Filter, as a Status (None: fits).

    A Skip from PreFilter means the plugin lets every node through.
    """
    nodes = list(nodes) if nodes is not None else [node_info]
    state = CycleState(Snapshot(nodes))
    answer = plugin.pre_filter(state, pod, nodes)
    if isinstance(answer, Status):
        if answer.code == SKIP:
            return None
        if answer.rejected:
            return answer
    return as_status(plugin.filter(state, pod, node_info), plugin.name)


def run_scores(plugin, pod: dict, node_infos, all_nodes=None) -> dict | None:
    """PreScore, Score and NormalizeScore over `node_infos`; None if PreScore said Skip."""
    state = CycleState(Snapshot(all_nodes if all_nodes is not None else node_infos))
    status = plugin.pre_score(state, pod, node_infos)
    if status is not None and status.code == SKIP:
        return None
    raw = {info.name: plugin.score(state, pod, info) for info in node_infos}
    if plugin.implements("normalize"):
        return plugin.normalize(state, pod, raw)
    return raw


@pytest.fixture(scope="session")
def filter_status():
    return run_filter


@pytest.fixture(scope="session")
def scores_of():
    return run_scores


@pytest.fixture(scope="session")
def make_pod():
    return build_pod


@pytest.fixture(scope="session")
def make_node():
    return build_node


@pytest.fixture(scope="session")
def make_node_info():
    return build_node_info


@pytest.fixture(scope="session")
def make_node_infos():
    return build_node_infos


@pytest.fixture
def never_used_random():
    return NeverUsedRandom()

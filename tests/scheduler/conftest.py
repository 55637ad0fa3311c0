"""Builders of Kubernetes-shaped Node and Pod dicts for the scheduler tests (cf. st.MakePod)."""

from __future__ import annotations

import pytest

from k8slab.scheduler.node_info import NodeInfo


def _container(name: str, requests: dict | None) -> dict:
    container: dict = {"name": name, "image": "registry.k8s.io/pause:3.10"}
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
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def build_node(
    name: str = "node1",
    cpu: str = "4",
    memory: str = "8Gi",
    pods: str = "110",
    taints: list[dict] | tuple = (),
    unschedulable: bool = False,
) -> dict:
    """A Node with status.allocatable cpu/memory/pods (empty string: leave that resource out)."""
    allocatable = {
        key: value for key, value in (("cpu", cpu), ("memory", memory), ("pods", pods)) if value
    }
    spec: dict = {}
    if taints:
        spec["taints"] = [dict(t) for t in taints]
    if unschedulable:
        spec["unschedulable"] = True
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name},
        "spec": spec,
        "status": {"allocatable": allocatable, "capacity": dict(allocatable)},
    }


def build_node_info(node: dict, *pods: dict) -> NodeInfo:
    """A NodeInfo for `node` with `pods` already on it (names made unique per node)."""
    named = [
        {**pod, "metadata": {**pod["metadata"], "name": f"{node['metadata']['name']}-existing-{i}"}}
        for i, pod in enumerate(pods)
    ]
    return NodeInfo(node, named)


@pytest.fixture(scope="session")
def make_pod():
    return build_pod


@pytest.fixture(scope="session")
def make_node():
    return build_node


@pytest.fixture(scope="session")
def make_node_info():
    return build_node_info

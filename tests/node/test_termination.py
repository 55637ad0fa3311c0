"""Graceful deletion on the node, as a timeline read from the trace: the DELETE, the SIGTERM the
kubelet sends through containerd, shim and runc, the SIGKILL at the end of the grace period for
a process that ignores SIGTERM, the final status and the kubelet's own delete."""

from __future__ import annotations

from collections.abc import Generator

import pytest

from k8slab import Cluster
from k8slab.errors import NotFoundError
from k8slab.node.termination import effective_grace

WORKER = "worker-1"
REF = "pod/default/web"


def pod(command: list[str] | None = None, image: str = "nginx:1.27", **spec) -> dict:
    container = {"name": "app", "image": image}
    if command:
        container["command"] = command
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
            "spec": {"nodeName": WORKER, "containers": [container], **spec}}


def started(cluster: Cluster, manifest: dict) -> dict:
    cluster.apply(manifest)
    for _ in range(100):
        if cluster.get("pods", "web")["status"].get("phase") == "Running":
            return cluster.get("pods", "web")
        cluster.run(0.1)
    raise AssertionError("web never ran")


def delete(cluster: Cluster, **options) -> float:
    at = cluster.now
    cluster.request(lambda c: c.delete("pods", "web", "default", **options))
    return at


def times(cluster: Cluster, component: str, kind: str, **details) -> list[float]:
    return [round(rec.time, 4) for rec in cluster.trace.where(component=component, kind=kind,
                                                               obj=REF)
            if all(rec.details.get(k) == v for k, v in details.items())]


def containers(cluster: Cluster) -> list[dict]:
    """The web pod's containers runc lists on the worker (kube-proxy and CoreDNS run there too)."""
    return [c for c in cluster.containers(WORKER) if c["pod"] == REF]


def gone(cluster: Cluster) -> bool:
    try:
        cluster.get("pods", "web")
    except NotFoundError:
        return True
    return False


def test_a_server_exits_on_sigterm_and_the_kubelet_then_removes_the_pod():
    cluster = Cluster(workers=1)
    started(cluster, pod())
    at = delete(cluster)
    lingering = cluster.get("pods", "web")
    assert lingering["metadata"]["deletionGracePeriodSeconds"] == 30
    cluster.run(1)
    [term] = times(cluster, "runc", "kill", signal=15)
    assert at < term < at + 0.01  # the kubelet hears of the deletionTimestamp over the watch
    assert times(cluster, "runc", "kill", signal=9) == [term]  # only the pause container
    [exited] = times(cluster, "containerd-shim-runc-v2", "TaskExit", exit_status=143)
    assert exited == term
    [final] = [r for r in cluster.trace.where(kind="StatusReported", obj=REF)][-1:]
    assert final.details["phase"] == "Failed"
    assert gone(cluster)
    [deleted] = times(cluster, "kubelet", "PodDeleted")
    assert term < deleted < term + 0.01


def test_a_process_ignoring_sigterm_is_killed_when_the_grace_period_ends():
    cluster = Cluster(workers=1)
    started(cluster, pod(["sleep", "3600"]))
    delete(cluster)
    cluster.run(29)
    assert not gone(cluster)
    [term] = times(cluster, "runc", "kill", signal=15)
    assert times(cluster, "runc", "signal ignored") == [term]
    cluster.run(2)
    kills = times(cluster, "runc", "kill", signal=9)
    assert kills[0] == pytest.approx(term + 30)
    assert times(cluster, "containerd-shim-runc-v2", "TaskExit", exit_status=137)[0] == kills[0]
    assert gone(cluster)


def test_the_delete_options_grace_period_overrides_the_spec():
    cluster = Cluster(workers=1)
    started(cluster, pod(["sleep", "3600"], terminationGracePeriodSeconds=60))
    delete(cluster, grace_period_seconds=5)
    cluster.run(6)
    [term] = times(cluster, "runc", "kill", signal=15)
    assert times(cluster, "runc", "kill", signal=9)[0] == pytest.approx(term + 5)
    assert gone(cluster)


def test_a_program_that_takes_time_to_shut_down_exits_143_before_the_grace_ends():
    cluster = Cluster(workers=1)

    def slow_server(process) -> Generator:
        group = process.group
        yield group.env.event()

    slow_server.sigterm_seconds = 4.0
    cluster.network.host(WORKER).programs["example.com/slow"] = slow_server
    started(cluster, pod(image="example.com/slow:1"))
    delete(cluster)
    cluster.run(5)
    [term] = times(cluster, "runc", "kill", signal=15)
    [exited] = times(cluster, "containerd-shim-runc-v2", "TaskExit", exit_status=143)
    assert exited == pytest.approx(term + 4)
    assert times(cluster, "runc", "kill", signal=9) == [exited]  # the pause container
    assert gone(cluster)


def test_force_delete_removes_the_object_at_once_and_the_kubelet_still_stops_gracefully():
    # calculateEffectiveGracePeriod: a pod removed with grace 0 still gets its spec's grace.
    cluster = Cluster(workers=1)
    started(cluster, pod(["sleep", "3600"]))
    delete(cluster, grace_period_seconds=0)
    assert gone(cluster)
    cluster.run(1)
    [term] = times(cluster, "runc", "kill", signal=15)
    assert len(containers(cluster)) == 2  # pause and app, still running after the object is gone
    cluster.run(30)
    assert times(cluster, "runc", "kill", signal=9)[0] == pytest.approx(term + 30)
    assert containers(cluster) == []
    assert times(cluster, "kubelet", "PodDeleted") == []  # nothing left to delete


def test_a_finalizer_keeps_the_stopped_pod_until_it_is_removed():
    cluster = Cluster(workers=1)
    manifest = pod()
    manifest["metadata"]["finalizers"] = ["example.com/keep"]
    started(cluster, manifest)
    delete(cluster)
    cluster.run(2)
    held = cluster.get("pods", "web")
    assert held["metadata"]["deletionGracePeriodSeconds"] == 0  # the kubelet's delete
    assert held["status"]["phase"] == "Failed"
    assert containers(cluster) == []
    held["metadata"]["finalizers"] = []
    cluster.request(lambda c: c.update(held))
    assert gone(cluster)


def test_the_kubelet_records_killing_events_per_container():
    cluster = Cluster(workers=1)
    manifest = pod()
    manifest["spec"]["containers"].append({"name": "sidecar", "image": "busybox:1.37"})
    started(cluster, manifest)
    delete(cluster)
    cluster.run(1)
    events = cluster.trace.where(component="kubelet", kind="Killing", obj=REF)
    assert [(e.details["type"], e.details["message"]) for e in events] == [
        ("Normal", "Stopping container app"), ("Normal", "Stopping container sidecar")]
    final = [r for r in cluster.trace.where(kind="update_status", obj=REF)]
    assert final and gone(cluster)


@pytest.mark.parametrize("meta, spec, grace", [
    ({}, {"terminationGracePeriodSeconds": 30}, 30),
    ({"deletionGracePeriodSeconds": 10}, {"terminationGracePeriodSeconds": 30}, 10),
    ({"deletionGracePeriodSeconds": 0}, {"terminationGracePeriodSeconds": 30}, 30),
    ({}, {"terminationGracePeriodSeconds": 0}, 1),
], ids=["spec", "api", "force-falls-back-to-spec", "at-least-one"])
def test_effective_grace_period(meta, spec, grace):
    assert effective_grace({"metadata": meta, "spec": spec}) == grace

"""Pod QoS classes, from the examples of kubernetes.io's "Configure Quality of Service for Pods"
task page and pod-qos.md, and upstream's qos_test.go cases."""

from __future__ import annotations

import pytest

from k8slab.api.qos import (
    BEST_EFFORT,
    BURSTABLE,
    GUARANTEED,
    ResourceQuantityError,
    get_pod_qos,
    pod_qos,
)


def container(name: str = "app", requests: dict | None = None,
              limits: dict | None = None, **extra) -> dict:
    resources = {}
    if requests is not None:
        resources["requests"] = requests
    if limits is not None:
        resources["limits"] = limits
    return {"name": name, "image": "nginx", "resources": resources, **extra}


def pod(*containers: dict, init: tuple = (), resources: dict | None = None) -> dict:
    spec: dict = {"containers": list(containers)}
    if init:
        spec["initContainers"] = list(init)
    if resources is not None:
        spec["resources"] = resources
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}


CPU_MEM = {"cpu": "700m", "memory": "200Mi"}

CASES = [
    # The task page's qos-demo: cpu 700m and memory 200Mi, requests equal to limits.
    ("qos-demo", pod(container(requests=CPU_MEM, limits=CPU_MEM)), GUARANTEED),
    # qos-demo-2: memory limit 200Mi, request 100Mi.
    ("qos-demo-2", pod(container(requests={"memory": "100Mi"}, limits={"memory": "200Mi"})),
     BURSTABLE),
    # qos-demo-3: no requests, no limits.
    ("qos-demo-3", pod(container()), BEST_EFFORT),
    # qos-demo-4: one container with a memory request, one with nothing.
    ("qos-demo-4", pod(container("a", requests={"memory": "200Mi"}), container("b")),
     BURSTABLE),
    ("equal quantities written differently", pod(container(
        requests={"cpu": "1", "memory": "1Gi"}, limits={"cpu": "1000m", "memory": "1024Mi"})),
     GUARANTEED),
    ("cpu only, equal", pod(container(requests={"cpu": "1"}, limits={"cpu": "1"})), BURSTABLE),
    ("guaranteed and best-effort containers", pod(container("a", CPU_MEM, CPU_MEM),
                                                  container("b")), BURSTABLE),
    ("init container counts", pod(container("a", CPU_MEM, CPU_MEM),
                                  init=(container("init"),)), BURSTABLE),
    ("all guaranteed with init", pod(container("a", CPU_MEM, CPU_MEM),
                                     init=(container("init", CPU_MEM, CPU_MEM),)), GUARANTEED),
    ("only other resources", pod(container(requests={"ephemeral-storage": "1Gi"})), BEST_EFFORT),
    ("zero requests and limits", pod(container(requests={"cpu": "0"}, limits={"cpu": "0"})),
     BEST_EFFORT),
    ("limit without request (not defaulted)", pod(container(limits=CPU_MEM)), BURSTABLE),
    ("pod-level resources decide alone",
     pod(container(), resources={"requests": CPU_MEM, "limits": CPU_MEM}), GUARANTEED),
    ("pod-level burstable", pod(container("a", CPU_MEM, CPU_MEM),
                                resources={"requests": {"memory": "1Gi"}}), BURSTABLE),
    ("no containers", pod(), BEST_EFFORT),
]


@pytest.mark.parametrize(("manifest", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_pod_qos(manifest: dict, expected: str) -> None:
    assert pod_qos(manifest) == expected


def test_status_qos_class_wins_once_set() -> None:
    manifest = pod(container())
    manifest["status"] = {"qosClass": GUARANTEED}
    assert get_pod_qos(manifest) == GUARANTEED
    assert pod_qos(manifest) == BEST_EFFORT


def test_a_bad_quantity_is_named() -> None:
    manifest = pod(container("a"), container("b", requests={"cpu": "lots"}))
    with pytest.raises(ResourceQuantityError, match=r"spec.containers\[1\].resources.requests.cpu"):
        pod_qos(manifest)


def test_requests_must_be_a_mapping() -> None:
    with pytest.raises(ResourceQuantityError, match="must be a mapping"):
        pod_qos(pod(container(requests=["cpu"])))  # type: ignore[arg-type]

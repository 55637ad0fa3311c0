"""Node allocatable = capacity - kube-reserved - system-reserved - hard eviction threshold
(kubernetes pkg/kubelet/cm/node_container_manager_linux.go; docs reserve-compute-resources.md)."""

from __future__ import annotations

import pytest

from k8slab.api.qos import ResourceQuantityError
from k8slab.node.allocatable import (
    allocatable_absolute,
    allocatable_reservation,
    as_quantities,
    hard_eviction_reservation,
    node_allocatable,
)

MI, GI = 1024**2, 1024**3
KUBEADM_NODE = {"cpu": "4", "memory": "16Gi", "pods": "110"}


def test_kubeadm_node_only_loses_the_memory_eviction_threshold() -> None:
    allocatable = node_allocatable(KUBEADM_NODE)
    assert allocatable == {"cpu": 4000, "memory": 16 * GI - 100 * MI, "pods": 110}
    assert as_quantities(allocatable) == {"cpu": "4", "memory": "16284Mi", "pods": "110"}


def test_the_docs_example() -> None:
    # reserve-compute-resources.md: 16 CPUs, 32Gi, 100Gi storage; kube-reserved cpu=1,
    # memory=2Gi, ephemeral-storage=1Gi; system-reserved cpu=500m, memory=1Gi,
    # ephemeral-storage=1Gi; eviction-hard memory.available<500Mi, nodefs.available<10%:
    # "14.5 CPUs, 28.5Gi of memory and 88Gi of local storage".
    allocatable = node_allocatable(
        {"cpu": "16", "memory": "32Gi", "ephemeral-storage": "100Gi"},
        kube_reserved={"cpu": "1", "memory": "2Gi", "ephemeral-storage": "1Gi"},
        system_reserved={"cpu": "500m", "memory": "1Gi", "ephemeral-storage": "1Gi"},
        eviction_hard={"memory.available": "500Mi", "nodefs.available": "10%"},
    )
    assert allocatable["cpu"] == 14_500
    assert allocatable["memory"] == 29 * GI - 500 * MI  # 29196Mi, the docs' "28.5Gi"
    # 10% is a Go float32, a little over 0.1: 160 bytes more than 10Gi are held back.
    assert allocatable["ephemeral-storage"] == 88 * GI - 160


def test_nodefs_threshold_holds_back_ephemeral_storage_as_a_percentage() -> None:
    capacity = {"ephemeral-storage": "1000000"}
    assert hard_eviction_reservation(capacity)["ephemeral-storage"] == 100000
    assert node_allocatable(capacity) == {"ephemeral-storage": 900000}


def test_reservation_lists_only_what_is_reserved() -> None:
    reserved = allocatable_reservation(KUBEADM_NODE, kube_reserved={"cpu": "100m"})
    assert reserved == {"cpu": 100, "memory": 100 * MI}


def test_allocatable_never_goes_below_zero() -> None:
    assert node_allocatable({"memory": "64Mi"}) == {"memory": 0}


def test_absolute_allocatable_ignores_eviction_thresholds() -> None:
    absolute = allocatable_absolute(KUBEADM_NODE, system_reserved={"memory": "1Gi"})
    assert absolute == {"cpu": 4000, "memory": 15 * GI, "pods": 110}


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"kube_reserved": {"cpu": "a lot"}}, "kubeReserved"),
    ({"system_reserved": {"memory": "-1Gi"}}, "systemReserved.memory: must be greater"),
])
def test_bad_reservations_are_refused(kwargs: dict, words: str) -> None:
    with pytest.raises(ResourceQuantityError, match=words):
        node_allocatable(KUBEADM_NODE, **kwargs)

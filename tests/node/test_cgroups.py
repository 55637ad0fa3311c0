"""cgroup values from a pod spec, table-driven against upstream's formulas
(kuberuntime_container_linux.go, cm/helpers_linux.go, qos/policy.go, opencontainers/cgroups)."""

from __future__ import annotations

import pytest

from k8slab.api.qos import ResourceQuantityError
from k8slab.node.cgroups import (
    LinuxResources,
    NodeCapacityError,
    cgroup_v2_files,
    linux_resources,
    milli_cpu_to_quota,
    milli_cpu_to_shares,
    oom_score_adj,
    shares_to_weight,
)

GI = 1024**3
NODE_MEMORY = 16 * GI


def one_container_pod(requests: dict | None = None, limits: dict | None = None,
                      **spec) -> dict:
    resources = {k: v for k, v in (("requests", requests), ("limits", limits)) if v is not None}
    container = {"name": "app", "image": "nginx", "resources": resources}
    return {"metadata": {"name": "p"}, "spec": {"containers": [container], **spec}}


def files_for(pod: dict):
    container = pod["spec"]["containers"][0]
    resources = linux_resources(pod, container, NODE_MEMORY)
    return resources, cgroup_v2_files(resources)


# (cpu, shares, weight, quota, cpu.max) with requests equal to limits.
CPU_TABLE = [
    ("100m", 102, 17, 10_000, "10000 100000"),
    ("250m", 256, 35, 25_000, "25000 100000"),
    ("500m", 512, 59, 50_000, "50000 100000"),
    ("1", 1024, 100, 100_000, "100000 100000"),
    ("2", 2048, 174, 200_000, "200000 100000"),
    ("4", 4096, 303, 400_000, "400000 100000"),
]


@pytest.mark.parametrize(("cpu", "shares", "weight", "quota", "cpu_max"), CPU_TABLE,
                         ids=[row[0] for row in CPU_TABLE])
def test_cpu_request_and_limit(cpu: str, shares: int, weight: int, quota: int,
                               cpu_max: str) -> None:
    resources, files = files_for(one_container_pod({"cpu": cpu}, {"cpu": cpu}))
    assert (resources.cpu_shares, resources.cpu_quota, resources.cpu_period) == (
        shares, quota, 100_000)
    assert (files.cpu_weight, files.cpu_max) == (weight, cpu_max)


def test_no_cpu_at_all_gets_two_shares_weight_one_and_no_quota() -> None:
    resources, files = files_for(one_container_pod())
    assert (resources.cpu_shares, resources.cpu_quota) == (2, 0)
    assert (files.cpu_weight, files.cpu_max, files.memory_max) == (1, "max 100000", "max")


def test_a_limit_without_request_gives_shares_from_the_limit() -> None:
    resources, _ = files_for(one_container_pod(limits={"cpu": "500m"}))
    assert resources.cpu_shares == 512


def test_request_without_limit_has_shares_but_no_quota() -> None:
    resources, files = files_for(one_container_pod({"cpu": "250m"}))
    assert (resources.cpu_shares, files.cpu_max) == (256, "max 100000")


@pytest.mark.parametrize(("memory", "limit_bytes"), [
    ("64Mi", 67_108_864), ("128Mi", 134_217_728), ("200Mi", 209_715_200),
    ("1Gi", 1_073_741_824), ("1G", 1_000_000_000),
])
def test_memory_limit_bytes(memory: str, limit_bytes: int) -> None:
    resources, files = files_for(one_container_pod(limits={"memory": memory}))
    assert resources.memory_limit_in_bytes == limit_bytes
    assert files.memory_max == str(limit_bytes)
    assert files.memory_oom_group == "1"


@pytest.mark.parametrize(("milli", "shares"), [
    (0, 2), (1, 2), (2, 2), (3, 3), (100, 102), (1000, 1024), (256_000, 262_144),
    (300_000, 262_144),
])
def test_milli_cpu_to_shares(milli: int, shares: int) -> None:
    assert milli_cpu_to_shares(milli) == shares


@pytest.mark.parametrize(("milli", "quota"), [(0, 0), (1, 1000), (5, 1000), (10, 1000),
                                              (11, 1100), (1500, 150_000)])
def test_milli_cpu_to_quota_has_a_one_millisecond_floor(milli: int, quota: int) -> None:
    assert milli_cpu_to_quota(milli) == quota


# opencontainers/cgroups utils_test.go TestConvertCPUSharesToCgroupV2Value.
@pytest.mark.parametrize(("shares", "weight"), [
    (0, 0), (1, 1), (2, 1), (3, 2), (1024, 100), (262_143, 10_000), (262_144, 10_000),
    (262_145, 10_000),
], ids=["unset", "below min", "min", "above min", "default", "below max", "max", "above max"])
def test_shares_to_weight_upstream_table(shares: int, weight: int) -> None:
    assert shares_to_weight(shares) == weight


def test_cpu_max_for_a_resources_record() -> None:
    record = LinuxResources(cpu_shares=2, cpu_quota=1000, cpu_period=100_000,
                            memory_limit_in_bytes=0, oom_score_adj=1000)
    files = cgroup_v2_files(record)
    assert (files.cpu_max, files.memory_max, files.memory_oom_group) == ("1000 100000", "max", "0")


# qos/policy.go GetContainerOOMScoreAdjust; the burstable cases as policy_test.go builds them.
def test_oom_score_adj_by_qos() -> None:
    cpu_mem = {"cpu": "1", "memory": "1Gi"}
    guaranteed = one_container_pod(cpu_mem, cpu_mem)
    best_effort = one_container_pod()
    critical = one_container_pod(priorityClassName="system-node-critical")
    for pod, expected in ((guaranteed, -997), (best_effort, 1000), (critical, -997)):
        assert oom_score_adj(pod, pod["spec"]["containers"][0], NODE_MEMORY) == expected


@pytest.mark.parametrize(("request_bytes", "expected"), [
    (GI, 938),            # 1000 - 1000*1/16 = 937.5 -> Go integer division: 1000 - 62 = 938
    (8 * GI, 500),        # half the node
    (16 * GI, 3),         # the whole node: clamped to 1000 - 997
    (32 * GI, 3),         # more than the node
    (1, 999),             # tiny: 1000 is reserved for BestEffort
])
def test_oom_score_adj_burstable(request_bytes: int, expected: int) -> None:
    pod = one_container_pod({"memory": str(request_bytes)})
    assert oom_score_adj(pod, pod["spec"]["containers"][0], NODE_MEMORY) == expected


def test_sidecar_is_no_more_killable_than_the_smallest_regular_container() -> None:
    sidecar = {"name": "log", "restartPolicy": "Always", "resources": {}}
    pod = one_container_pod({"memory": str(4 * GI)}, initContainers=[sidecar])
    assert oom_score_adj(pod, pod["spec"]["containers"][0], NODE_MEMORY) == 750
    assert oom_score_adj(pod, sidecar, NODE_MEMORY) == 750


def test_pod_level_memory_request_is_shared_among_containers() -> None:
    pod = one_container_pod({"memory": str(2 * GI)},
                            resources={"requests": {"memory": str(6 * GI)}})
    pod["spec"]["containers"].append({"name": "b", "resources": {"limits": {"cpu": "1"}}})
    # (6Gi - 2Gi) / 2 containers = 2Gi more each: app counts 4Gi -> 750, b counts 2Gi -> 875.
    first, second = pod["spec"]["containers"]
    assert oom_score_adj(pod, first, NODE_MEMORY) == 750
    assert oom_score_adj(pod, second, NODE_MEMORY) == 875


def test_pod_level_limits_apply_to_containers_without_their_own() -> None:
    pod = one_container_pod(resources={"limits": {"cpu": "2", "memory": "1Gi"}})
    resources, files = files_for(pod)
    assert (files.cpu_max, files.memory_max) == ("200000 100000", str(GI))
    assert resources.cpu_shares == 2048


def test_bad_input_is_refused_with_the_field_named() -> None:
    with pytest.raises(ResourceQuantityError, match=r"spec.containers\[0\].resources.limits.cpu"):
        files_for(one_container_pod(limits={"cpu": "fast"}))
    with pytest.raises(ResourceQuantityError, match="must be greater than or equal to 0"):
        files_for(one_container_pod(limits={"memory": "-1Mi"}))
    pod = one_container_pod({"memory": "1Gi"})
    with pytest.raises(NodeCapacityError, match="positive number of bytes"):
        oom_score_adj(pod, pod["spec"]["containers"][0], 0)

"""The quota evaluators (kk pkg/quota/v1/evaluator/core pods.go, services.go; apiserver
pkg/quota/v1): what each object costs, which quotas it falls under, and the must-specify rule."""

import pytest

from k8slab.api import kinds, quota
from k8slab.api.timestamps import to_time


def pod(*containers: dict, phase: str = "", **spec) -> dict:
    obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
           "spec": {"containers": list(containers) or [{"name": "app"}], **spec}}
    if phase:
        obj["status"] = {"phase": phase}
    return obj


def container(name: str = "app", requests: dict | None = None, limits: dict | None = None):
    resources = {k: v for k, v in (("requests", requests), ("limits", limits)) if v}
    return {"name": name, "resources": resources}


def text(values: quota.ResourceList) -> dict[str, str]:
    return quota.to_strings(values)


@pytest.mark.parametrize(("obj", "expected"), [
    (pod(), {"count/pods": "1", "pods": "1"}),
    (pod(container(requests={"cpu": "250m", "memory": "64Mi"}),
         container("b", requests={"cpu": "250m"}, limits={"cpu": "1", "memory": "1Gi"})),
     {"count/pods": "1", "pods": "1", "cpu": "500m", "requests.cpu": "500m", "memory": "64Mi",
      "requests.memory": "64Mi", "limits.cpu": "1", "limits.memory": "1Gi"}),
    (pod(container(requests={"cpu": "1"}), phase="Succeeded"), {"count/pods": "1"}),
    (pod(container(requests={"cpu": "1"}), phase="Failed"), {"count/pods": "1"}),
    (pod(container(requests={"example.com/gpu": "2"}, limits={"example.com/gpu": "2"})),
     {"count/pods": "1", "pods": "1", "requests.example.com/gpu": "2"}),
    (pod(container(requests={"cpu": "100m"}),
         initContainers=[container("init", requests={"cpu": "1"})]),
     {"count/pods": "1", "pods": "1", "cpu": "1", "requests.cpu": "1"}),
], ids=["best-effort", "requests-and-limits-added", "succeeded-not-charged",
        "failed-not-charged", "extended-resource", "init-container-peak"])
def test_pod_usage(obj, expected):
    assert text(quota.usage(kinds.POD, obj, now=0.0)) == expected


def test_a_pod_stuck_terminating_past_its_grace_period_stops_counting():
    stuck = pod(container(requests={"cpu": "1"}))
    stuck["metadata"].update(deletionTimestamp=to_time(100.0), deletionGracePeriodSeconds=30)
    assert text(quota.usage(kinds.POD, stuck, now=130.0))["pods"] == "1"
    assert text(quota.usage(kinds.POD, stuck, now=131.0)) == {"count/pods": "1"}


@pytest.mark.parametrize(("spec", "expected"), [
    ({"ports": [{"port": 80}]}, {"services.nodeports": "0", "services.loadbalancers": "0"}),
    ({"type": "NodePort", "ports": [{"port": 80}, {"port": 443}]},
     {"services.nodeports": "2", "services.loadbalancers": "0"}),
    ({"type": "LoadBalancer", "ports": [{"port": 80}]},
     {"services.nodeports": "1", "services.loadbalancers": "1"}),
], ids=["cluster-ip", "node-port", "load-balancer"])
def test_service_usage(spec, expected):
    service = {"kind": "Service", "metadata": {"name": "s"}, "spec": spec}
    assert text(quota.usage(kinds.SERVICE, service, 0.0)) == {
        "count/services": "1", "services": "1", **expected}


@pytest.mark.parametrize(("kind", "expected"), [
    (kinds.CONFIG_MAP, {"count/configmaps": "1", "configmaps": "1"}),
    (kinds.DEPLOYMENT, {"count/deployments.apps": "1"}),
    (kinds.RESOURCE_QUOTA, {"count/resourcequotas": "1", "resourcequotas": "1"}),
    (kinds.JOB, {"count/jobs.batch": "1"}),
])
def test_object_count_usage(kind, expected):
    assert text(quota.usage(kind, {"metadata": {"name": "x"}}, 0.0)) == expected


BEST_EFFORT = pod()
BURSTABLE = pod(container(requests={"cpu": "100m"}))
DEADLINE = pod(activeDeadlineSeconds=60)
PRIORITY = pod(priorityClassName="high")


@pytest.mark.parametrize(("selector", "obj", "matched"), [
    ({"scopeName": "BestEffort"}, BEST_EFFORT, True),
    ({"scopeName": "BestEffort"}, BURSTABLE, False),
    ({"scopeName": "NotBestEffort"}, BURSTABLE, True),
    ({"scopeName": "NotBestEffort"}, BEST_EFFORT, False),
    ({"scopeName": "Terminating"}, DEADLINE, True),
    ({"scopeName": "Terminating"}, BEST_EFFORT, False),
    ({"scopeName": "NotTerminating"}, BEST_EFFORT, True),
    ({"scopeName": "NotTerminating"}, pod(activeDeadlineSeconds=0), False),
    ({"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}, PRIORITY, True),
    ({"scopeName": "PriorityClass", "operator": "NotIn", "values": ["high"]}, PRIORITY, False),
    ({"scopeName": "PriorityClass", "operator": "Exists"}, BEST_EFFORT, False),
    ({"scopeName": "PriorityClass", "operator": "DoesNotExist"}, BEST_EFFORT, True),
])
def test_pod_scopes(selector, obj, matched):
    assert quota.pod_matches_scope({"operator": "Exists", **selector}, obj) is matched


def rq(hard: dict, **spec) -> dict:
    return {"metadata": {"name": "q"}, "spec": {"hard": hard, **spec}}


def test_a_quota_covers_what_it_limits_in_its_scopes():
    compute = rq({"requests.cpu": "1"}, scopes=["NotBestEffort"])
    assert quota.matches(compute, ["requests.cpu"], kinds.POD, BURSTABLE)
    assert not quota.matches(compute, ["requests.cpu"], kinds.POD, BEST_EFFORT)
    assert not quota.matches(compute, ["requests.cpu"], kinds.CONFIG_MAP, {})
    counts = rq({"configmaps": "2"})
    assert quota.matches(counts, ["configmaps"], kinds.CONFIG_MAP, {})
    # An object other than a pod is in no scope, so a scoped quota never covers it.
    assert not quota.matches(rq({"configmaps": "2"}, scopes=["BestEffort"]), ["configmaps"],
                             kinds.CONFIG_MAP, {})


def test_a_quota_on_cpu_or_memory_makes_every_container_state_it():
    obj = pod(container("web", requests={"cpu": "100m"}), container("side"),
              initContainers=[container("init", limits={"cpu": "1"})])
    assert quota.constraints(["limits.cpu", "requests.cpu", "pods"], obj) == (
        "must specify limits.cpu for: side,web; requests.cpu for: init,side")
    assert quota.constraints(["pods", "requests.storage"], obj) == ""


def test_calculate_usage_counts_what_is_in_scope_and_zeroes_the_rest():
    pods = [BURSTABLE, BEST_EFFORT, pod(container(requests={"cpu": "2"}), phase="Succeeded")]
    used = quota.calculate_usage(["pods", "requests.cpu", "count/configmaps"], [],
                                 [(kinds.POD, pods), (kinds.CONFIG_MAP, [])], 0.0)
    assert text(used) == {"count/configmaps": "0", "pods": "2", "requests.cpu": "100m"}
    scoped = quota.calculate_usage(["pods"], [{"scopeName": "BestEffort", "operator": "Exists"}],
                                   [(kinds.POD, pods)], 0.0)
    assert text(scoped) == {"pods": "1"}  # the succeeded pod is BestEffort's but not charged


def test_resource_list_arithmetic_and_printing():
    used = quota.parse_list({"pods": "2", "limits.cpu": "1500m"})
    hard = quota.parse_list({"pods": "2", "limits.cpu": "2"})
    more = quota.add(used, quota.parse_list({"pods": "1", "limits.cpu": "500m"}))
    assert quota.exceeded(more, hard) == ["pods"]
    assert quota.pretty(more) == "limits.cpu=2,pods=3"
    assert text(quota.subtract_non_negative(used, more)) == {"pods": "0", "limits.cpu": "0"}

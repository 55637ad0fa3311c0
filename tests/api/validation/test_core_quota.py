"""LimitRange and ResourceQuota validation, and a LimitRange's defaults: upstream's paths and
messages (pkg/apis/core/validation ValidateLimitRange, ValidateResourceQuota;
pkg/apis/core/v1 SetDefaults_LimitRangeItem)."""

import pytest

from k8slab.api.defaults import apply_defaults
from k8slab.api.validation import validate


def limit_range(*limits: dict) -> dict:
    return {"apiVersion": "v1", "kind": "LimitRange",
            "metadata": {"name": "lr", "namespace": "default"}, "spec": {"limits": list(limits)}}


def quota(**spec) -> dict:
    return {"apiVersion": "v1", "kind": "ResourceQuota",
            "metadata": {"name": "q", "namespace": "default"}, "spec": spec}


@pytest.mark.parametrize(("manifest", "message"), [
    (limit_range({"type": "Pod", "min": {"cpu": "1"}, "max": {"cpu": "500m"}}),
     "spec.limits[0].min[cpu]: Invalid value: 1: min value 1 is greater than max value 500m"),
    # A Container item's max became its default limit (defaulting), so both checks complain.
    (limit_range({"type": "Container", "max": {"memory": "1Gi"},
                  "defaultRequest": {"memory": "2Gi"}}),
     "[spec.limits[0].defaultRequest[memory]: Invalid value: 2Gi: default request value 2Gi is "
     "greater than max value 1Gi, spec.limits[0].defaultRequest[memory]: Invalid value: 2Gi: "
     "default request value 2Gi is greater than default limit value 1Gi]"),
    (limit_range({"type": "Container", "default": {"cpu": "200m"},
                  "defaultRequest": {"cpu": "300m"}}),
     "spec.limits[0].defaultRequest[cpu]: Invalid value: 300m: default request value 300m is "
     "greater than default limit value 200m"),
    (limit_range({"type": "Pod", "default": {"cpu": "1"}}),
     "spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'"),
    (limit_range({"type": "Container", "maxLimitRequestRatio": {"cpu": "500m"}}),
     "spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: 500m: ratio 500m is less than 1"),
    (limit_range({"type": "Container", "min": {"cpu": "100m"}, "max": {"cpu": "200m"},
                  "maxLimitRequestRatio": {"cpu": "4"}}),
     "spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: 4: ratio 4 is greater than "
     "max/min = 2.000000"),
    (limit_range({"type": "Container"}, {"type": "Container"}),
     'spec.limits[1].type: Duplicate value: "Container"'),
    (limit_range({"type": "Gpu"}),
     'spec.limits[0].type: Invalid value: "Gpu": must be a standard limit type or fully '
     "qualified"),
    (limit_range({"type": "Pod", "max": {"pods": "1"}}),
     'spec.limits[0].max[pods]: Invalid value: "pods": must be a standard resource for '
     "containers"),
    (limit_range({"type": "PersistentVolumeClaim", "max": {"cpu": "1"}}),
     "spec.limits[0].limits: Required value: either minimum or maximum storage value is "
     "required, but neither was provided"),
], ids=["min-above-max", "default-request-above-max", "default-request-above-default",
        "pod-default", "ratio-below-one", "ratio-above-max-over-min", "duplicate-type",
        "unknown-type", "not-a-container-resource", "pvc-without-storage"])
def test_limit_range_rejections(rejection, manifest, message):
    assert rejection(apply_defaults(manifest)) == f'LimitRange "lr" is invalid: {message}'


@pytest.mark.parametrize(("manifest", "message"), [
    (quota(hard={"pods": "1.5"}), "spec.hard[pods]: Invalid value: 1500m: must be an integer"),
    (quota(hard={"pods": "-1"}),
     'spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0'),
    (quota(hard={"count/pods": "2", "cpus": "1"}),
     '[spec.hard[cpus]: Invalid value: "cpus": must be a standard resource type or fully '
     'qualified, spec.hard[cpus]: Invalid value: "cpus": must be a standard resource for quota]'),
    (quota(hard={"pods": "1"}, scopes=["Sometimes"]),
     'spec.scopes: Invalid value: ["Sometimes"]: unsupported scope'),
    (quota(hard={"services": "1"}, scopes=["NotTerminating"]),
     'spec.scopes: Invalid value: ["NotTerminating"]: unsupported scope applied to resource'),
    (quota(hard={"pods": "1"}, scopes=["Terminating", "NotTerminating"]),
     'spec.scopes: Invalid value: ["Terminating","NotTerminating"]: conflicting scopes'),
    (quota(hard={"pods": "1"}, scopeSelector={"matchExpressions": [
        {"scopeName": "BestEffort", "operator": "In", "values": ["x"]}]}),
     'spec.scopeSelector.matchExpressions.operator: Invalid value: "In": must be \'Exist\' only '
     "operator when scope is any of ResourceQuotaScopeTerminating, "
     "ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort and "
     "ResourceQuotaScopeNotBestEffort"),
    (quota(hard={"pods": "1"}, scopeSelector={"matchExpressions": [
        {"scopeName": "PriorityClass", "operator": "In"}]}),
     "spec.scopeSelector.matchExpressions.values: Required value: must be at least one value "
     "when `operator` is 'In' or 'NotIn' for scope selector"),
], ids=["fractional-pods", "negative", "unknown-name", "unknown-scope",
        "scope-not-for-services", "conflicting-scopes", "best-effort-with-in",
        "in-without-values"])
def test_resource_quota_rejections(rejection, manifest, message):
    assert rejection(apply_defaults(manifest)) == f'ResourceQuota "q" is invalid: {message}'


def test_valid_quotas_and_limit_ranges_pass():
    validate(apply_defaults(quota(hard={"pods": "10", "requests.cpu": "4", "limits.memory": "8Gi"},
                                  scopes=["NotBestEffort"])))
    validate(apply_defaults(quota(hard={"count/deployments.apps": "3", "services.nodeports": "0",
                                        "configmaps": "5"})))
    validate(apply_defaults(limit_range(
        {"type": "Container", "min": {"cpu": "100m"}, "max": {"cpu": "1"},
         "maxLimitRequestRatio": {"cpu": "2"}},
        {"type": "Pod", "max": {"memory": "1Gi"}})))


def test_a_container_item_defaults_its_limit_to_max_and_its_request_to_the_limit():
    item = apply_defaults(limit_range({"type": "Container", "max": {"cpu": "500m"},
                                       "min": {"memory": "32Mi"},
                                       "default": {"memory": "128Mi"}}))["spec"]["limits"][0]
    assert item["default"] == {"memory": "128Mi", "cpu": "500m"}
    # The default limit wins over min for the default request (SetDefaults_LimitRangeItem order).
    assert item["defaultRequest"] == {"memory": "128Mi", "cpu": "500m"}


def test_a_pod_item_gets_no_defaults():
    item = apply_defaults(limit_range({"type": "Pod", "max": {"cpu": "2"}}))["spec"]["limits"][0]
    assert "default" not in item and "defaultRequest" not in item

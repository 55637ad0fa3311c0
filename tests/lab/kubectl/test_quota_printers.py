"""`kubectl get` and `kubectl describe` of ResourceQuotas and LimitRanges: upstream's columns
(NAME AGE REQUEST LIMIT; NAME CREATED AT) and describe layouts."""

from k8slab.lab.kubectl.quota_printers import (
    describe_limit_range,
    describe_quota,
    limit_range_cells,
    resource_quota_cells,
)
from k8slab.lab.kubectl.resources import BY_ALIAS

QUOTA = {"kind": "ResourceQuota",
         "metadata": {"name": "compute", "namespace": "team",
                      "creationTimestamp": "2026-01-01T00:00:00Z"},
         "spec": {"hard": {"pods": "4", "requests.cpu": "1", "limits.memory": "1Gi"},
                  "scopes": ["NotTerminating", "BestEffort"]},
         "status": {"hard": {"pods": "4", "requests.cpu": "1", "limits.memory": "1Gi"},
                    "used": {"pods": "1", "requests.cpu": "500m", "limits.memory": "536870912"}}}
LIMITS = {"kind": "LimitRange",
          "metadata": {"name": "limits", "namespace": "team",
                       "creationTimestamp": "2026-01-01T00:00:00Z"},
          "spec": {"limits": [
              {"type": "Container", "max": {"memory": "1Gi", "cpu": "1"},
               "default": {"cpu": "500m"}, "defaultRequest": {"cpu": "250m"},
               "maxLimitRequestRatio": {"cpu": "4"}},
              {"type": "Pod", "min": {"memory": "16Mi"}}]}}


def test_the_spellings_kubectl_accepts():
    assert BY_ALIAS["quota"].plural == BY_ALIAS["resourcequota"].plural == "resourcequotas"
    assert BY_ALIAS["limits"].plural == BY_ALIAS["limitrange"].plural == "limitranges"
    assert BY_ALIAS["quota"].header(wide=False) == ["NAME", "AGE", "REQUEST", "LIMIT"]
    assert BY_ALIAS["limits"].header(wide=False) == ["NAME", "CREATED AT"]


def test_a_quota_row_splits_limits_from_the_rest():
    # 536870912 bytes was written without a suffix: it prints as decimal, 512Mi would be binary.
    assert resource_quota_cells(QUOTA, now=90.0) == [
        "compute", "90s", "pods: 1/4, requests.cpu: 500m/1", "limits.memory: 536870912/1Gi"]


def test_an_uncounted_quota_shows_zero_used():
    fresh = dict(QUOTA, status={"hard": {"pods": "4"}})
    assert resource_quota_cells(fresh, now=5.0)[2:] == ["pods: 0/4", ""]


def test_a_limit_range_row_is_its_name_and_creation_time():
    assert limit_range_cells(LIMITS, now=5.0) == ["limits", "2026-01-01T00:00:00Z"]


def test_describe_quota_shows_scopes_with_their_help_and_used_in_hard_format():
    assert describe_quota(QUOTA) == (
        "Name:       compute\n"
        "Namespace:  team\n"
        "Scopes:     BestEffort, NotTerminating\n"
        " * Matches all pods that do not have resource requirements set. These pods have a best "
        "effort quality of service.\n"
        " * Matches all pods that do not have an active deadline. These pods usually include long "
        "running pods whose container command is not expected to terminate.\n"
        "Resource       Used   Hard\n"
        "--------       ----   ----\n"
        "limits.memory  512Mi  1Gi\n"
        "pods           1      4\n"
        "requests.cpu   500m   1")


def test_describe_limit_range_writes_one_row_per_resource():
    # One tabwriter block: the first column is as wide as "Namespace:", as in kubectl.
    assert describe_limit_range(LIMITS) == (
        "Name:       limits\n"
        "Namespace:  team\n"
        "Type        Resource  Min   Max  Default Request  Default Limit  Max Limit/Request Ratio\n"
        "----        --------  ---   ---  ---------------  -------------  -----------------------\n"
        "Container   cpu       -     1    250m             500m           4\n"
        "Container   memory    -     1Gi  -                -              -\n"
        "Pod         memory    16Mi  -    -                -              -")

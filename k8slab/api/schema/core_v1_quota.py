"""k8s.io/api/core/v1: LimitRange and ResourceQuota, with every field of the v1.35 structs.

types.go LimitRangeSpec, LimitRangeItem, ResourceQuotaSpec, ScopeSelector,
ScopedResourceSelectorRequirement and ResourceQuotaStatus. A LimitRange has no status; a
ResourceQuota's status (hard and used) is written by the resource quota controller and by
quota admission.
"""

from __future__ import annotations

from k8slab.api.schema.core_v1 import RESOURCE_LIST
from k8slab.api.schema.meta_v1 import top_level
from k8slab.api.schema.types import STRINGS, ListOf, Struct, enum

LIMIT_RANGE_ITEM = Struct(
    "v1.LimitRangeItem",
    {
        "type": enum("v1.LimitType"),
        "max": RESOURCE_LIST,
        "min": RESOURCE_LIST,
        "default": RESOURCE_LIST,
        "defaultRequest": RESOURCE_LIST,
        "maxLimitRequestRatio": RESOURCE_LIST,
    },
)
LIMIT_RANGE = top_level(
    "v1.LimitRange",
    spec=Struct("v1.LimitRangeSpec", {"limits": ListOf(LIMIT_RANGE_ITEM)}),
)

SCOPED_RESOURCE_SELECTOR_REQUIREMENT = Struct(
    "v1.ScopedResourceSelectorRequirement",
    {
        "scopeName": enum("v1.ResourceQuotaScope"),
        "operator": enum("v1.ScopeSelectorOperator"),
        "values": STRINGS,
    },
)
RESOURCE_QUOTA = top_level(
    "v1.ResourceQuota",
    spec=Struct(
        "v1.ResourceQuotaSpec",
        {
            "hard": RESOURCE_LIST,
            "scopes": ListOf(enum("v1.ResourceQuotaScope")),
            "scopeSelector": Struct(
                "v1.ScopeSelector",
                {"matchExpressions": ListOf(SCOPED_RESOURCE_SELECTOR_REQUIREMENT)},
            ),
        },
    ),
    status=Struct("v1.ResourceQuotaStatus", {"hard": RESOURCE_LIST, "used": RESOURCE_LIST}),
)

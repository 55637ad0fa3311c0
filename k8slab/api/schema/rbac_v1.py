"""k8s.io/api/rbac/v1: Role, ClusterRole (with its aggregationRule), RoleBinding and
ClusterRoleBinding, the objects the RBAC authorizer reads. None has a spec or a status.
"""

from __future__ import annotations

from k8slab.api.schema.meta_v1 import LABEL_SELECTOR, top_level
from k8slab.api.schema.types import STRING, STRINGS, ListOf, Struct

POLICY_RULE = Struct(
    "v1.PolicyRule",
    {"verbs": STRINGS, "apiGroups": STRINGS, "resources": STRINGS, "resourceNames": STRINGS,
     "nonResourceURLs": STRINGS},
)
AGGREGATION_RULE = Struct("v1.AggregationRule", {"clusterRoleSelectors": ListOf(LABEL_SELECTOR)})
SUBJECT = Struct("v1.Subject", {"kind": STRING, "apiGroup": STRING, "name": STRING,
                                "namespace": STRING})
ROLE_REF = Struct("v1.RoleRef", {"apiGroup": STRING, "kind": STRING, "name": STRING})

ROLE = top_level("v1.Role", rules=ListOf(POLICY_RULE))
CLUSTER_ROLE = top_level("v1.ClusterRole", rules=ListOf(POLICY_RULE),
                         aggregationRule=AGGREGATION_RULE)
ROLE_BINDING = top_level("v1.RoleBinding", subjects=ListOf(SUBJECT), roleRef=ROLE_REF)
CLUSTER_ROLE_BINDING = top_level("v1.ClusterRoleBinding", subjects=ListOf(SUBJECT),
                                 roleRef=ROLE_REF)

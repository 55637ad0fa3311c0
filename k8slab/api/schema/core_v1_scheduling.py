"""k8s.io/api/core/v1 types the scheduler reads: affinity, tolerations, topology spread.

types.go Affinity, NodeAffinity, NodeSelector(Term/Requirement), PodAffinity(Term),
Toleration, TopologySpreadConstraint, Taint; the selectors inside are meta/v1 LabelSelectors.
"""

from __future__ import annotations

from k8slab.api.schema.meta_v1 import LABEL_SELECTOR
from k8slab.api.schema.types import INT32, INT64, STRING, STRINGS, TIME, ListOf, Struct, enum

NODE_SELECTOR_REQUIREMENT = Struct(
    "v1.NodeSelectorRequirement",
    {"key": STRING, "operator": enum("v1.NodeSelectorOperator"), "values": STRINGS},
)

NODE_SELECTOR_TERM = Struct(
    "v1.NodeSelectorTerm",
    {
        "matchExpressions": ListOf(NODE_SELECTOR_REQUIREMENT),
        "matchFields": ListOf(NODE_SELECTOR_REQUIREMENT),
    },
)

NODE_AFFINITY = Struct(
    "v1.NodeAffinity",
    {
        "requiredDuringSchedulingIgnoredDuringExecution": Struct(
            "v1.NodeSelector", {"nodeSelectorTerms": ListOf(NODE_SELECTOR_TERM)}
        ),
        "preferredDuringSchedulingIgnoredDuringExecution": ListOf(
            Struct(
                "v1.PreferredSchedulingTerm", {"weight": INT32, "preference": NODE_SELECTOR_TERM}
            )
        ),
    },
)

POD_AFFINITY_TERM = Struct(
    "v1.PodAffinityTerm",
    {
        "labelSelector": LABEL_SELECTOR,
        "namespaces": STRINGS,
        "topologyKey": STRING,
        "namespaceSelector": LABEL_SELECTOR,
        "matchLabelKeys": STRINGS,
        "mismatchLabelKeys": STRINGS,
    },
)


def _pod_affinity(go: str) -> Struct:
    weighted = Struct(
        "v1.WeightedPodAffinityTerm", {"weight": INT32, "podAffinityTerm": POD_AFFINITY_TERM}
    )
    return Struct(
        go,
        {
            "requiredDuringSchedulingIgnoredDuringExecution": ListOf(POD_AFFINITY_TERM),
            "preferredDuringSchedulingIgnoredDuringExecution": ListOf(weighted),
        },
    )


AFFINITY = Struct(
    "v1.Affinity",
    {
        "nodeAffinity": NODE_AFFINITY,
        "podAffinity": _pod_affinity("v1.PodAffinity"),
        "podAntiAffinity": _pod_affinity("v1.PodAntiAffinity"),
    },
)

TOLERATION = Struct(
    "v1.Toleration",
    {
        "key": STRING,
        "operator": enum("v1.TolerationOperator"),
        "value": STRING,
        "effect": enum("v1.TaintEffect"),
        "tolerationSeconds": INT64,
    },
)

TAINT = Struct(
    "v1.Taint",
    {"key": STRING, "value": STRING, "effect": enum("v1.TaintEffect"), "timeAdded": TIME},
)

TOPOLOGY_SPREAD_CONSTRAINT = Struct(
    "v1.TopologySpreadConstraint",
    {
        "maxSkew": INT32,
        "topologyKey": STRING,
        "whenUnsatisfiable": enum("v1.UnsatisfiableConstraintAction"),
        "labelSelector": LABEL_SELECTOR,
        "minDomains": INT32,
        "nodeAffinityPolicy": enum("v1.NodeInclusionPolicy"),
        "nodeTaintsPolicy": enum("v1.NodeInclusionPolicy"),
        "matchLabelKeys": STRINGS,
    },
)

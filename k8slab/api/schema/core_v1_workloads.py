"""k8s.io/api/core/v1 PodTemplateSpec, which every workload kind embeds, and ReplicationController.

types.go PodTemplateSpec (metadata + a PodSpec) and ReplicationControllerSpec/Status: the
legacy controller whose selector is a plain map of labels, not a metav1.LabelSelector.
"""

from __future__ import annotations

from k8slab.api.schema.core_v1 import POD_SPEC, condition
from k8slab.api.schema.meta_v1 import OBJECT_META, top_level
from k8slab.api.schema.types import INT32, INT64, STRING_MAP, ListOf, Struct

POD_TEMPLATE_SPEC = Struct("v1.PodTemplateSpec", {"metadata": OBJECT_META, "spec": POD_SPEC})

REPLICATION_CONTROLLER_SPEC = Struct(
    "v1.ReplicationControllerSpec",
    {
        "replicas": INT32,
        "minReadySeconds": INT32,
        "selector": STRING_MAP,
        "template": POD_TEMPLATE_SPEC,
    },
)

REPLICATION_CONTROLLER_STATUS = Struct(
    "v1.ReplicationControllerStatus",
    {
        "replicas": INT32,
        "fullyLabeledReplicas": INT32,
        "readyReplicas": INT32,
        "availableReplicas": INT32,
        "observedGeneration": INT64,
        "conditions": ListOf(condition(
            "v1.ReplicationControllerCondition", "v1.ReplicationControllerConditionType",
            "lastTransitionTime")),
    },
)

REPLICATION_CONTROLLER = top_level(
    "v1.ReplicationController",
    spec=REPLICATION_CONTROLLER_SPEC,
    status=REPLICATION_CONTROLLER_STATUS,
)

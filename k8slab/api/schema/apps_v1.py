"""k8s.io/api/apps/v1: Deployment, ReplicaSet, DaemonSet and StatefulSet.

types.go of apps/v1 (v1.35): each spec embeds a core PodTemplateSpec and a metav1.LabelSelector;
each status holds the counters its controller writes. Rolling-update limits are IntOrString
("25%" or 1). Persistent volume claim templates are not modelled (Opaque).
"""

from __future__ import annotations

from k8slab.api.schema.core_v1 import condition
from k8slab.api.schema.core_v1_workloads import POD_TEMPLATE_SPEC
from k8slab.api.schema.meta_v1 import LABEL_SELECTOR, top_level
from k8slab.api.schema.types import (
    BOOL,
    INT32,
    INT64,
    INT_OR_STRING,
    STRING,
    ListOf,
    Opaque,
    Struct,
    enum,
)


def _rolling_update(go: str) -> Struct:
    return Struct(go, {"maxUnavailable": INT_OR_STRING, "maxSurge": INT_OR_STRING})


DEPLOYMENT_SPEC = Struct(
    "v1.DeploymentSpec",
    {
        "replicas": INT32,
        "selector": LABEL_SELECTOR,
        "template": POD_TEMPLATE_SPEC,
        "strategy": Struct(
            "v1.DeploymentStrategy",
            {
                "type": enum("v1.DeploymentStrategyType"),
                "rollingUpdate": _rolling_update("v1.RollingUpdateDeployment"),
            },
        ),
        "minReadySeconds": INT32,
        "revisionHistoryLimit": INT32,
        "paused": BOOL,
        "progressDeadlineSeconds": INT32,
    },
)

DEPLOYMENT_STATUS = Struct(
    "v1.DeploymentStatus",
    {
        "observedGeneration": INT64,
        "replicas": INT32,
        "updatedReplicas": INT32,
        "readyReplicas": INT32,
        "availableReplicas": INT32,
        "unavailableReplicas": INT32,
        "terminatingReplicas": INT32,
        "conditions": ListOf(condition(
            "v1.DeploymentCondition", "v1.DeploymentConditionType",
            "lastUpdateTime", "lastTransitionTime")),
        "collisionCount": INT32,
    },
)

REPLICA_SET_SPEC = Struct(
    "v1.ReplicaSetSpec",
    {
        "replicas": INT32,
        "minReadySeconds": INT32,
        "selector": LABEL_SELECTOR,
        "template": POD_TEMPLATE_SPEC,
    },
)

REPLICA_SET_STATUS = Struct(
    "v1.ReplicaSetStatus",
    {
        "replicas": INT32,
        "fullyLabeledReplicas": INT32,
        "readyReplicas": INT32,
        "availableReplicas": INT32,
        "terminatingReplicas": INT32,
        "observedGeneration": INT64,
        "conditions": ListOf(condition(
            "v1.ReplicaSetCondition", "v1.ReplicaSetConditionType", "lastTransitionTime")),
    },
)

DAEMON_SET_SPEC = Struct(
    "v1.DaemonSetSpec",
    {
        "selector": LABEL_SELECTOR,
        "template": POD_TEMPLATE_SPEC,
        "updateStrategy": Struct(
            "v1.DaemonSetUpdateStrategy",
            {
                "type": enum("v1.DaemonSetUpdateStrategyType"),
                "rollingUpdate": _rolling_update("v1.RollingUpdateDaemonSet"),
            },
        ),
        "minReadySeconds": INT32,
        "revisionHistoryLimit": INT32,
    },
)

DAEMON_SET_STATUS = Struct(
    "v1.DaemonSetStatus",
    {
        "currentNumberScheduled": INT32,
        "numberMisscheduled": INT32,
        "desiredNumberScheduled": INT32,
        "numberReady": INT32,
        "observedGeneration": INT64,
        "updatedNumberScheduled": INT32,
        "numberAvailable": INT32,
        "numberUnavailable": INT32,
        "collisionCount": INT32,
        "conditions": ListOf(condition(
            "v1.DaemonSetCondition", "v1.DaemonSetConditionType", "lastTransitionTime")),
    },
)

STATEFUL_SET_SPEC = Struct(
    "v1.StatefulSetSpec",
    {
        "replicas": INT32,
        "selector": LABEL_SELECTOR,
        "template": POD_TEMPLATE_SPEC,
        "volumeClaimTemplates": ListOf(Opaque("v1.PersistentVolumeClaim")),
        "serviceName": STRING,
        "podManagementPolicy": enum("v1.PodManagementPolicyType"),
        "updateStrategy": Struct(
            "v1.StatefulSetUpdateStrategy",
            {
                "type": enum("v1.StatefulSetUpdateStrategyType"),
                "rollingUpdate": Struct(
                    "v1.RollingUpdateStatefulSetStrategy",
                    {"partition": INT32, "maxUnavailable": INT_OR_STRING},
                ),
            },
        ),
        "revisionHistoryLimit": INT32,
        "minReadySeconds": INT32,
        "persistentVolumeClaimRetentionPolicy": Struct(
            "v1.StatefulSetPersistentVolumeClaimRetentionPolicy",
            {
                "whenDeleted": enum("v1.PersistentVolumeClaimRetentionPolicyType"),
                "whenScaled": enum("v1.PersistentVolumeClaimRetentionPolicyType"),
            },
        ),
        "ordinals": Struct("v1.StatefulSetOrdinals", {"start": INT32}),
    },
)

STATEFUL_SET_STATUS = Struct(
    "v1.StatefulSetStatus",
    {
        "observedGeneration": INT64,
        "replicas": INT32,
        "readyReplicas": INT32,
        "currentReplicas": INT32,
        "updatedReplicas": INT32,
        "currentRevision": STRING,
        "updateRevision": STRING,
        "collisionCount": INT32,
        "conditions": ListOf(condition(
            "v1.StatefulSetCondition", "v1.StatefulSetConditionType", "lastTransitionTime")),
        "availableReplicas": INT32,
    },
)

DEPLOYMENT = top_level("v1.Deployment", spec=DEPLOYMENT_SPEC, status=DEPLOYMENT_STATUS)
REPLICA_SET = top_level("v1.ReplicaSet", spec=REPLICA_SET_SPEC, status=REPLICA_SET_STATUS)
DAEMON_SET = top_level("v1.DaemonSet", spec=DAEMON_SET_SPEC, status=DAEMON_SET_STATUS)
STATEFUL_SET = top_level("v1.StatefulSet", spec=STATEFUL_SET_SPEC, status=STATEFUL_SET_STATUS)

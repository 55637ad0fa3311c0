"""A typed description of every kind k8slab models, as the Go structs the API server decodes.

KIND_SCHEMAS maps a kind, named as Kind.qualified_kind names it ("Pod", "Deployment.apps",
"Event" for core/v1 and "Event.events.k8s.io" for the other view), to its top-level struct;
k8slab.api.decoding checks objects against it. Modules follow upstream's packages: meta/v1,
core/v1, coordination/v1, apps/v1, batch/v1, events/v1, discovery/v1.
"""

from __future__ import annotations

from k8slab.api.schema import admissionregistration_v1, apps_v1, batch_v1, events_v1, rbac_v1
from k8slab.api.schema.apiextensions_v1 import CUSTOM_RESOURCE_DEFINITION
from k8slab.api.schema.coordination_v1 import LEASE
from k8slab.api.schema.core_v1 import NAMESPACE, NODE, POD
from k8slab.api.schema.core_v1_event import EVENT
from k8slab.api.schema.core_v1_quota import LIMIT_RANGE, RESOURCE_QUOTA
from k8slab.api.schema.core_v1_secret import SECRET
from k8slab.api.schema.core_v1_service import CONFIG_MAP, SERVICE
from k8slab.api.schema.core_v1_serviceaccount import SERVICE_ACCOUNT
from k8slab.api.schema.core_v1_workloads import REPLICATION_CONTROLLER
from k8slab.api.schema.discovery_v1 import ENDPOINT_SLICE
from k8slab.api.schema.scheduling_v1 import PRIORITY_CLASS
from k8slab.api.schema.types import Struct

KIND_SCHEMAS: dict[str, Struct] = {
    "Pod": POD,
    "Node": NODE,
    "Namespace": NAMESPACE,
    "Lease.coordination.k8s.io": LEASE,
    "Event": EVENT,
    "ReplicationController": REPLICATION_CONTROLLER,
    "Deployment.apps": apps_v1.DEPLOYMENT,
    "ReplicaSet.apps": apps_v1.REPLICA_SET,
    "DaemonSet.apps": apps_v1.DAEMON_SET,
    "StatefulSet.apps": apps_v1.STATEFUL_SET,
    "Job.batch": batch_v1.JOB,
    "Event.events.k8s.io": events_v1.EVENT,
    "Service": SERVICE,
    "EndpointSlice.discovery.k8s.io": ENDPOINT_SLICE,
    "ConfigMap": CONFIG_MAP,
    "MutatingWebhookConfiguration.admissionregistration.k8s.io":
        admissionregistration_v1.MUTATING_WEBHOOK_CONFIGURATION,
    "ValidatingWebhookConfiguration.admissionregistration.k8s.io":
        admissionregistration_v1.VALIDATING_WEBHOOK_CONFIGURATION,
    "LimitRange": LIMIT_RANGE,
    "ResourceQuota": RESOURCE_QUOTA,
    "PriorityClass.scheduling.k8s.io": PRIORITY_CLASS,
    "Role.rbac.authorization.k8s.io": rbac_v1.ROLE,
    "ClusterRole.rbac.authorization.k8s.io": rbac_v1.CLUSTER_ROLE,
    "RoleBinding.rbac.authorization.k8s.io": rbac_v1.ROLE_BINDING,
    "ClusterRoleBinding.rbac.authorization.k8s.io": rbac_v1.CLUSTER_ROLE_BINDING,
    "ServiceAccount": SERVICE_ACCOUNT,
    "CustomResourceDefinition.apiextensions.k8s.io": CUSTOM_RESOURCE_DEFINITION,
    "Secret": SECRET,
}

"""k8s.io/api/core/v1: Pod, Node and Namespace, with the fields of each as upstream names them.

Every field of the v1.35 structs is listed, so a manifest kubectl accepts decodes here too.
The fields the lab reads are typed to the leaf (security contexts in core_v1_security);
those it does not model (volumes...) are Opaque: any JSON object is accepted there, unchecked.
"""

from __future__ import annotations

from k8slab.api.schema.core_v1_probes import PROBE
from k8slab.api.schema.core_v1_scheduling import (
    AFFINITY,
    TAINT,
    TOLERATION,
    TOPOLOGY_SPREAD_CONSTRAINT,
)
from k8slab.api.schema.core_v1_security import POD_SECURITY_CONTEXT, SECURITY_CONTEXT
from k8slab.api.schema.meta_v1 import top_level
from k8slab.api.schema.types import (
    BOOL,
    INT32,
    INT64,
    QUANTITY,
    STRING,
    STRING_MAP,
    STRINGS,
    TIME,
    ListOf,
    MapOf,
    Opaque,
    SchemaType,
    Struct,
    enum,
)

RESOURCE_LIST = MapOf(QUANTITY, go="v1.ResourceList")
RESOURCE_REQUIREMENTS = Struct(
    "v1.ResourceRequirements",
    {
        "limits": RESOURCE_LIST,
        "requests": RESOURCE_LIST,
        "claims": ListOf(Opaque("v1.ResourceClaim")),
    },
)

CONTAINER_PORT = Struct(
    "v1.ContainerPort",
    {
        "name": STRING,
        "hostPort": INT32,
        "containerPort": INT32,
        "protocol": enum("v1.Protocol"),
        "hostIP": STRING,
    },
)

ENV_VAR = Struct(
    "v1.EnvVar", {"name": STRING, "value": STRING, "valueFrom": Opaque("v1.EnvVarSource")}
)

CONTAINER = Struct(
    "v1.Container",
    {
        "name": STRING,
        "image": STRING,
        "command": STRINGS,
        "args": STRINGS,
        "workingDir": STRING,
        "ports": ListOf(CONTAINER_PORT),
        "envFrom": ListOf(Opaque("v1.EnvFromSource")),
        "env": ListOf(ENV_VAR),
        "resources": RESOURCE_REQUIREMENTS,
        "resizePolicy": ListOf(Opaque("v1.ContainerResizePolicy")),
        "restartPolicy": enum("v1.ContainerRestartPolicy"),
        "restartPolicyRules": ListOf(Opaque("v1.ContainerRestartRule")),
        "volumeMounts": ListOf(Opaque("v1.VolumeMount")),
        "volumeDevices": ListOf(Opaque("v1.VolumeDevice")),
        "livenessProbe": PROBE,
        "readinessProbe": PROBE,
        "startupProbe": PROBE,
        "lifecycle": Opaque("v1.Lifecycle"),
        "terminationMessagePath": STRING,
        "terminationMessagePolicy": enum("v1.TerminationMessagePolicy"),
        "imagePullPolicy": enum("v1.PullPolicy"),
        "securityContext": SECURITY_CONTEXT,
        "stdin": BOOL,
        "stdinOnce": BOOL,
        "tty": BOOL,
    },
)

POD_SPEC = Struct(
    "v1.PodSpec",
    {
        "volumes": ListOf(Opaque("v1.Volume")),
        "initContainers": ListOf(CONTAINER),
        "containers": ListOf(CONTAINER),
        "ephemeralContainers": ListOf(Opaque("v1.EphemeralContainer")),
        "restartPolicy": enum("v1.RestartPolicy"),
        "terminationGracePeriodSeconds": INT64,
        "activeDeadlineSeconds": INT64,
        "dnsPolicy": enum("v1.DNSPolicy"),
        "nodeSelector": STRING_MAP,
        "serviceAccountName": STRING,
        "serviceAccount": STRING,
        "automountServiceAccountToken": BOOL,
        "nodeName": STRING,
        "hostNetwork": BOOL,
        "hostPID": BOOL,
        "hostIPC": BOOL,
        "shareProcessNamespace": BOOL,
        "securityContext": POD_SECURITY_CONTEXT,
        "imagePullSecrets": ListOf(Opaque("v1.LocalObjectReference")),
        "hostname": STRING,
        "subdomain": STRING,
        "affinity": AFFINITY,
        "schedulerName": STRING,
        "tolerations": ListOf(TOLERATION),
        "hostAliases": ListOf(Opaque("v1.HostAlias")),
        "priorityClassName": STRING,
        "priority": INT32,
        "dnsConfig": Opaque("v1.PodDNSConfig"),
        "readinessGates": ListOf(Opaque("v1.PodReadinessGate")),
        "runtimeClassName": STRING,
        "enableServiceLinks": BOOL,
        "preemptionPolicy": enum("v1.PreemptionPolicy"),
        "overhead": RESOURCE_LIST,
        "topologySpreadConstraints": ListOf(TOPOLOGY_SPREAD_CONSTRAINT),
        "setHostnameAsFQDN": BOOL,
        "os": Opaque("v1.PodOS"),
        "hostUsers": BOOL,
        "schedulingGates": ListOf(Opaque("v1.PodSchedulingGate")),
        "resourceClaims": ListOf(Opaque("v1.PodResourceClaim")),
        "resources": RESOURCE_REQUIREMENTS,
        "hostnameOverride": STRING,
        "workloadRef": Opaque("v1.WorkloadReference"),
    },
)

CONTAINER_STATE = Struct(
    "v1.ContainerState",
    {
        "waiting": Struct("v1.ContainerStateWaiting", {"reason": STRING, "message": STRING}),
        "running": Struct("v1.ContainerStateRunning", {"startedAt": TIME}),
        "terminated": Struct(
            "v1.ContainerStateTerminated",
            {
                "exitCode": INT32,
                "signal": INT32,
                "reason": STRING,
                "message": STRING,
                "startedAt": TIME,
                "finishedAt": TIME,
                "containerID": STRING,
            },
        ),
    },
)

CONTAINER_STATUS = Struct(
    "v1.ContainerStatus",
    {
        "name": STRING,
        "state": CONTAINER_STATE,
        "lastState": CONTAINER_STATE,
        "ready": BOOL,
        "restartCount": INT32,
        "image": STRING,
        "imageID": STRING,
        "containerID": STRING,
        "started": BOOL,
        "allocatedResources": RESOURCE_LIST,
        "resources": RESOURCE_REQUIREMENTS,
        "volumeMounts": ListOf(Opaque("v1.VolumeMountStatus")),
        "user": Opaque("v1.ContainerUser"),
        "allocatedResourcesStatus": ListOf(Opaque("v1.ResourceStatus")),
        "stopSignal": enum("v1.Signal"),
    },
)


def condition(go: str, kind: str, *times: str, **extra: SchemaType) -> Struct:
    """A status condition: type, status, the given time fields, reason, message, and extra."""
    fields: dict[str, SchemaType] = {"type": enum(kind), "status": enum("v1.ConditionStatus")}
    fields.update({name: TIME for name in times})
    return Struct(go, {**fields, "reason": STRING, "message": STRING, **extra})


POD_CONDITION = condition(
    "v1.PodCondition",
    "v1.PodConditionType",
    "lastProbeTime",
    "lastTransitionTime",
    observedGeneration=INT64,
)

POD_STATUS = Struct(
    "v1.PodStatus",
    {
        "observedGeneration": INT64,
        "phase": enum("v1.PodPhase"),
        "conditions": ListOf(POD_CONDITION),
        "message": STRING,
        "reason": STRING,
        "nominatedNodeName": STRING,
        "hostIP": STRING,
        "hostIPs": ListOf(Struct("v1.HostIP", {"ip": STRING})),
        "podIP": STRING,
        "podIPs": ListOf(Struct("v1.PodIP", {"ip": STRING})),
        "startTime": TIME,
        "initContainerStatuses": ListOf(CONTAINER_STATUS),
        "containerStatuses": ListOf(CONTAINER_STATUS),
        "qosClass": enum("v1.PodQOSClass"),
        "ephemeralContainerStatuses": ListOf(CONTAINER_STATUS),
        "resize": enum("v1.PodResizeStatus"),
        "resourceClaimStatuses": ListOf(Opaque("v1.PodResourceClaimStatus")),
        "extendedResourceClaimStatus": Opaque("v1.PodExtendedResourceClaimStatus"),
        "allocatedResources": RESOURCE_LIST,
        "resources": RESOURCE_REQUIREMENTS,
    },
)

NODE_SPEC = Struct(
    "v1.NodeSpec",
    {
        "podCIDR": STRING,
        "podCIDRs": STRINGS,
        "providerID": STRING,
        "unschedulable": BOOL,
        "taints": ListOf(TAINT),
        "configSource": Opaque("v1.NodeConfigSource"),
        "externalID": STRING,
    },
)

NODE_SYSTEM_INFO = Struct(
    "v1.NodeSystemInfo",
    {
        **{
            name: STRING
            for name in (
                "machineID",
                "systemUUID",
                "bootID",
                "kernelVersion",
                "osImage",
                "containerRuntimeVersion",
                "kubeletVersion",
                "kubeProxyVersion",
                "operatingSystem",
                "architecture",
            )
        },
        "swap": Opaque("v1.NodeSwapStatus"),
    },
)

NODE_CONDITION = condition(
    "v1.NodeCondition", "v1.NodeConditionType", "lastHeartbeatTime", "lastTransitionTime"
)

NODE_STATUS = Struct(
    "v1.NodeStatus",
    {
        "capacity": RESOURCE_LIST,
        "allocatable": RESOURCE_LIST,
        "phase": enum("v1.NodePhase"),
        "conditions": ListOf(NODE_CONDITION),
        "addresses": ListOf(
            Struct("v1.NodeAddress", {"type": enum("v1.NodeAddressType"), "address": STRING})
        ),
        "daemonEndpoints": Opaque("v1.NodeDaemonEndpoints"),
        "nodeInfo": NODE_SYSTEM_INFO,
        "images": ListOf(Opaque("v1.ContainerImage")),
        "volumesInUse": ListOf(enum("v1.UniqueVolumeName")),
        "volumesAttached": ListOf(Opaque("v1.AttachedVolume")),
        "config": Opaque("v1.NodeConfigStatus"),
        "runtimeHandlers": ListOf(Opaque("v1.NodeRuntimeHandler")),
        "features": Opaque("v1.NodeFeatures"),
        "declaredFeatures": STRINGS,
    },
)

NAMESPACE_SPEC = Struct("v1.NamespaceSpec", {"finalizers": ListOf(enum("v1.FinalizerName"))})
NAMESPACE_STATUS = Struct(
    "v1.NamespaceStatus",
    {
        "phase": enum("v1.NamespacePhase"),
        "conditions": ListOf(
            condition("v1.NamespaceCondition", "v1.NamespaceConditionType", "lastTransitionTime")
        ),
    },
)

POD = top_level("v1.Pod", spec=POD_SPEC, status=POD_STATUS)
NODE = top_level("v1.Node", spec=NODE_SPEC, status=NODE_STATUS)
NAMESPACE = top_level("v1.Namespace", spec=NAMESPACE_SPEC, status=NAMESPACE_STATUS)

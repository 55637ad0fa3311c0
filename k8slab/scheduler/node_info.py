"""The scheduler's view of one node: what it offers, and what the pods bound to it already ask for.

As upstream NodeInfo (kk pkg/scheduler/framework/types.go): `requested` sums the pods' real requests
and is what the Filter fit check uses; `non_zero_requested` counts a container that asks for no CPU
as 100m and one that asks for no memory as 200Mi, and is used only for scoring. It also keeps what
other plugins read often: labels, taints, images, used host ports, pods with (anti-)affinity.
"""

from __future__ import annotations

import weakref
from typing import Protocol

from k8slab.api.resources import node_allocatable, pod_requests
from k8slab.errors import K8sLabError

# kk pkg/scheduler/util/pod_resources.go: DefaultMilliCPURequest and DefaultMemoryRequest, what the
# scheduler assumes (for scoring only) for a container whose request for that resource is absent.
# An explicit request of 0 stays 0: only a missing key is defaulted.
DEFAULT_MILLI_CPU_REQUEST = 100
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024
_NON_ZERO_DEFAULTS = {"cpu": f"{DEFAULT_MILLI_CPU_REQUEST}m", "memory": str(DEFAULT_MEMORY_REQUEST)}

# kk pkg/scheduler/framework/types.go (HostPortInfo): an empty hostIP means every address, an
# empty protocol means TCP.
DEFAULT_BIND_ALL_HOST_IP = "0.0.0.0"
DEFAULT_PROTOCOL = "TCP"


def pod_key(pod: dict) -> str:
    """The pod's `namespace/name` (namespace "default" when unset)."""
    metadata = pod.get("metadata") or {}
    name = metadata.get("name")
    if not name:
        raise K8sLabError("pod has no metadata.name; the scheduler needs a name to track it")
    return f"{metadata.get('namespace') or 'default'}/{name}"


def pod_priority(pod: dict) -> int:
    """spec.priority, 0 when unset (kk staging/src/k8s.io/component-helpers/scheduling/corev1)."""
    return int((pod.get("spec") or {}).get("priority") or 0)


def pod_labels(pod: dict) -> dict:
    """The pod's metadata.labels."""
    return (pod.get("metadata") or {}).get("labels") or {}


def pod_namespace(pod: dict) -> str:
    """The pod's namespace ("default" when unset)."""
    return (pod.get("metadata") or {}).get("namespace") or "default"


def _with_default_requests(container: dict) -> dict:
    """A copy of `container` with missing cpu/memory requests set to the non-zero defaults."""
    resources = container.get("resources") or {}
    requests = dict(resources.get("requests") or {})
    for resource, default in _NON_ZERO_DEFAULTS.items():
        requests.setdefault(resource, default)
    return {**container, "resources": {**resources, "requests": requests}}


def non_zero_requests(pod: dict) -> dict[str, int]:
    """The pod's requests as the scorer sees them: absent container requests count as 100m / 200Mi.

    Upstream applies the defaults per container, init containers included, then combines them as
    for real requests (kk staging/src/k8s.io/component-helpers/resource/helpers.go PodRequests,
    option NonMissingContainerRequests).
    """
    spec = pod.get("spec") or {}
    patched_spec = {
        **spec,
        "containers": [_with_default_requests(c) for c in spec.get("containers") or []],
        "initContainers": [_with_default_requests(c) for c in spec.get("initContainers") or []],
    }
    return pod_requests({**pod, "spec": patched_spec})


def host_ports(pod: dict) -> list[tuple[str, str, int]]:
    """The (hostIP, protocol, hostPort) triples the pod takes on its node.

    As upstream GetHostPorts (kk pkg/scheduler/util/utils.go): ports with hostPort > 0 of the app
    containers and of init containers with restartPolicy Always (sidecars, which keep running).
    """
    spec = pod.get("spec") or {}
    containers = [
        c for c in spec.get("initContainers") or [] if c.get("restartPolicy") == "Always"
    ] + list(spec.get("containers") or [])
    ports = []
    for container in containers:
        for port in container.get("ports") or []:
            host_port = int(port.get("hostPort") or 0)
            if host_port > 0:
                ip = port.get("hostIP") or DEFAULT_BIND_ALL_HOST_IP
                ports.append((ip, port.get("protocol") or DEFAULT_PROTOCOL, host_port))
    return ports


def has_pod_affinity(pod: dict) -> bool:
    """True if the pod has any podAffinity or podAntiAffinity (upstream's PodsWithAffinity)."""
    affinity = (pod.get("spec") or {}).get("affinity") or {}
    return bool(affinity.get("podAffinity") or affinity.get("podAntiAffinity"))


def has_required_anti_affinity(pod: dict) -> bool:
    """True if the pod has required pod anti-affinity terms."""
    anti = ((pod.get("spec") or {}).get("affinity") or {}).get("podAntiAffinity") or {}
    return bool(anti.get("requiredDuringSchedulingIgnoredDuringExecution"))


def image_sizes(node: dict) -> dict[str, int]:
    """Every name (tag or digest) of every image in the node's status.images, with its size."""
    sizes = {}
    for image in (node.get("status") or {}).get("images") or []:
        for name in image.get("names") or []:
            sizes[name] = int(image.get("sizeBytes") or 0)
    return sizes


class NodeListener(Protocol):
    """Something that mirrors NodeInfos (the vectorized NodeTable): told of every pod change."""

    def node_changed(self, node_info: NodeInfo, pod: dict, sign: int) -> None:
        """`pod` was added to (sign 1) or removed from (sign −1) `node_info`."""


class NodeInfo:
    """One node as the scheduler sees it: the Node object, its allocatable, and the pods on it.

    Allocatable comes from status.allocatable (cpu in millicores, memory in bytes, pods as a count,
    other resources in units); cpu, memory or pods missing there count as 0, as upstream.
    The Node itself is fixed for the NodeInfo's life: a changed Node gets a new NodeInfo (as the
    scheduler does), so that listeners (`listen`) need only hear about pods.
    """

    def __init__(self, node: dict, pods: list[dict] | tuple[dict, ...] = ()) -> None:
        self.node = node
        metadata = node.get("metadata") or {}
        self.name = metadata.get("name") or ""
        if not self.name:
            raise K8sLabError("node has no metadata.name")
        try:
            self.allocatable = node_allocatable(node)
        except ValueError as error:
            raise K8sLabError(f"node {self.name}: bad status.allocatable: {error}") from error
        self.labels: dict = dict(metadata.get("labels") or {})
        self.taints: list[dict] = list((node.get("spec") or {}).get("taints") or [])
        self.images = image_sizes(node)
        self.requested: dict[str, int] = {"cpu": 0, "memory": 0}
        self.non_zero_requested = {"cpu": 0, "memory": 0}
        self.used_ports: dict[tuple[str, str, int], int] = {}
        self._pods: dict[str, dict] = {}
        self._with_affinity: dict[str, dict] = {}
        self._with_required_anti_affinity: dict[str, dict] = {}
        self._listeners: list[weakref.ref] = []
        for pod in pods:
            self.add_pod(pod)

    def __repr__(self) -> str:
        return (
            f"NodeInfo({self.name!r}, pods={self.pod_count}/{self.allocatable['pods']}, "
            f"cpu={self.requested['cpu']}m/{self.allocatable['cpu']}m, "
            f"memory={self.requested['memory']}/{self.allocatable['memory']})"
        )

    @property
    def pods(self) -> list[dict]:
        """The pods on this node, in the order they were added."""
        return list(self._pods.values())

    @property
    def pod_count(self) -> int:
        """How many pods are on this node."""
        return len(self._pods)

    @property
    def unschedulable(self) -> bool:
        """spec.unschedulable (set by `kubectl cordon`)."""
        return bool((self.node.get("spec") or {}).get("unschedulable"))

    @property
    def pods_with_affinity(self) -> list[dict]:
        """The pods here that have pod affinity or anti-affinity terms."""
        return list(self._with_affinity.values())

    @property
    def pods_with_required_anti_affinity(self) -> list[dict]:
        """The pods here that have required pod anti-affinity terms."""
        return list(self._with_required_anti_affinity.values())

    @property
    def affinity_pod_count(self) -> int:
        """How many pods here have pod affinity or anti-affinity terms."""
        return len(self._with_affinity)

    @property
    def required_anti_affinity_pod_count(self) -> int:
        """How many pods here have required pod anti-affinity terms."""
        return len(self._with_required_anti_affinity)

    def has_pod(self, pod: dict) -> bool:
        """True if this pod (by namespace/name) is on this node."""
        return pod_key(pod) in self._pods

    def port_conflicts(self, ip: str, protocol: str, port: int) -> bool:
        """True if (ip, protocol, port) clashes with a host port in use (upstream CheckConflict).

        0.0.0.0 clashes with the same protocol/port on any address; another address clashes with
        itself and with 0.0.0.0.
        """
        if port <= 0:
            return False
        if ip == DEFAULT_BIND_ALL_HOST_IP:
            return any((p, n) == (protocol, port) for _, p, n in self.used_ports)
        return (DEFAULT_BIND_ALL_HOST_IP, protocol, port) in self.used_ports or (
            ip,
            protocol,
            port,
        ) in self.used_ports

    def add_pod(self, pod: dict) -> None:
        """Account for `pod` running here. A pod is bound once: adding it again is an error."""
        key = pod_key(pod)
        if key in self._pods:
            raise K8sLabError(
                f"pod {key} is already on node {self.name}; a pod is bound to a node only once"
            )
        self._account(pod, 1)
        self._pods[key] = pod
        if has_pod_affinity(pod):
            self._with_affinity[key] = pod
        if has_required_anti_affinity(pod):
            self._with_required_anti_affinity[key] = pod
        self._tell(pod, 1)

    def remove_pod(self, pod: dict) -> None:
        """Stop accounting for `pod` (matched by namespace/name); it must be on this node."""
        key = pod_key(pod)
        stored = self._pods.pop(key, None)
        if stored is None:
            raise K8sLabError(f"pod {key} is not on node {self.name}; cannot remove it")
        self._account(stored, -1)
        self._with_affinity.pop(key, None)
        self._with_required_anti_affinity.pop(key, None)
        self._tell(stored, -1)

    def listen(self, listener: NodeListener) -> None:
        """Call `listener.node_changed(self, pod, ±1)` after every add_pod and remove_pod.

        The listener is held weakly: a forgotten NodeTable stops being told.
        """
        self._listeners.append(weakref.ref(listener))

    def _tell(self, pod: dict, sign: int) -> None:
        if not self._listeners:
            return
        alive = [ref for ref in self._listeners if ref() is not None]
        self._listeners = alive
        for ref in alive:
            listener = ref()
            if listener is not None:
                listener.node_changed(self, pod, sign)

    def clone(self) -> NodeInfo:
        """A copy that can gain and lose pods without touching this one (preemption's dry run)."""
        copy = object.__new__(NodeInfo)
        copy.__dict__.update(self.__dict__)
        copy.requested = dict(self.requested)
        copy.non_zero_requested = dict(self.non_zero_requested)
        copy.used_ports = dict(self.used_ports)
        copy._pods = dict(self._pods)
        copy._with_affinity = dict(self._with_affinity)
        copy._with_required_anti_affinity = dict(self._with_required_anti_affinity)
        copy._listeners = []
        return copy

    def _account(self, pod: dict, sign: int) -> None:
        for resource, amount in pod_requests(pod).items():
            self.requested[resource] = self.requested.get(resource, 0) + sign * amount
        for resource, amount in non_zero_requests(pod).items():
            if resource in self.non_zero_requested:
                self.non_zero_requested[resource] += sign * amount
        for triple in host_ports(pod):
            count = self.used_ports.get(triple, 0) + sign
            if count > 0:
                self.used_ports[triple] = count
            else:
                self.used_ports.pop(triple, None)

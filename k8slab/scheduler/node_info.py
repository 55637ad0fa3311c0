"""The scheduler's view of one node: what it offers, and what the pods bound to it already ask for.

As upstream NodeInfo (kk pkg/scheduler/framework/types.go): `requested` sums the pods' real requests
and is what the Filter fit check uses; `non_zero_requested` counts a container that asks for no CPU
as 100m and one that asks for no memory as 200Mi, and is used only for scoring.
"""

from __future__ import annotations

from k8slab.api.resources import node_allocatable, pod_requests
from k8slab.errors import K8sLabError

# kk pkg/scheduler/util/pod_resources.go: DefaultMilliCPURequest and DefaultMemoryRequest, what the
# scheduler assumes (for scoring only) for a container whose request for that resource is absent.
# An explicit request of 0 stays 0: only a missing key is defaulted.
DEFAULT_MILLI_CPU_REQUEST = 100
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024
_NON_ZERO_DEFAULTS = {"cpu": f"{DEFAULT_MILLI_CPU_REQUEST}m", "memory": str(DEFAULT_MEMORY_REQUEST)}


def pod_key(pod: dict) -> str:
    """The pod's `namespace/name` (namespace "default" when unset)."""
    metadata = pod.get("metadata") or {}
    name = metadata.get("name")
    if not name:
        raise K8sLabError("pod has no metadata.name; the scheduler needs a name to track it")
    return f"{metadata.get('namespace') or 'default'}/{name}"


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


class NodeInfo:
    """One node as the scheduler sees it: the Node object, its allocatable, and the pods on it.

    Allocatable comes from status.allocatable (cpu in millicores, memory in bytes, pods as a count,
    other resources in units); cpu, memory or pods missing there count as 0, as upstream.
    """

    def __init__(self, node: dict, pods: list[dict] | tuple[dict, ...] = ()) -> None:
        self.node = node
        self.name = (node.get("metadata") or {}).get("name") or ""
        if not self.name:
            raise K8sLabError("node has no metadata.name")
        try:
            self.allocatable = node_allocatable(node)
        except ValueError as error:
            raise K8sLabError(f"node {self.name}: bad status.allocatable: {error}") from error
        self.requested = {"cpu": 0, "memory": 0}
        self.non_zero_requested = {"cpu": 0, "memory": 0}
        self._pods: dict[str, dict] = {}
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
    def taints(self) -> list[dict]:
        """The node's spec.taints."""
        return list((self.node.get("spec") or {}).get("taints") or [])

    def has_pod(self, pod: dict) -> bool:
        """True if this pod (by namespace/name) is on this node."""
        return pod_key(pod) in self._pods

    def add_pod(self, pod: dict) -> None:
        """Account for `pod` running here. A pod is bound once: adding it again is an error."""
        key = pod_key(pod)
        if key in self._pods:
            raise K8sLabError(
                f"pod {key} is already on node {self.name}; a pod is bound to a node only once"
            )
        self._add(self.requested, pod_requests(pod), 1)
        self._add(self.non_zero_requested, non_zero_requests(pod), 1)
        self._pods[key] = pod

    def remove_pod(self, pod: dict) -> None:
        """Stop accounting for `pod` (matched by namespace/name); it must be on this node."""
        key = pod_key(pod)
        stored = self._pods.pop(key, None)
        if stored is None:
            raise K8sLabError(f"pod {key} is not on node {self.name}; cannot remove it")
        self._add(self.requested, pod_requests(stored), -1)
        self._add(self.non_zero_requested, non_zero_requests(stored), -1)

    @staticmethod
    def _add(total: dict[str, int], requests: dict[str, int], sign: int) -> None:
        for resource in total:
            total[resource] += sign * requests.get(resource, 0)

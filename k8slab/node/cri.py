"""The CRI's messages: what containerd answers the kubelet (and crictl) about sandboxes,
containers and images, as read-only records (k8s.io/cri-api runtime/v1 api.proto).

Times are simulated seconds; `labels` carry the pod's identity as the kubelet sets them
(io.kubernetes.pod.name, io.kubernetes.pod.namespace, io.kubernetes.pod.uid,
io.kubernetes.container.name).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from k8slab.errors import K8sLabError

POD_NAME = "io.kubernetes.pod.name"
POD_NAMESPACE = "io.kubernetes.pod.namespace"
POD_UID = "io.kubernetes.pod.uid"
CONTAINER_NAME = "io.kubernetes.container.name"

# ContainerState in api.proto.
CREATED, RUNNING, EXITED = "CONTAINER_CREATED", "CONTAINER_RUNNING", "CONTAINER_EXITED"
SANDBOX_READY, SANDBOX_NOTREADY = "SANDBOX_READY", "SANDBOX_NOTREADY"


class CriError(K8sLabError):
    """A CRI call failed; the message is the runtime's (containerd's, runc's) own words, and
    `code` the gRPC status code the kubelet sees with it."""

    def __init__(self, message: str, code: str = "Unknown") -> None:
        super().__init__(message)
        self.code = code

    def rpc_error(self) -> str:
        """As the kubelet quotes it: `rpc error: code = NotFound desc = ...`."""
        return f"rpc error: code = {self.code} desc = {self.message}"


class PullError(CriError):
    """PullImage failed: not found, or the registry unreachable."""


class CreateError(CriError):
    """CreateContainer failed (the kubelet's CreateContainerError)."""


class StartError(CriError):
    """StartContainer failed, e.g. the command is not in the image (RunContainerError)."""


@dataclass(frozen=True)
class SandboxInfo:
    """PodSandboxStatus: one pod's sandbox."""

    id: str
    name: str
    namespace: str
    uid: str
    attempt: int
    state: str
    created: float
    ip: str


@dataclass(frozen=True)
class ContainerInfo:
    """ContainerStatus: one container, running or exited, of one sandbox."""

    id: str
    sandbox_id: str
    name: str
    attempt: int
    image: str
    image_id: str
    state: str
    created: float
    started: float | None
    finished: float | None
    exit_code: int | None
    reason: str  # Completed, Error, OOMKilled, StartError ("" while running)
    message: str
    log_path: str
    labels: dict[str, str] = field(default_factory=dict)
    pid: int = 0  # of its process while it runs (crictl inspect's info.pid)
    runtime_spec: dict = field(default_factory=dict)  # the OCI config.json it was created from


@dataclass(frozen=True)
class ImageInfo:
    """Image: one image in containerd's store."""

    id: str
    repo_tags: tuple[str, ...]
    size: int
    pinned: bool = False


@dataclass(frozen=True)
class ContainerStats:
    """ContainerStats: what the container's cgroup counts."""

    id: str
    memory_working_set: int
    cpu_usage_usec: int
    nr_throttled: int
    throttled_usec: int

"""containerd with its CRI plugin: what the kubelet calls to run pods (RunPodSandbox, PullImage,
CreateContainer, StartContainer...). It keeps images on disk and starts one containerd-shim-runc-v2
per pod sandbox; the shim runs runc for each container of the pod and reports their exits.

Durations are simplifications, not upstream figures: a sandbox takes 0.5 s (network set-up), an
image pull 2 s, creating and starting a container 50 ms each.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Generator
from dataclasses import dataclass, field

from k8slab.node.shim import SANDBOX_ID, SIGKILL, SIGTERM, Shim, ShimBinary, TaskExit, grouping
from k8slab.sim.host import ProcessGroup

SANDBOX_SECONDS = 0.5
PULL_SECONDS = 2.0
CREATE_SECONDS = 0.05
START_SECONDS = 0.05
# kubeadm v1.35's sandbox image (kk cmd/kubeadm/app/constants/constants.go PauseVersion).
PAUSE_IMAGE = "registry.k8s.io/pause:3.10.1"
IMAGES = "/var/lib/containerd/images"
# containerd's RELEASES.md "Kubernetes Support" table recommends "2.2.0+, 2.1.5+, 1.7.28+" for
# Kubernetes 1.35; 2.2.0 (November 2025) starts the newest of those lines. v1.35 is the last
# Kubernetes release that supports containerd 1.x (SIG Node, v1.35 release announcement).
VERSION = "containerd://2.2.0"


@dataclass
class Sandbox:
    """A pod sandbox: the pause container holding the pod's network namespace and IP."""

    id: str
    pod: str
    ip: str
    pause_id: str
    state: str = "SANDBOX_READY"
    containers: list[str] = field(default_factory=list)


class Containerd:
    """The container runtime on one host, reached by the kubelet through CRI-style calls."""

    def __init__(self, group: ProcessGroup, shim_binary: ShimBinary, pod_cidr: str) -> None:
        self.group = group
        self.shim_binary = shim_binary
        self.sim = group.sim
        self.host = group.host.name
        self.images: list[str] = group.host.disk.setdefault(IMAGES, [PAUSE_IMAGE])
        self.sandboxes: dict[str, Sandbox] = {}
        self.shims: dict[str, Shim] = {}  # by group id: one per pod sandbox
        self._shim_of: dict[str, Shim] = {}  # by container id
        self.exits: dict[str, TaskExit] = {}  # the /tasks/exit events the shims published
        # Who hears of each exit (CRI GetContainerEvents: CONTAINER_STOPPED_EVENT).
        self.on_exit: list[Callable[[TaskExit], None]] = []
        self._network = ipaddress.ip_network(pod_cidr)
        self._ips_in_use: set[str] = set()
        self._rng = self.sim.rng(f"containerd/{self.host}/{group.host.boots}")

    def _new_id(self) -> str:
        return f"{self._rng.getrandbits(256):064x}"

    def _record(self, kind: str, pod: str, **details) -> None:
        self.sim.record(self.host, "containerd", kind, pod, **details)

    def _allocate_ip(self) -> str:
        # host-local IPAM hands out addresses from .2 up (.1 is the bridge gateway).
        for address in self._network.hosts():
            ip = str(address)
            if not ip.endswith(".1") and ip not in self._ips_in_use:
                self._ips_in_use.add(ip)
                return ip
        raise RuntimeError(f"pod CIDR {self._network} is exhausted on {self.host}")

    def run_pod_sandbox(self, pod: str, host_ip: str | None = None) -> Generator:
        """RunPodSandbox: start the pause container and give the pod its IP; returns the sandbox.

        A pod on the host network (`host_ip` given) shares the node's address and gets no new IP.
        """
        self._record("RunPodSandbox", pod, host_network=host_ip is not None)
        yield self.group.env.timeout(SANDBOX_SECONDS)
        pause_id = self._new_id()
        sandbox = Sandbox(self._new_id(), pod, host_ip or self._allocate_ip(), pause_id)
        self._create_task(pause_id, {"image": PAUSE_IMAGE, "trace_ref": pod,
                                     "annotations": {SANDBOX_ID: sandbox.id}})
        self._shim_of[pause_id].start(pause_id)
        self.sandboxes[sandbox.id] = sandbox
        return sandbox

    def _create_task(self, container_id: str, bundle: dict) -> None:
        # Start the shim the bundle's annotations name, unless it already runs; it runs runc.
        group_id = grouping(container_id, bundle["annotations"])
        shim = self.shims.get(group_id)
        if shim is None:
            shim = self.shim_binary.start(self.group.host, group_id, self._task_exited)
            self.shims[group_id] = shim
        shim.create(container_id, bundle)
        self._shim_of[container_id] = shim

    def _task_exited(self, event: TaskExit) -> None:
        self.exits[event.container_id] = event
        for callback in self.on_exit:
            callback(event)

    def image_status(self, image: str) -> bool:
        """ImageStatus: is `image` on this host's disk?"""
        return image in self.images

    def pull_image(self, image: str, pod: str = "") -> Generator:
        """PullImage: download `image` unless it is already on disk."""
        cached = image in self.images
        self._record("PullImage", pod, image=image, cached=cached)
        if not cached:
            yield self.group.env.timeout(PULL_SECONDS)
            if image not in self.images:
                self.images.append(image)
        return image

    def create_container(self, sandbox_id: str, config: dict) -> Generator:
        """CreateContainer: the pod's shim runs `runc create`. Returns the id."""
        sandbox = self.sandboxes[sandbox_id]
        self._record("CreateContainer", sandbox.pod, name=config.get("name"))
        yield self.group.env.timeout(CREATE_SECONDS)
        container_id = self._new_id()
        bundle = dict(config, trace_ref=sandbox.pod, sandbox=sandbox_id, ip=sandbox.ip,
                      annotations={SANDBOX_ID: sandbox_id})
        self._create_task(container_id, bundle)
        sandbox.containers.append(container_id)
        return container_id

    def start_container(self, container_id: str) -> Generator:
        """StartContainer: the pod's shim starts the container's process; returns its pid."""
        shim = self._shim_of[container_id]
        bundle = shim.state(container_id).bundle
        self._record("StartContainer", bundle["trace_ref"], container=container_id[:13])
        yield self.group.env.timeout(START_SECONDS)
        return shim.start(container_id)

    def container_status(self, container_id: str) -> dict:
        """ContainerStatus: state and start time from the shim, exit code and time from its exit."""
        c = self._shim_of[container_id].state(container_id)
        exit = self.exits.get(container_id)
        state = {
            "created": "CONTAINER_CREATED",
            "running": "CONTAINER_RUNNING",
            "stopped": "CONTAINER_EXITED" if exit else "CONTAINER_RUNNING",
        }[c.status]
        return {
            "id": c.id,
            "state": state,
            "exit_code": exit.exit_status if exit else None,
            "started": c.started,
            "finished": exit.exited_at if exit else None,
            "name": c.bundle.get("name"),
            "image": c.bundle["image"],
        }

    def stop_container(self, container_id: str, timeout: float) -> Generator:
        """StopContainer: SIGTERM, then SIGKILL if the process still lives after `timeout`
        seconds (at once when `timeout` is 0); returns the exit status once the shim reaped it.

        Simplified: every image's stop signal is SIGTERM (no image STOPSIGNAL is modelled).
        """
        shim = self._shim_of[container_id]
        container = shim.state(container_id)
        self._record("StopContainer", container.bundle["trace_ref"],
                     container=container_id[:13], timeout=timeout)
        if container.status == "created":
            return None  # never started: no process to stop
        exited = shim.wait(container_id)
        if timeout > 0 and container.status == "running":
            shim.kill(container_id, SIGTERM)
            yield exited | self.group.env.timeout(timeout)
        if container.status == "running":
            shim.kill(container_id, SIGKILL)
        event = yield exited
        return event.exit_status

    def stop_pod_sandbox(self, sandbox_id: str) -> Generator:
        """StopPodSandbox + RemovePodSandbox: kill the pod's containers, wait for the shim to
        reap each, delete them, shut the shim down and free the pod's IP."""
        sandbox = self.sandboxes.pop(sandbox_id)
        self._record("StopPodSandbox", sandbox.pod, sandbox=sandbox_id[:13])
        shim = self.shims.pop(sandbox_id)
        for container_id in [*sandbox.containers, sandbox.pause_id]:
            if shim.state(container_id).status == "running":
                shim.kill(container_id)  # SIGKILL
                yield shim.wait(container_id)
            shim.delete(container_id)
            del self._shim_of[container_id]
            self.exits.pop(container_id, None)
        shim.shutdown()
        self._ips_in_use.discard(sandbox.ip)  # a host-network IP was never in the set

    def list_pod_sandboxes(self) -> list[Sandbox]:
        """ListPodSandbox."""
        return list(self.sandboxes.values())

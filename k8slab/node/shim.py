"""containerd-shim-runc-v2: the process between containerd and runc, one per pod sandbox.

containerd starts a shim for a pod's sandbox and sends it Task API calls (Create, Start, Kill,
Wait, Delete, State) for every container of the pod. The shim runs `runc create` and `runc start`;
runc exits, and the shim stays the parent of the container's process: it holds its stdio, reaps
it when it exits and publishes a TaskExit event to containerd, which may restart meanwhile.
(containerd's cmd/containerd-shim-runc-v2 and core/runtime/v2; the shim is a child subreaper.)
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from k8slab.node.runc import SIGKILL, SIGTERM, Container, Runc
from k8slab.sim.host import Host, ProcessGroup

if TYPE_CHECKING:
    import simpy

BINARY = "containerd-shim-runc-v2"
# The annotations that choose a container's shim, first match wins (groupLabels in the shim's
# manager_linux.go); the CRI plugin sets io.kubernetes.cri.sandbox-id on every container.
GROUP_LABELS = ("io.containerd.runc.v2.group", "io.kubernetes.cri.sandbox-id")
SANDBOX_ID = "io.kubernetes.cri.sandbox-id"
# containerd reaches runc's signals through the shim, as the Task API's Kill passes them on.
__all__ = ["BINARY", "GROUP_LABELS", "SANDBOX_ID", "SIGKILL", "SIGTERM", "Shim", "ShimBinary",
           "TaskExit", "grouping"]


@dataclass(frozen=True)
class TaskExit:
    """What the shim publishes on /tasks/exit when it reaps a container's process."""

    container_id: str
    pid: int
    exit_status: int
    exited_at: float


def grouping(container_id: str, annotations: dict[str, str]) -> str:
    """The shim a container runs under: its first group label's value, or else its own id."""
    for label in GROUP_LABELS:
        if label in annotations:
            return annotations[label]
    return container_id


class Shim:
    """One running containerd-shim-runc-v2: the parent of every container process of one group."""

    def __init__(
        self, group: ProcessGroup, runc: Runc, group_id: str, publish: Callable[[TaskExit], None]
    ) -> None:
        self.group = group
        self.runc = runc
        self.group_id = group_id
        self.sim = group.sim
        self.host = group.host.name
        self._publish = publish
        self.pod = ""  # the pod this shim serves, named by its first task's bundle
        self.tasks: dict[str, Container] = {}
        self.exits: dict[str, TaskExit] = {}
        self._waiters: dict[str, list[simpy.Event]] = {}

    def _record(self, kind: str, container_id: str, bundle: dict, **details) -> None:
        ref = bundle.get("trace_ref", "")
        self.sim.record(self.host, BINARY, kind, ref, container=container_id[:13], **details)

    def _task(self, container_id: str) -> Container:
        if container_id not in self.tasks:
            known = ", ".join(c[:13] for c in self.tasks) or "none"
            raise ValueError(
                f"{BINARY} for {self.group_id[:13]} has no task {container_id[:13]}; "
                f"its tasks: {known}"
            )
        return self.tasks[container_id]

    def create(self, container_id: str, bundle: dict) -> Container:
        """Task API Create: `runc create` the container from its bundle; it is `created`."""
        if not self.group.alive:
            raise ValueError(f"{BINARY} for {self.group_id[:13]} has shut down")
        self._record("Create", container_id, bundle, image=bundle.get("image"))
        container = self.runc.create(container_id, bundle)
        self.pod = self.pod or bundle.get("trace_ref", "")
        self.tasks[container_id] = container
        return container

    def start(self, container_id: str) -> int:
        """Task API Start: `runc start`; runc exits, the shim stays to reap the process."""
        self._record("Start", container_id, self._task(container_id).bundle)
        container = self.runc.start(container_id)
        self.group.spawn(self._reap(container))
        return container.pid

    def _reap(self, container: Container) -> Generator:
        # The container's process is the shim's child once runc has exited: wait4 returns here.
        status = yield container.exited
        event = TaskExit(container.id, container.pid, status, self.sim.now)
        self.exits[container.id] = event
        details = {"stderr": container.stderr} if container.stderr else {}
        self._record("TaskExit", container.id, container.bundle, pid=container.pid,
                     exit_status=status, **details)
        self._publish(event)
        for waiter in self._waiters.pop(container.id, []):
            waiter.succeed(event)

    def exec(self, container_id: str, argv: list[str], timeout: float | None) -> Generator:
        """Task API Exec: `runc exec` one more process in the container; returns
        (exit status or None on timeout, stdout, stderr)."""
        self._record("Exec", container_id, self._task(container_id).bundle, argv=" ".join(argv))
        return (yield from self.runc.exec(container_id, argv, timeout))

    def kill(self, container_id: str, signal: int = SIGKILL) -> None:
        """Task API Kill: `runc kill` the container's process with `signal`."""
        self._record("Kill", container_id, self._task(container_id).bundle, signal=signal)
        self.runc.kill(container_id, signal)

    def wait(self, container_id: str) -> simpy.Event:
        """Task API Wait: an event that succeeds with the TaskExit once the process is reaped."""
        self._task(container_id)
        event = self.group.env.event()
        if container_id in self.exits:
            return event.succeed(self.exits[container_id])
        self._waiters.setdefault(container_id, []).append(event)
        return event

    def delete(self, container_id: str) -> TaskExit | None:
        """Task API Delete: `runc delete` a container that is not running; returns its exit."""
        self._record("Delete", container_id, self._task(container_id).bundle)
        self.runc.delete(container_id)
        del self.tasks[container_id]
        return self.exits.pop(container_id, None)

    def state(self, container_id: str) -> Container:
        """Task API State: the container as runc left it (status, pid, exit code, times)."""
        return self._task(container_id)

    def shutdown(self) -> None:
        """Task API Shutdown: a shim with no tasks left exits; one with tasks refuses."""
        if self.tasks:
            running = ", ".join(c[:13] for c in self.tasks)
            raise ValueError(f"{BINARY} for {self.group_id[:13]} still has tasks: {running}")
        self.sim.record(self.host, BINARY, "Shutdown", self.pod, group=self.group_id[:13])
        self.group.stop()


class ShimBinary:
    """containerd-shim-runc-v2 installed on a host, configured to run `runc` (its BinaryName)."""

    def __init__(self, runc: Runc) -> None:
        self.runc = runc

    def start(self, host: Host, group_id: str, publish: Callable[[TaskExit], None]) -> Shim:
        """`containerd-shim-runc-v2 start`: a new shim process serving the group `group_id`."""
        return Shim(host.group(f"{BINARY} {group_id[:13]}"), self.runc, group_id, publish)

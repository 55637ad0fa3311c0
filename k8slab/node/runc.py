"""runc, the OCI runtime: it creates a container from a bundle, starts its process, and kills it.

A container goes creating -> created -> running -> stopped (the OCI runtime-spec states). The
process it runs is a program looked up by image on the host; unknown images run until killed.
Each runc command exits when done: the process's exit is reaped by its parent, the shim, which
waits on `Container.exited`; `runc list` reads the state it left and whether the process lives.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from k8slab.errors import K8sLabError
from k8slab.node.container_state import OCI_VERSION, ContainerState, bundle_path
from k8slab.sim.host import Host, ProcessGroup, describe

if TYPE_CHECKING:
    import simpy

SIGTERM, SIGKILL = 15, 9
# Commands with no SIGTERM handler. A container's process is PID 1 of its PID namespace, and
# the kernel sends PID 1 no signal it has no handler for (pid_namespaces(7)): a bare `sleep` or
# shell ignores SIGTERM and lives until SIGKILL, the well-known 30-second `kubectl delete`.
NO_TERM_HANDLER = ("sleep", "sh", "bash", "ash", "tail", "cat")
# A Go program that panics (an unrecovered runtime error) exits with status 2 (Go's runtime,
# `exit(2)` in panic.go's fatalpanic); the control-plane binaries we model are Go programs.
PANIC_EXIT = 2


@dataclass
class Container:
    """One OCI container as runc tracks it (`runc state`)."""

    id: str
    bundle: dict
    status: str = "creating"
    pid: int = 0
    exit_code: int | None = None
    created: float = 0.0
    started: float | None = None
    finished: float | None = None
    group: ProcessGroup | None = field(default=None, repr=False)
    exited: simpy.Event | None = field(default=None, repr=False)
    stderr: str = ""
    sigterm_seconds: float | None = 0.0

    def state(self) -> dict:
        """The JSON `runc state <id>` prints (ociVersion, id, status, pid, bundle)."""
        return {
            "ociVersion": OCI_VERSION,
            "id": self.id,
            "status": self.status,
            "pid": self.pid,
            "bundle": bundle_path(self.id),
        }


def image_repository(image: str) -> str:
    """`registry.k8s.io/etcd:3.6.6-0` -> `registry.k8s.io/etcd` (tag and digest dropped)."""
    name = image.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name


def _run_forever(group: ProcessGroup, bundle: dict) -> Generator:
    yield group.env.event()


def sigterm_seconds(bundle: dict, program: Callable) -> float | None:
    """How long the container's process takes to exit after SIGTERM; None if it ignores it.

    A program declares its own as a `sigterm_seconds` attribute (the time its shutdown takes,
    or None). Otherwise a command in NO_TERM_HANDLER ignores SIGTERM, and any other process,
    modelled as a server that handles it, exits at once. Simplified: the exit status is always
    128 + 15, as if the process died of the signal, whatever a real handler would return.
    """
    if hasattr(program, "sigterm_seconds"):
        return program.sigterm_seconds
    command = bundle.get("command") or []
    if command and command[0].rsplit("/", 1)[-1] in NO_TERM_HANDLER:
        return None
    return 0.0


class Runc:
    """The runc binary on one host; its state lives in /run, so a crash forgets it."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.sim = host.sim
        self.containers: dict[str, Container] = {}
        self._next_pid = 1000
        host.on_crash(self._host_crashed)

    def list(self) -> tuple[ContainerState, ...]:
        """`runc list`: every container this runc knows, running or not, oldest first."""
        return tuple(
            ContainerState(OCI_VERSION, c.id, c.pid, c.status, bundle_path(c.id), c.created,
                           c.bundle.get("image"), c.bundle.get("trace_ref"))
            for c in self.containers.values()
        )

    def _record(self, kind: str, container: Container, **details) -> None:
        self.sim.record(
            self.host.name,
            "runc",
            kind,
            container.bundle.get("trace_ref", ""),
            container=container.id[:13],
            **details,
        )

    def create(self, container_id: str, bundle: dict) -> Container:
        """`runc create`: set up namespaces and cgroups; the container is `created`."""
        if container_id in self.containers:
            raise ValueError(f"container {container_id} already exists")
        container = Container(container_id, bundle, created=self.sim.now)
        container.status = "created"
        self.containers[container_id] = container
        self._record("create", container, image=bundle.get("image"))
        return container

    def start(self, container_id: str) -> Container:
        """`runc start`: run the container's process; the container is `running`."""
        container = self.containers[container_id]
        if container.status != "created":
            raise ValueError(f"container {container_id} is {container.status}, not created")
        self._next_pid += 1
        container.pid = self._next_pid
        container.status = "running"
        container.started = self.sim.now
        container.group = self.host.group(f"container {container_id[:13]}")
        container.exited = container.group.env.event()
        container.group.on_crash = lambda error: self._panicked(container, error)
        program = self.host.programs.get(
            image_repository(container.bundle.get("image", "")), _run_forever
        )
        container.sigterm_seconds = sigterm_seconds(container.bundle, program)
        container.group.spawn(self._supervise(container, program))
        self._record("start", container, pid=container.pid)
        return container

    def _supervise(self, container: Container, program) -> Generator:
        try:
            code = yield from program(container.group, container.bundle)
        except K8sLabError as error:
            # The program failed to start (a bad flag...): it says why on stderr and exits 1.
            container.stderr = str(error)
            code = 1
        self._stopped(container, int(code or 0))

    def _panicked(self, container: Container, error: BaseException) -> None:
        # An error nothing caught, in any goroutine of the program: it prints and exits 2.
        container.stderr = f"panic: {describe(error)}"
        self._stopped(container, PANIC_EXIT)

    def kill(self, container_id: str, signal: int = SIGKILL) -> Container:
        """`runc kill`: signal the process. SIGKILL ends it at once; a catchable signal (SIGTERM,
        SIGINT...) ends it after its `sigterm_seconds`, or never if it ignores them. It is then
        `stopped` with 128 + signal."""
        container = self.containers[container_id]
        if container.status != "running":
            return container
        self._record("kill", container, signal=signal)
        if signal == SIGKILL:
            container.group.stop()
            self._stopped(container, 128 + SIGKILL)
        elif container.sigterm_seconds is None:
            self._record("signal ignored", container, signal=signal)
        elif container.sigterm_seconds == 0:
            self._stopped(container, 128 + signal)
        else:
            container.group.spawn(self._exit_after(container, container.sigterm_seconds, signal))
        return container

    def _exit_after(self, container: Container, seconds: float, signal: int) -> Generator:
        # The program's signal handler shuts down for `seconds`, then the process exits.
        yield container.group.env.timeout(seconds)
        self._stopped(container, 128 + signal)

    def _stopped(self, container: Container, code: int) -> None:
        if container.status == "stopped":
            return
        container.status = "stopped"
        container.exit_code = code
        container.finished = self.sim.now
        if container.group is not None:
            container.group.stop()
        if container.exited is not None:
            container.exited.succeed(code)

    def delete(self, container_id: str) -> None:
        """`runc delete`: remove a stopped container."""
        container = self.containers[container_id]
        if container.status == "running":
            raise ValueError(f"cannot delete running container {container_id}; kill it first")
        self._record("delete", container)
        del self.containers[container_id]

    def _host_crashed(self) -> None:
        for container in self.containers.values():
            if container.status == "running":
                self._record("lost", container, reason="host crashed")

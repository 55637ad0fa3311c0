"""runc, the OCI runtime: it creates a container from a bundle, starts its process, and kills it.

A container goes creating -> created -> running -> stopped (the OCI runtime-spec states). runc
sets up the container's cgroup from the bundle's resources and joins the pod's network
namespace; the process it runs is the program the image has for `argv[0]` (or one a test
installed on the host for the image). Each runc command exits when done: the process's exit is
reaped by its parent, the shim, which waits on `Container.exited`; `runc list` reads the state
it left. `runc exec` runs one more process in a running container, sharing all of that.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from k8slab.errors import K8sLabError
from k8slab.node.cgroups import LinuxResources, cgroup_v2_files
from k8slab.node.container_state import OCI_VERSION, ContainerState, bundle_path
from k8slab.node.cri import StartError
from k8slab.node.image_catalogue import Image
from k8slab.node.process import Cgroup, Filesystem, NetNamespace, Process, ProcessKilled
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
# runc's words when argv[0] is not in the image (libcontainer's exec lookup); the CRI plugin
# wraps them for StartContainer and ExecSync.
NOT_FOUND = ('exec: "{0}": executable file not found in $PATH')
START_FAILED = "failed to create containerd task: failed to create shim task: OCI runtime " \
    "create failed: runc create failed: unable to start container process: error during " \
    "container init: {0}: unknown"
EXEC_FAILED = "OCI runtime exec failed: exec failed: unable to start container process: {0}: " \
    "unknown"


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
    reason: str = ""  # why it stopped, as containerd reports it: OOMKilled, or ""
    process: Process | None = field(default=None, repr=False)
    cgroup: Cgroup = field(default_factory=Cgroup, repr=False)
    fs: Filesystem = field(default_factory=Filesystem, repr=False)

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


def cgroup_from(resources: LinuxResources | None) -> Cgroup:
    """The container's cgroup v2 as runc sets it up from the OCI spec's linux.resources."""
    if resources is None:
        return Cgroup()
    files = cgroup_v2_files(resources)
    quota, period = files.cpu_max.split()
    return Cgroup(memory_max=None if files.memory_max == "max" else int(files.memory_max),
                  cpu_quota_us=None if quota == "max" else int(quota),
                  cpu_period_us=int(period), cpu_weight=files.cpu_weight)


def _run_forever(process: Process) -> Generator:
    yield process.env.event()


def program_for(host: Host, bundle: dict) -> Callable | None:
    """The program a container's argv runs: one the host was given for the image (a test's
    or kubeadm's), else the image's binary for argv[0]; None when argv[0] is not in the image.
    A bundle without an image record (a bare runc test) runs until killed."""
    installed = host.programs.get(image_repository(bundle.get("image", "")))
    if installed is not None:
        return installed
    image: Image | None = bundle.get("image_spec")
    if image is None:
        return _run_forever
    argv = bundle.get("argv") or []
    return image.binary(argv[0]) if argv else None


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
        container.cgroup = cgroup_from(bundle.get("resources"))
        image: Image | None = bundle.get("image_spec")
        # The image's files, then the ones the kubelet mounts in (/etc/resolv.conf, hosts...).
        files = {**(dict(image.files) if image else {}), **bundle.get("files", {})}
        container.fs = Filesystem(files, bundle.get("volumes", {}))
        container.status = "created"
        self.containers[container_id] = container
        self._record("create", container, image=bundle.get("image"))
        return container

    def _process(self, container: Container, group: ProcessGroup, argv: list[str]) -> Process:
        bundle = container.bundle
        process = Process(group, bundle, argv, fs=container.fs,
                          netns=bundle.get("netns") or NetNamespace(bundle.get("ip", "")),
                          cgroup=container.cgroup, env=bundle.get("env"),
                          on_oom=lambda: self._oom_killed(container))
        for listener in bundle.get("output", []):
            process.on_output.append(listener)
        return process

    def start(self, container_id: str) -> Container:
        """`runc start`: run the container's process; the container is `running`.

        Raises StartError, leaving the container stopped with 128, when argv[0] is not in the
        image (runc's "executable file not found")."""
        container = self.containers[container_id]
        if container.status != "created":
            raise ValueError(f"container {container_id} is {container.status}, not created")
        program = program_for(self.host, container.bundle)
        if program is None:
            argv = container.bundle.get("argv") or [""]
            message = START_FAILED.format(NOT_FOUND.format(argv[0]))
            container.status, container.exit_code = "stopped", 128
            container.started = container.finished = self.sim.now
            container.reason, container.stderr = "StartError", message
            self._record("start failed", container, error=message)
            raise StartError(message)
        self._next_pid += 1
        container.pid = self._next_pid
        container.status = "running"
        container.started = self.sim.now
        container.group = self.host.group(f"container {container_id[:13]}")
        container.exited = container.group.env.event()
        container.group.on_crash = lambda error: self._panicked(container, error)
        container.process = self._process(container, container.group,
                                          list(container.bundle.get("argv") or []))
        container.sigterm_seconds = sigterm_seconds(container.bundle, program)
        container.group.spawn(self._supervise(container, program, container.process))
        self._record("start", container, pid=container.pid)
        return container

    def _supervise(self, container: Container, program, process: Process) -> Generator:
        try:
            code = yield from program(process)
        except ProcessKilled:
            return  # the kernel killed it; _stopped already ran
        except K8sLabError as error:
            # The program failed to start (a bad flag...): it says why on stderr and exits 1.
            container.stderr = str(error)
            process.write(str(error), "stderr")
            code = 1
        self._stopped(container, int(code or 0))

    def _oom_killed(self, container: Container) -> None:
        # memory.max passed: the kernel's OOM killer SIGKILLs the container's processes
        # (the kubelet sets memory.oom.group, so all of them); containerd reports OOMKilled.
        self._record("oom-kill", container, memory_max=container.cgroup.memory_max)
        container.reason = "OOMKilled"
        self._stopped(container, 128 + SIGKILL)

    def exec(self, container_id: str, argv: list[str], timeout: float | None = None) -> Generator:
        """`runc exec`: run `argv` inside a running container; returns (status, stdout, stderr).

        Raises StartError when argv[0] is not in the image. After `timeout` seconds the process
        is killed and the status is None (the caller's deadline passed)."""
        container = self.containers[container_id]
        if container.status != "running":
            raise StartError(EXEC_FAILED.format(f"container {container_id[:13]} is not running"))
        program = program_for(self.host, dict(container.bundle, argv=argv))
        if program is None or not argv:
            raise StartError(EXEC_FAILED.format(NOT_FOUND.format(argv[0] if argv else "")))
        group = self.host.group(f"exec {container_id[:13]}")
        process = self._process(container, group, list(argv))
        process.on_output = []  # an exec's output goes back to its caller, not the log
        self._record("exec", container, argv=" ".join(argv))
        done = group.env.event()

        def run() -> Generator:
            try:
                code = yield from program(process)
            except ProcessKilled:
                code = 128 + SIGKILL
            except K8sLabError as error:
                process.write(str(error), "stderr")
                code = 1
            if not done.triggered:
                done.succeed(int(code or 0))

        group.spawn(run())
        events = [done, container.exited]
        if timeout is not None:
            events.append(group.env.timeout(timeout))
        yield group.env.any_of(events)
        code = done.value if done.triggered else None
        group.stop()
        process.release()
        out = "".join(line.text + "\n" for line in process.output if line.stream == "stdout")
        err = "".join(line.text + "\n" for line in process.output if line.stream == "stderr")
        return code, out, err

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
        if container.process is not None:
            container.process.release()
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

"""What a container's program sees from inside: its argv, its filesystem, its pod's network
namespace, its cgroup, and its stdout and stderr.

runc builds one `Process` for a container's main process and one for each `exec` into it; a
program is a generator function `main(process) -> exit status`. The kernel's rules live here:
memory charged past memory.max wakes the OOM killer, and CPU work runs no faster than cpu.max
allows (cgroup v2, kernel docs Documentation/admin-guide/cgroup-v2.rst).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

from k8slab.sim.host import ProcessGroup

# The CFS bandwidth period the kubelet writes (cpuCFSQuotaPeriod 100ms, kubelet config v1beta1).
CPU_PERIOD_US = 100_000


class ProcessKilled(Exception):  # noqa: N818 - a signal, not an error
    """Unwinds a program whose process was killed (SIGKILL, the OOM killer) mid-step; its group
    is already stopped, so whatever catches it last changes nothing."""


@dataclass
class Cgroup:
    """One container's cgroup v2 files: limits written by runc, counters kept by the kernel.

    `memory_max` and `cpu_quota_us` are None for `max` (no limit)."""

    memory_max: int | None = None
    cpu_quota_us: int | None = None
    cpu_period_us: int = CPU_PERIOD_US
    cpu_weight: int = 100
    memory_current: int = 0
    usage_usec: int = 0
    nr_periods: int = 0
    nr_throttled: int = 0
    throttled_usec: int = 0
    oom_kills: int = 0

    def cpu_max(self) -> str:
        """cpu.max as the file reads: `<quota> <period>`, or `max <period>`."""
        quota = "max" if self.cpu_quota_us is None else str(self.cpu_quota_us)
        return f"{quota} {self.cpu_period_us}"

    def cpu_limit(self) -> float | None:
        """The CPUs the quota allows per period (1.0 = one core), or None for no limit."""
        return None if self.cpu_quota_us is None else self.cpu_quota_us / self.cpu_period_us


@dataclass
class LogLine:
    """One line a container wrote: when, on which stream, and the text (no newline)."""

    time: float
    stream: str
    text: str


class Filesystem:
    """A container's view of files: its own writable layer, with volumes mounted over it.

    A volume is a dict shared by every container that mounts it (an emptyDir), so one
    container's write is the other's read. Paths are absolute; directories are implied."""

    def __init__(self, files: dict[str, str] | None = None,
                 mounts: dict[str, dict[str, str]] | None = None) -> None:
        self.layer: dict[str, str] = dict(files or {})
        self.mounts: dict[str, dict[str, str]] = dict(mounts or {})

    def _where(self, path: str) -> tuple[dict[str, str], str]:
        holding = [m for m in self.mounts if path == m or path.startswith(m.rstrip("/") + "/")]
        if not holding:
            return self.layer, path
        mount = max(holding, key=len)
        return self.mounts[mount], path[len(mount.rstrip("/")):] or "/"

    def read(self, path: str) -> str | None:
        """The file's text, or None if there is no such file."""
        store, inner = self._where(path)
        return store.get(inner)

    def write(self, path: str, text: str, *, append: bool = False) -> None:
        """Create or overwrite the file (or add to its end)."""
        store, inner = self._where(path)
        store[inner] = (store.get(inner, "") if append else "") + text

    def remove(self, path: str) -> bool:
        """Delete the file; False if it was not there."""
        store, inner = self._where(path)
        return store.pop(inner, None) is not None

    def exists(self, path: str) -> bool:
        """A file at `path`, or a directory holding one (or a mount point)."""
        store, inner = self._where(path)
        prefix = inner.rstrip("/") + "/"
        return (inner in store or path in self.mounts
                or any(name.startswith(prefix) for name in store))


@dataclass
class NetNamespace:
    """A pod's network namespace, held by its pause container and shared by its containers:
    one IP, one loopback, one set of listening ports (so containers reach each other on
    localhost, and two containers of a pod cannot bind the same port)."""

    ip: str
    listeners: dict[int, Callable[[dict], Generator]] = field(default_factory=dict)
    # The default route out, `route(dst_ip, port, request, timeout, protocol="tcp")`: set
    # when the CNI plugin wires the namespace to the node (None: only the namespace's own
    # addresses answer). Listeners are keyed by port alone: a program's port takes TCP and
    # UDP alike (simplified: no separate UDP sockets).
    route: Callable[..., Generator] | None = None

    def listen(self, port: int, handler: Callable[[dict], Generator]) -> None:
        """Bind `port`; `handler(request)` is a generator returning the response."""
        if port in self.listeners:
            raise OSError(f"listen tcp :{port}: bind: address already in use")
        self.listeners[port] = handler

    def close(self, port: int) -> None:
        """Unbind `port`."""
        self.listeners.pop(port, None)

    def connect(self, port: int) -> Callable[[dict], Generator] | None:
        """The handler accepting on `port`, or None: connection refused."""
        return self.listeners.get(port)


class Process:
    """One process in a container: argv and environment, files, network, cgroup, output."""

    def __init__(self, group: ProcessGroup, bundle: dict, argv: list[str], *,
                 fs: Filesystem | None = None, netns: NetNamespace | None = None,
                 cgroup: Cgroup | None = None, env: dict[str, str] | None = None,
                 on_oom: Callable[[], None] | None = None) -> None:
        self.group = group
        self.bundle = bundle
        self.argv = argv
        self.environ = dict(env or {})
        self.fs = fs if fs is not None else Filesystem()
        self.netns = netns if netns is not None else NetNamespace("127.0.0.1")
        self.cgroup = cgroup if cgroup is not None else Cgroup()
        self.output: list[LogLine] = []
        self.on_output: list[Callable[[LogLine], None]] = []
        self._on_oom = on_oom
        self._allocated = 0
        self._ports: list[int] = []

    @property
    def env(self) -> Any:
        """The SimPy environment, for `yield process.env.timeout(...)`."""
        return self.group.env

    @property
    def now(self) -> float:
        """Simulated seconds since the cluster began."""
        return self.group.sim.now

    def child(self, argv: list[str], env: dict[str, str] | None = None) -> Process:
        """A child process (fork and exec): the same files, network and cgroup, so the OOM
        killer that ends this container ends it too; its output is the caller's to route."""
        return Process(self.group, self.bundle, argv, fs=self.fs, netns=self.netns,
                       cgroup=self.cgroup, env=self.environ if env is None else env,
                       on_oom=self._on_oom)

    def write(self, text: str, stream: str = "stdout") -> None:
        """Print `text` (one or more lines) on stdout or stderr."""
        for line in text.splitlines() or [""]:
            entry = LogLine(self.now, stream, line)
            self.output.append(entry)
            for listener in self.on_output:
                listener(entry)

    def sleep(self, seconds: float) -> Generator:
        """Do nothing for `seconds`."""
        yield self.group.env.timeout(seconds)

    def allocate(self, size: int) -> None:
        """Touch `size` more bytes of memory; past memory.max the OOM killer ends the container."""
        self._allocated += size
        self.cgroup.memory_current += size
        limit = self.cgroup.memory_max
        if limit is not None and self.cgroup.memory_current > limit:
            self.cgroup.oom_kills += 1
            if self._on_oom is not None:
                self._on_oom()
            raise ProcessKilled("OOMKilled")

    def free(self, size: int | None = None) -> None:
        """Give back `size` bytes (all this process holds when None)."""
        size = self._allocated if size is None else min(size, self._allocated)
        self._allocated -= size
        self.cgroup.memory_current -= size

    def compute(self, cpu_seconds: float, threads: int = 1) -> Generator:
        """Burn `cpu_seconds` of CPU on `threads` busy threads, as fast as cpu.max allows.

        Simplified: the node's other containers never slow it (no contention for cores)."""
        limit = self.cgroup.cpu_limit()
        rate = float(threads) if limit is None else min(float(threads), limit)
        wall = cpu_seconds / rate
        periods = max(1, round(wall * 1e6 / self.cgroup.cpu_period_us))
        self.cgroup.usage_usec += round(cpu_seconds * 1e6)
        self.cgroup.nr_periods += periods
        if limit is not None and threads > limit:
            self.cgroup.nr_throttled += periods
            self.cgroup.throttled_usec += round((threads - limit) * wall * 1e6)
        yield self.group.env.timeout(wall)

    def listen(self, port: int, handler: Callable[[dict], Generator]) -> None:
        """Accept connections on `port` in the pod's network namespace until the process ends."""
        self.netns.listen(port, handler)
        self._ports.append(port)

    def release(self) -> None:
        """The process ended: its memory is freed and its ports close (the kernel's cleanup)."""
        self.free()
        for port in self._ports:
            self.netns.close(port)
        self._ports.clear()

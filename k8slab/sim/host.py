"""Hosts: the machines of the cluster. A host runs processes, listens on ports and owns a disk.

A crash ends every process and forgets everything in memory, but keeps the disk (etcd's WAL, the
kubelet's static pod manifests). A restart runs the host's boot function again, as systemd would.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

import simpy

if TYPE_CHECKING:
    from k8slab.sim.kernel import Simulation
    from k8slab.sim.network import Network, Stream


class ProcessGroup:
    """Processes and listening ports that live and die together: a service, or one container.

    Components receive a group and use it for everything they run, so stopping the group (a
    container killed, a host crashed) stops the component completely. An exception nothing
    catches in any of its processes or callbacks crashes the whole group, as an unhandled error
    ends a program: the crash is traced and `on_crash` (whoever reaps the program) is told.
    """

    def __init__(self, host: Host, name: str) -> None:
        self.host = host
        self.name = name
        self.alive = True
        self._processes: list[simpy.Process] = []
        self._ports: list[int] = []
        self._streams: list[Stream] = []
        self.on_crash: Callable[[BaseException], None] | None = None
        self.crashed: BaseException | None = None

    @property
    def sim(self) -> Simulation:
        """The simulation this group runs in."""
        return self.host.sim

    @property
    def env(self) -> simpy.Environment:
        """The SimPy environment, for `yield env.timeout(...)`."""
        return self.host.sim.env

    def spawn(self, steps: Generator) -> simpy.Process:
        """Run the generator `steps` as a process of this group."""
        process = self.env.process(self._guard(steps))
        self._processes.append(process)
        return process

    def listen(self, port: int, server: Any) -> None:
        """Accept requests on `port`; `server` has `serve(request)` and, for streams, `accept`."""
        self.host.bind(port, server)
        self._ports.append(port)

    def serve_stream(self, stream: Stream) -> None:
        """Count `stream` as served by this group: it closes when the group stops."""
        self._streams = [s for s in self._streams if s.open] + [stream]

    def crash(self, error: BaseException) -> None:
        """The program died of `error`: trace its type and message, stop the group, tell
        `on_crash`. A group already stopped ignores it (its processes were ending anyway)."""
        if not self.alive:
            return
        self.crashed = error
        self.sim.record(self.host.name, self.name, "crash", "", error=describe(error))
        self.stop()
        if self.on_crash is not None:
            self.on_crash(error)

    def guarded(self, callback: Callable[..., None]) -> Callable[..., None]:
        """`callback`, run as part of this group: an exception it raises crashes the group."""

        def run(*args: Any) -> None:
            try:
                callback(*args)
            except Exception as error:  # an unhandled error ends the program, whatever it is
                self.crash(error)

        return run

    def stop(self) -> None:
        """Stop every process of the group and close its ports."""
        if not self.alive:
            return
        self.alive = False
        for port in self._ports:
            self.host.unbind(port)
        for process in self._processes:
            # A process that stops its own group (a container's main process exiting) just ends.
            if process.is_alive and process is not self.env.active_process:
                process.interrupt("stopped")
        self._processes.clear()
        for stream in self._streams:
            stream.close("server stopped" if self.host.up else "host crashed")
        self._streams.clear()
        self.host.forget(self)

    def _guard(self, steps: Generator) -> Generator:
        try:
            return (yield from steps)
        except simpy.Interrupt:
            return None
        except Exception as error:
            if self.sim.awaited(self.env.active_process):
                raise  # someone waits for this process (`run_process`): the error is theirs
            self.crash(error)
            return None


def describe(error: BaseException) -> str:
    """How a crash reads in the trace: the exception's type and message, `KeyError: 'x'`."""
    return f"{type(error).__name__}: {error}"


class Host:
    """One machine: a name, an up/down state, a disk that survives crashes, and its services."""

    def __init__(self, network: Network, name: str) -> None:
        self.network = network
        self.sim = network.sim
        self.name = name
        self.up = False
        self.boots = 0
        self.disk: dict[str, Any] = {}
        self.boot: Callable[[Host], None] | None = None
        self.programs: dict[str, Callable] = {}
        self.memory: dict[str, Any] = {}
        self._groups: list[ProcessGroup] = []
        self._ports: dict[int, Any] = {}
        self._on_crash: list[Callable[[], None]] = []

    def __repr__(self) -> str:
        return f"Host({self.name!r}, up={self.up})"

    def group(self, name: str) -> ProcessGroup:
        """A new process group on this host (a systemd service or a container)."""
        group = ProcessGroup(self, name)
        self._groups.append(group)
        return group

    def bind(self, port: int, server: Any) -> None:
        """Attach `server` to `port`; a second bind of a port in use is a bug."""
        if port in self._ports:
            raise RuntimeError(f"{self.name}: port {port} already in use")
        self._ports[port] = server

    def unbind(self, port: int) -> None:
        """Free `port`."""
        self._ports.pop(port, None)

    def server_on(self, port: int) -> Any | None:
        """The server listening on `port`, or None (connection refused)."""
        return self._ports.get(port) if self.up else None

    def on_crash(self, callback: Callable[[], None]) -> None:
        """Call `callback` when this host crashes (then forget it: memory does not survive)."""
        self._on_crash.append(callback)

    def start(self) -> None:
        """Power the host on and run its boot function."""
        if self.up:
            raise RuntimeError(f"{self.name} is already up")
        self.up = True
        self.boots += 1
        self.sim.record(self.name, "host", "boot", self.name, boot=self.boots)
        if self.boot is not None:
            self.boot(self)

    def crash(self) -> None:
        """Lose power: every process ends, memory is forgotten, the disk is kept."""
        if not self.up:
            raise RuntimeError(f"{self.name} is already down")
        self.up = False
        self.sim.record(self.name, "host", "crash", self.name)
        callbacks, self._on_crash = self._on_crash, []
        for callback in callbacks:
            callback()
        for group in list(self._groups):
            group.stop()
        self._groups.clear()
        self._ports.clear()
        self.memory.clear()

    def forget(self, group: ProcessGroup) -> None:
        """Drop a stopped group from the host's list."""
        if group in self._groups:
            self._groups.remove(group)

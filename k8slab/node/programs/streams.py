"""Where a command's output goes: the container's log, a file, a captured `$(...)`, or nowhere.

A busybox applet is written once against an `Invocation` (argv, environment, stdout, stderr);
the shell points its streams at files for `>`/`>>` and at a buffer for `$(...)`, and a container
whose command is the applet itself writes to the container's log.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass

from k8slab.node.process import Process

Applet = Callable[["Invocation"], Generator]


class Sink:
    """A stream a command writes to. Text is written as given: a line ends at its `\\n`."""

    def write(self, text: str) -> None:
        """Write `text` (no newline is added)."""
        raise NotImplementedError

    def flush(self) -> None:
        """Push out a last line that has no newline yet."""


class LogSink(Sink):
    """The container's stdout or stderr: whole lines go to the log as they are completed."""

    def __init__(self, process: Process, stream: str) -> None:
        self.process = process
        self.stream = stream
        self._partial = ""

    def write(self, text: str) -> None:
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        for line in lines:
            self.process.write(line, self.stream)

    def flush(self) -> None:
        if self._partial:
            self.process.write(self._partial, self.stream)
            self._partial = ""


class FileSink(Sink):
    """A file in the container's filesystem (`> file` truncates it first, `>> file` does not)."""

    def __init__(self, process: Process, path: str, *, append: bool) -> None:
        self.process = process
        self.path = path
        if not append:
            process.fs.write(path, "")

    def write(self, text: str) -> None:
        self.process.fs.write(self.path, text, append=True)


class CaptureSink(Sink):
    """What `$(...)` reads: everything written, kept in memory."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def text(self) -> str:
        """All that was written."""
        return "".join(self.parts)


class NullSink(Sink):
    """/dev/null."""

    def write(self, text: str) -> None:
        return None


@dataclass
class Invocation:
    """One run of an applet: its argv, environment and streams, in a container's process."""

    process: Process
    argv: list[str]
    env: Mapping[str, str]
    stdout: Sink
    stderr: Sink

    def out(self, text: str) -> None:
        """Print `text` and a newline on stdout."""
        self.stdout.write(text + "\n")

    def err(self, text: str) -> None:
        """Print `text` and a newline on stderr."""
        self.stderr.write(text + "\n")


def applet_program(applet: Applet, *,
                   ignores_sigterm: bool = False) -> Callable[[Process], Generator]:
    """The applet as a container's program: argv from the process, output to the log.

    `ignores_sigterm`: it installs no SIGTERM handler, so as PID 1 it lives until SIGKILL."""

    def main(process: Process) -> Generator:
        stdout, stderr = LogSink(process, "stdout"), LogSink(process, "stderr")
        try:
            return (yield from applet(Invocation(process, list(process.argv), process.environ,
                                                 stdout, stderr)))
        finally:
            stdout.flush()
            stderr.flush()

    main.applet = applet  # type: ignore[attr-defined]  # the shell calls the applet directly
    main.sigterm_seconds = None if ignores_sigterm else 0.0  # type: ignore[attr-defined]
    main.__name__ = main.__qualname__ = getattr(applet, "__name__", "applet")
    return main

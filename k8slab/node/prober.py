"""The kubelet's prober: one worker per probe of each running container, probing every
periodSeconds and telling the kubelet when a result changes. (The kubelet runs probes, not
containerd: exec probes go through the CRI's ExecSync, network probes dial the pod's IP.)

Rules from kk pkg/kubelet/prober/worker.go and prober.go (v1.35): a worker probes at once, then
each period; it skips while the container is younger than initialDelaySeconds (whole seconds);
liveness and readiness wait until the startup probe succeeded, and the startup probe stops
then; a result changes only after failureThreshold failures or successThreshold successes in a
row; a failed liveness or startup result puts the worker on hold until the container is
replaced. Results start as liveness Success, readiness Failure, startup Unknown. A probe that
errors (rather than fails) changes nothing and is reported as such.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from k8slab.node.cri import CriError
from k8slab.node.service_path import ResetError
from k8slab.sim.errors import RefusedError, UnreachableError

if TYPE_CHECKING:
    from k8slab.node.kubelet import Kubelet

KINDS = ("startupProbe", "livenessProbe", "readinessProbe")
TITLE = {"startupProbe": "Startup", "livenessProbe": "Liveness", "readinessProbe": "Readiness"}
# The prober's User-Agent: kube-probe/<major>.<minor> (prober/http.go).
USER_AGENT = "kube-probe/1.35"
INITIAL = {"startupProbe": "Unknown", "livenessProbe": "Success", "readinessProbe": "Failure"}


@dataclass
class Worker:
    """The probing of one probe of one container instance."""

    key: str
    container: str  # its name in the pod
    container_id: str
    kind: str
    spec: dict
    started_at: float
    result: str = ""
    last: str = ""
    run: int = 0
    on_hold: bool = False
    stopped: bool = False


class Prober:
    """Every probe worker of one kubelet, and their results by container id."""

    def __init__(self, kubelet: Kubelet, on_change: Callable[[str], None]) -> None:
        self.kubelet = kubelet
        self._on_change = on_change  # called with the pod key when a result changes
        self.workers: dict[tuple[str, str], Worker] = {}  # (container id, kind)

    def add(self, key: str, name: str, container_id: str, spec: dict, started_at: float) -> None:
        """Start a worker for each probe the container spec has."""
        for kind in KINDS:
            if spec.get(kind):
                worker = Worker(key, name, container_id, kind, spec[kind], started_at,
                                INITIAL[kind])
                self.workers[container_id, kind] = worker
                self.kubelet.group.spawn(self._loop(worker))

    def remove(self, container_id: str) -> None:
        """The container is gone: its workers stop."""
        for kind in KINDS:
            worker = self.workers.pop((container_id, kind), None)
            if worker is not None:
                worker.stopped = True

    def result(self, container_id: str, kind: str) -> str | None:
        """The probe's current result, or None if the container has no such probe."""
        worker = self.workers.get((container_id, kind))
        return None if worker is None else worker.result

    def started(self, container_id: str) -> bool:
        """Started: no startup probe, or it succeeded."""
        return self.result(container_id, "startupProbe") in (None, "Success")

    def ready(self, container_id: str) -> bool:
        """Ready: started, and no readiness probe or it succeeds."""
        return self.started(container_id) and \
            self.result(container_id, "readinessProbe") in (None, "Success")

    def failed(self, container_id: str) -> str:
        """"liveness" or "startup" if that probe has failed (the container must restart)."""
        for kind in ("livenessProbe", "startupProbe"):
            if self.result(container_id, kind) == "Failure":
                return kind[:-len("Probe")]
        return ""

    def _loop(self, worker: Worker) -> Generator:
        # worker.go probes on a time.Ticker: tick n is due at start + n x period, whatever the
        # probes took, so neither their durations nor float sums move later ticks. A probe that
        # outlasts a period finds one tick waiting (the ticker's channel holds one) and probes
        # at once; the ticks it missed are dropped.
        period = worker.spec.get("periodSeconds", 10)
        env = self.kubelet.group.env
        start, tick = env.now, 0
        while not worker.stopped:
            yield from self._probe_once(worker)
            if worker.stopped:
                return
            tick += 1
            due = start + tick * period
            if due < env.now:
                tick, due = int((env.now - start) // period), env.now
            yield env.timeout(due - env.now)

    def _probe_once(self, worker: Worker) -> Generator:
        kubelet = self.kubelet
        if worker.on_hold:
            return
        if int(kubelet.sim.now - worker.started_at) < worker.spec.get("initialDelaySeconds", 0):
            return
        started = self.started(worker.container_id)
        if (worker.kind == "startupProbe") == started:
            return  # startup probes stop once started; the others wait for it
        pod = kubelet.pods.get(worker.key)
        if pod is None:
            return
        try:
            result, output = yield from self._run(worker, pod)
        except CriError as error:
            kubelet.event(pod, "Warning", "Unhealthy",
                          f"{TITLE[worker.kind]} probe errored and resulted in unknown state: "
                          f"{error.rpc_error()}")
            return
        if worker.stopped:
            return
        if result == "Failure":
            kubelet.event(pod, "Warning", "Unhealthy", f"{TITLE[worker.kind]} probe failed: "
                          f"{output}")
        worker.run = worker.run + 1 if result == worker.last else 1
        worker.last = result
        threshold = worker.spec.get("failureThreshold" if result == "Failure"
                                    else "successThreshold", 3 if result == "Failure" else 1)
        if worker.run < threshold:
            return
        changed = worker.result != result
        worker.result = result
        if worker.kind != "readinessProbe" and result == "Failure":
            worker.on_hold, worker.run = True, 0
        if changed:
            kubelet._record("ProbeResult", f"pod/{worker.key}", container=worker.container,
                            probe=worker.kind, result=result)
            self._on_change(worker.key)

    def _run(self, worker: Worker, pod: dict) -> Generator:
        """One probe: ("Success" | "Failure", output)."""
        spec, timeout = worker.spec, worker.spec.get("timeoutSeconds", 1)
        if "exec" in spec:
            command = spec["exec"].get("command", [])
            code, out, err = yield from self.kubelet.containerd.exec_sync(
                worker.container_id, command, timeout)
            if code is None:
                return "Failure", f'command "{" ".join(command)}" timed out'
            return ("Success" if code == 0 else "Failure"), (out + err).rstrip("\n")
        ip = pod.get("status", {}).get("podIP") or ""
        running = self.kubelet.running.get(worker.key)
        ip = running.ip if running is not None else ip
        container = next((c for c in pod["spec"].get("containers", [])
                          + pod["spec"].get("initContainers", [])
                          if c["name"] == worker.container), {})
        handler_kind = next(k for k in ("httpGet", "tcpSocket", "grpc") if k in spec)
        port = _port(spec[handler_kind].get("port"), container)
        if handler_kind == "httpGet":
            path = spec["httpGet"].get("path", "/")
            url = f"http://{ip}:{port}{path}"
            headers = {"Host": f"{ip}:{port}", "User-Agent": USER_AGENT, "Accept": "*/*",
                       **{h["name"]: h["value"] for h in spec["httpGet"].get("httpHeaders", [])}}
            request = {"protocol": "http", "method": "GET", "path": path, "headers": headers,
                       "remote_addr": self.kubelet.config.ip}
            response = yield from self._dial(ip, port, request, timeout)
            if isinstance(response, RefusedError):
                return "Failure", f'Get "{url}": {response.message}'
            if isinstance(response, UnreachableError):
                return "Failure", (f'Get "{url}": context deadline exceeded (Client.Timeout '
                                   "exceeded while awaiting headers)")
            code = response.get("status", 0)
            if 200 <= code < 400:
                return "Success", ""
            return "Failure", f"HTTP probe failed with statuscode: {code}"
        if handler_kind == "tcpSocket":
            response = yield from self._dial(ip, port, None, timeout)
            if isinstance(response, UnreachableError):
                return "Failure", response.message
            return "Success", ""
        service = spec["grpc"].get("service", "")
        response = yield from self._dial(ip, port, {"protocol": "grpc", "service": service},
                                         timeout)
        if isinstance(response, RefusedError):
            return "Failure", (f'timeout: failed to connect service "{ip}:{port}" within '
                               f"{timeout}s: context deadline exceeded")
        if isinstance(response, UnreachableError):
            return "Failure", (f'timeout: health rpc did not complete within {timeout}s')
        if response.get("status") == "SERVING":
            return "Success", ""
        return "Failure", f'service unhealthy (responded with "{response.get("status")}")'

    def _dial(self, ip: str, port: int, request: dict | None, timeout: float) -> Generator:
        """Send `request` from the node to the pod over the pod network (k8slab.node.
        pod_network); returns the answer or the network's error (a reset server program
        answers status 0, as a dropped connection fails an HTTP probe)."""
        dial = self.kubelet.containerd.host_net.dial
        if dial is None:
            return UnreachableError(f"dial tcp {ip}:{port}: connect: network is unreachable")
        try:
            return (yield from dial(self.kubelet.config.ip, ip, port, request, timeout))
        except ResetError:
            return {"status": 0}
        except UnreachableError as error:
            return error


def _port(port: int | str | None, container: dict) -> int:
    """A probe's port: a number, or the name of one of the container's ports."""
    if isinstance(port, str) and not port.isdigit():
        for entry in container.get("ports", []):
            if entry.get("name") == port:
                return int(entry["containerPort"])
        return 0
    return int(port or 0)

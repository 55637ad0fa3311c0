"""How the kubelet restarts a container that exited: the pod's restartPolicy, and CrashLoopBackOff.

The first exit is restarted at once; a container that exits again waits 10 s, then 20, 40... up
to 5 minutes, and the wait is forgotten after 10 minutes without an exit (client-go's
flowcontrol.Backoff as kuberuntime's doBackOff uses it; kk pkg/kubelet/kubelet.go:
containerBackOffPeriod 10 s, MaxContainerBackOff 300 s). Simplified: the kubelet hears of an exit
from containerd's event stream (CRI GetContainerEvents, the evented PLEG) rather than by relisting
every second, and the back-off has no jitter.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from k8slab.api.timestamps import to_time
from k8slab.errors import K8sLabError

if TYPE_CHECKING:
    from k8slab.node.kubelet import Kubelet

INITIAL_BACKOFF = 10.0
MAX_BACKOFF = 300.0
FORGET_AFTER = 2 * MAX_BACKOFF  # flowcontrol.hasExpired: twice the maximum since the last update


@dataclass
class _Entry:
    delay: float
    last_update: float


class ContainerBackOff:
    """Per container (pod uid + container name), how long a restart must wait."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def wait(self, key: str, finished: float) -> float:
        """Seconds to wait before restarting container `key`, which exited at `finished`."""
        entry = self._entries.get(key)
        if entry is None or finished - entry.last_update > FORGET_AFTER:
            return 0.0
        return entry.delay

    def restarted(self, key: str, now: float) -> None:
        """Note a restart at `now`: the next exit waits twice as long (flowcontrol's Next)."""
        entry = self._entries.get(key)
        if entry is None or now - entry.last_update > FORGET_AFTER:
            self._entries[key] = _Entry(INITIAL_BACKOFF, now)
        else:
            entry.delay = min(entry.delay * 2, MAX_BACKOFF)
            entry.last_update = now


def go_duration(seconds: float) -> str:
    """A whole number of seconds as Go's time.Duration prints it: 10s, 1m20s, 5m0s."""
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest}s" if minutes else f"{rest}s"


def should_restart(pod: dict, exit_code: int) -> bool:
    """restartPolicy: Always restarts every exit, OnFailure a non-zero one, Never none."""
    policy = pod["spec"].get("restartPolicy", "Always")
    return policy == "Always" or (policy == "OnFailure" and exit_code != 0)


class Restarts:
    """The kubelet's part that hears containers exit and starts them again, backing off."""

    def __init__(self, kubelet: Kubelet) -> None:
        self.kubelet = kubelet
        self.backoff = ContainerBackOff()
        self.last_exit: dict[tuple[str, str], dict] = {}  # (pod key, container): lastState
        self.started: dict[tuple[str, str], float] = {}  # (pod key, container): when restarted

    def forget(self, key: str) -> None:
        """The pod is gone from this node: drop what was kept about its containers' exits."""
        for pair in [p for p in self.last_exit if p[0] == key]:
            del self.last_exit[pair]
        for pair in [p for p in self.started if p[0] == key]:
            del self.started[pair]

    def container_exited(self, container_id: str, exit_code: int, finished: float) -> None:
        """containerd says a container's process exited: restart it if the pod wants that."""
        kubelet = self.kubelet
        for key, running in kubelet.running.items():
            for name, running_id in running.containers.items():
                if running_id == container_id and key in kubelet.pods:
                    self._exited(key, name, container_id, exit_code, finished)
                    return

    def _exited(self, key: str, name: str, container_id: str, exit_code: int,
                finished: float) -> None:
        kubelet = self.kubelet
        pod, running = kubelet.pods[key], kubelet.running[key]
        self.last_exit[key, name] = {"terminated": {
            "exitCode": exit_code,
            "reason": "Completed" if exit_code == 0 else "Error",
            "startedAt": to_time(self.started.get((key, name), running.started)),
            "finishedAt": to_time(finished),
            "containerID": f"containerd://{container_id}",
        }}
        kubelet._record("ContainerDied", f"pod/{key}", container=name,
                        exit_code=exit_code)
        if not should_restart(pod, exit_code):
            return
        backoff_key = f"{pod['metadata'].get('uid', key)}/{name}"
        wait = self.backoff.wait(backoff_key, finished)
        if wait:
            meta = pod["metadata"]
            pod_name = f"{meta['name']}_{meta.get('namespace', 'default')}({meta.get('uid', '')})"
            kubelet._record("BackOff", f"pod/{key}", container=name, message=(
                f"Back-off restarting failed container {name} in pod {pod_name}"))
            kubelet._set_status(key, kubelet._running_status(pod, running, waiting={name: {
                "reason": "CrashLoopBackOff",
                "message": f"back-off {go_duration(wait)} restarting failed "
                           f"container={name} pod={pod_name}",
            }}))
        kubelet.group.spawn(self._restart(key, name, backoff_key, wait))

    def _restart(self, key: str, name: str, backoff_key: str, wait: float) -> Generator:
        kubelet = self.kubelet
        yield kubelet.group.env.timeout(wait)
        running, pod = kubelet.running.get(key), kubelet.pods.get(key)
        if running is None or pod is None:
            return  # the pod was deleted meanwhile
        spec = next(c for c in pod["spec"]["containers"] if c["name"] == name)
        self.backoff.restarted(backoff_key, kubelet.sim.now)
        try:
            container_id = yield from kubelet.containerd.create_container(running.sandbox, {
                "name": name, "image": spec["image"],
                "command": spec.get("command", []), "args": spec.get("args", [])})
            yield from kubelet.containerd.start_container(container_id)
        except K8sLabError as error:
            kubelet._record("Failed", f"pod/{key}", container=name, error=str(error))
            return
        if kubelet.running.get(key) is not running:
            return
        running.containers[name] = container_id
        running.restarts[name] += 1
        self.started[key, name] = kubelet.sim.now
        kubelet._record("ContainerRestarted", f"pod/{key}", container=name,
                        restarts=running.restarts[name])
        kubelet._set_status(key, kubelet._running_status(pod, running))

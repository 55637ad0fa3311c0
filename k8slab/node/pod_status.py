"""The status a kubelet writes for a pod: Pending with its containers being created, then Running
with each container's state, restart count and last exit, and the pod's conditions.

The shapes follow PodStatus in k8s.io/api/core/v1 as the kubelet fills it (kubelet_pods.go
generateAPIPodStatus); timestamps are simulated time as RFC 3339 text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from k8slab.api.timestamps import to_time
from k8slab.client.informer import cache_key

if TYPE_CHECKING:
    from k8slab.node.restarts import Restarts


@dataclass
class RunningPod:
    """What this kubelet has started for one pod: its sandbox and containers."""

    sandbox: str
    ip: str
    containers: dict[str, str]
    started: float
    restarts: dict[str, int]
    source: str = ""  # the manifest hash of a static pod it was started from



def pending(pod: dict, host_ip: str, now: float) -> dict:
    """A pod admitted and starting: phase Pending, every container waiting in ContainerCreating."""
    waiting = [
        {
            "name": c["name"],
            "image": c["image"],
            "ready": False,
            "started": False,
            "restartCount": previous_restarts(pod, c["name"]),
            "state": {"waiting": {"reason": "ContainerCreating"}},
        }
        for c in pod["spec"]["containers"]
    ]
    return {
        "phase": "Pending",
        "hostIP": host_ip,
        "conditions": conditions(now, scheduled=True, ready=False),
        "containerStatuses": waiting,
    }


def running(pod: dict, started_pod: RunningPod, host_ip: str, now: float, restarts: Restarts,
            waiting: dict[str, dict]) -> dict:
    """A started pod: phase Running; the containers in `waiting` wait to restart (back-off)."""
    key = cache_key(pod)
    statuses = []
    for c in pod["spec"]["containers"]:
        name = c["name"]
        status = {
            "name": name,
            "image": c["image"],
            "ready": name not in waiting,
            "started": name not in waiting,
            "restartCount": started_pod.restarts[name],
            "containerID": f"containerd://{started_pod.containers[name]}",
            "state": ({"waiting": waiting[name]} if name in waiting else {"running": {
                "startedAt": to_time(restarts.started.get((key, name), started_pod.started))}}),
        }
        if (key, name) in restarts.last_exit:
            status["lastState"] = restarts.last_exit[key, name]
        statuses.append(status)
    return {
        "phase": "Running",
        "hostIP": host_ip,
        "hostIPs": [{"ip": host_ip}],
        "podIP": started_pod.ip,
        "podIPs": [{"ip": started_pod.ip}],
        "startTime": to_time(started_pod.started),
        "conditions": conditions(now, scheduled=True, ready=not waiting),
        "containerStatuses": statuses,
    }


def previous_restarts(pod: dict, container: str) -> int:
    """The restartCount the pod's status last reported for `container` (0 if none)."""
    for status in pod.get("status", {}).get("containerStatuses", []):
        if status.get("name") == container:
            return status.get("restartCount", 0)
    return 0


def restart_counts(pod: dict) -> dict[str, int]:
    """restartCount for each container about to start: one more if a container ran before."""
    ran = {s.get("name") for s in pod.get("status", {}).get("containerStatuses", [])
           if s.get("containerID")}
    return {c["name"]: previous_restarts(pod, c["name"]) + (c["name"] in ran)
            for c in pod["spec"]["containers"]}


def conditions(now: float, *, scheduled: bool, ready: bool) -> list[dict]:
    """The pod's five conditions, all changed at `now` (the model keeps no earlier times)."""
    t = to_time(now)
    flag = "True" if ready else "False"
    return [
        {"type": "PodReadyToStartContainers", "status": flag, "lastTransitionTime": t},
        {"type": "Initialized", "status": "True", "lastTransitionTime": t},
        {"type": "Ready", "status": flag, "lastTransitionTime": t},
        {"type": "ContainersReady", "status": flag, "lastTransitionTime": t},
        {
            "type": "PodScheduled",
            "status": "True" if scheduled else "False",
            "lastTransitionTime": t,
        },
    ]

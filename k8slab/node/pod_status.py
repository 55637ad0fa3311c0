"""The status a kubelet writes for a pod, made from what the runtime says of its containers, what
the probes found, and why containers wait: each container's state, last state, readiness and
restart count; the pod's phase and its conditions.

The shapes and rules follow the kubelet's generateAPIPodStatus and getPhase (kk
pkg/kubelet/kubelet_pods.go, v1.35) and the pod conditions of pkg/kubelet/status/generate.go.
Timestamps are simulated time as RFC 3339 text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from k8slab.api.qos import get_pod_qos
from k8slab.api.timestamps import to_time
from k8slab.node import cri
from k8slab.node.image_catalogue import normalize, split

CONDITIONS = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady",
              "PodScheduled")


@dataclass
class RunningPod:
    """What this kubelet runs for one pod: its sandbox and, by name, each container's latest
    and previous instance, restart counts, why a container waits, and the pod's volumes."""

    sandbox: str
    ip: str
    containers: dict[str, str]  # name -> the latest container's id
    started: float
    restarts: dict[str, int]
    source: str = ""  # the manifest hash of a static pod it was started from
    previous: dict[str, str] = field(default_factory=dict)  # name -> the container before
    waiting: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> reason, message
    volumes: dict[str, dict[str, str]] = field(default_factory=dict)  # emptyDir name -> files
    grace: int = 30  # seconds between SIGTERM and SIGKILL when its containers are stopped


def is_sidecar(spec: dict) -> bool:
    """An init container with restartPolicy Always runs beside the app (a sidecar)."""
    return spec.get("restartPolicy") == "Always"


def terminated(info: cri.ContainerInfo) -> dict:
    """A stopped container as ContainerStateTerminated."""
    state = {"exitCode": info.exit_code, "reason": info.reason}
    if info.message:
        state["message"] = info.message
    state.update(startedAt=to_time(info.started if info.started is not None else info.created),
                 finishedAt=to_time(info.finished if info.finished is not None else info.created),
                 containerID=f"containerd://{info.id}")
    return state


def container_status(spec: dict, pod: RunningPod, current: cri.ContainerInfo | None,
                     previous: cri.ContainerInfo | None, ready: bool, started: bool,
                     not_started: str = "ContainerCreating") -> dict:
    """One entry of containerStatuses (or initContainerStatuses); `not_started` is the waiting
    reason of a container not yet created (PodInitializing behind init containers)."""
    name = spec["name"]
    status: dict = {"name": name, "state": {}, "ready": False,
                    "restartCount": pod.restarts.get(name, 0), "image": spec["image"],
                    "imageID": "", "started": False}
    if current is not None:
        status["imageID"] = f"{split(normalize(current.image))[0]}@{current.image_id}"
        status["containerID"] = f"containerd://{current.id}"
    waiting = pod.waiting.get(name)
    last = previous
    if waiting is not None:
        reason, message = waiting
        status["state"] = {"waiting": {"reason": reason, **({"message": message}
                                                            if message else {})}}
        if current is not None and current.state == cri.EXITED:
            last = current
    elif current is None or current.state == cri.CREATED:
        status["state"] = {"waiting": {"reason": not_started if current is None
                                       else "ContainerCreating"}}
    elif current.state == cri.RUNNING:
        status["state"] = {"running": {"startedAt": to_time(current.started)}}
        status["ready"], status["started"] = ready, started
    else:
        status["state"] = {"terminated": terminated(current)}
    status["lastState"] = ({"terminated": terminated(last)}
                           if last is not None and last.state == cri.EXITED else {})
    return {k: status[k] for k in ("name", "state", "lastState", "ready", "restartCount",
                                   "image", "imageID", *(["containerID"] if "containerID"
                                                         in status else []), "started")}


def phase(spec: dict, init: list[dict], main: list[dict]) -> str:
    """getPhase: Pending until initialized and every app container ran once, Running while
    one runs or will restart, Succeeded/Failed when all stopped for good."""
    policy = spec.get("restartPolicy", "Always")
    pending_init = failed_init = 0
    for spec_c, status in zip(spec.get("initContainers", []), init, strict=False):
        state = status["state"]
        if is_sidecar(spec_c):
            if "running" not in state or not status.get("started"):
                pending_init += 1
            continue
        if "terminated" in state and state["terminated"]["exitCode"] == 0:
            continue
        if "terminated" in state or (
                "waiting" in state and status.get("lastState", {}).get("terminated")):
            failed_init += 1
        else:
            pending_init += 1
    running = waiting = stopped = succeeded = 0
    for status in main:
        state = status["state"]
        if "running" in state:
            running += 1
        elif "terminated" in state:
            stopped += 1
            succeeded += state["terminated"]["exitCode"] == 0
        elif status.get("lastState", {}).get("terminated"):
            stopped += 1
        else:
            waiting += 1
    if failed_init and policy == "Never":
        return "Failed"
    if pending_init or failed_init or waiting:
        return "Pending"
    if running:
        return "Running"
    if policy == "Always":
        return "Running"
    if stopped == succeeded:
        return "Succeeded"
    return "Failed" if policy == "Never" else "Running"


def conditions(previous: list[dict], now: float, *, sandbox: bool, initialized: bool,
               ready: bool) -> list[dict]:
    """The five pod conditions; a condition keeps its lastTransitionTime while its status
    stays the same (the status manager's rule)."""
    before = {c.get("type"): c for c in previous}
    values = {"PodReadyToStartContainers": sandbox, "Initialized": initialized, "Ready": ready,
              "ContainersReady": ready, "PodScheduled": True}
    result = []
    for kind in CONDITIONS:
        flag = "True" if values[kind] else "False"
        old = before.get(kind)
        since = old["lastTransitionTime"] if old and old.get("status") == flag else to_time(now)
        entry = {"type": kind, "status": flag, "lastTransitionTime": since}
        if kind in ("Ready", "ContainersReady") and not values[kind]:
            entry["reason"] = "ContainersNotReady"
        if kind == "Initialized" and not values[kind]:
            entry["reason"] = "ContainersNotInitialized"
        result.append(entry)
    return result


def not_ready_message(kind: str, names: list[str]) -> str:
    """`containers with unready status: [web]` (generate.go's messages)."""
    return f"{kind} with unready status: [{' '.join(names)}]"


def pending(pod: dict, host_ip: str, now: float) -> dict:
    """A pod admitted and starting: phase Pending, every container waiting in ContainerCreating
    (or PodInitializing behind init containers)."""
    init = pod["spec"].get("initContainers", [])
    main_reason = "PodInitializing" if init else "ContainerCreating"

    def waiting(spec: dict, reason: str) -> dict:
        return {"name": spec["name"], "state": {"waiting": {"reason": reason}}, "lastState": {},
                "ready": False, "restartCount": previous_restarts(pod, spec["name"]),
                "image": spec["image"], "imageID": "", "started": False}

    status = {
        "phase": "Pending",
        "hostIP": host_ip,
        "hostIPs": [{"ip": host_ip}],
        "conditions": conditions(pod.get("status", {}).get("conditions", []), now,
                                 sandbox=False, initialized=not init, ready=False),
        "containerStatuses": [waiting(c, main_reason) for c in pod["spec"]["containers"]],
        "qosClass": get_pod_qos(pod),
    }
    if init:
        status["initContainerStatuses"] = [waiting(c, "PodInitializing") for c in init]
    return status


def previous_restarts(pod: dict, container: str) -> int:
    """The restartCount the pod's status last reported for `container` (0 if none)."""
    status = pod.get("status", {})
    for entry in [*status.get("containerStatuses", []), *status.get("initContainerStatuses", [])]:
        if entry.get("name") == container:
            return entry.get("restartCount", 0)
    return 0


def restart_counts(pod: dict) -> dict[str, int]:
    """restartCount for each container of a pod this kubelet starts again (after its node
    rebooted): one more than reported if a container ran before."""
    status = pod.get("status", {})
    ran = {s.get("name") for s in [*status.get("containerStatuses", []),
                                   *status.get("initContainerStatuses", [])]
           if s.get("containerID")}
    specs = [*pod["spec"].get("initContainers", []), *pod["spec"]["containers"]]
    return {c["name"]: previous_restarts(pod, c["name"]) + (c["name"] in ran) for c in specs}

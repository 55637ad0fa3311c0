"""How the kubelet ends a deleted pod: it stops every container gracefully through containerd
(SIGTERM, then SIGKILL when the grace period runs out), writes the pod's final status, and then
deletes the pod object with grace 0 and a uid precondition, as its status manager does.

Upstream: kk pkg/kubelet/pod_workers.go (calculateEffectiveGracePeriod: the API's
deletionGracePeriodSeconds, else the pod's terminationGracePeriodSeconds, at least 1 s),
kuberuntime_container.go killContainer (the `Killing` event, StopContainer with the grace),
status_manager.go (the final status, then a Delete with NewDeleteOptions(0) and a UID
precondition). Since v1.27 a deleted pod whose containers all stopped reports a terminal phase:
Succeeded if every container exited 0, else Failed.
Simplified: no preStop hooks; a DELETE that shortens the grace period while the containers
are stopping does not speed them up; a pod that never started is deleted without a final status.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

from k8slab.api.qos import get_pod_qos
from k8slab.api.timestamps import to_time
from k8slab.errors import ConflictError, K8sLabError, NotFoundError
from k8slab.node import cri, pod_status
from k8slab.node.pod_status import RunningPod

if TYPE_CHECKING:
    from k8slab.node.kubelet import Kubelet

MIN_GRACE_SECONDS = 1  # pod_workers.go: "no matter what, we always supply a grace period of 1"
RETRY_SECONDS = (0.1, 7.0)  # the kubelet's back-off between failed API writes


def effective_grace(pod: dict) -> int:
    """Seconds the containers get between SIGTERM and SIGKILL: the API's
    deletionGracePeriodSeconds if set and above 0, else terminationGracePeriodSeconds; >= 1."""
    grace = pod["metadata"].get("deletionGracePeriodSeconds") or 0
    if grace == 0:
        grace = pod["spec"].get("terminationGracePeriodSeconds") or 0
    return max(grace, MIN_GRACE_SECONDS)


def terminated_status(pod: dict, started_pod: RunningPod, exits: dict[str, cri.ContainerInfo],
                      host_ip: str, now: float) -> dict:
    """The final status of a stopped pod: every container terminated, the phase terminal
    (Succeeded if every app container exited 0, else Failed)."""
    previous = pod.get("status", {})
    statuses, init_statuses = [], []
    for specs, out in ((pod["spec"].get("initContainers", []), init_statuses),
                       (pod["spec"]["containers"], statuses)):
        for spec in specs:
            info = exits.get(spec["name"])
            entry = pod_status.container_status(spec, started_pod, info, None, False, False)
            if info is not None and info.state == cri.EXITED:
                entry["state"] = {"terminated": pod_status.terminated(info)}
            else:
                entry["state"] = {"terminated": {"exitCode": 137, "reason": "Error",
                                                 "startedAt": to_time(started_pod.started),
                                                 "finishedAt": to_time(now)}}
            out.append(entry)
    failed = any(s["state"]["terminated"]["exitCode"] != 0 for s in statuses)
    status = {
        "phase": "Failed" if failed else "Succeeded",
        "hostIP": host_ip,
        "hostIPs": [{"ip": host_ip}],
        "podIP": started_pod.ip,
        "podIPs": [{"ip": started_pod.ip}],
        "startTime": to_time(started_pod.started),
        "conditions": pod_status.conditions(previous.get("conditions", []), now, sandbox=False,
                                            initialized=True, ready=False),
        "containerStatuses": statuses,
        "qosClass": get_pod_qos(pod),
    }
    if init_statuses:
        status["initContainerStatuses"] = init_statuses
    return status


class Termination:
    """The kubelet's part that stops deleted pods and removes their objects."""

    def __init__(self, kubelet: Kubelet) -> None:
        self.kubelet = kubelet
        self.gone: dict[str, dict] = {}  # pods removed from the API while still running
        self.finished: dict[str, str] = {}  # pod key -> uid: stopped, final delete due

    def stop(self, key: str, pod: dict, running: RunningPod) -> Generator:
        """Stop every container of `pod` at once with its grace period, then its sandbox;
        if the pod object still exists, write its final status (the delete follows it)."""
        kubelet = self.kubelet
        grace = effective_grace(pod)
        del kubelet.running[key]  # from now on an exit is not restarted
        kubelet.forget_containers(running)
        kubelet._record("KillPod", f"pod/{key}", grace=grace)
        for name in running.containers:
            kubelet.event(pod, "Normal", "Killing", f"Stopping container {name}")
        exits = yield from kubelet.kill_pod(running, grace)
        kubelet._admitted.pop(key, None)  # known terminated: no longer counted by admission
        current = kubelet.pods.get(key)
        if current is not None and current["metadata"].get("uid") == pod["metadata"].get("uid"):
            self.finished[key] = pod["metadata"].get("uid", "")
            kubelet._set_status(key, terminated_status(current, running, exits,
                                                       kubelet.config.ip, kubelet.sim.now))

    def never_started(self, key: str, pod: dict) -> None:
        """A pod deleted before it ran here: nothing to stop, delete it at once."""
        if key not in self.finished:
            self.finished[key] = pod["metadata"].get("uid", "")
            self.kubelet.group.spawn(self.final_delete(key))

    def final_delete(self, key: str) -> Generator:
        """DELETE the pod with gracePeriodSeconds 0 and its uid as precondition, retrying."""
        kubelet = self.kubelet
        namespace, name = key.split("/", 1)
        delay = RETRY_SECONDS[0]
        while key in self.finished and key in kubelet.pods:
            try:
                yield from kubelet.client.delete("pods", name, namespace, grace_period_seconds=0,
                                                 uid=self.finished[key])
                kubelet._record("PodDeleted", f"pod/{key}")
                return
            except (NotFoundError, ConflictError):
                return  # gone already, or a new pod of that name: not ours to delete
            except K8sLabError:
                yield kubelet.group.env.timeout(delay)
                delay = min(delay * 2, RETRY_SECONDS[1])

    def forget(self, key: str) -> None:
        """The pod object is gone from the API: nothing more to delete."""
        self.finished.pop(key, None)

"""SyncPod: make one pod's containers what its spec asks, one step per sync (kk
pkg/kubelet/kuberuntime/kuberuntime_manager.go computePodActions + SyncPod, v1.35).

Each sync looks at what the runtime reports and does the next thing: create the sandbox; run
the init containers one at a time (a sidecar, restartPolicy Always, keeps running and the next
one starts once it has started); then start every app container that is not running and
should, by the pod's restartPolicy; kill a container whose liveness or startup probe failed
and start it again. A restart waits out the container's CrashLoopBackOff; a pull that fails
backs off too (ImagePullBackOff). The kubelet syncs a pod when the PLEG sees one of its
containers change, when a probe result changes, and when a back-off ends.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

from k8slab.api.quantity import memory_bytes
from k8slab.errors import K8sLabError
from k8slab.node import cgroups, cri, images
from k8slab.node.container_env import command_line, environment
from k8slab.node.kubelet_server import log_directory
from k8slab.node.pod_status import RunningPod, is_sidecar, restart_counts
from k8slab.node.restarts import go_duration, should_restart
from k8slab.node.static_pod_files import host_mounts
from k8slab.node.volumes import MountError, ProjectedToken, mount_all, refresh_tokens

if TYPE_CHECKING:
    from k8slab.node.kubelet import Kubelet


def log_path(pod: dict, container: str, attempt: int) -> str:
    """Where a container's log lies on its node: /var/log/pods/<ns>_<name>_<uid>/<c>/<n>.log."""
    meta = pod["metadata"]
    directory = log_directory(meta.get("namespace", "default"), meta["name"],
                              meta.get("uid", ""), container)
    return f"{directory}/{attempt}.log"


def pod_name(pod: dict) -> str:
    """A pod as the kubelet's messages name it: name_namespace(uid) (format.Pod)."""
    meta = pod["metadata"]
    return f"{meta['name']}_{meta.get('namespace', 'default')}({meta.get('uid', '')})"


class PodSync:
    """The kubelet's part that starts, kills and restarts one pod's containers."""

    def __init__(self, kubelet: Kubelet) -> None:
        self.kubelet = kubelet
        self.containerd = kubelet.containerd

    def sync(self, key: str, pod: dict) -> Generator:
        """One SyncPod: bring the pod's containers one step closer to its spec."""
        kubelet = self.kubelet
        running = kubelet.running.get(key)
        if running is None:
            kubelet._set_status(key, kubelet._pending_status(pod))
            tokens: list[ProjectedToken] = []
            try:
                volumes = yield from mount_all(kubelet.client, pod, tokens)
            except MountError as error:
                kubelet.event(pod, "Warning", "FailedMount", error.message)
                kubelet.resync_after(key, kubelet.sync_error_backoff())
                return
            except K8sLabError:  # the API server did not answer: try again later
                kubelet.resync_after(key, kubelet.sync_error_backoff())
                return
            meta = pod["metadata"]
            labels = {cri.POD_NAME: meta["name"], cri.POD_NAMESPACE: meta.get("namespace", ""),
                      cri.POD_UID: meta.get("uid", "")}
            host_ip = kubelet.config.ip if pod["spec"].get("hostNetwork") else None
            try:
                sandbox = yield from self.containerd.run_pod_sandbox(
                    f"pod/{key}", host_ip, labels, port_mappings(pod))
            except cri.CriError as error:
                # kubelet's createPodSandbox failure: an event, and a retry after back-off.
                kubelet.event(pod, "Warning", "FailedCreatePodSandBox",
                              f"Failed to create pod sandbox: {error.rpc_error()}")
                kubelet.resync_after(key, kubelet.sync_error_backoff())
                return
            running = RunningPod(sandbox.id, sandbox.ip, {}, kubelet.sim.now,
                                 restart_counts(pod), kubelet._static.get(key, ""))
            running.volumes = volumes
            running.grace = max(1, pod["spec"].get("terminationGracePeriodSeconds", 30))
            kubelet.running[key] = running
            kubelet._record("PodSandboxReady", f"pod/{key}", ip=sandbox.ip)
            if tokens:  # the token manager keeps projected tokens fresh while the pod runs
                kubelet.group.spawn(refresh_tokens(
                    kubelet.client, pod, volumes, tokens, lambda: kubelet.sim.now,
                    kubelet.group.env.timeout,
                    lambda: kubelet.running.get(key) is running,
                    kubelet.sim.rng(f"kubelet/{kubelet.host}/token-manager/{key}")))
        for spec in pod["spec"].get("initContainers", []):
            done = yield from self._init_step(key, pod, running, spec)
            if not done:
                return
        for spec in pod["spec"]["containers"]:
            yield from self._app_step(key, pod, running, spec)
            if kubelet.running.get(key) is not running:
                return

    def _info(self, running: RunningPod, name: str) -> cri.ContainerInfo | None:
        container_id = running.containers.get(name)
        return None if container_id is None else self.containerd.container_status(container_id)

    def _init_step(self, key: str, pod: dict, running: RunningPod, spec: dict) -> Generator:
        """Advance one init container; True when the next may start."""
        info = self._info(running, spec["name"])
        prober = self.kubelet.prober
        if is_sidecar(spec):
            if info is not None and info.state == cri.RUNNING:
                if prober.failed(info.id):
                    yield from self._kill_for_probe(key, pod, running, spec, info)
                    return False
                return prober.started(info.id)
            yield from self._start(key, pod, running, spec, info)
            return False
        if info is not None and info.state == cri.EXITED and info.exit_code == 0:
            return True
        if info is not None and info.state in (cri.RUNNING, cri.CREATED):
            return False
        if info is not None and pod["spec"].get("restartPolicy", "Always") == "Never":
            return False  # a failed init container of a Never pod fails the pod
        yield from self._start(key, pod, running, spec, info)
        return False

    def _app_step(self, key: str, pod: dict, running: RunningPod, spec: dict) -> Generator:
        info = self._info(running, spec["name"])
        if info is not None and info.state == cri.RUNNING:
            if self.kubelet.prober.failed(info.id):
                yield from self._kill_for_probe(key, pod, running, spec, info)
            return
        if info is not None and info.state == cri.EXITED and not should_restart(
                pod, info.exit_code or 0):
            return
        yield from self._start(key, pod, running, spec, info)

    def _kill_for_probe(self, key: str, pod: dict, running: RunningPod, spec: dict,
                        info: cri.ContainerInfo) -> Generator:
        kubelet = self.kubelet
        probe = kubelet.prober.failed(info.id)
        kubelet.event(pod, "Normal", "Killing",
                      f"Container {spec['name']} failed {probe} probe, will be restarted")
        grace = pod["spec"].get("terminationGracePeriodSeconds", 30)
        yield from self.containerd.stop_container(info.id, grace)
        kubelet.prober.remove(info.id)
        if kubelet.running.get(key) is running:
            yield from self._start(key, pod, running, spec, self.containerd.container_status(
                info.id))

    def _start(self, key: str, pod: dict, running: RunningPod, spec: dict,
               previous: cri.ContainerInfo | None) -> Generator:
        """Start the container `spec` anew, unless its back-off or its image says wait."""
        kubelet, name = self.kubelet, spec["name"]
        backoff_key = f"{pod['metadata'].get('uid', key)}/{name}"
        if previous is not None and previous.state == cri.EXITED:
            wait = kubelet.backoff.wait(backoff_key, previous.finished or kubelet.sim.now)
            remaining = (previous.finished or 0) + wait - kubelet.sim.now
            if wait and remaining > 1e-9:
                message = (f"back-off {go_duration(wait)} restarting failed container={name} "
                           f"pod={pod_name(pod)}")
                if running.waiting.get(name, ("",))[0] != "CrashLoopBackOff":
                    kubelet.event(pod, "Warning", "BackOff", f"Back-off restarting failed "
                                  f"container {name} in pod {pod_name(pod)}")
                running.waiting[name] = ("CrashLoopBackOff", message)
                kubelet.resync_after(key, remaining)
                return
        ok = yield from images.ensure(kubelet, pod, spec, running)
        if not ok:
            return
        attempt = running.restarts.get(name, 0) + (name in running.containers)
        variables = environment(pod, spec, kubelet.config.ip, running.ip)
        command, args = command_line(spec, variables)
        config = {
            "name": name, "image": spec["image"], "command": command, "args": args,
            "env": variables,
            "mounts": host_mounts(pod, spec),
            "files": kubelet.pod_files(pod, running),
            "volumes": {m["mountPath"]: running.volumes[m["name"]]
                        for m in spec.get("volumeMounts", []) if m["name"] in running.volumes},
            "resources": cgroups.linux_resources(pod, spec, memory_bytes(kubelet.config.memory)),
            "log_path": log_path(pod, name, attempt),
            "attempt": attempt,
            "labels": {cri.CONTAINER_NAME: name, cri.POD_NAME: pod["metadata"]["name"],
                       cri.POD_NAMESPACE: pod["metadata"].get("namespace", ""),
                       cri.POD_UID: pod["metadata"].get("uid", "")},
        }
        try:
            container_id = yield from self.containerd.create_container(running.sandbox, config)
        except cri.CreateError as error:
            running.waiting[name] = ("CreateContainerError", error.message)
            kubelet.event(pod, "Warning", "Failed", f"Error: {error.message}")
            kubelet.resync_after(key, kubelet.sync_error_backoff())
            return
        if previous is not None:
            kubelet.backoff.restarted(backoff_key, kubelet.sim.now)
            running.restarts[name] = attempt
            old = running.previous.get(name)
            if old is not None and old != previous.id:
                self.containerd.remove_container(old)  # keep one dead container per name
            running.previous[name] = previous.id
        elif name not in running.restarts:
            running.restarts[name] = attempt
        running.containers[name] = container_id
        running.waiting.pop(name, None)
        kubelet.event(pod, "Normal", "Created", "Container created")
        try:
            yield from self.containerd.start_container(container_id)
        except cri.StartError as error:
            running.waiting[name] = ("RunContainerError", error.message)
            kubelet.event(pod, "Warning", "Failed", f"Error: {error.message}")
            kubelet.resync_after(key, kubelet.sync_error_backoff())
            return
        kubelet.event(pod, "Normal", "Started", "Container started")
        kubelet.prober.add(key, name, container_id, spec, kubelet.sim.now)
        kubelet._record("ContainerStarted", f"pod/{key}", container=name, attempt=attempt)


def port_mappings(pod: dict) -> list[dict]:
    """The sandbox's port mappings: every container port with a hostPort (the CRI's
    PortMapping, which containerd hands the portmap plugin as runtimeConfig.portMappings)."""
    if pod["spec"].get("hostNetwork"):
        return []
    return [{"hostPort": p["hostPort"], "containerPort": p["containerPort"],
             "protocol": p.get("protocol", "TCP").lower(), "hostIP": p.get("hostIP", "")}
            for c in pod["spec"]["containers"] for p in c.get("ports", []) if p.get("hostPort")]

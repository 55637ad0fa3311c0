"""containerd with its CRI plugin: what the kubelet calls to run pods (RunPodSandbox, PullImage,
CreateContainer, StartContainer, ExecSync...). It keeps images on disk (image_store.py) and starts
one containerd-shim-runc-v2 per pod sandbox (the CRI plugin groups a pod's containers under its
sandbox's shim); the shim runs runc for each container of the pod and reports their exits.
containerd writes each container's output to the log file the kubelet names, in the CRI format.

Durations are simplifications, not upstream figures: a sandbox takes 0.5 s (network set-up),
creating and starting a container 50 ms each; a pull takes what its layers weigh.

A sandbox's network is the CNI plugins' work (k8slab.node.cni): RunPodSandbox makes a network
namespace and runs the conflist's ADD chain in it (CNI_IFNAME eth0, CNI_ARGS with the pod's
K8S_POD_NAMESPACE, K8S_POD_NAME, K8S_POD_INFRA_CONTAINER_ID and K8S_POD_UID, as containerd's CRI
plugin passes them); StopPodSandbox runs DEL. A hostNetwork pod shares the node's namespace and
gets no CNI call.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field

from k8slab.api.timestamps import to_time
from k8slab.node import cri, oci_spec
from k8slab.node.cni.chain import CniChain
from k8slab.node.cni.contract import CniError, Invocation
from k8slab.node.cni.host_net import HostNet
from k8slab.node.image_catalogue import Image, argv
from k8slab.node.image_store import ImageStore, StoredImage
from k8slab.node.process import LogLine, NetNamespace
from k8slab.node.shim import SANDBOX_ID, SIGKILL, SIGTERM, Shim, ShimBinary, TaskExit, grouping
from k8slab.sim.host import ProcessGroup

SANDBOX_SECONDS = 0.5
CREATE_SECONDS = 0.05
START_SECONDS = 0.05
# kubeadm v1.35's sandbox image (kk cmd/kubeadm/app/constants/constants.go PauseVersion).
PAUSE_IMAGE = "registry.k8s.io/pause:3.10.1"
# containerd's RELEASES.md "Kubernetes Support" table recommends "2.2.0+, 2.1.5+, 1.7.28+" for
# Kubernetes 1.35; 2.2.0 (November 2025) starts the newest of those lines. v1.35 is the last
# Kubernetes release that supports containerd 1.x (SIG Node, v1.35 release announcement).
VERSION = "containerd://2.2.0"


@dataclass
class Sandbox:
    """A pod sandbox: the pause container holding the pod's network namespace and IP."""

    id: str
    pod: str
    ip: str
    pause_id: str
    state: str = "SANDBOX_READY"
    containers: list[str] = field(default_factory=list)
    netns: NetNamespace | None = None
    labels: dict[str, str] = field(default_factory=dict)
    created: float = 0.0
    netns_path: str = ""  # /var/run/netns/cni-...; empty for a hostNetwork pod


@dataclass
class ContainerRecord:
    """What the CRI plugin keeps of one container beyond runc's state: its config."""

    id: str
    sandbox_id: str
    name: str
    attempt: int
    image: StoredImage
    log_path: str
    labels: dict[str, str]
    created: float


class Containerd:
    """The container runtime on one host, reached by the kubelet through CRI-style calls."""

    def __init__(self, group: ProcessGroup, shim_binary: ShimBinary, host_net: HostNet,
                 local_image: Callable[[str], Image | None] = lambda reference: None) -> None:
        self.group = group
        self.shim_binary = shim_binary
        self.sim = group.sim
        self.host = group.host.name
        self.image_store = ImageStore(group, local_image)
        self.records: dict[str, ContainerRecord] = {}
        self.netns: dict[str, NetNamespace] = {}  # by pod IP: what the node can dial
        self.generation = 0  # counts container changes, so a relist can skip a quiet node
        self.sandboxes: dict[str, Sandbox] = {}
        self.shims: dict[str, Shim] = {}  # by group id: one per pod sandbox
        self._shim_of: dict[str, Shim] = {}  # by container id
        self.exits: dict[str, TaskExit] = {}  # the /tasks/exit events the shims published
        # Who hears of each exit (CRI GetContainerEvents: CONTAINER_STOPPED_EVENT).
        self.on_exit: list[Callable[[TaskExit], None]] = []
        self.host_net = host_net
        self.cni = CniChain(host_net, group.host.disk,
                            lambda kind, pod, **details: self.sim.record(self.host, "cni", kind,
                                                                         pod, **details))
        self._rng = self.sim.rng(f"containerd/{self.host}/{group.host.boots}")

    def _new_id(self) -> str:
        return f"{self._rng.getrandbits(256):064x}"

    def _record(self, kind: str, pod: str, **details) -> None:
        self.sim.record(self.host, "containerd", kind, pod, **details)

    def run_pod_sandbox(self, pod: str, host_ip: str | None = None,
                        labels: dict[str, str] | None = None,
                        port_mappings: list[dict] | None = None) -> Generator:
        """RunPodSandbox: start the pause container holding a new network namespace, which
        the CNI chain wires to the node and gives an IP; returns the sandbox.

        A pod on the host network (`host_ip` given) shares the node's namespace and address.
        Raises cri.CriError (containerd's words around the plugin's) when the network set-up
        fails; nothing of the sandbox is left behind then."""
        self._record("RunPodSandbox", pod, host_network=host_ip is not None)
        yield self.group.env.timeout(SANDBOX_SECONDS)
        labels = dict(labels or {})
        pause_id = self._new_id()
        sandbox_id = self._new_id()
        path = ""
        if host_ip:
            ip, netns = host_ip, self.host_net.root
        else:
            ip, path, netns = self._setup_network(pod, sandbox_id, labels, port_mappings)
        sandbox = Sandbox(sandbox_id, pod, ip, pause_id, netns=netns, labels=labels,
                          created=self.sim.now, netns_path=path)
        self.netns[ip] = netns
        spec = oci_spec.runtime_spec(["/pause"], {}, labels.get(cri.POD_NAME, ""),
                                     None, oci_spec.namespaces(None, bool(host_ip)))
        self._create_task(pause_id, {"image": PAUSE_IMAGE, "trace_ref": pod, "netns": netns,
                                     "runtime_spec": spec,
                                     "annotations": {SANDBOX_ID: sandbox.id}})
        self._shim_of[pause_id].start(pause_id)
        self.sandboxes[sandbox.id] = sandbox
        return sandbox

    def _cni_call(self, command: str, sandbox_id: str, path: str,
                  labels: dict[str, str]) -> Invocation:
        return Invocation(command, sandbox_id, path, "eth0", {
            "K8S_POD_NAMESPACE": labels.get(cri.POD_NAMESPACE, ""),
            "K8S_POD_NAME": labels.get(cri.POD_NAME, ""),
            "K8S_POD_INFRA_CONTAINER_ID": sandbox_id,
            "K8S_POD_UID": labels.get(cri.POD_UID, "")})

    def _setup_network(self, pod: str, sandbox_id: str, labels: dict[str, str],
                       port_mappings: list[dict] | None) -> tuple[str, str, NetNamespace]:
        # containerd names the namespace cni-<uuid>; ours comes from the sandbox id.
        u = sandbox_id
        path, netns = self.host_net.add_namespace(
            f"cni-{u[:8]}-{u[8:12]}-{u[12:16]}-{u[16:20]}-{u[20:32]}")
        try:
            result = self.cni.add(self._cni_call("ADD", sandbox_id, path, labels),
                                  {"portMappings": port_mappings} if port_mappings else None)
        except CniError as error:
            self.host_net.delete_namespace(path)
            message = f'failed to setup network for sandbox "{sandbox_id}": {error.msg}'
            self._record("RunPodSandboxFailed", pod, error=message)
            raise cri.CriError(message) from None
        return result["ips"][0]["address"].split("/")[0], path, netns

    def _create_task(self, container_id: str, bundle: dict) -> None:
        # Start the shim the bundle's annotations name, unless it already runs; it runs runc.
        group_id = grouping(container_id, bundle["annotations"])
        shim = self.shims.get(group_id)
        if shim is None:
            shim = self.shim_binary.start(self.group.host, group_id, self._task_exited)
            self.shims[group_id] = shim
        shim.create(container_id, bundle)
        self._shim_of[container_id] = shim

    def _task_exited(self, event: TaskExit) -> None:
        self.generation += 1
        self.exits[event.container_id] = event
        for callback in self.on_exit:
            callback(event)

    def image_status(self, image: str) -> bool:
        """ImageStatus: is `image` on this host's disk?"""
        return self.image_store.find(image) is not None

    def pull_image(self, image: str, pod: str = "", always: bool = False) -> Generator:
        """PullImage: download `image` unless it is already on disk (with `always`, ask the
        registry for its manifest even then); returns its size in bytes.

        Raises cri.PullError when the registry has no such image or cannot be reached."""
        stored = self.image_store.find(image)
        self._record("PullImage", pod, image=image, cached=stored is not None)
        if stored is None or always:
            try:
                stored = yield from self.image_store.pull(image, manifest_only=always)
            except cri.PullError as error:
                self._record("PullImageFailed", pod, image=image, error=error.message)
                raise
        return stored.image.size

    def list_images(self) -> list[cri.ImageInfo]:
        """ListImages."""
        return self.image_store.list()

    def remove_image(self, image: str) -> bool:
        """RemoveImage: False if it was not on disk. An image a container uses stays."""
        stored = self.image_store.find(image)
        if stored is None or any(r.image is stored for r in self.records.values()):
            return False
        self._record("RemoveImage", "", image=image)
        return self.image_store.remove(image)

    def create_container(self, sandbox_id: str, config: dict) -> Generator:
        """CreateContainer: the pod's shim runs `runc create` with the OCI spec made from
        `config` (name, image, command, args, env, mounts, volumes, resources: the kubelet's
        LinuxContainerResources, log_path, attempt, labels) and the image's defaults.
        Returns the id.

        Raises cri.CreateError when the image is not on the node."""
        sandbox = self.sandboxes[sandbox_id]
        self._record("CreateContainer", sandbox.pod, name=config.get("name"))
        yield self.group.env.timeout(CREATE_SECONDS)
        stored = self.image_store.find(config["image"])
        if stored is None:
            raise cri.CreateError(f'failed to get image "{config["image"]}": not found',
                                  "NotFound")
        stored.last_used = self.sim.now
        container_id = self._new_id()
        log_path = config.get("log_path", "")
        process_args = argv(stored.image, config.get("command") or [], config.get("args") or [])
        host_network = sandbox.netns is self.host_net.root
        spec = oci_spec.runtime_spec(
            process_args, config.get("env") or {}, sandbox.labels.get(cri.POD_NAME, ""),
            config.get("resources"), oci_spec.namespaces(
                self._shim_of[sandbox.pause_id].state(sandbox.pause_id).pid, host_network))
        bundle = dict(config, trace_ref=sandbox.pod, sandbox=sandbox_id, ip=sandbox.ip,
                      netns=sandbox.netns, image_spec=stored.image, argv=process_args,
                      runtime_spec=spec,
                      output=[self._log_writer(log_path)] if log_path else [],
                      annotations={SANDBOX_ID: sandbox_id})
        self._create_task(container_id, bundle)
        self.generation += 1
        sandbox.containers.append(container_id)
        self.records[container_id] = ContainerRecord(
            container_id, sandbox_id, config.get("name", ""), config.get("attempt", 0), stored,
            log_path, dict(config.get("labels", {})), self.sim.now)
        return container_id

    def _log_writer(self, path: str) -> Callable[[LogLine], None]:
        # The CRI log format (k8s.io/cri-api ... logs: "<RFC3339Nano> <stream> <P|F> <text>").
        lines: list[str] = self.group.host.disk.setdefault(path, [])
        return lambda line: lines.append(f"{cri_timestamp(line.time)} {line.stream} F {line.text}")

    def start_container(self, container_id: str) -> Generator:
        """StartContainer: the pod's shim starts the container's process; returns its pid.

        Raises cri.StartError (runc's words) when the command is not in the image."""
        shim = self._shim_of[container_id]
        bundle = shim.state(container_id).bundle
        self._record("StartContainer", bundle["trace_ref"], container=container_id[:13])
        yield self.group.env.timeout(START_SECONDS)
        self.generation += 1
        return shim.start(container_id)

    def exec_sync(self, container_id: str, command: list[str], timeout: float) -> Generator:
        """ExecSync: run `command` in the container; returns (exit code, stdout, stderr).

        A command still running after `timeout` seconds is killed: exit code None."""
        shim = self._shim_of.get(container_id)
        if shim is None:
            raise cri.CriError(f'container "{container_id}" not found', "NotFound")
        return (yield from shim.exec(container_id, command, timeout))

    def container_status(self, container_id: str) -> cri.ContainerInfo:
        """ContainerStatus: state and times from the shim, exit code and reason from its exit."""
        c = self._shim_of[container_id].state(container_id)
        record = self.records.get(container_id)
        exit = self.exits.get(container_id)
        stopped = c.status == "stopped" and (exit is not None or c.reason == "StartError")
        state = {"created": cri.CREATED, "running": cri.RUNNING}.get(
            c.status, cri.EXITED if stopped else cri.RUNNING)
        code = c.exit_code if stopped else None
        reason = ""
        if stopped:
            reason = c.reason or ("Completed" if code == 0 else "Error")
        return cri.ContainerInfo(
            id=c.id, sandbox_id=record.sandbox_id if record else c.bundle.get("sandbox", ""),
            name=record.name if record else c.bundle.get("name", ""),
            attempt=record.attempt if record else 0, image=c.bundle["image"],
            image_id=record.image.id if record else "", state=state,
            created=c.created, started=c.started,
            finished=(exit.exited_at if exit else c.finished) if stopped else None,
            exit_code=code, reason=reason,
            message=c.stderr if c.reason == "StartError" else "",
            log_path=record.log_path if record else "",
            labels=dict(record.labels) if record else {},
            pid=c.pid if c.status == "running" else 0,
            runtime_spec=c.bundle.get("runtime_spec", {}))

    def list_containers(self) -> list[cri.ContainerInfo]:
        """ListContainers: every container this containerd created and has not removed."""
        return [self.container_status(cid) for cid in self.records if cid in self._shim_of]

    def container_stats(self, container_id: str) -> cri.ContainerStats:
        """ContainerStats: the container's cgroup counters (memory in use, CPU used and
        throttled)."""
        cgroup = self._shim_of[container_id].state(container_id).cgroup
        return cri.ContainerStats(container_id, cgroup.memory_current, cgroup.usage_usec,
                                  cgroup.nr_throttled, cgroup.throttled_usec)

    def remove_container(self, container_id: str) -> None:
        """RemoveContainer: delete an exited container (its log file stays for the kubelet)."""
        shim = self._shim_of.pop(container_id)
        self.generation += 1
        shim.delete(container_id)
        self.exits.pop(container_id, None)
        record = self.records.pop(container_id, None)
        if record is not None:
            sandbox = self.sandboxes.get(record.sandbox_id)
            if sandbox is not None and container_id in sandbox.containers:
                sandbox.containers.remove(container_id)

    def list_pod_sandbox_info(self) -> list[cri.SandboxInfo]:
        """ListPodSandbox as CRI records, with the pod's identity from its labels."""
        return [cri.SandboxInfo(s.id, s.labels.get(cri.POD_NAME, s.pod.rsplit("/", 1)[-1]),
                                s.labels.get(cri.POD_NAMESPACE, ""), s.labels.get(cri.POD_UID, ""),
                                0, s.state, s.created, s.ip)
                for s in self.sandboxes.values()]

    def stop_container(self, container_id: str, timeout: float) -> Generator:
        """StopContainer: SIGTERM, then SIGKILL if the process still lives after `timeout`
        seconds (at once when `timeout` is 0); returns the exit status once the shim reaped it.

        Simplified: every image's stop signal is SIGTERM (no image STOPSIGNAL is modelled).
        """
        shim = self._shim_of[container_id]
        container = shim.state(container_id)
        self._record("StopContainer", container.bundle["trace_ref"],
                     container=container_id[:13], timeout=timeout)
        if container.status == "created":
            return None  # never started: no process to stop
        exited = shim.wait(container_id)
        if timeout > 0 and container.status == "running":
            shim.kill(container_id, SIGTERM)
            yield exited | self.group.env.timeout(timeout)
        if container.status == "running":
            shim.kill(container_id, SIGKILL)
        event = yield exited
        return event.exit_status

    def stop_pod_sandbox(self, sandbox_id: str) -> Generator:
        """StopPodSandbox + RemovePodSandbox: kill the pod's containers, wait for the shim to
        reap each, delete them, shut the shim down, and run the CNI DEL chain, which frees the
        pod's IP."""
        sandbox = self.sandboxes.pop(sandbox_id)
        self.generation += 1
        self._record("StopPodSandbox", sandbox.pod, sandbox=sandbox_id[:13])
        shim = self.shims.pop(sandbox_id)
        for container_id in [*sandbox.containers, sandbox.pause_id]:
            if shim.state(container_id).status == "running":
                shim.kill(container_id)  # SIGKILL
                yield shim.wait(container_id)
            shim.delete(container_id)
            del self._shim_of[container_id]
            self.exits.pop(container_id, None)
            self.records.pop(container_id, None)
        shim.shutdown()
        if sandbox.netns_path:
            if self.netns.get(sandbox.ip) is sandbox.netns:
                del self.netns[sandbox.ip]
            try:
                self.cni.delete(self._cni_call("DEL", sandbox.id, sandbox.netns_path,
                                               sandbox.labels))
            except CniError as error:  # containerd logs it and removes the sandbox anyway
                self._record("StopPodSandboxFailed", sandbox.pod, error=(
                    f'failed to destroy network for sandbox "{sandbox.id}": {error.msg}'))
            self.host_net.delete_namespace(sandbox.netns_path)

    def list_pod_sandboxes(self) -> list[Sandbox]:
        """ListPodSandbox."""
        return list(self.sandboxes.values())


def cri_timestamp(seconds: float) -> str:
    """Go's RFC3339Nano, as containerd stamps log lines: 2026-01-01T00:00:05.25Z (trailing
    zeros trimmed, no fraction at all on a whole second)."""
    whole, nanos = divmod(round(seconds * 1e9), 1_000_000_000)
    fraction = f".{nanos:09d}".rstrip("0").rstrip(".")
    return to_time(whole)[:-1] + fraction + "Z"

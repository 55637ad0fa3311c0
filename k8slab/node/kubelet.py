"""The kubelet: the node agent. It registers its Node, renews its Lease, runs the pods bound to it
(and the static pods in its manifest directory) through containerd, and reports their status.

It sees the cluster only through the API server; it reaches containers only through containerd.
"""

from __future__ import annotations

import copy
from collections.abc import Generator

from k8slab.api.defaults import apply_defaults
from k8slab.api.kinds import object_ref
from k8slab.api.kubeconfig import ANONYMOUS_CREDENTIALS, Credentials
from k8slab.api.qos import get_pod_qos
from k8slab.api.timestamps import to_micro_time, to_time
from k8slab.client.events import EventRecorder
from k8slab.client.informer import Informer, cache_key
from k8slab.client.rest import Client
from k8slab.errors import AlreadyExistsError, ConflictError, K8sLabError, NotFoundError
from k8slab.node import admission, cri, pod_status
from k8slab.node.allocatable import node_allocatable
from k8slab.node.containerd import VERSION as RUNTIME_VERSION
from k8slab.node.containerd import Containerd
from k8slab.node.dns_config import NODE_RESOLVER, resolv_conf
from k8slab.node.eviction_manager import EvictionManager
from k8slab.node.kubelet_server import KubeletServer
from k8slab.node.kubelet_status import KubeletStatus
from k8slab.node.node_object import (
    VERSION,
    NodeConfig,
    comparable,
    node_object,
)
from k8slab.node.pleg import GenericPLEG
from k8slab.node.pod_status import RunningPod, is_sidecar
from k8slab.node.pod_sync import PodSync
from k8slab.node.prober import Prober
from k8slab.node.restarts import ContainerBackOff
from k8slab.node.static_pod_files import (
    FILE_CHECK_FREQUENCY,
    changes,
    manifest_hash,
)
from k8slab.node.termination import Termination
from k8slab.sim.host import ProcessGroup

MANIFESTS = "/etc/kubernetes/manifests"  # staticPodPath in kubeadm clusters
KUBELET_CONFIG = "/var/lib/kubelet/config.yaml"  # --config, as kubeadm's drop-in passes it
# pkg/kubelet/apis/config/v1beta1/defaults.go: the Lease lasts 40 s and is renewed every
# 25% of that (10 s); node status is computed every 10 s and posted when it changed or 5 min passed.
LEASE_DURATION_SECONDS = 40
LEASE_RENEW_SECONDS = LEASE_DURATION_SECONDS * 0.25
NODE_STATUS_UPDATE_SECONDS = 10.0
NODE_STATUS_REPORT_SECONDS = 300.0
# Registration retries start at 100 ms and double up to 7 s (kubelet_node_status.go).
REGISTER_BACKOFF = (0.1, 7.0)
# A pod whose sync failed is synced again after 10 s, plus up to half that again at random
# (kk pkg/kubelet/pod_workers.go: backOffPeriod, workerBackOffPeriodJitterFactor 0.5).
SYNC_ERROR_BACKOFF = 10.0
SYNC_ERROR_JITTER = 0.5
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"


class Kubelet:
    """The node agent of one host."""

    def __init__(
        self, group: ProcessGroup, containerd: Containerd, config: NodeConfig, server: str,
        credentials: Credentials = ANONYMOUS_CREDENTIALS,
    ) -> None:
        self.group = group
        self.sim = group.sim
        self.host = group.host.name
        self.containerd = containerd
        self.config = config
        # kubelet.conf's credentials: system:node:<name> in system:nodes (kubeadm's).
        self.client = Client(group, credentials, server)
        # The kubelet's events name it as their source, with its node as the host.
        self.recorder = EventRecorder(self.client, "kubelet", source_host=config.name)
        self.pods: dict[str, dict] = {}
        self.running: dict[str, RunningPod] = {}
        self.registered = False
        self.lease_renewed = False
        self._static: dict[str, str] = {}
        self._files: dict[str, str] = {}  # manifest file -> the static pod's key
        self._busy: dict[str, bool] = {}
        # The status this kubelet computed for each pod (its status manager's cache); the API's
        # copy in `pods` may be older, so writes always send this one.
        self.statuses: dict[str, dict] = {}
        self._pushing: dict[str, bool] = {}
        self._push_again: dict[str, bool] = {}
        self._again: dict[str, bool] = {}
        self._last_status: dict | None = None
        self._transitions: dict[str, tuple[str, str]] = {}
        self._last_report = -NODE_STATUS_REPORT_SECONDS
        self.termination = Termination(self)
        self._admitted: dict[str, dict] = {}  # the pods admitted to run here, by key
        self.backoff = ContainerBackOff()  # CrashLoopBackOff, per pod uid and container
        self.pull_backoff = ContainerBackOff()  # ImagePullBackOff, per pod uid and image
        self.pull_errors: dict[str, str] = {}
        self.prober = Prober(self, self._enqueue)
        self.pod_sync = PodSync(self)
        self.pleg = GenericPLEG(group, containerd, self._sandbox_changed)
        self.eviction = EvictionManager(self)
        self._resync_at: dict[str, float] = {}
        self._remirroring: set[str] = set()
        self._mirror_uids: dict[str, str] = {}  # the mirror pod this kubelet made, by key
        self._rng = self.sim.rng(f"kubelet/{self.host}/{group.host.boots}")
        # clusterDNS and clusterDomain from the KubeletConfiguration kubeadm wrote, if any.
        settings = group.host.disk.get(KUBELET_CONFIG) or {}
        self.cluster_dns = (settings.get("clusterDNS") or [NODE_RESOLVER])[0]
        self.cluster_domain = settings.get("clusterDomain", "cluster.local")

    def status(self) -> KubeletStatus:
        """A read-only snapshot: node, version, registration, Lease, static and running pods."""
        return KubeletStatus(self.config.name, VERSION, self.registered, self.lease_renewed,
                             tuple(self._static), tuple(self.running))

    def _record(self, kind: str, obj: str = "", **details) -> None:
        self.sim.record(self.host, "kubelet", kind, obj, **details)

    def event(self, pod: dict, type_: str, reason: str, message: str) -> None:
        """An Event about `pod` (reason and message in upstream's words): traced, then stored."""
        self.recorder.event(pod, type_, reason, message)

    def start(self) -> None:
        """Start static pods, register the node, watch the pods bound to it."""
        self._record("start", f"node/{self.config.name}", version=VERSION)
        for filename, manifest in sorted(self.group.host.disk.get(MANIFESTS, {}).items()):
            self._add_static_pod(filename, manifest)
        self.group.spawn(self._watch_manifests())
        self.group.spawn(self._register())
        self.pleg.start()
        self.eviction.start()
        KubeletServer(self.group, self).start()
        informer = Informer(self.client, "pods", field_selector=f"spec.nodeName={self.config.name}")
        informer.on_add.append(self._pod_seen)
        informer.on_update.append(lambda old, new: self._pod_seen(new))
        informer.on_delete.append(self._pod_gone)
        informer.start()

    # -- pods ----------------------------------------------------------------------------

    def _add_static_pod(self, filename: str, manifest: dict) -> None:
        pod = apply_defaults(manifest)
        # The kubelet names a static pod after its node too: etcd -> etcd-control-plane.
        pod["metadata"]["name"] = f"{pod['metadata']['name']}-{self.config.name}"
        pod["spec"]["nodeName"] = self.config.name
        key = cache_key(pod)
        self._static[key] = manifest_hash(manifest)
        self._files[filename] = key
        self.pods[key] = pod
        self._record("static-pod", object_ref(pod), file=f"{MANIFESTS}/{filename}")
        self._enqueue(key)
        if self.registered:
            self.group.spawn(self._mirror(key))

    def _watch_manifests(self) -> Generator:
        # The file source (static_pod_files.py): an edited manifest replaces its pod.
        while True:
            yield self.group.env.timeout(FILE_CHECK_FREQUENCY)
            files = self.group.host.disk.get(MANIFESTS, {})
            known = {name: self._static[key] for name, key in self._files.items()}
            changed, gone = changes(known, files)
            for filename in gone:
                self._remove_static_pod(filename)
            for filename in changed:
                self._add_static_pod(filename, files[filename])

    def _remove_static_pod(self, filename: str) -> None:
        key = self._files.pop(filename)
        del self._static[key]
        self.pods.pop(key, None)
        self.statuses.pop(key, None)
        self._enqueue(key)
        self.group.spawn(self._delete_mirror(key))

    def _pod_seen(self, pod: dict) -> None:
        if MIRROR_ANNOTATION in pod["metadata"].get("annotations", {}):
            # A mirror pod being deleted is removed at once and made again (kubelet.go
            # syncPod: a mirror pod with a deletionTimestamp is not this static pod's).
            key = cache_key(pod)
            if pod["metadata"].get("deletionTimestamp") and key in self._static \
                    and key not in self._remirroring:
                self._remirroring.add(key)
                self.group.spawn(self._remirror(key))
            return
        key = cache_key(pod)
        before = self.pods.get(key)
        self.pods[key] = pod
        if key in self.statuses and _needs_reconcile(pod.get("status") or {}, self.statuses[key]):
            self._request_push(key)
        if before is None or _spec_changed(before, pod):
            self._enqueue(key)

    def _pod_gone(self, pod: dict) -> None:
        key = cache_key(pod)
        if MIRROR_ANNOTATION in pod["metadata"].get("annotations", {}):
            # Our own mirror pod deleted outright (a forced delete): make it again.
            uid = pod["metadata"].get("uid")
            if key in self._static and uid and self._mirror_uids.get(key) == uid \
                    and key not in self._remirroring:
                self._remirroring.add(key)
                self.group.spawn(self._remirror(key))
            return
        self.termination.forget(key)
        if key in self.pods and key not in self._static:
            if key in self.running:  # removed at once (force): still stopped gracefully
                self.termination.gone[key] = pod
            del self.pods[key]
            self.statuses.pop(key, None)
            self._enqueue(key)

    def _enqueue(self, key: str) -> None:
        if key in self._busy:
            self._again[key] = True
        else:
            self._busy[key] = True
            self.group.spawn(self._pod_worker(key))

    def _pod_worker(self, key: str) -> Generator:
        while True:
            yield from self._sync_pod(key)
            if not self._again.pop(key, False):
                break
        del self._busy[key]

    def _sync_pod(self, key: str) -> Generator:
        pod = self.pods.get(key)
        ref = f"pod/{key}"
        running = self.running.get(key)
        if pod is None:
            # Gone from the pod manager, so no longer counted by admission even while its
            # containers stop (kubelet.go GetActivePods reads the pod manager).
            self._admitted.pop(key, None)
        # A static pod gone, or whose manifest changed since it started, stops gracefully
        # with its old manifest's grace period; other pods deleted stop as termination.py says.
        if running is not None and running.source and (
                pod is None or running.source != self._static.get(key, "")):
            del self.running[key]
            self.forget_containers(running)
            self._record("KillPod", ref, grace=running.grace)
            yield from self.kill_pod(running, running.grace)
        elif running is not None and (pod is None or pod["metadata"].get("deletionTimestamp")):
            yield from self.termination.stop(key, pod or self.termination.gone[key], running)
        self.termination.gone.pop(key, None)
        if pod is None:
            return
        if pod["metadata"].get("deletionTimestamp") and key not in self._static:
            if key not in self.running:
                self.termination.never_started(key, pod)
            return
        running = self.running.get(key)
        if running is not None and key in self.eviction.pending:
            yield from self.eviction.evict(key, pod, running)
            return
        if key in self.eviction.evicted or not self._admit(key, pod):
            return
        if key not in self.running:
            self._record("SyncPod", ref)
        yield from self.pod_sync.sync(key, pod)
        running = self.running.get(key)
        if running is not None and key in self.pods:
            self._set_status(key, self._status(self.pods[key], running))

    def pod_files(self, pod: dict, running: RunningPod) -> dict[str, str]:
        """The files the kubelet mounts into each container of a pod: /etc/resolv.conf (by
        its dnsPolicy, from clusterDNS and clusterDomain), /etc/hostname and /etc/hosts."""
        name = pod["metadata"]["name"]
        hosts = (f"# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"
                 f"{running.ip}\t{name}\n")
        return {"/etc/resolv.conf": resolv_conf(pod, self.cluster_dns, self.cluster_domain),
                "/etc/hostname": name + "\n", "/etc/hosts": hosts}

    def kill_pod(self, running: RunningPod, grace: float) -> Generator:
        """KillPod: stop every container of the pod at once (SIGTERM, SIGKILL after `grace`
        seconds), then its sandbox; returns each container's final status, by name."""
        stops = [self.group.spawn(self.containerd.stop_container(cid, grace))
                 for cid in running.containers.values()]
        yield self.group.env.all_of(stops)
        exits = {name: self.containerd.container_status(cid)
                 for name, cid in running.containers.items()}
        yield from self.containerd.stop_pod_sandbox(running.sandbox)
        return exits

    def forget_containers(self, running: RunningPod) -> None:
        """A pod's containers are going: stop their probes."""
        for container_id in running.containers.values():
            self.prober.remove(container_id)

    def _sandbox_changed(self, sandbox_id: str) -> None:
        for key, running in self.running.items():
            if running.sandbox == sandbox_id:
                self._enqueue(key)
                return

    def resync_after(self, key: str, seconds: float) -> None:
        """Sync the pod again in `seconds` (a back-off ends, or a failed sync is retried)."""
        due = self.sim.now + seconds
        if self._resync_at.get(key, float("inf")) <= due + 1e-9:
            return
        self._resync_at[key] = due

        def wake() -> Generator:
            yield self.group.env.timeout(seconds)
            if self._resync_at.get(key) == due:
                del self._resync_at[key]
                self._enqueue(key)

        self.group.spawn(wake())

    def sync_error_backoff(self) -> float:
        """How long before a pod whose sync failed is synced again (10 to 15 s)."""
        return SYNC_ERROR_BACKOFF * (1 + SYNC_ERROR_JITTER * self._rng.random())

    def exec_sync(self, key: str, container: str, argv: list[str],
                  timeout: float = 60.0) -> Generator:
        """Run `argv` in a running container of pod `key` (what `kubectl exec` reaches);
        returns (exit code, stdout, stderr)."""
        if not self.container_running(key, container):
            raise NotFoundError(f'container "{container}" of pod "{key}" is not running')
        return (yield from self.containerd.exec_sync(self.running[key].containers[container],
                                                      argv, timeout))

    def container_running(self, key: str, container: str) -> bool:
        """findContainer: the runtime lists `container` of pod `key` as running now (CRI
        ListContainers, as GetPods(false) asks), whatever the last relist's status said."""
        running = self.running.get(key)
        wanted = running.containers.get(container) if running else None
        return any(c.id == wanted and c.state == cri.RUNNING
                   for c in self.containerd.list_containers())

    def _admit(self, key: str, pod: dict) -> bool:
        """Admit a pod once, if it fits beside those admitted; a terminal pod is not run again."""
        if key in self._admitted:
            return True
        if pod.get("status", {}).get("phase") in ("Failed", "Succeeded"):
            return False
        reason, message = admission.admit(pod, self._admitted.values(), self._allocatable())
        if reason:
            # kubelet.go rejectPod: a Warning event with the reason, and the pod Failed.
            self._record("PodRejected", f"pod/{key}", reason=reason, message=message)
            self._set_status(key, admission.rejected_status(reason, message))
            return False
        self._admitted[key] = pod
        return True

    def _allocatable(self) -> dict[str, int]:
        c = self.config
        allocatable = node_allocatable({"cpu": c.cpu, "memory": c.memory})
        return {"cpu": allocatable["cpu"], "memory": allocatable["memory"],
                "pods": c.max_pods}

    # -- pod status ----------------------------------------------------------------------

    def _pending_status(self, pod: dict) -> dict:
        return pod_status.pending(pod, self.config.ip, self.sim.now)

    def _status(self, pod: dict, running: RunningPod) -> dict:
        """The pod's status from the runtime and the probes (generateAPIPodStatus)."""
        containerd, prober = self.containerd, self.prober

        waiting_for_init = "PodInitializing" if pod["spec"].get("initContainers") \
            else "ContainerCreating"

        def entry(spec: dict, not_started: str = "ContainerCreating") -> dict:
            name = spec["name"]
            current_id, previous_id = running.containers.get(name), running.previous.get(name)
            current = containerd.container_status(current_id) if current_id else None
            previous = containerd.container_status(previous_id) if previous_id else None
            ready = current is not None and prober.ready(current.id)
            started = current is not None and prober.started(current.id)
            return pod_status.container_status(spec, running, current, previous, ready, started,
                                               not_started)

        init_specs = pod["spec"].get("initContainers", [])
        init = [entry(spec, waiting_for_init) for spec in init_specs]
        for spec, status in zip(init_specs, init, strict=True):
            # A regular init container that finished well counts as ready (kubelet_pods.go).
            done = status["state"].get("terminated", {})
            if not is_sidecar(spec) and done and done.get("exitCode") == 0:
                status["ready"] = True
        main = [entry(spec, waiting_for_init) for spec in pod["spec"]["containers"]]
        initialized = all(
            ("running" in s["state"] and s["started"]) if is_sidecar(spec)
            else ("terminated" in s["state"] and s["state"]["terminated"]["exitCode"] == 0)
            for spec, s in zip(init_specs, init, strict=True))
        ready = initialized and all(s["ready"] for s in main) and all(
            s["ready"] for spec, s in zip(init_specs, init, strict=True) if is_sidecar(spec))
        status = {
            "phase": pod_status.phase(pod["spec"], init, main),
            "hostIP": self.config.ip,
            "hostIPs": [{"ip": self.config.ip}],
            "podIP": running.ip,
            "podIPs": [{"ip": running.ip}],
            "startTime": to_time(running.started),
            "conditions": pod_status.conditions(
                self.statuses.get(cache_key(pod), {}).get("conditions", []), self.sim.now,
                sandbox=True, initialized=initialized, ready=ready),
            "qosClass": get_pod_qos(pod),
            "containerStatuses": main,
        }
        if init:
            status["initContainerStatuses"] = init
        return status

    def _set_status(self, key: str, status: dict) -> None:
        if self.statuses.get(key) == status:
            return
        self.statuses[key] = status
        if self.registered or key not in self._static:
            self._request_push(key)

    def _request_push(self, key: str) -> None:
        # One status writer per pod (the kubelet's status manager): a newer status waits for
        # the write in flight, so a slow old write can never land after a newer one.
        if key in self._pushing:
            self._push_again[key] = True
        else:
            self._pushing[key] = True
            self.group.spawn(self._status_writer(key))

    def _status_writer(self, key: str) -> Generator:
        while True:
            yield from self._push_status(key)
            if not self._push_again.pop(key, False):
                break
        del self._pushing[key]

    def _push_status(self, key: str) -> Generator:
        namespace, name = key.split("/", 1)
        delay = REGISTER_BACKOFF[0]
        while key in self.pods:
            status = self.statuses[key]
            body = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": name, "namespace": namespace},
                "status": status,
            }
            try:
                yield from self.client.update_status(body)
                self._record("StatusReported", f"pod/{namespace}/{name}", phase=status["phase"])
                if key in self.termination.finished:
                    yield from self.termination.final_delete(key)
                return
            except NotFoundError:
                return
            except K8sLabError:
                yield self.group.env.timeout(delay)
                delay = min(delay * 2, REGISTER_BACKOFF[1])

    # -- the Node, its Lease, mirror pods --------------------------------------------------

    def _register(self) -> Generator:
        delay = REGISTER_BACKOFF[0]
        while True:
            node = node_object(self.config, self.sim.now, self._transitions, RUNTIME_VERSION,
                               self.containerd.list_images(), self.eviction.pressure)
            try:
                try:
                    yield from self.client.create(node)
                    self._record("RegisteredNode", f"node/{self.config.name}")
                except AlreadyExistsError:
                    yield from self.client.update_status(node)
                    self._record("RegisteredNode", f"node/{self.config.name}", existing=True)
                break
            except K8sLabError:
                yield self.group.env.timeout(delay)
                delay = min(delay * 2, REGISTER_BACKOFF[1])
        self.registered = True
        self._last_status = comparable(node["status"])
        self._last_report = self.sim.now
        self.group.spawn(self._renew_lease())
        self.group.spawn(self._node_status_loop())
        for key in list(self._static):
            self.group.spawn(self._mirror(key))

    def _renew_lease(self) -> Generator:
        name = self.config.name
        lease: dict | None = None
        retry = REGISTER_BACKOFF[0]
        while True:
            try:
                if lease is None:
                    lease = yield from self._get_or_create_lease()
                else:
                    lease["spec"]["renewTime"] = to_micro_time(self.sim.now)
                    lease = yield from self.client.update(lease)
                self._record("RenewLease", f"lease/kube-node-lease/{name}")
                self.lease_renewed = True
                retry = REGISTER_BACKOFF[0]
                yield self.group.env.timeout(LEASE_RENEW_SECONDS)
            except K8sLabError as error:
                # Retry sooner, backing off, as the kubelet's lease controller does.
                self._record("RenewLeaseFailed", f"lease/kube-node-lease/{name}", error=str(error))
                if isinstance(error, (ConflictError, NotFoundError)):
                    lease = None
                yield self.group.env.timeout(retry)
                retry = min(retry * 2, REGISTER_BACKOFF[1])

    def _get_or_create_lease(self) -> Generator:
        name = self.config.name
        try:
            lease = yield from self.client.get("leases", name, "kube-node-lease")
            lease["spec"]["renewTime"] = to_micro_time(self.sim.now)
            return (yield from self.client.update(lease))
        except NotFoundError:
            pass
        lease = {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": name, "namespace": "kube-node-lease"},
            "spec": {
                "holderIdentity": name,
                "leaseDurationSeconds": LEASE_DURATION_SECONDS,
                "renewTime": to_micro_time(self.sim.now),
            },
        }
        return (yield from self.client.create(lease))

    def _node_status_loop(self) -> Generator:
        while True:
            yield self.group.env.timeout(NODE_STATUS_UPDATE_SECONDS)
            node = node_object(self.config, self.sim.now, self._transitions, RUNTIME_VERSION,
                               self.containerd.list_images(), self.eviction.pressure)
            changed = comparable(node["status"]) != self._last_status
            # A real clock reads whole nanoseconds; simulated seconds summed as floats drift by
            # ~1e-13, which would push a report due at exactly 300 s to the next 10 s tick.
            elapsed = round(self.sim.now - self._last_report, 9)
            if not changed and elapsed < NODE_STATUS_REPORT_SECONDS:
                continue
            try:
                yield from self.client.update_status(node)
                self._last_status = comparable(node["status"])
                self._last_report = self.sim.now
                self._record("NodeStatusReported", f"node/{self.config.name}")
            except K8sLabError:
                continue

    def _mirror(self, key: str) -> Generator:
        namespace, name = key.split("/", 1)
        pod = copy.deepcopy(self.pods[key])
        pod.pop("status", None)
        meta = pod["metadata"]
        meta.update(name=name, namespace=namespace)
        meta["annotations"] = {
            **meta.get("annotations", {}),
            MIRROR_ANNOTATION: self._static[key],
            "kubernetes.io/config.source": "file",
        }
        delay = REGISTER_BACKOFF[0]
        while True:
            try:
                try:
                    created = yield from self.client.create(pod)
                    self._mirror_uids[key] = created["metadata"].get("uid", "")
                    self._record("MirrorPodCreated", f"pod/{namespace}/{name}")
                    break
                except AlreadyExistsError:
                    # A mirror pod of an older manifest is deleted and made again (kubelet.go
                    # syncPod: the mirror pod must be of this static pod).
                    existing = yield from self.client.get("pods", name, namespace)
                    annotations = existing["metadata"].get("annotations", {})
                    if annotations.get(MIRROR_ANNOTATION) == self._static.get(key):
                        break
                    yield from self.client.delete("pods", name, namespace, grace_period_seconds=0)
                    self._record("MirrorPodDeleted", f"pod/{namespace}/{name}")
            except K8sLabError:
                yield self.group.env.timeout(delay)
                delay = min(delay * 2, REGISTER_BACKOFF[1])
        self._request_push(key)

    def _remirror(self, key: str) -> Generator:
        # The mirror pod was deleted (or is being): make sure it is gone, then make it again.
        namespace, name = key.split("/", 1)
        self._mirror_uids.pop(key, None)
        try:
            yield from self.client.delete("pods", name, namespace, grace_period_seconds=0)
            self._record("MirrorPodDeleted", f"pod/{namespace}/{name}")
        except K8sLabError:
            pass  # gone already, or unreachable: _mirror retries the create
        self._remirroring.discard(key)
        if key in self._static:
            yield from self._mirror(key)

    def _delete_mirror(self, key: str) -> Generator:
        # mirror_client.go DeleteMirrorPod: a mirror pod goes at once (grace 0); the static
        # pod it mirrors is the kubelet's to stop, not the API server's.
        namespace, name = key.split("/", 1)
        delay = REGISTER_BACKOFF[0]
        while key not in self._static:  # unless its manifest is back
            try:
                yield from self.client.delete("pods", name, namespace, grace_period_seconds=0)
                self._record("MirrorPodDeleted", f"pod/{namespace}/{name}")
                return
            except NotFoundError:
                return
            except K8sLabError:
                yield self.group.env.timeout(delay)
                delay = min(delay * 2, REGISTER_BACKOFF[1])


def _needs_reconcile(stored: dict, computed: dict) -> bool:
    """The status manager's needsReconcile: someone else changed the pod's phase or a
    condition (the node lifecycle controller marks pods not Ready when their node goes silent),
    so the kubelet writes its own view again once it is back."""
    def summary(status: dict) -> tuple:
        conditions = {c.get("type"): c.get("status") for c in status.get("conditions", [])}
        return status.get("phase"), sorted(conditions.items())
    return summary(stored) != summary(computed)


def _spec_changed(old: dict, new: dict) -> bool:
    """What makes the kubelet sync a pod it already has (config.go checkAndUpdatePod): its
    spec, labels, annotations or deletion changed; a status write alone does not."""
    meta_fields = ("labels", "annotations", "deletionTimestamp", "deletionGracePeriodSeconds",
                   "uid")
    return old.get("spec") != new.get("spec") or any(
        old["metadata"].get(f) != new["metadata"].get(f) for f in meta_fields)

"""The kubelet as a transcript: against a scripted API server where one answer matters, and inside
a whole `Cluster` where the Node, its Lease, static pods and the pods bound to it are at stake."""

from __future__ import annotations

import copy
from collections.abc import Callable, Generator

import pytest

from k8slab import Cluster
from k8slab.api.timestamps import from_time
from k8slab.errors import (
    AlreadyExistsError,
    ConflictError,
    NotFoundError,
    UnavailableError,
)
from k8slab.node.cni.testing import pod_network_for
from k8slab.node.containerd import Containerd
from k8slab.node.kubelet import (
    LEASE_DURATION_SECONDS,
    LEASE_RENEW_SECONDS,
    MIRROR_ANNOTATION,
    NODE_STATUS_REPORT_SECONDS,
    NODE_STATUS_UPDATE_SECONDS,
    Kubelet,
    NodeConfig,
)
from k8slab.node.node_object import node_object
from k8slab.node.runc import Runc
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network, Stream

WORKER = "worker-1"
CONTROL_PLANE = "control-plane"
STATIC_PODS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]
# kubeadm init --skip-phases=addon, for tests that count one node's pods, containers and
# addresses: kube-proxy and CoreDNS would share the node with the pods under test.
NO_ADDONS = ["addon"]


# -- a kubelet against a scripted API server -------------------------------------------------


class ScriptedAPIServer:
    """A stand-in kube-apiserver on port 6443: it records every request and answers from a script.

    `script[(verb, resource)]` is a list of answers used in turn (an exception is raised); once
    it is used up, a create or update echoes its body, a get is NotFound, a list is empty.
    """

    def __init__(self, network: Network, name: str) -> None:
        host = network.add_host(name)
        host.start()
        self.group = host.group("kube-apiserver")
        self.group.listen(6443, self)
        self.requests: list[tuple[float, dict]] = []
        self.script: dict[tuple[str, str], list] = {}
        self.watches: list[dict] = []

    def serve(self, request: dict) -> Generator:
        # A copy: what was on the wire at that moment, whatever the sender does with it later.
        self.requests.append((self.group.env.now, copy.deepcopy(request)))
        yield self.group.env.timeout(0)
        verb, resource = request["verb"], request["resource"]
        answers = self.script.get((verb, resource)) or []
        if answers:
            answer = answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        if verb == "get":
            raise NotFoundError(f'{resource} "{request["name"]}" not found')
        if verb == "list":
            return {"items": [], "resourceVersion": "1"}
        return copy.deepcopy(request.get("body"))

    def accept(self, request: dict, stream: Stream) -> None:
        self.watches.append(copy.deepcopy(request))

    def calls(self, resource: str) -> list[tuple[float, str, dict]]:
        """(time, verb, body) of every request about `resource`."""
        return [
            (t, r["verb"], r.get("body") or {})
            for t, r in self.requests
            if r["resource"] == resource
        ]


class LoneKubelet:
    """Host "node-1" running runc, containerd and a kubelet that talks to a ScriptedAPIServer."""

    def __init__(self) -> None:
        self.sim = Simulation(1)
        self.network = Network(self.sim)
        self.api = ScriptedAPIServer(self.network, "api")
        host = self.network.add_host("node-1")
        host.start()
        containerd = Containerd(host.group("containerd"), Runc(host),
                                pod_network_for(host, "10.0.0.21", "10.244.1.0/24"))
        config = NodeConfig("node-1", "10.0.0.21", "10.244.1.0/24", cpu="2", memory="4Gi")
        self.kubelet = Kubelet(host.group("kubelet"), containerd, config, "api")

    def kubelet_records(self, kind: str) -> list[float]:
        return [rec.time for rec in self.sim.trace.where(component="kubelet", kind=kind)]


def test_registration_retries_with_doubling_backoff_while_the_api_is_down() -> None:
    world = LoneKubelet()
    down = UnavailableError("connection refused")
    world.api.script[("create", "nodes")] = [down, down, down]
    world.kubelet.start()
    world.sim.run(2)
    creates = [round(t, 4) for t, verb, _ in world.api.calls("nodes") if verb == "create"]
    # Each request takes 0.5 ms to arrive, the answer 0.5 ms back; then 0.1, 0.2, 0.4 s back-off.
    assert creates == [0.0005, 0.1015, 0.3025, 0.7035]
    assert world.kubelet.registered
    assert world.kubelet_records("RegisteredNode") == [pytest.approx(0.704)]


def test_a_node_that_already_exists_has_its_status_updated() -> None:
    world = LoneKubelet()
    world.api.script[("create", "nodes")] = [AlreadyExistsError('nodes "node-1" already exists')]
    world.kubelet.start()
    world.sim.run(1)
    assert [verb for _, verb, _ in world.api.calls("nodes")] == ["create", "update_status"]
    registered = world.sim.trace.where(component="kubelet", kind="RegisteredNode")
    assert [rec.details for rec in registered] == [{"existing": True}]


def test_re_registration_retries_when_the_status_update_fails() -> None:
    world = LoneKubelet()
    world.api.script[("create", "nodes")] = [AlreadyExistsError('nodes "node-1" already exists')]
    world.api.script[("update_status", "nodes")] = [UnavailableError("timed out")]
    world.kubelet.start()
    world.sim.run(10)
    assert world.kubelet.registered
    assert [verb for _, verb, _ in world.api.calls("nodes")][:2] == ["create", "update_status"]


def test_the_lease_is_created_then_renewed_every_10_seconds() -> None:
    world = LoneKubelet()
    world.kubelet.start()
    world.sim.run(35)
    leases = world.api.calls("leases")
    assert [verb for _, verb, _ in leases] == ["get", "create", "update", "update", "update"]
    created = leases[1][2]
    assert created["metadata"] == {"name": "node-1", "namespace": "kube-node-lease"}
    assert created["spec"]["holderIdentity"] == "node-1"
    assert created["spec"]["leaseDurationSeconds"] == LEASE_DURATION_SECONDS == 40
    renew_times = [from_time(body["spec"]["renewTime"]) for _, _, body in leases[1:]]
    steps = [b - a for a, b in zip(renew_times, renew_times[1:], strict=False)]
    # 10 s of sleep after each renewal, plus the 1 ms round trip of the renewal itself.
    assert steps == [pytest.approx(LEASE_RENEW_SECONDS + 0.001, abs=1e-6)] * 3
    assert LEASE_RENEW_SECONDS == 10


def test_a_conflicting_lease_update_makes_the_kubelet_read_the_lease_again() -> None:
    world = LoneKubelet()
    world.api.script[("update", "leases")] = [ConflictError("the object has been modified")]
    world.kubelet.start()
    world.sim.run(15)
    assert [verb for _, verb, _ in world.api.calls("leases")] == [
        "get",
        "create",
        "update",  # conflict
        "get",
        "create",
    ]
    failed = world.sim.trace.where(component="kubelet", kind="RenewLeaseFailed")
    assert [rec.details for rec in failed] == [{"error": "the object has been modified"}]


def test_the_node_status_is_posted_when_it_changes_within_one_update_period() -> None:
    world = LoneKubelet()
    world.kubelet.start()
    world.sim.run(60)
    assert world.kubelet_records("NodeStatusReported") == []
    world.kubelet.config.memory = "8Gi"  # the machine was resized
    world.sim.run(NODE_STATUS_UPDATE_SECONDS)
    assert len(world.kubelet_records("NodeStatusReported")) == 1
    _, verb, body = world.api.calls("nodes")[-1]
    assert verb == "update_status"
    assert body["status"]["capacity"]["memory"] == "8Gi"
    assert body["status"]["allocatable"]["memory"] == "8092Mi"
    world.sim.run(60)
    assert len(world.kubelet_records("NodeStatusReported")) == 1


def test_only_the_pods_bound_to_this_node_are_listed_and_watched() -> None:
    world = LoneKubelet()
    world.kubelet.start()
    world.sim.run(1)
    lists = [r for _, r in world.api.requests if r["verb"] == "list"]
    assert [(r["resource"], r["field_selector"]) for r in lists] == [
        ("pods", "spec.nodeName=node-1")
    ]
    assert [(w["resource"], w["field_selector"]) for w in world.api.watches] == [
        ("pods", "spec.nodeName=node-1")
    ]


# -- a kubelet in a whole cluster ------------------------------------------------------------


def pod(name: str, image: str = "nginx:1.27", **spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": [{"name": "app", "image": image}], **spec},
    }


def run_until(cluster: Cluster, done: Callable[[], bool], limit: float = 60.0) -> None:
    deadline = cluster.now + limit
    while not done():
        assert cluster.now < deadline, f"not done after {limit} s"
        cluster.run(0.1)


def pods_running_on(cluster: Cluster, node: str) -> list[str]:
    """The pods with a running container on `node` according to runc."""
    return sorted({c["pod"] for c in cluster.containers(node)})


def kinds_about(cluster: Cluster, ref: str, *components: str) -> list[tuple[str, str]]:
    return [
        (rec.component, rec.kind) for rec in cluster.trace.about(ref) if rec.component in components
    ]


def running_pod(cluster: Cluster, name: str) -> dict:
    run_until(cluster, lambda: cluster.get("pods", name)["status"].get("phase") == "Running")
    return cluster.get("pods", name)


def test_the_node_is_registered_with_capacity_allocatable_addresses_and_labels() -> None:
    cluster = Cluster(workers=1, worker_cpu="2", worker_memory="4Gi")
    node = cluster.get("nodes", WORKER, None)
    assert node["status"]["capacity"] == {"cpu": "2", "memory": "4Gi", "pods": "110"}
    # allocatable memory = capacity - evictionHard memory.available (100Mi)
    assert node["status"]["allocatable"] == {"cpu": "2", "memory": "3996Mi", "pods": "110"}
    assert node["metadata"]["labels"] == {
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": WORKER,
        "kubernetes.io/os": "linux",
    }
    assert node["spec"]["taints"] == []
    assert node["spec"]["podCIDR"] == "10.244.1.0/24"
    assert node["status"]["addresses"] == [
        {"type": "InternalIP", "address": "10.0.0.21"},
        {"type": "Hostname", "address": WORKER},
    ]
    ready = [c for c in node["status"]["conditions"] if c["type"] == "Ready"]
    assert [(c["status"], c["reason"]) for c in ready] == [("True", "KubeletReady")]


def test_every_node_reports_the_one_modelled_release_and_its_runtime() -> None:
    cluster = Cluster(workers=1)
    for name in (CONTROL_PLANE, WORKER):
        info = cluster.get("nodes", name, None)["status"]["nodeInfo"]
        assert (info["kubeletVersion"], info["containerRuntimeVersion"]) == (
            "v1.35.0", "containerd://2.2.0")
    images = {c["image"] for c in cluster.containers(CONTROL_PLANE)}
    assert {"registry.k8s.io/etcd:3.6.6-0", "registry.k8s.io/kube-apiserver:v1.35.0",
            "registry.k8s.io/kube-scheduler:v1.35.0", "registry.k8s.io/pause:3.10.1"} <= images


def test_node_system_info_carries_all_ten_fields_as_go_encodes_them() -> None:
    # v1.NodeSystemInfo has no omitempty field: a Go kubelet sends all ten, and the official
    # Python client refuses a Node without them. The model has no machine identity (empty IDs);
    # kubeProxyVersion is "" since v1.33 (KEP-4004).
    info = node_object(NodeConfig("worker-1", "10.0.0.11", "10.244.1.0/24"), 0.0, {},
                       "containerd://2.2.0")["status"]["nodeInfo"]
    assert sorted(info) == sorted(
        ["machineID", "systemUUID", "bootID", "kernelVersion", "osImage",
         "containerRuntimeVersion", "kubeletVersion", "kubeProxyVersion", "operatingSystem",
         "architecture"])
    assert all(isinstance(value, str) for value in info.values())
    assert info["kubeProxyVersion"] == "" and info["kubeletVersion"] == "v1.35.0"


def test_the_control_plane_node_carries_its_role_label_and_taint() -> None:
    cluster = Cluster(workers=0)
    node = cluster.get("nodes", CONTROL_PLANE, None)
    assert node["metadata"]["labels"]["node-role.kubernetes.io/control-plane"] == ""
    assert node["spec"]["taints"] == [
        {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
    ]
    assert node["status"]["allocatable"] == {"cpu": "2", "memory": "8092Mi", "pods": "110"}


def test_the_lease_renew_time_advances_in_10_second_steps() -> None:
    cluster = Cluster(workers=1)
    renew_times = []
    for _ in range(6):
        lease = cluster.get("leases", WORKER, "kube-node-lease")
        renew_times.append(from_time(lease["spec"]["renewTime"]))
        cluster.run(10)
    assert lease["spec"]["holderIdentity"] == WORKER
    assert lease["spec"]["leaseDurationSeconds"] == 40
    steps = [b - a for a, b in zip(renew_times, renew_times[1:], strict=False)]
    assert steps == [pytest.approx(10, abs=0.01)] * 5


def test_a_changed_node_status_is_posted_at_the_next_tick_an_unchanged_one_every_5_minutes(
) -> None:
    cluster = Cluster(workers=1)
    registered = cluster.trace.where(host=WORKER, kind="RegisteredNode")[0].time
    cluster.run(11 * 60)
    reports = [rec.time for rec in cluster.trace.where(host=WORKER, kind="NodeStatusReported")]
    assert NODE_STATUS_REPORT_SECONDS == 300
    # kube-proxy's and CoreDNS's images, pulled after registration, change status.images: the
    # first 10 s status tick posts it; then nothing changes and a report comes every 5 minutes.
    assert reports == [
        pytest.approx(registered + NODE_STATUS_UPDATE_SECONDS, abs=0.01),
        pytest.approx(registered + 310, abs=0.01),
        pytest.approx(registered + 610, abs=0.01),
    ]
    # Each unchanged report comes at the 30th 10 s status tick after the last one, plus the
    # update's round trip, never a tick later because of float drift.
    gaps = [b - a for a, b in zip(reports, reports[1:], strict=False)]
    assert gaps == [pytest.approx(300, abs=0.01)] * 2
    # The Lease is renewed at registration, then every 10 s (boot ends ~13 s after it).
    renewals = cluster.trace.where(host=WORKER, kind="RenewLease")
    assert len(renewals) == (cluster.now - registered) // LEASE_RENEW_SECONDS + 1 == 68


def test_a_status_report_moves_the_heartbeat_but_not_the_transition_time() -> None:
    cluster = Cluster(workers=1)
    before = cluster.get("nodes", WORKER, None)["status"]["conditions"]
    cluster.run(NODE_STATUS_REPORT_SECONDS + 2 * NODE_STATUS_UPDATE_SECONDS)
    after = cluster.get("nodes", WORKER, None)["status"]["conditions"]
    assert [c["type"] for c in after] == [c["type"] for c in before]
    for old, new in zip(before, after, strict=True):
        assert from_time(new["lastHeartbeatTime"]) > from_time(old["lastHeartbeatTime"])
        assert new["lastTransitionTime"] == old["lastTransitionTime"], new["type"]


def test_static_pods_run_on_the_host_network_with_mirror_pods() -> None:
    cluster = Cluster(workers=0, skip_phases=NO_ADDONS)
    mirrors = {p["metadata"]["name"]: p for p in cluster.list("pods", "kube-system")}
    assert sorted(mirrors) == [f"{name}-{CONTROL_PLANE}" for name in STATIC_PODS]
    for name, mirror in mirrors.items():
        annotations = mirror["metadata"]["annotations"]
        assert len(annotations[MIRROR_ANNOTATION]) == 32, name
        assert annotations["kubernetes.io/config.source"] == "file"
        assert mirror["spec"]["hostNetwork"] is True
        assert mirror["spec"]["nodeName"] == CONTROL_PLANE
        assert mirror["status"]["phase"] == "Running"
        assert mirror["status"]["podIP"] == mirror["status"]["hostIP"] == "10.0.0.10"
    assert pods_running_on(cluster, CONTROL_PLANE) == [
        f"pod/kube-system/{name}-{CONTROL_PLANE}" for name in STATIC_PODS
    ]
    sandboxes = cluster.trace.where(component="containerd", kind="RunPodSandbox")
    assert [rec.details for rec in sandboxes] == [{"host_network": True}] * 4


def test_a_mirror_pod_is_not_run_a_second_time() -> None:
    cluster = Cluster(workers=0, skip_phases=NO_ADDONS)
    cluster.run(60)
    ref = f"pod/kube-system/etcd-{CONTROL_PLANE}"
    assert [kind for _, kind in kinds_about(cluster, ref, "kubelet", "containerd")].count(
        "RunPodSandbox"
    ) == 1
    assert len(cluster.trace.where(kind="SyncPod", obj=ref)) == 1
    assert len(cluster.containers(CONTROL_PLANE)) == 8  # four pause + four control-plane


def test_deleting_a_mirror_pod_leaves_the_static_pod_running() -> None:
    cluster = Cluster(workers=0)
    name = f"kube-scheduler-{CONTROL_PLANE}"
    cluster.request(lambda c: c.delete("pods", name, "kube-system"))
    cluster.run(30)
    assert cluster.trace.where(kind="KillPod") == []
    assert f"pod/kube-system/{name}" in pods_running_on(cluster, CONTROL_PLANE)


def test_a_bound_pod_goes_kubelet_then_containerd_then_runc() -> None:
    cluster = Cluster(workers=1, skip_phases=NO_ADDONS)
    cluster.apply(pod("web"))
    running = running_pod(cluster, "web")
    assert kinds_about(cluster, "pod/default/web", "kubelet", "containerd", "runc") == [
        ("kubelet", "SyncPod"),
        # Pending, while the volumes are set up (the token is asked of the API server)
        ("kubelet", "StatusReported"),
        ("containerd", "RunPodSandbox"),
        ("runc", "create"),
        ("runc", "start"),
        ("kubelet", "PodSandboxReady"),
        ("kubelet", "Pulling"),  # Events: the trace records each by its reason
        ("containerd", "PullImage"),
        ("kubelet", "Pulled"),
        ("containerd", "CreateContainer"),
        ("runc", "create"),
        ("kubelet", "Created"),
        ("containerd", "StartContainer"),
        ("runc", "start"),
        ("kubelet", "Started"),
        ("kubelet", "ContainerStarted"),
        ("kubelet", "StatusReported"),
    ]
    status = running["status"]
    assert (status["hostIP"], status["podIP"]) == ("10.0.0.21", "10.244.1.2")
    container = status["containerStatuses"][0]
    assert (container["ready"], container["restartCount"]) == (True, 0)
    assert container["containerID"].startswith("containerd://")
    assert pods_running_on(cluster, WORKER) == ["pod/default/web"]


def test_a_pod_deleted_through_the_api_gets_its_sandbox_stopped() -> None:
    cluster = Cluster(workers=1, skip_phases=NO_ADDONS)
    cluster.apply([pod("web"), pod("db", "nginx:1.29")])
    running_pod(cluster, "web")
    running_pod(cluster, "db")
    cluster.request(lambda c: c.delete("pods", "web", "default"))
    cluster.run(1)
    assert kinds_about(cluster, "pod/default/web", "kubelet", "containerd")[-6:] == [
        ("kubelet", "KillPod"),
        ("kubelet", "Killing"),
        ("containerd", "StopContainer"),  # SIGTERM: nginx exits at once
        ("containerd", "StopPodSandbox"),
        ("kubelet", "StatusReported"),  # the final status, then the delete with grace 0
        ("kubelet", "PodDeleted"),
    ]
    with pytest.raises(NotFoundError):
        cluster.get("pods", "web")
    assert pods_running_on(cluster, WORKER) == ["pod/default/db"]


def test_a_pod_deleted_while_it_starts_is_stopped_once_started() -> None:
    cluster = Cluster(workers=1, skip_phases=NO_ADDONS)
    cluster.apply(pod("web"))
    run_until(cluster, lambda: pods_running_on(cluster, WORKER) == ["pod/default/web"])
    pulls = cluster.trace.where(kind="PullImage", obj="pod/default/web")
    assert [rec.details["cached"] for rec in pulls] == [False]  # the sandbox is up, pulling
    cluster.request(lambda c: c.delete("pods", "web", "default"))
    cluster.run(5)
    assert pods_running_on(cluster, WORKER) == []
    kinds = [kind for _, kind in kinds_about(cluster, "pod/default/web", "kubelet")]
    assert kinds[kinds.index("ContainerStarted"):] == [
        "ContainerStarted", "KillPod", "Killing", "StatusReported", "PodDeleted"]


def test_a_pod_for_another_node_is_not_run_here() -> None:
    cluster = Cluster(workers=2, skip_phases=NO_ADDONS)
    cluster.apply(pod("pinned", nodeName="worker-2"))
    running_pod(cluster, "pinned")
    assert pods_running_on(cluster, WORKER) == []
    assert pods_running_on(cluster, "worker-2") == ["pod/default/pinned"]


def test_after_each_host_restart_the_restart_count_goes_up_by_one() -> None:
    cluster = Cluster(workers=1, skip_phases=NO_ADDONS)
    cluster.apply(pod("web"))
    first = running_pod(cluster, "web")["status"]["containerStatuses"][0]
    counts = [first["restartCount"]]
    ids = [first["containerID"]]
    for _ in range(2):
        cluster.kill_node(WORKER)
        assert cluster.containers(WORKER) == []
        cluster.run(5)
        cluster.restart_node(WORKER)
        run_until(cluster, lambda: len(pods_running_on(cluster, WORKER)) == 1)
        cluster.run(1)
        status = cluster.get("pods", "web")["status"]
        assert status["phase"] == "Running"
        counts.append(status["containerStatuses"][0]["restartCount"])
        ids.append(status["containerStatuses"][0]["containerID"])
    assert counts == [0, 1, 2]
    assert len(set(ids)) == 3
    re_registered = cluster.trace.where(host=WORKER, kind="RegisteredNode")
    assert [rec.details for rec in re_registered] == [{}, {"existing": True}, {"existing": True}]


def test_a_deleted_mirror_pod_is_made_again_and_the_static_pod_keeps_running() -> None:
    cluster = Cluster(workers=0)
    name = f"kube-scheduler-{CONTROL_PLANE}"
    before = cluster.get("pods", name, "kube-system")["metadata"]["uid"]
    cluster.request(lambda c: c.delete("pods", name, "kube-system"))
    cluster.run(5)
    mirror = cluster.get("pods", name, "kube-system")
    assert mirror["metadata"]["uid"] != before and "deletionTimestamp" not in mirror["metadata"]
    assert [r.kind for r in cluster.trace.where(component="kubelet", obj=f"pod/kube-system/{name}")
            if r.kind.startswith("MirrorPod")][-2:] == ["MirrorPodDeleted", "MirrorPodCreated"]
    cluster.request(lambda c: c.delete("pods", name, "kube-system", grace_period_seconds=0))
    cluster.run(5)
    again = cluster.get("pods", name, "kube-system")  # a forced delete too
    assert again["metadata"]["uid"] != mirror["metadata"]["uid"]
    assert cluster.trace.where(kind="KillPod") == []

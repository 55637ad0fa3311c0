"""The walking skeleton end to end: a manifest goes through every layer to a running container."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8slab import Cluster
from k8slab.api.quantity import cpu_millis, memory_bytes
from k8slab.api.resources import pod_requests
from k8slab.errors import K8sLabError

LANES = ["apiserver", "etcd", "scheduler", "kubelet", "containerd", "runc"]


def pod(name: str, cpu: str = "500m", memory: str = "256Mi") -> str:
    return textwrap.dedent(f"""\
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
        spec:
          containers:
          - name: app
            image: nginx:1.27
            resources:
              requests:
                cpu: {cpu}
                memory: {memory}
        """)


def ten_pods() -> str:
    return "---\n".join(pod(f"web-{i}") for i in range(1, 11))


@pytest.fixture(scope="module")
def running() -> Cluster:
    c = Cluster(workers=3, seed=1)
    c.apply(ten_pods())
    c.run(60)
    return c


def user_pods(c: Cluster) -> list[dict]:
    return c.list("pods", "default")


def assert_within_allocatable(c: Cluster) -> None:
    nodes = {n["metadata"]["name"]: n for n in c.list("nodes")}
    used: dict[str, list[int]] = {name: [0, 0] for name in nodes}
    for p in c.list("pods"):
        node = p["spec"].get("nodeName")
        if node:
            req = pod_requests(p)
            used[node][0] += req["cpu"]
            used[node][1] += req["memory"]
    for name, (cpu, memory) in used.items():
        alloc = nodes[name]["status"]["allocatable"]
        assert cpu <= cpu_millis(alloc["cpu"]), name
        assert memory <= memory_bytes(alloc["memory"]), name


def test_every_pod_runs_on_a_worker(running: Cluster) -> None:
    pods = user_pods(running)
    assert len(pods) == 10
    for p in pods:
        assert p["status"]["phase"] == "Running"
        assert p["spec"]["nodeName"].startswith("worker-")
        assert p["status"]["podIP"].startswith("10.244.")
        assert p["status"]["containerStatuses"][0]["state"]["running"]


def test_no_node_over_allocatable(running: Cluster) -> None:
    assert_within_allocatable(running)


def test_each_pod_goes_through_the_layers_in_causal_order(running: Cluster) -> None:
    for i in range(1, 11):
        records = running.trace_of(f"pod/default/web-{i}")
        first = {}
        for rec in records:
            first.setdefault(rec.component, rec.seq)
        assert [c for c in sorted(first, key=first.get) if c in LANES] == LANES
        last = records[-1]
        assert (last.component, last.kind) == ("kubelet", "StatusReported")
        assert last.details["phase"] == "Running"


def test_kubectl_table_lists_the_pods(running: Cluster) -> None:
    table = running.kubectl("get pods -o wide").splitlines()
    assert table[0].split()[:5] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert len(table) == 11
    assert all(" Running " in line for line in table[1:])


def test_control_plane_runs_as_static_pods_with_mirror_pods(running: Cluster) -> None:
    pods = running.list("pods", "kube-system")
    mirrors = [p["metadata"]["name"] for p in pods
               if "kubernetes.io/config.mirror" in p["metadata"].get("annotations", {})]
    assert mirrors == [
        "etcd-control-plane",
        "kube-apiserver-control-plane",
        "kube-controller-manager-control-plane",
        "kube-scheduler-control-plane",
    ]
    # beside them, the addons kubeadm installs: CoreDNS's Deployment and kube-proxy's DaemonSet
    assert [p["metadata"]["name"] for p in pods] == [
        "coredns-9fdf59497-bl4t2", "coredns-9fdf59497-mprrw", *mirrors[:3],
        "kube-proxy-cqnw2", "kube-proxy-h9qpz", "kube-proxy-l2mrc", "kube-proxy-rf2zp",
        mirrors[3]]
    images = sorted(c["image"] for c in running.containers("control-plane"))
    assert "registry.k8s.io/kube-apiserver:v1.35.0" in images


def test_killing_a_worker_stops_containers_and_lease_renewals() -> None:
    c = Cluster(workers=2, seed=3)
    c.apply(pod("a"))
    c.run(20)
    node = c.get("pods", "a")["spec"]["nodeName"]
    assert any(x["pod"] == "pod/default/a" for x in c.containers(node))
    c.kill_node(node)
    renew_before = c.get("leases", node, "kube-node-lease")["spec"]["renewTime"]
    c.run(60)
    assert c.containers(node) == []
    assert c.get("leases", node, "kube-node-lease")["spec"]["renewTime"] == renew_before
    lost = [r for r in c.trace.by_component("runc") if r.kind == "lost" and r.host == node]
    assert {r.obj for r in lost} >= {"pod/default/a"}

    c.restart_node(node)
    c.run(30)
    renewed = c.get("leases", node, "kube-node-lease")["spec"]["renewTime"]
    assert renewed > renew_before
    registered = [r for r in c.trace.where(host=node, kind="RegisteredNode")]
    assert len(registered) == 2 and registered[1].details == {"existing": True}
    assert any(x["pod"] == "pod/default/a" for x in c.containers(node))
    status = c.get("pods", "a")["status"]
    assert status["phase"] == "Running"
    assert status["containerStatuses"][0]["restartCount"] == 1


def test_partitioned_worker_cannot_renew_its_lease_until_healed() -> None:
    c = Cluster(workers=2, seed=5)
    c.partition(["worker-1"], ["control-plane"])
    before = c.get("leases", "worker-1", "kube-node-lease")["spec"]["renewTime"]
    c.run(30)
    assert c.get("leases", "worker-1", "kube-node-lease")["spec"]["renewTime"] == before
    c.heal()
    c.run(30)
    assert c.get("leases", "worker-1", "kube-node-lease")["spec"]["renewTime"] > before


def test_a_pod_that_fits_nowhere_stays_pending_with_the_upstream_message() -> None:
    c = Cluster(workers=2, seed=2)
    c.apply(pod("huge", cpu="64"))
    c.run(10)
    p = c.get("pods", "huge")
    assert p["status"]["phase"] == "Pending"
    condition = p["status"]["conditions"][0]
    assert condition["reason"] == "Unschedulable"
    assert condition["message"] == (
        "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu."
        " preemption: 0/3 nodes"
        " are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims"
        " found for incoming pod."
    )


SNAPSHOT = """
import sys
from k8slab import Cluster
c = Cluster(workers=3, seed=int(sys.argv[1]))
c.apply({pods!r})
c.run(60)
print(c.kubectl("get pods -o wide"))
for r in c.trace:
    print(r.seq, repr(r.time), r.host, r.component, r.kind, r.obj, sorted(r.details.items()))
"""


def run_snapshot(seed: int, hashseed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=hashseed)
    code = SNAPSHOT.format(pods=ten_pods())
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code, str(seed)], capture_output=True,
                          text=True, env=env, cwd=root, check=True, timeout=300)
    return done.stdout


def test_same_seed_same_history_in_any_process() -> None:
    first = run_snapshot(1, "0")
    assert first == run_snapshot(1, "12345")
    assert first != run_snapshot(2, "0")


@pytest.mark.parametrize(
    "manifest, words",
    [
        ("kind: Pod\napiVersion: v1\nmetadata: {name: x\n", "YAML"),
        ("apiVersion: v1\nkind: Gizmo\nmetadata: {name: x}\n", 'no matches for kind "Gizmo"'),
        ("apiVersion: v1\nkind: Pod\nmetadata: {}\nspec: {containers: [{name: a, image: b}]}\n",
         "metadata.name: Required value"),
        (pod("neg", cpu="-1"), "must be greater than or equal to 0"),
        (pod("bad", cpu="lots"), "quantities must match the regular expression"),
    ],
)
def test_bad_manifests_raise_clear_errors_and_change_nothing(
    running: Cluster, manifest: str, words: str
) -> None:
    before = running.list("pods")
    good_first = pod("innocent") + "---\n" + manifest
    with pytest.raises(K8sLabError, match=None) as raised:
        running.apply(good_first)
    assert words in str(raised.value)
    assert running.list("pods") == before


def test_bad_calls_raise_clear_errors(running: Cluster) -> None:
    with pytest.raises(K8sLabError, match='no host named "worker-9"; hosts are: control-plane'):
        running.kill_node("worker-9")
    with pytest.raises(K8sLabError, match="seconds must be a finite number from 0 to 86400"):
        running.run(-1)
    with pytest.raises(K8sLabError, match='namespaces "nowhere" not found'):
        running.apply(pod("x").replace("name: x", "name: x\n  namespace: nowhere"))
    with pytest.raises(K8sLabError, match="workers must be a whole number"):
        Cluster(workers=-1)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["100m", "500m", "1", "1500m", "3"]), min_size=1, max_size=14),
       st.integers(0, 1000))
def test_no_pod_bound_twice_and_no_node_overcommitted(cpus: list[str], seed: int) -> None:
    c = Cluster(workers=2, seed=seed)
    c.apply("---\n".join(pod(f"p-{i}", cpu=cpu) for i, cpu in enumerate(cpus)))
    c.run(30)
    assert_within_allocatable(c)
    binds = [r.obj for r in c.trace.by_component("scheduler") if r.kind == "Bound"]
    assert len(binds) == len(set(binds))
    for p in c.list("pods", "default"):
        assert ("nodeName" in p["spec"]) == (p["status"]["phase"] == "Running")


def test_create_fills_in_generate_name_and_apply_refuses_it() -> None:
    c = Cluster(workers=1, seed=4)
    manifest = pod("x").replace("name: x", "generateName: web-")
    with pytest.raises(K8sLabError, match="cannot use generate name with apply"):
        c.apply(manifest)
    [line] = c.create(manifest)
    name = line.split()[0].removeprefix("pod/")
    assert name.startswith("web-") and len(name) == len("web-") + 5
    assert line == f"pod/{name} created"
    c.run(10)
    assert c.get("pods", name)["status"]["phase"] == "Running"


def test_control_plane_survives_a_crash_and_restart() -> None:
    c = Cluster(workers=1, seed=6)
    c.apply(pod("before"))
    c.run(10)
    c.kill_node("control-plane")
    with pytest.raises(K8sLabError, match="connection to the server control-plane:6443"):
        c.kubectl("get pods")
    c.restart_node("control-plane")
    c.run(20)
    assert c.get("pods", "before")["status"]["phase"] == "Running"
    c.apply(pod("after"))
    c.run(10)
    assert c.get("pods", "after")["status"]["phase"] == "Running"
    restores = [r for r in c.trace.by_component("etcd") if r.kind == "restore"]
    assert restores[-1].details["replayed"] > 0


def test_delete_removes_the_pod_and_the_kubelet_stops_it() -> None:
    c = Cluster(workers=1, seed=8)
    c.apply(pod("gone"))
    c.run(10)
    assert any(x["pod"] == "pod/default/gone" for x in c.containers("worker-1"))
    # kubectl v1.35 names the namespace (delete.go PrintObj: "deleted from %s namespace").
    assert c.delete("pods", "gone") == 'pod "gone" deleted from default namespace'
    c.run(2)
    assert not any(x["pod"] == "pod/default/gone" for x in c.containers("worker-1"))
    with pytest.raises(K8sLabError, match='pods "gone" not found'):
        c.delete("pods", "gone")


def test_a_new_cluster_schedules_its_first_pod_at_once() -> None:
    c = Cluster(workers=2, seed=9)
    c.apply(pod("first"))
    c.run(0.01)
    assert c.get("pods", "first")["spec"].get("nodeName", "").startswith("worker-")


def test_every_worker_up_to_the_largest_cluster_has_its_own_valid_address():
    # Worker 248 once got 10.0.0.268: its kubelet crashed on its first probe and the node
    # controller evicted its pods (found at 1,000 workers).
    from ipaddress import IPv4Address

    from k8slab.lab.cluster import MAX_WORKERS, _node_ip

    addresses = [IPv4Address(_node_ip(i)) for i in range(1, MAX_WORKERS + 1)]
    assert len(set(addresses)) == MAX_WORKERS
    control_planes = {IPv4Address(f"10.0.0.{10 + j}") for j in range(7)}
    assert control_planes.isdisjoint(addresses)
    assert str(addresses[0]) == "10.0.0.21"  # small clusters keep their addresses

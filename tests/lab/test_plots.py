"""The plots draw the live cluster: every running component, each object's lanes, pods per node."""

from types import SimpleNamespace as NS

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure
from matplotlib.text import Annotation

from k8slab.errors import K8sLabError
from k8slab.lab.cluster import Cluster
from k8slab.lab.plots import (
    LANES,
    _kinds_label,
    _lanes,
    architecture,
    pods_per_node,
    swimlane,
    trace_table,
)
from k8slab.sim.trace import Record


def pod(name: str, cpu: str = "250m", node: str | None = None) -> dict:
    spec = {"containers": [{"name": "web", "image": "nginx:1.27",
                            "resources": {"requests": {"cpu": cpu}}}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def texts(fig: Figure) -> list[str]:
    return [text.get_text() for ax in fig.axes for text in ax.texts]


@pytest.fixture
def cluster() -> Cluster:
    """Two workers running web-1 and web-2, settled."""
    cluster = Cluster(workers=2, seed=1)
    cluster.apply([pod("web-1"), pod("web-2")])
    cluster.run(5)
    return cluster


# -- architecture --------------------------------------------------------------------------------


def test_architecture_draws_every_running_component(cluster):
    fig = architecture(cluster)
    assert isinstance(fig, Figure)
    drawn = texts(fig)
    for host in cluster.hosts:
        assert host in drawn
        assert {"kubelet", "containerd"} <= set(cluster.network.host(host).memory)
    assert drawn.count("kubelet") == len(cluster.hosts)
    assert drawn.count("containerd") == len(cluster.hosts)
    for component in ("etcd", "kube-apiserver", "kube-scheduler"):
        assert f"{component}\n(static pod)" in drawn
    pods = {c["pod"].rsplit("/", 1)[1] for host in cluster.hosts[1:]
            for c in cluster.containers(host)}
    assert pods == {"web-1", "web-2"}
    assert all(name in drawn for name in pods)
    assert {"control plane", "worker nodes", "watch/list", "etcd client",
            "kubelets: watch/list"} <= set(drawn)


def test_architecture_is_closed_so_a_cell_shows_it_once(cluster):
    before = plt.get_fignums()
    architecture(cluster)
    swimlane(cluster, "pod/default/web-1")
    pods_per_node(cluster)
    assert plt.get_fignums() == before


def test_architecture_crosses_out_a_down_host_and_drops_its_pods(cluster):
    victim = next(h for h in cluster.hosts[1:] if cluster.containers(h))
    lost = [c["pod"].rsplit("/", 1)[1] for c in cluster.containers(victim)]
    cluster.kill_node(victim)
    drawn = texts(architecture(cluster))
    assert f"{victim} · down" in drawn
    assert "host down" in drawn
    assert not any(name in drawn for name in lost)
    assert drawn.count("kubelet") == len(cluster.hosts) - 1


def test_architecture_without_the_control_plane_says_kubelets_cannot_reach_it(cluster):
    cluster.kill_node("control-plane")
    drawn = texts(architecture(cluster))
    assert "control-plane · down" in drawn
    assert not any("static pod" in text for text in drawn)
    assert "kube-apiserver not running: kubelets cannot reach it" in drawn


def test_architecture_of_a_large_cluster_draws_six_workers_and_a_more_box():
    drawn = texts(architecture(Cluster(workers=10, seed=1)))
    assert [f"worker-{i}" in drawn for i in range(1, 11)] == [True] * 6 + [False] * 4
    assert "… 4 more\nworker nodes\n(4 up)" in drawn


def test_architecture_of_eight_workers_draws_them_all():
    drawn = texts(architecture(Cluster(workers=8, seed=1)))
    assert all(f"worker-{i}" in drawn for i in range(1, 9))
    assert not any(text.startswith("…") for text in drawn)


def test_architecture_of_one_control_plane_has_no_badges_and_no_load_balancer(cluster):
    drawn = texts(architecture(cluster))
    assert not {"leader", "holds lease", "lb"} & set(drawn)
    assert "control plane" in drawn


class FakeHost:
    def __init__(self, name: str, memory: dict) -> None:
        self.name, self.up, self.memory = name, True, memory


class FakeCluster:
    """What the pictures read from a highly available cluster, with its state set by hand.

    control-plane-1 leads etcd in term 3, control-plane-2's scheduler holds the lease, the load
    balancer `lb` finds every API server healthy, and two workers run no pods.
    """

    def __init__(self, control_planes: int = 3) -> None:
        self.now, self.endpoint = 12.0, "lb"
        self.control_planes = [f"control-plane-{i}" for i in range(1, control_planes + 1)]
        workers = ["worker-1", "worker-2"]
        self._hosts = {}
        for index, name in enumerate(self.control_planes):
            raft = NS(role=NS(value="leader" if index == 0 else "follower"), term=3)
            self._hosts[name] = FakeHost(name, {
                "kubelet": object(), "containerd": object(), "etcd": NS(raft=raft),
                "kube-apiserver": object(), "kube-scheduler": NS(leading=index == 1)})
        self._hosts["lb"] = FakeHost("lb", {"haproxy": NS(
            backends=list(self.control_planes), healthy=dict.fromkeys(self.control_planes, True))})
        for name in workers:
            self._hosts[name] = FakeHost(name, {"kubelet": object(), "containerd": object()})
        self.network = NS(host=self._hosts.__getitem__)
        self.pods: dict[str, list[str]] = {}

    @property
    def hosts(self) -> list[str]:
        return list(self._hosts)

    def host_is_up(self, name: str) -> bool:
        return self._hosts[name].up

    def containers(self, name: str) -> list[dict]:
        return [{"pod": f"pod/default/{pod}"} for pod in self.pods.get(name, [])]

    def list(self, resource: str, namespace: str | None = None) -> list[dict]:
        return []

    def crash(self, name: str) -> None:
        self._hosts[name].up = False
        self._hosts[name].memory.clear()


def arrows(fig: Figure) -> list[Annotation]:
    return [t for t in fig.axes[0].texts if isinstance(t, Annotation) and t.arrow_patch]


def test_architecture_of_three_control_planes_marks_the_leaders_and_the_load_balancer():
    fake = FakeCluster(3)
    fake.crash("control-plane-3")
    fake.network.host("lb").memory["haproxy"].healthy["control-plane-3"] = False
    fake.pods["control-plane-2"] = ["web-2", "web-1"]
    fig = architecture(fake)
    drawn = texts(fig)
    assert "pods: web-1, web-2" in drawn
    assert "control plane · etcd leader: control-plane-1 (term 3)" in drawn
    assert {"control-plane-1", "control-plane-2", "control-plane-3 · down", "lb"} <= set(drawn)
    assert drawn.count("leader") == 1
    assert drawn.count("holds lease") == 1
    assert drawn.count("etcd\nterm 3") == 2
    assert drawn.count("kube-apiserver") == 2
    assert "haproxy · 2 of 3 API servers healthy" in drawn
    assert "kubelets: watch/list" in drawn
    styles = [a.arrow_patch.get_linestyle() for a in arrows(fig)]
    assert len(styles) == 2 * 2 + 3 + 1  # in each host 2, lb to each API server, kubelets to lb
    assert styles.count("--") == 1


def test_architecture_without_the_load_balancer_says_kubelets_cannot_reach_the_api():
    fake = FakeCluster(3)
    fake.crash("lb")
    fig = architecture(fake)
    drawn = texts(fig)
    assert "lb · down" in drawn
    assert "lb not running: kubelets cannot reach the API servers" in drawn
    assert len(arrows(fig)) == 3 * 2


def test_architecture_of_seven_control_planes_fits_them_side_by_side():
    fake = FakeCluster(7)
    fake.crash("control-plane-7")
    drawn = texts(architecture(fake))
    assert all(f"control-plane-{i}" in drawn for i in range(1, 7))
    assert "control-plane-7" in drawn and "host down" in drawn
    assert drawn.count("kube-\nscheduler") == 6


def test_architecture_names_every_member_that_believes_it_leads():
    fake = FakeCluster(3)
    stale = fake.network.host("control-plane-3").memory["etcd"].raft
    stale.role, stale.term = NS(value="leader"), 2
    fake.network.host("control-plane-1").memory["etcd"].raft.term = 4
    drawn = texts(architecture(fake))
    assert ("control plane · etcd leaders: control-plane-1 (term 4), control-plane-3 (term 2)"
            in drawn)
    assert drawn.count("leader") == 2


def test_pods_per_node_leaves_out_the_control_planes_and_the_load_balancer():
    left = pods_per_node(FakeCluster(3)).axes[0]
    assert [t.get_text() for t in left.get_xticklabels()] == ["worker-1", "worker-2"]


# -- swimlane and trace table -------------------------------------------------------------------


def lanes_top_down(fig: Figure) -> list[str]:
    ax = fig.axes[0]
    ticks = zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()], strict=True)
    return [label for _, label in sorted(ticks, reverse=True)]


def test_swimlane_lanes_follow_the_request_path(cluster):
    fig = swimlane(cluster, "pod/default/web-1")
    assert lanes_top_down(fig) == ["apiserver", "etcd", "scheduler", "kubelet", "containerd",
                                   "runc"]
    assert fig.axes[0].get_xlabel() == "simulated time (s)"


def test_swimlane_marks_every_record_at_its_time(cluster):
    records = cluster.trace_of("pod/default/web-1")
    ax = swimlane(cluster, "pod/default/web-1").axes[0]
    marked = sorted(x for line in ax.get_lines() for x in line.get_xdata())
    assert marked == sorted(rec.time for rec in records)
    labels = " ".join(text.get_text() for text in ax.texts)
    assert all(rec.kind in labels for rec in records)


def test_swimlane_of_an_unschedulable_pod_has_no_node_lanes(cluster):
    cluster.apply(pod("huge", cpu="64"))
    cluster.run(1)
    fig = swimlane(cluster, "pod/default/huge")
    assert lanes_top_down(fig) == ["apiserver", "etcd", "scheduler"]
    assert "FailedScheduling" in " ".join(t.get_text() for t in fig.axes[0].texts)


def test_swimlane_of_an_unknown_object_says_so(cluster):
    fig = swimlane(cluster, "pod/default/nobody")
    assert texts(fig) == ["no records about pod/default/nobody yet"]


def test_swimlane_rejects_a_malformed_reference(cluster):
    with pytest.raises(K8sLabError, match="<kind>/<namespace>/<name>"):
        swimlane(cluster, "web-1")


def test_trace_table_has_one_short_row_per_record(cluster):
    records = cluster.trace_of("pod/default/web-1")
    rows = trace_table(cluster, "pod/default/web-1")
    assert [row["kind"] for row in rows] == [rec.kind for rec in records]
    assert list(rows[0]) == ["time", "host", "component", "kind", "details"]
    assert all(row["time"] == round(row["time"], 4) for row in rows)
    assert all(len(row["details"]) <= 60 for row in rows)
    scheduled = next(row for row in rows if row["kind"] == "Scheduled")
    assert scheduled["details"].startswith("node=worker-")


component_names = st.sampled_from([*LANES, "host", "controller-manager"])


@given(st.lists(component_names))
def test_lanes_keep_the_request_path_order_then_the_rest(components):
    records = [Record(i, 0.0, "h", c, "k", "o") for i, c in enumerate(components)]
    lanes = _lanes(records)
    assert sorted(lanes) == sorted(set(components))
    known = [lane for lane in lanes if lane in LANES]
    assert known == [lane for lane in LANES if lane in components]
    assert lanes[: len(known)] == known


@given(st.lists(st.sampled_from(["put", "bind", "create"]), min_size=1))
def test_kinds_label_spells_out_the_kinds_in_order(kinds):
    label = _kinds_label([Record(i, 0.0, "h", "c", k, "o") for i, k in enumerate(kinds)])
    expanded = []
    for part in label.split(", "):
        kind, _, count = part.partition(" ×")
        expanded += [kind] * int(count or 1)
    assert expanded == kinds


# -- pods per node ----------------------------------------------------------------------------


@pytest.fixture
def placed() -> Cluster:
    """Three workers: two pods pinned on worker-1, one on worker-3, worker-2 empty."""
    cluster = Cluster(workers=3, seed=1)
    cluster.apply([pod("a", "250m", "worker-1"), pod("b", "500m", "worker-1"),
                   pod("c", "1000m", "worker-3")])
    cluster.run(5)
    return cluster


def bars(ax) -> list[list[float]]:
    return [[bar.get_height() for bar in container] for container in ax.containers]


def test_pods_per_node_counts_running_pods_on_every_worker(placed):
    fig = pods_per_node(placed)
    left, right = fig.axes
    assert [t.get_text() for t in left.get_xticklabels()] == ["worker-1", "worker-2",
                                                              "worker-3"]
    assert bars(left) == [[2, 0, 1]]
    assert bars(right) == [[750, 0, 1000], [4000, 4000, 4000]]


def test_pods_per_node_marks_down_hosts(placed):
    placed.kill_node("worker-2")
    left = pods_per_node(placed).axes[0]
    assert [t.get_text() for t in left.get_xticklabels()] == ["worker-1", "worker-2\n(down)",
                                                              "worker-3"]
    assert [bar.get_hatch() for bar in left.containers[0]] == [None, "//", None]


def test_pods_per_node_counts_pending_pods_in_requests_but_not_as_running(placed):
    placed.apply(pod("d", "100m", "worker-2"))
    placed.run(0.5)
    assert placed.get("pods", "d")["status"]["phase"] == "Pending"
    left, right = pods_per_node(placed).axes
    assert bars(left) == [[2, 0, 1]]
    assert bars(right)[0] == [750, 100, 1000]


def test_pods_per_node_says_when_the_api_server_is_unreachable(placed):
    placed.kill_node("control-plane")
    fig = pods_per_node(placed)
    assert len(fig.axes) == 1
    assert fig.axes[0].get_title().startswith("API server unreachable")
    assert fig.axes[0].containers == []

"""The architecture map draws the live cluster: every running component on every host, a down
host crossed out, and with several control planes their leaders and the load balancer."""

from types import SimpleNamespace as NS

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.text import Annotation

from k8slab.apiserver.loadbalancer import BACKEND, ServerStats
from k8slab.etcd.status import MemberStatus
from k8slab.etcd.wire import ResponseHeader
from k8slab.lab.cluster import Cluster
from k8slab.lab.plots.architecture import architecture
from k8slab.lab.plots.pods_per_node import pods_per_node
from k8slab.lab.plots.shapes import short
from k8slab.lab.plots.swimlane import swimlane
from k8slab.raft.ready import Role
from k8slab.raft.status import Status


def texts(fig: Figure) -> list[str]:
    return [text.get_text() for ax in fig.axes for text in ax.texts]


def test_architecture_draws_every_running_component(cluster):
    fig = architecture(cluster)
    assert isinstance(fig, Figure)
    drawn = texts(fig)
    for host in cluster.hosts:
        assert host in drawn
        assert {"kubelet", "containerd"} <= set(cluster.network.host(host).memory)
    assert drawn.count("kubelet") == len(cluster.hosts)
    assert drawn.count("containerd") == len(cluster.hosts)
    for component in ("etcd", "kube-apiserver", "kube-scheduler", "kube-controller-\nmanager"):
        assert f"{component}\n(static pod)" in drawn
    assert "containers\n(shim, runc)" in drawn
    # each worker: its web pod, its kube-proxy and one of CoreDNS's two replicas
    assert drawn.count("3 pods · shim → runc") == 2
    pods = {c["pod"].rsplit("/", 1)[1] for host in cluster.hosts[1:]
            for c in cluster.containers(host)}
    assert pods == {"web-1", "web-2", "coredns-9fdf59497-frf2z", "coredns-9fdf59497-l2mrc",
                    "kube-proxy-cqnw2", "kube-proxy-s6j28"}
    assert all(short(name, 10) in drawn for name in pods)
    assert drawn.count("kube-prox…") == 3  # the DaemonSet's pod runs on the control plane too
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
    # the map's layout of worker boxes, not what runs in them: no addons to boot on 11 nodes
    drawn = texts(architecture(Cluster(workers=10, seed=1, skip_phases=["addon"])))
    assert [f"worker-{i}" in drawn for i in range(1, 11)] == [True] * 6 + [False] * 4
    assert "… 4 more\nworker nodes\n(4 up)" in drawn


def test_architecture_of_eight_workers_draws_them_all():
    drawn = texts(architecture(Cluster(workers=8, seed=1, skip_phases=["addon"])))  # as above
    assert all(f"worker-{i}" in drawn for i in range(1, 9))
    assert not any(text.startswith("…") for text in drawn)


def test_architecture_of_one_control_plane_has_no_badges_and_no_load_balancer(cluster):
    drawn = texts(architecture(cluster))
    assert not {"leader", "holds lease", "lb"} & set(drawn)
    assert "control plane" in drawn


class FakeHost:
    def __init__(self, name: str, memory: dict) -> None:
        self.name, self.up, self.memory = name, True, memory


class FakeMember:
    """An etcd member whose Raft role and term a test sets by hand; its status reports them."""

    def __init__(self, name: str, raft: NS) -> None:
        self.name, self.raft = name, raft

    def status(self) -> MemberStatus:
        raft = Status(self.name, self.raft.term, None, 0, None, Role(self.raft.role.value), 0, 0,
                      ())
        return MemberStatus(ResponseHeader(revision=1), self.name, None, 0,
                            self.raft.role.value, raft.term, 0, 0, raft)


class FakeBalancer:
    """HAProxy in front of `backends`, each healthy until a test says otherwise."""

    def __init__(self, backends: list[str]) -> None:
        self.backends, self.healthy = list(backends), dict.fromkeys(backends, True)

    def stats(self) -> tuple[ServerStats, ...]:
        return tuple(ServerStats(BACKEND, b, "UP" if self.healthy[b] else "DOWN")
                     for b in self.backends)


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
            view = NS(leading=index == 1)
            self._hosts[name] = FakeHost(name, {
                "kubelet": object(), "containerd": object(), "etcd": FakeMember(name, raft),
                "kube-apiserver": object(), "kube-scheduler": NS(view=lambda v=view: v)})
        self._hosts["lb"] = FakeHost("lb", {"haproxy": FakeBalancer(self.control_planes)})
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
    assert "haproxy: 2 of 3 API servers up" in drawn
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

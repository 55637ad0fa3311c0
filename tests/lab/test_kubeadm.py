"""kubeadm: what `kubeadm init` / `join` leave on disk, and how a node boots from it."""

from __future__ import annotations

from k8slab.api.defaults import apply_defaults
from k8slab.api.kubeconfig import read_kubeconfig
from k8slab.api.validation import validate
from k8slab.cmd.cli import endpoint_host, flags
from k8slab.cmd.coredns import IMAGE as COREDNS_IMAGE
from k8slab.cmd.images import (
    APISERVER_IMAGE,
    CONTROLLER_MANAGER_IMAGE,
    ETCD_IMAGE,
    PROGRAMS,
    PROXY_IMAGE,
    SCHEDULER_IMAGE,
)
from k8slab.lab import kubeadm, pki
from k8slab.node.containerd import PAUSE_IMAGE
from k8slab.node.image_store import IMAGES
from k8slab.node.kubelet import MANIFESTS, NodeConfig
from k8slab.sim.host import Host
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network

CP = "cp-1"


def bare_host(name: str = CP, *others: str) -> Host:
    """A host, not started, in a fresh simulation (with `others` as more hosts on the network)."""
    network = Network(Simulation(1))
    host = network.add_host(name)
    for other in others:
        network.add_host(other)
    return host


def control_plane_config(name: str = CP) -> NodeConfig:
    return NodeConfig(
        name,
        "10.0.0.10",
        "10.244.0.0/24",
        # No node-role label: NodeRestriction forbids a kubelet to set it; kubeadm's
        # mark-control-plane phase adds it (Cluster does).
        taints=[kubeadm.CONTROL_PLANE_TAINT],
    )


def booted_control_plane() -> Host:
    """`kubeadm init` on a lone host, booted, given time for its static pods to come up."""
    host = bare_host()
    kubeadm.init_control_plane(host, "10.0.0.10")
    host.boot = kubeadm.node_boot(control_plane_config())
    host.start()
    host.sim.run(5)
    return host


# -- kubeadm init and join -------------------------------------------------------------------


def test_init_writes_the_four_static_pod_manifests() -> None:
    host = bare_host()
    kubeadm.init_control_plane(host, "10.0.0.10")
    manifests = host.disk[MANIFESTS]
    assert sorted(manifests) == ["etcd.yaml", "kube-apiserver.yaml",
                                 "kube-controller-manager.yaml", "kube-scheduler.yaml"]
    for filename, pod in manifests.items():
        name = filename.removesuffix(".yaml")
        validate(apply_defaults(pod))
        assert pod["metadata"] == {
            "name": name,
            "namespace": "kube-system",
            "labels": {"component": name, "tier": "control-plane"},
        }
        spec = pod["spec"]
        assert spec["hostNetwork"] is True
        assert spec["priorityClassName"] == "system-node-critical"
        assert spec["priority"] == kubeadm.SYSTEM_NODE_CRITICAL == 2_000_001_000
        assert [c["name"] for c in spec["containers"]] == [name]


def test_init_gives_each_component_its_image_flags_and_cpu_request() -> None:
    host = bare_host()
    kubeadm.init_control_plane(host, "10.0.0.10")
    containers = {f: m["spec"]["containers"][0] for f, m in host.disk[MANIFESTS].items()}
    etcd = containers["etcd.yaml"]
    assert etcd["image"] == ETCD_IMAGE
    assert flags(etcd)["name"] == CP
    assert flags(etcd)["listen-client-urls"] == "https://127.0.0.1:2379"
    apiserver = containers["kube-apiserver.yaml"]
    assert apiserver["image"] == APISERVER_IMAGE
    assert flags(apiserver)["advertise-address"] == "10.0.0.10"
    assert endpoint_host(flags(apiserver)["etcd-servers"], CP) == CP
    assert flags(apiserver)["secure-port"] == "6443"
    scheduler = containers["kube-scheduler.yaml"]
    assert scheduler["image"] == SCHEDULER_IMAGE
    assert flags(scheduler) == {"kubeconfig": kubeadm.SCHEDULER_CONF}
    manager = containers["kube-controller-manager.yaml"]
    assert manager["image"] == CONTROLLER_MANAGER_IMAGE
    # kubeadm's flags (reference i.3), sorted by name as kubeadm writes them.
    assert manager["command"][1:] == sorted(manager["command"][1:])
    assert flags(manager) == {
        "allocate-node-cidrs": "true",
        "authentication-kubeconfig": "/etc/kubernetes/controller-manager.conf",
        "authorization-kubeconfig": "/etc/kubernetes/controller-manager.conf",
        "bind-address": "127.0.0.1",
        "client-ca-file": "/etc/kubernetes/pki/ca.crt",
        "cluster-cidr": "10.244.0.0/16",
        "cluster-name": "kubernetes",
        "cluster-signing-cert-file": "/etc/kubernetes/pki/ca.crt",
        "cluster-signing-key-file": "/etc/kubernetes/pki/ca.key",
        "controllers": "*,bootstrapsigner,tokencleaner",
        "kubeconfig": "/etc/kubernetes/controller-manager.conf",
        "leader-elect": "true",
        "requestheader-client-ca-file": "/etc/kubernetes/pki/front-proxy-ca.crt",
        "root-ca-file": "/etc/kubernetes/pki/ca.crt",
        "service-account-private-key-file": "/etc/kubernetes/pki/sa.key",
        "service-cluster-ip-range": "10.96.0.0/12",
        "use-service-account-credentials": "true",
    }
    cpu = {f: c["resources"]["requests"]["cpu"] for f, c in containers.items()}
    assert cpu == {
        "etcd.yaml": "100m",
        "kube-apiserver.yaml": "250m",
        "kube-controller-manager.yaml": "200m",
        "kube-scheduler.yaml": "100m",
    }


def test_init_writes_kubeconfigs_pointing_at_its_own_api_server() -> None:
    host = bare_host()
    kubeadm.init_control_plane(host, "10.0.0.10")
    assert server_of(host, kubeadm.SCHEDULER_CONF) == f"https://{CP}:6443"
    assert server_of(host, kubeadm.CONTROLLER_MANAGER_CONF) == f"https://{CP}:6443"
    assert server_of(host, kubeadm.KUBELET_CONF) == f"https://{CP}:6443"


def test_init_pre_pulls_every_control_plane_image_and_installs_the_programs() -> None:
    host = bare_host()
    kubeadm.init_control_plane(host, "10.0.0.10")
    tags = [tag for stored in host.disk[IMAGES].values() for tag in stored.repo_tags]
    # `kubeadm config images pull` pulls the addons' images too: kube-proxy and CoreDNS
    assert tags == [PAUSE_IMAGE, ETCD_IMAGE, APISERVER_IMAGE, CONTROLLER_MANAGER_IMAGE,
                    SCHEDULER_IMAGE, PROXY_IMAGE, COREDNS_IMAGE]
    for pod in host.disk[MANIFESTS].values():
        assert pod["spec"]["containers"][0]["image"] in tags
    assert host.programs == PROGRAMS


def test_an_ha_control_plane_host_points_its_kubelet_at_the_endpoint_and_joins_etcd() -> None:
    host = bare_host("cp-2")
    kubeadm.init_control_plane(
        host, "10.0.0.11", endpoint="lb", etcd_members=["cp-1", "cp-2", "cp-3"]
    )
    assert server_of(host, kubeadm.KUBELET_CONF) == "https://lb:6443"
    # The scheduler uses its local API server (kubeadm's LocalAPIEndpoint).
    assert server_of(host, kubeadm.SCHEDULER_CONF) == "https://cp-2:6443"
    etcd = flags(host.disk[MANIFESTS]["etcd.yaml"]["spec"]["containers"][0])
    assert etcd["name"] == "cp-2"
    assert etcd["listen-peer-urls"] == "https://cp-2:2380"
    assert etcd["initial-cluster"] == (
        "cp-1=https://cp-1:2380,cp-2=https://cp-2:2380,cp-3=https://cp-3:2380"
    )
    apiserver = flags(host.disk[MANIFESTS]["kube-apiserver.yaml"]["spec"]["containers"][0])
    assert apiserver["advertise-address"] == "10.0.0.11"
    assert endpoint_host(apiserver["etcd-servers"], "cp-2") == "cp-2"


def test_a_lone_control_plane_is_its_own_etcd_cluster() -> None:
    host = bare_host()
    kubeadm.init_control_plane(host, "10.0.0.10")
    etcd = flags(host.disk[MANIFESTS]["etcd.yaml"]["spec"]["containers"][0])
    assert etcd["initial-cluster"] == f"{CP}=https://{CP}:2380"


def test_the_load_balancer_host_boots_haproxy_in_front_of_the_api_servers() -> None:
    host = bare_host("lb", "cp-1", "cp-2", "cp-3")
    host.boot = kubeadm.load_balancer_boot(["cp-1", "cp-2", "cp-3"])
    host.start()
    balancer = host.memory["haproxy"]
    assert balancer.backends == ["cp-1", "cp-2", "cp-3"]
    assert host.server_on(6443) is balancer


def test_join_points_the_kubelet_at_the_api_server() -> None:
    host = bare_host("worker-1")
    kubeadm.join_worker(host, "control-plane")
    assert server_of(host, kubeadm.KUBELET_CONF) == "https://control-plane:6443"
    # the CA, the kubelet's and the add-ons' kubeconfigs, and the pause image
    assert sorted(host.disk) == sorted([kubeadm.KUBELET_CONF, IMAGES, pki.CA_CERT,
                                        *pki.ADDON_IDENTITIES])
    # what the images run, so the kube-proxy and CoreDNS pods the node is given can start
    assert host.programs == PROGRAMS


# -- booting -----------------------------------------------------------------------------------


def test_a_joined_node_boots_containerd_and_a_kubelet_that_calls_its_api_server() -> None:
    host = bare_host("worker-1", "control-plane")
    kubeadm.join_worker(host, "control-plane")
    config = NodeConfig("worker-1", "10.0.0.21", "10.244.1.0/24")
    host.boot = kubeadm.node_boot(config)
    host.start()
    # The node's kernel state comes up with its network: conntrack and its addresses.
    assert sorted(host.memory) == ["conntrack", "containerd", "kubelet", "node-addresses",
                                   "pod_network", "runc"]
    kubelet = host.memory["kubelet"]
    assert kubelet.client.server == "control-plane"
    assert kubelet.containerd is host.memory["containerd"]
    assert kubelet.containerd.shim_binary.runc is host.memory["runc"]
    assert kubelet.config is config
    starts = host.sim.trace.where(component="kubelet", kind="start")
    assert [(rec.host, rec.obj) for rec in starts] == [("worker-1", "node/worker-1")]


def test_a_control_plane_host_boots_its_static_pods_without_pulling_anything() -> None:
    host = booted_control_plane()
    kubelet = host.memory["kubelet"]
    assert kubelet.status().settled
    assert host.memory["etcd"].name == CP
    assert host.memory["kube-apiserver"].storage.etcd.endpoint == CP
    assert host.memory["kube-scheduler"].client.server == CP
    assert host.memory["kube-controller-manager"].client.server == CP
    # kubeadm pre-pulled the images, so the kubelet finds each present and pulls nothing.
    assert not host.sim.trace.where(component="containerd", kind="PullImage")
    pulled = host.sim.trace.where(component="kubelet", kind="Pulled")
    assert [rec.details["message"] for rec in pulled] == [
        f'Container image "{image}" already present on machine and can be accessed by the pod'
        for image in (ETCD_IMAGE, APISERVER_IMAGE, CONTROLLER_MANAGER_IMAGE, SCHEDULER_IMAGE)]


def test_a_control_plane_host_boots_again_from_its_disk_after_a_crash() -> None:
    host = booted_control_plane()
    first = host.memory["kube-apiserver"]
    host.network.crash(CP)
    assert host.memory == {}
    host.network.restart(CP)
    host.sim.run(10)
    assert host.memory["kubelet"].status().settled
    assert host.memory["kube-apiserver"] is not first
    running = sorted(
        c.bundle["image"] for c in host.memory["runc"].containers.values() if c.status == "running"
    )
    assert running == sorted([PAUSE_IMAGE] * 4 + [ETCD_IMAGE, APISERVER_IMAGE,
                                                CONTROLLER_MANAGER_IMAGE, SCHEDULER_IMAGE])


def server_of(host, path: str) -> str:
    """The server URL of the kubeconfig kubeadm wrote at `path`."""
    return read_kubeconfig(host.disk[path])[0]

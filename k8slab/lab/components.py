"""Where the lab finds the components running on a host, and the read-only views it reads them by.

This is the one module of the lab that looks a running process up on a host; the facade, the
plots and the widgets ask it, and each answer is a snapshot (or None while the host or the
process is down), as `etcdctl endpoint status`, `runc list` or HAProxy's stats would report it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from k8slab.lab.crictl import CrictlView

if TYPE_CHECKING:
    from k8slab.api.kinds import Kind
    from k8slab.apiserver.loadbalancer import ServerStats
    from k8slab.controllers.manager import ControllerManagerView
    from k8slab.etcd.status import MemberStatus
    from k8slab.node.container_state import ContainerState
    from k8slab.node.cri import ContainerStats
    from k8slab.node.kubelet_status import KubeletStatus
    from k8slab.node.process import Filesystem, NetNamespace
    from k8slab.raft.node import RaftNode
    from k8slab.scheduler.framework.diagnosis import Decision
    from k8slab.scheduler.view import SchedulerView
    from k8slab.sim.network import Network


def _running(network: Network, host: str, component: str) -> Any | None:
    # A component lives in its host's memory from its start until the host crashes.
    machine = network.host(host)
    return machine.memory.get(component) if machine.up else None


# What the node's kernel holds in memory beside the components: the rules kube-proxy wrote,
# conntrack's table, the next ephemeral port, the node's addresses.
KERNEL_STATE = ("conntrack", "ephemeral-port", "iptables", "ipvs", "nftables", "node-addresses")


def running_on(network: Network, host: str) -> tuple[str, ...]:
    """The names of the components running on `host` ("kubelet", "etcd"...), none while down."""
    machine = network.host(host)
    return tuple(k for k in machine.memory if k not in KERNEL_STATE) if machine.up else ()


def etcd_status(network: Network, host: str) -> MemberStatus | None:
    """`etcdctl endpoint status` of the etcd member on `host`, with its Raft status."""
    member = _running(network, host, "etcd")
    return member.status() if member is not None else None


def raft_nodes(network: Network, hosts: Sequence[str]) -> list[RaftNode]:
    """The live Raft nodes of the etcd members running on `hosts`: for the Raft safety checker
    only, which follows every step of every node (a snapshot per event would copy every log)."""
    members = (_running(network, host, "etcd") for host in hosts)
    return [member.raft for member in members if member is not None]


def cached_list(network: Network, host: str, resource: str) -> tuple[list[dict], str] | None:
    """What the kube-apiserver on `host` answers a list of `resource` at resourceVersion "0"
    (its watch cache), read without simulated time; None while it is down or still filling."""
    server = _running(network, host, "kube-apiserver")
    return server.cached_list(resource) if server is not None else None


def kubelet_status(network: Network, host: str) -> KubeletStatus | None:
    """What the kubelet on `host` reports: registered, Lease held, static and running pods."""
    kubelet = _running(network, host, "kubelet")
    return kubelet.status() if kubelet is not None else None


def containers(network: Network, host: str) -> tuple[ContainerState, ...]:
    """`runc list` on `host`: every container runc knows there; none while the host is down."""
    runc = _running(network, host, "runc")
    return runc.list() if runc is not None else ()


def crictl_view(network: Network, host: str,
                previous: tuple[ContainerStats, ...] = (), interval: float = 1.0
                ) -> CrictlView | None:
    """What crictl sees on `host` through containerd's CRI (sandboxes, containers, images,
    stats, each container's log file); None while the host is down."""
    containerd = _running(network, host, "containerd")
    if containerd is None:
        return None
    containers = tuple(containerd.list_containers())
    disk = network.host(host).disk
    return CrictlView(
        now=network.sim.now, sandboxes=tuple(containerd.list_pod_sandbox_info()),
        containers=containers, images=tuple(containerd.list_images()),
        stats=container_stats(network, host), previous_stats=previous, interval=interval,
        logs={c.id: list(disk.get(c.log_path, [])) for c in containers if c.log_path})


def container_stats(network: Network, host: str) -> tuple[ContainerStats, ...]:
    """CRI ListContainerStats on `host`: each running container's cgroup counters."""
    containerd = _running(network, host, "containerd")
    if containerd is None:
        return ()
    return tuple(containerd.container_stats(c.id) for c in containerd.list_containers()
                 if c.state == "CONTAINER_RUNNING")


def load_balancer_stats(network: Network, host: str) -> tuple[ServerStats, ...] | None:
    """HAProxy's stats on `host`: a row per API server behind it, with its health."""
    balancer = _running(network, host, "haproxy")
    return balancer.stats() if balancer is not None else None


def scheduler_view(network: Network, host: str) -> SchedulerView | None:
    """The kube-scheduler on `host`: whether it leads, its profiles, the nodes it sees."""
    scheduler = _running(network, host, "kube-scheduler")
    return scheduler.view() if scheduler is not None else None


def controller_manager_view(network: Network, host: str) -> ControllerManagerView | None:
    """The kube-controller-manager on `host`: whether it leads, the controllers it runs."""
    manager = _running(network, host, "kube-controller-manager")
    return manager.view() if manager is not None else None


def what_if(network: Network, host: str, pod: dict) -> Decision | None:
    """The decision the kube-scheduler on `host` would make for `pod` now, binding nothing and
    changing nothing; None while no scheduler runs there."""
    scheduler = _running(network, host, "kube-scheduler")
    return scheduler.what_if(pod) if scheduler is not None else None


def proxy_syncs(network: Network, host: str) -> int:
    """How many times kube-proxy on `host` has synced its rules (0 when it is not running)."""
    proxier = _running(network, host, "kube-proxy")
    return len(proxier.syncs) if proxier is not None else 0


def kube_proxy_mode(network: Network, host: str) -> str | None:
    """The mode kube-proxy on `host` runs in (iptables, ipvs, nftables); None when there is no
    kube-proxy there (not installed yet, or the host is down)."""
    proxier = _running(network, host, "kube-proxy")
    return proxier.config.mode if proxier is not None else None


def kernel_rules(network: Network, host: str, mode: str) -> Any | None:
    """The table kube-proxy's last sync wrote into `host`'s kernel for `mode` (the nat table,
    the ipvs virtual servers, the nftables table), or None."""
    return _running(network, host, mode)


def pod_routes(network: Network, host: str) -> str | None:
    """`host`'s routes to pods as `ip route` prints them; None while its network is down."""
    pod_network = _running(network, host, "pod_network")
    return pod_network.ip_route() if pod_network is not None else None


def node_address(network: Network, host: str) -> str | None:
    """`host`'s own address on the LAN, where a NodePort answers; None while its network is
    down."""
    pod_network = _running(network, host, "pod_network")
    return pod_network.host_net.node_ip if pod_network is not None else None


def pod_namespace(network: Network, host: str, pod_ref: str
                  ) -> tuple[NetNamespace, Filesystem] | None:
    """A running pod's network namespace on `host` and its first container's files (its
    /etc/resolv.conf and /etc/hosts), what a process exec'd into the pod uses (`pod_ref` as
    `pod/<namespace>/<name>`); None if it has none."""
    containerd, runc = _running(network, host, "containerd"), _running(network, host, "runc")
    if containerd is None or runc is None:
        return None
    for sandbox in containerd.list_pod_sandboxes():
        if sandbox.pod != pod_ref or sandbox.netns is None or sandbox.state != "SANDBOX_READY":
            continue
        files = [runc.containers[c].fs for c in sandbox.containers if c in runc.containers]
        return (sandbox.netns, files[0]) if files else None
    return None
    for sandbox in containerd.list_pod_sandboxes():
        if sandbox.pod != pod_ref or sandbox.netns is None or sandbox.state != "SANDBOX_READY":
            continue
        files = [runc.containers[c].fs for c in sandbox.containers if c in runc.containers]
        resolv = next((text for fs in files if (text := fs.read("/etc/resolv.conf"))), "")
        return sandbox.netns, resolv
    return None


def custom_kinds(network: Network, host: str) -> tuple[Kind, ...]:
    """The custom kinds the kube-apiserver on `host` serves (its Established CRDs), read
    without simulated time; none while it is down."""
    server = _running(network, host, "kube-apiserver")
    return server.crds.kinds if server is not None else ()


def custom_resource_definitions(network: Network, host: str) -> tuple[dict, ...]:
    """The CustomResourceDefinitions the kube-apiserver on `host` holds, by name (its watch
    cache's objects: read them, never change them); none while it is down."""
    server = _running(network, host, "kube-apiserver")
    if server is None:
        return ()
    return tuple(server.crds.definitions[name] for name in sorted(server.crds.definitions))

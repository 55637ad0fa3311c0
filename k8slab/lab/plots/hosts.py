"""What the pictures read of each host: the services and containers it runs now, and which hosts
are workers (neither a control-plane host nor the load balancer in front of them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from k8slab.errors import UnavailableError
from k8slab.lab import components

if TYPE_CHECKING:

    from k8slab.lab.cluster import Cluster

NODE_SERVICES = ("kubelet", "containerd")
CONTROL_PLANE_PODS = ("etcd", "kube-apiserver", "kube-scheduler", "kube-controller-manager")


@dataclass
class HostView:
    """What one host runs right now: its running components, and its pods from `runc list`."""

    name: str
    up: bool
    services: list[str] = field(default_factory=list)
    control: list[str] = field(default_factory=list)
    pods: list[str] = field(default_factory=list)


def host_view(cluster: Cluster, name: str) -> HostView:
    """What host `name` runs now: its node services, control-plane static pods and other pods."""
    running = components.running_on(cluster.network, name)
    control = [c for c in CONTROL_PLANE_PODS if c in running]
    pods = []
    for container in cluster.containers(name):
        if not container["pod"]:
            continue
        _, namespace, pod = container["pod"].split("/", 2)
        # the pod's name alone: a box 10 characters wide showed "kube-syst…" for every addon
        static = namespace == "kube-system" and pod.removesuffix(f"-{name}") in control
        if not static and pod not in pods:
            pods.append(pod)
    return HostView(name, cluster.host_is_up(name), [s for s in NODE_SERVICES if s in running],
                    control, sorted(pods, key=natural))


def worker_names(cluster: Cluster) -> list[str]:
    """Every host that is neither a control-plane host nor the load balancer in front of them."""
    return [name for name in cluster.hosts
            if name not in cluster.control_planes and name != cluster.endpoint]


def natural(name: str) -> list:
    """Sort key that puts web-2 before web-10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def pods_and_nodes(cluster: Cluster) -> tuple[list[dict], list[dict]]:
    """Every pod and every node, as the first control plane's API server holds them now.

    Read from its watch cache (what a list at resourceVersion "0" answers), so reading takes no
    simulated time, and a panel's chart and its status line describe the same instant. Raises
    UnavailableError when no API server is up with its cache filled.
    """
    for host in cluster.control_planes:
        pods = components.cached_list(cluster.network, host, "pods")
        nodes = components.cached_list(cluster.network, host, "nodes")
        if pods is not None and nodes is not None:
            return pods[0], nodes[0]
    raise UnavailableError("no API server is up with its watch cache filled: "
                                  "the control plane is down")

"""The Node object the kubelet registers and then reports every 10 s: its capacity, what is
allocatable, its conditions, addresses and system info (upstream's kubelet_node_status.go and
the nodestatus setters). The kubelet owns the when; this module the what.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from k8slab.api.timestamps import to_time
from k8slab.api.version import VERSION
from k8slab.node.allocatable import as_quantities, node_allocatable
from k8slab.node.cri import ImageInfo
from k8slab.node.image_catalogue import split

# Default evictionHard memory.available<100Mi is held back from allocatable memory.
EVICTION_HARD_MEMORY = 100 * 1024 * 1024
MAX_IMAGES = 50  # nodeStatusMaxImages (kubelet config v1beta1 defaults)


@dataclass
class NodeConfig:
    """What the kubelet is started with: its node's name, addresses and machine size."""

    name: str
    ip: str
    pod_cidr: str
    cpu: str = "4"
    memory: str = "16Gi"
    max_pods: int = 110
    labels: dict = field(default_factory=dict)
    taints: list = field(default_factory=list)


def node_images(images: list[ImageInfo]) -> list[dict]:
    """status.images: the node's images, largest first, at most 50 (kubelet's
    nodeStatusMaxImages; setters.go Images), each with its names and size."""
    ordered = sorted(images, key=lambda i: -i.size)[:MAX_IMAGES]
    return [{"names": [f"{split(tag)[0]}@{i.id}" for tag in i.repo_tags[:1]] + list(i.repo_tags),
             "sizeBytes": i.size} for i in ordered]


def node_object(c: NodeConfig, now: float, transitions: dict[str, tuple[str, str]],
                runtime_version: str, images: list[ImageInfo] | None = None,
                pressure: list[str] | None = None) -> dict:
    """The Node as the kubelet registers and reports it: capacity, allocatable (capacity less
    the hard eviction threshold), conditions, addresses and system info (`runtime_version` is
    what the CRI runtime says it is)."""
    capacity = {"cpu": c.cpu, "memory": c.memory, "pods": str(c.max_pods)}
    allocatable = {**capacity, **as_quantities(
        {k: v for k, v in node_allocatable(capacity).items() if k != "pods"})}
    labels = {
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": c.name,
        "kubernetes.io/os": "linux",
        **c.labels,
    }
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": c.name, "labels": labels},
        "spec": {"podCIDR": c.pod_cidr, "podCIDRs": [c.pod_cidr], "taints": list(c.taints)},
        "status": {
            "capacity": capacity,
            "allocatable": allocatable,
            "conditions": conditions_since(node_conditions(now, pressure or []), transitions),
            "images": node_images(images or []),
            "addresses": [
                {"type": "InternalIP", "address": c.ip},
                {"type": "Hostname", "address": c.name},
            ],
            # NodeSystemInfo's fields have no omitempty, so a real kubelet always sends all
            # ten (the official clients require them). The model has no machine identity:
            # machineID, systemUUID and bootID (read from /etc/machine-id, the DMI product
            # UUID and /proc's boot_id upstream) stay empty. kubeProxyVersion is deprecated and
            # the kubelet sends "" since v1.33 (KEP-4004).
            "nodeInfo": {
                "machineID": "",
                "systemUUID": "",
                "bootID": "",
                "kubeletVersion": VERSION,
                "kubeProxyVersion": "",
                "containerRuntimeVersion": runtime_version,
                "osImage": "Ubuntu 24.04.1 LTS",
                "kernelVersion": "6.8.0-49-generic",
                "operatingSystem": "linux",
                "architecture": "amd64",
            },
        },
    }

def conditions_since(conditions: list[dict],
                     transitions: dict[str, tuple[str, str]]) -> list[dict]:
    """Keep each condition's lastTransitionTime while its status stays the same (upstream's
    nodestatus setters); only lastHeartbeatTime moves on every report."""
    for condition in conditions:
        status, since = transitions.get(condition["type"], (None, None))
        if status == condition["status"]:
            condition["lastTransitionTime"] = since
        else:
            transitions[condition["type"]] = (
                condition["status"], condition["lastTransitionTime"])
    return conditions


def node_conditions(now: float, pressure: list[str] | None = None) -> list[dict]:
    """The conditions the kubelet reports: memory, disk and PID pressure (True for those in
    `pressure`, as the eviction manager found them), and Ready (nodestatus setters.go)."""
    t = to_time(now)
    under = set(pressure or [])
    pressure_conditions = [
        {
            "type": kind,
            "status": "True" if kind in under else "False",
            "reason": f"KubeletHas{bad if kind in under else good}",
            "message": f"kubelet has {bad_text if kind in under else good_text}",
            "lastHeartbeatTime": t,
            "lastTransitionTime": t,
        }
        for kind, good, good_text, bad, bad_text in (
            ("MemoryPressure", "SufficientMemory", "sufficient memory available",
             "InsufficientMemory", "insufficient memory available"),
            ("DiskPressure", "NoDiskPressure", "no disk pressure",
             "DiskPressure", "disk pressure"),
            ("PIDPressure", "SufficientPID", "sufficient PID available",
             "InsufficientPID", "insufficient PID available"),
        )
    ]
    ready = {
        "type": "Ready",
        "status": "True",
        "reason": "KubeletReady",
        "message": "kubelet is posting ready status",
        "lastHeartbeatTime": t,
        "lastTransitionTime": t,
    }
    return [*pressure_conditions, ready]


def comparable(status: dict) -> dict:
    """A node status without its timestamps, to tell whether anything really changed."""
    times = ("lastHeartbeatTime", "lastTransitionTime")
    conditions = [
        {k: v for k, v in c.items() if k not in times} for c in status.get("conditions", [])
    ]
    return dict(status, conditions=conditions)

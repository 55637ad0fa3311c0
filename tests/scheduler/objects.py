"""Objects the scheduler's loop tests feed it: pods and nodes, and the default profile's plugins."""

from __future__ import annotations

PLUGINS = (
    "PrioritySort",
    "NodeUnschedulable",
    "NodeName",
    "TaintToleration",
    "NodeAffinity",
    "NodePorts",
    "NodeResourcesFit",
    "PodTopologySpread",
    "InterPodAffinity",
    "DefaultPreemption",
    "NodeResourcesBalancedAllocation",
    "ImageLocality",
    "DefaultBinder",
)


def pod(name: str, cpu: str = "100m", **spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "containers": [
                {"name": "app", "image": "nginx:1.27", "resources": {"requests": {"cpu": cpu}}}
            ],
            **spec,
        },
    }


def node(name: str, cpu: str = "4", taints: list | None = None) -> dict:
    """A Node with no kubelet behind it: just the object, with its capacity."""
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name},
        "spec": {"taints": taints or []},
        "status": {"capacity": {"cpu": cpu, "memory": "8Gi", "pods": "110"}},
    }




def priority_class(value: int, name: str = "") -> dict:
    """A PriorityClass a Cluster test names in priorityClassName; the Priority admission plugin
    turns it into the pod's spec.priority (a pod may not state a priority itself)."""
    return {
        "apiVersion": "scheduling.k8s.io/v1",
        "kind": "PriorityClass",
        "metadata": {"name": name or f"priority{value}"},
        "value": value,
    }

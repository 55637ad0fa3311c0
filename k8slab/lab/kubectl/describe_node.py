"""`kubectl describe node`: what the node is, what its kubelet reports, what runs on it and how
much of it is promised, in kubectl v1.35's layout (pkg/describe/describe.go describeNode,
describeNodeLease, describeNodeResource, printNodeTaintsMultiline).

The text is built from what the describer fetched: the Node, its Lease in kube-node-lease (or
the error getting it), the node's non-terminated pods, and the events about it.
"""

from __future__ import annotations

from k8slab.api.amounts import ZERO, Amount, pod_totals, resource_list
from k8slab.lab.kubectl.describe_quantities import node_totals, percent
from k8slab.lab.kubectl.describe_text import (
    DescribeWriter,
    annotations_block,
    events_section,
    labels_block,
    rfc1123z,
)
from k8slab.lab.kubectl.durations import age
from k8slab.lab.kubectl.printers import node_roles

UNSET = "<unset>"
# kubectl pkg/util/resource IsStandardContainerResourceName, plus pods: no extended-resource row.
_STANDARD = ("cpu", "memory", "ephemeral-storage", "pods")
_SYSTEM_INFO = (
    ("Machine ID", "machineID"), ("System UUID", "systemUUID"), ("Boot ID", "bootID"),
    ("Kernel Version", "kernelVersion"), ("OS Image", "osImage"),
    ("Operating System", "operatingSystem"), ("Architecture", "architecture"),
    ("Container Runtime Version", "containerRuntimeVersion"),
    ("Kubelet Version", "kubeletVersion"),
)


def describe_node(node: dict, lease: dict | str, pods: list[dict], events: list[dict],
                  now: float) -> str:
    """The text of `kubectl describe node NAME`; `lease` is the Lease, or the error text
    kubectl got asking for it; `pods` are the node's pods that have not terminated."""
    metadata, spec = node.get("metadata", {}), node.get("spec", {})
    status = node.get("status", {})
    w = DescribeWriter()
    w.write(0, f"Name:\t{metadata.get('name', '')}\n")
    w.write(0, f"Roles:\t{','.join(node_roles(node)) or '<none>'}\n")
    labels_block(w, "Labels", metadata.get("labels"))
    annotations_block(w, "Annotations", metadata.get("annotations"))
    created = rfc1123z(metadata.get("creationTimestamp"), "metadata.creationTimestamp")
    w.write(0, f"CreationTimestamp:\t{created}\n")
    _taints(w, spec.get("taints") or [])
    w.write(0, f"Unschedulable:\t{'true' if spec.get('unschedulable') else 'false'}\n")
    _lease(w, lease)
    _conditions(w, status.get("conditions") or [])
    w.write(0, "Addresses:\n")
    for address in status.get("addresses") or []:
        w.write(1, f"{address.get('type', '')}:\t{address.get('address', '')}\n")
    for title, field in (("Capacity", "capacity"), ("Allocatable", "allocatable")):
        if status.get(field):
            w.write(0, f"{title}:\n")
            for name, quantity in sorted(resource_list(status[field], f"status.{field}").items()):
                w.write(0, f"  {name}:\t{quantity}\n")
    info = status.get("nodeInfo") or {}
    w.write(0, "System Info:\n")
    for title, field in _SYSTEM_INFO:
        w.write(0, f"  {title}:\t{info.get(field, '')}\n")
    if spec.get("podCIDR"):
        w.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        w.write(0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    if spec.get("providerID"):
        w.write(0, f"ProviderID:\t{spec['providerID']}\n")
    _pods_and_allocated(w, node, pods, now)
    events_section(w, events, now)
    return w.text()


def _taints(w: DescribeWriter, taints: list[dict]) -> None:
    """`Taints:  key=value:Effect`, sorted by effect then key; `<none>` when there are none."""
    w.write(0, "Taints:\t")
    if not taints:
        w.write(0, "<none>\n")
        return
    ordered = sorted(taints, key=lambda t: f"{t.get('effect', '')},{t.get('key', '')}")
    for index, taint in enumerate(ordered):
        if index:
            w.write(0, "\t")
        value = f"={taint['value']}" if taint.get("value") else ""
        w.write(0, f"{taint.get('key', '')}{value}:{taint.get('effect', '')}\n")


def _lease(w: DescribeWriter, lease: dict | str) -> None:
    """describeNodeLease: who holds the node's heartbeat Lease and when it was last renewed."""
    if isinstance(lease, str):
        w.write(0, f"Lease:\tFailed to get lease: {lease}\n")
        return
    spec = lease.get("spec") or {}
    w.write(0, "Lease:\n")
    w.write(1, f"HolderIdentity:\t{spec.get('holderIdentity') or UNSET}\n")
    for title, field in (("AcquireTime", "acquireTime"), ("RenewTime", "renewTime")):
        shown = rfc1123z(spec[field], f"lease spec.{field}") if spec.get(field) else UNSET
        w.write(1, f"{title}:\t{shown}\n")


def _conditions(w: DescribeWriter, conditions: list[dict]) -> None:
    if not conditions:
        return
    w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason"
               "\tMessage\n")
    w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
    for c in conditions:
        beat = rfc1123z(c.get("lastHeartbeatTime"), "lastHeartbeatTime")
        moved = rfc1123z(c.get("lastTransitionTime"), "lastTransitionTime")
        w.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \t{beat} \t{moved} "
                   f"\t{c.get('reason', '')} \t{c.get('message', '')}\n")


def _pods_and_allocated(w: DescribeWriter, node: dict, pods: list[dict], now: float) -> None:
    """describeNodeResource: each pod's cpu and memory requests and limits with the percent of
    allocatable they take, then the node's totals ("Allocated resources")."""
    status = node.get("status") or {}
    allocatable = resource_list(status.get("allocatable") or status.get("capacity"),
                                "status.allocatable")
    cpu, memory = allocatable.get("cpu", ZERO), allocatable.get("memory", ZERO)
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits"
               "\tAge\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------"
               "\t---\n")
    for pod in pods:
        requests, limits = pod_totals(pod, "requests"), pod_totals(pod, "limits")
        metadata = pod.get("metadata", {})
        cells = [
            _share(requests.get("cpu", ZERO), cpu, "cpu"),
            _share(limits.get("cpu", ZERO), cpu, "cpu"),
            _share(requests.get("memory", ZERO), memory, "memory"),
            _share(limits.get("memory", ZERO), memory, "memory"),
        ]
        created = age(metadata.get("creationTimestamp"), now, "metadata.creationTimestamp")
        w.write(1, f"{metadata.get('namespace', '')}\t{metadata.get('name', '')}\t\t"
                   f"{chr(9).join(cells)}\t{created}\n")
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., "
               "overcommitted.)\n")
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    requests, limits = node_totals(pods, "requests"), node_totals(pods, "limits")
    hugepages = sorted(name for name in allocatable if name.startswith("hugepages-"))
    for name in ("cpu", "memory", "ephemeral-storage", *hugepages):
        whole = allocatable.get(name, ZERO)
        w.write(1, f"{name}\t{_share(requests.get(name, ZERO), whole, name)}"
                   f"\t{_share(limits.get(name, ZERO), whole, name)}\n")
    extended = sorted(name for name in allocatable
                      if name not in _STANDARD and not name.startswith("hugepages-"))
    for name in extended:
        w.write(1, f"{name}\t{requests.get(name, ZERO)}\t{limits.get(name, ZERO)}\n")


def _share(part: Amount, whole: Amount, resource: str) -> str:
    """`250m (6%)`: the quantity and the whole percent of allocatable it is."""
    return f"{part} ({percent(part, whole, resource)}%)"

"""Running pods per worker node, and CPU requested against what each node can allocate.

Read through the API server, as kubectl would: what the cluster believes, not what runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from k8slab.api.resources import node_allocatable, pod_requests
from k8slab.errors import APIError
from k8slab.lab.plots.hosts import worker_names
from k8slab.lab.plots.shapes import COLOURS
from k8slab.lab.plots.style import api_trouble, pyplot

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from k8slab.lab.cluster import Cluster

TERMINATED_PHASES = ("Succeeded", "Failed")


def pods_per_node(cluster: Cluster) -> Figure:
    """Running pods per worker node, and CPU requested against what each node can allocate.

    Read through the API server, as kubectl would: what the cluster believes, not what runs.
    """
    plt = pyplot()
    try:
        pods, nodes = cluster.list("pods"), cluster.list("nodes")
    except APIError as error:
        fig, ax = plt.subplots(figsize=(11, 4))
        ax.set_axis_off()
        ax.set_title(f"{api_trouble(error)} at t = {cluster.now:.1f} s: nothing to count",
                     fontsize=11)
        ax.text(0.5, 0.5, str(error), ha="center", va="center", fontsize=8, wrap=True,
                transform=ax.transAxes)
        plt.close(fig)
        return fig
    workers = worker_names(cluster)
    running = {name: 0 for name in workers}
    requested = {name: 0 for name in workers}
    for pod in pods:
        node = (pod.get("spec") or {}).get("nodeName")
        phase = (pod.get("status") or {}).get("phase")
        if node in running and phase == "Running":
            running[node] += 1
        if node in requested and phase not in TERMINATED_PHASES:
            requested[node] += pod_requests(pod)["cpu"]
    allocatable = {name: 0 for name in workers}
    for node in nodes:
        if node["metadata"]["name"] in allocatable:
            allocatable[node["metadata"]["name"]] = node_allocatable(node)["cpu"]
    down = [not cluster.host_is_up(name) for name in workers]
    labels = [name if cluster.host_is_up(name) else f"{name}\n(down)" for name in workers]

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    fig.suptitle(f"Pods per worker node at t = {cluster.now:.1f} s", fontsize=11)
    positions = list(range(len(workers)))
    bars = left.bar(positions, [running[name] for name in workers], width=0.6,
                    color=[COLOURS["down"] if d else "#4c9a5b" for d in down],
                    edgecolor="#333333")
    for bar, is_down in zip(bars, down, strict=True):
        if is_down:
            bar.set_hatch("//")
    left.bar_label(bars, fontsize=8)
    left.set_title("running pods (as the API server reports them)", fontsize=9)
    left.set_ylabel("pods")
    left.set_ylim(0, max([1, *running.values()]) * 1.2)
    left.yaxis.get_major_locator().set_params(integer=True)

    width = 0.38
    right.bar([p - width / 2 for p in positions], [requested[n] for n in workers], width,
              label="requested", color="#e07b39", edgecolor="#333333")
    right.bar([p + width / 2 for p in positions], [allocatable[n] for n in workers], width,
              label="allocatable", color="#cfd8e3", edgecolor="#333333")
    right.set_title("CPU requested vs allocatable", fontsize=9)
    right.set_ylabel("millicores")
    right.legend(fontsize=8, loc="upper right")
    right.set_ylim(0, max([1000, *allocatable.values(), *requested.values()]) * 1.25)
    for ax in (left, right):
        ax.set_xticks(positions, labels, fontsize=8)
        ax.set_xlim(-0.6, max(len(workers), 1) - 0.4)
    fig.tight_layout()
    plt.close(fig)
    return fig

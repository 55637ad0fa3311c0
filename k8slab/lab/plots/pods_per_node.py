"""Running pods per worker node, and CPU requested against what each node can allocate.

Read through the API server, as kubectl would: what the cluster believes, not what runs. The rows
are read once; the notebook's matplotlib figure and the panel's SVG chart both draw those rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from k8slab.api.resources import node_allocatable, pod_requests
from k8slab.errors import APIError
from k8slab.lab.plots.hosts import worker_names
from k8slab.lab.plots.shapes import COLOURS
from k8slab.lab.plots.style import api_trouble, pyplot
from k8slab.lab.plots.svg import MUTED, TITLE_PX, Key, Svg, nice_ticks, value_axis

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from k8slab.lab.cluster import Cluster

TERMINATED_PHASES = ("Succeeded", "Failed")
RUNNING_COLOUR, REQUESTED_COLOUR, ALLOCATABLE_COLOUR = "#4c9a5b", "#e07b39", "#cfd8e3"
KEYS = (Key("running pods", RUNNING_COLOUR), Key("host down", COLOURS["down"], hatched=True),
        Key("CPU requested", REQUESTED_COLOUR), Key("CPU allocatable", ALLOCATABLE_COLOUR))


@dataclass(frozen=True)
class WorkerRow:
    """One worker as the API server reports it: pods Running there, CPU requested by the pods bound
    to it and not finished, and its allocatable CPU (millicores); `up` is whether the host runs."""

    node: str
    up: bool
    running: int
    requested: int
    allocatable: int


def worker_rows(cluster: Cluster, pods: list[dict], nodes: list[dict]) -> list[WorkerRow]:
    """A row per worker, from one list of pods and one of nodes (control-plane hosts left out)."""
    workers = worker_names(cluster)
    running = dict.fromkeys(workers, 0)
    requested = dict.fromkeys(workers, 0)
    for pod in pods:
        node = (pod.get("spec") or {}).get("nodeName")
        phase = (pod.get("status") or {}).get("phase")
        if node in running and phase == "Running":
            running[node] += 1
        if node in requested and phase not in TERMINATED_PHASES:
            requested[node] += pod_requests(pod)["cpu"]
    allocatable = dict.fromkeys(workers, 0)
    for node in nodes:
        if node["metadata"]["name"] in allocatable:
            allocatable[node["metadata"]["name"]] = node_allocatable(node)["cpu"]
    return [WorkerRow(name, cluster.host_is_up(name), running[name], requested[name],
                      allocatable[name]) for name in workers]


def pods_per_node(cluster: Cluster) -> Figure:
    """Running pods per worker node, and CPU requested against what each node can allocate.

    Read through the API server, as kubectl would: what the cluster believes, not what runs.
    """
    plt = pyplot()
    try:
        rows = worker_rows(cluster, cluster.list("pods"), cluster.list("nodes"))
    except APIError as error:
        fig, ax = plt.subplots(figsize=(8.4, 4))
        ax.set_axis_off()
        ax.set_title(f"{api_trouble(error)} at t = {cluster.now:.1f} s: nothing to count",
                     fontsize=11)
        ax.text(0.5, 0.5, str(error), ha="center", va="center", fontsize=9, wrap=True,
                transform=ax.transAxes)
        plt.close(fig)
        return fig
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.4, 4))
    fig.suptitle(f"Pods per worker node at t = {cluster.now:.1f} s", fontsize=11)
    positions = list(range(len(rows)))
    bars = left.bar(positions, [row.running for row in rows], width=0.6,
                    color=[RUNNING_COLOUR if row.up else COLOURS["down"] for row in rows],
                    edgecolor="#333333", label="running pods")
    for bar, row in zip(bars, rows, strict=True):
        if not row.up:
            bar.set_hatch("//")
    left.bar_label(bars, fontsize=9)
    left.set_title("running pods (as the API server reports them)", fontsize=10)
    left.set_ylabel("pods")
    left.set_ylim(0, max([1, *(row.running for row in rows)]) * 1.25)
    left.yaxis.get_major_locator().set_params(integer=True)
    if any(not row.up for row in rows):
        from matplotlib.patches import Patch

        left.legend(handles=[Patch(facecolor=COLOURS["down"], hatch="//", edgecolor="#333333",
                                   label="host down")], fontsize=9, loc="upper right")
    width = 0.38
    right.bar([p - width / 2 for p in positions], [row.requested for row in rows], width,
              label="requested", color=REQUESTED_COLOUR, edgecolor="#333333")
    right.bar([p + width / 2 for p in positions], [row.allocatable for row in rows], width,
              label="allocatable", color=ALLOCATABLE_COLOUR, edgecolor="#333333")
    right.set_title("CPU requested vs allocatable", fontsize=10)
    right.set_ylabel("millicores")
    right.legend(fontsize=9, loc="upper right")
    right.set_ylim(0, max([1000, *(r.allocatable for r in rows), *(r.requested for r in rows)])
                   * 1.25)
    labels = [row.node if row.up else f"{row.node}\n(down)" for row in rows]
    for ax in (left, right):
        ax.set_xticks(positions, labels, fontsize=9)
        ax.set_xlim(-0.6, max(len(rows), 1) - 0.4)
        ax.set_xlabel("worker node")
    fig.tight_layout()
    plt.close(fig)
    return fig


def pods_per_node_svg(rows: list[WorkerRow], now: float) -> str:
    """The panel's chart of `rows`: running pods per worker, and CPU requested vs allocatable."""
    svg = Svg(800, 300)
    svg.text(400, 14, f"Pods per worker node at t = {now:.1f} s (as the API server reports them)",
             size=TITLE_PX, anchor="middle", bold=True)
    svg.legend(KEYS, 70, 38)
    top, bottom = 62.0, 250.0
    for left, right, title in ((70.0, 370.0, "running pods"), (490.0, 790.0, "CPU (millicores)")):
        pods = title == "running pods"
        if pods:
            high = max([4, *(row.running for row in rows)])
        else:
            high = max([1000, *(r.allocatable for r in rows), *(r.requested for r in rows)])
        ticks = [t for t in nice_ticks(high) if not pods or t == int(t)]
        value_axis(svg, left, top, bottom, right, high * 1.1, title, ticks)
        slot = (right - left) / max(len(rows), 1)
        for index, row in enumerate(rows):
            x = left + index * slot
            if pods:
                _bar(svg, x + slot * 0.25, slot * 0.5, row.running, high * 1.1, top, bottom,
                     RUNNING_COLOUR if row.up else COLOURS["down"],
                     f"{row.node}: {row.running} running", hatched=not row.up)
            else:
                _bar(svg, x + slot * 0.12, slot * 0.37, row.requested, high * 1.1, top, bottom,
                     REQUESTED_COLOUR, f"{row.node}: {row.requested}m CPU requested")
                _bar(svg, x + slot * 0.51, slot * 0.37, row.allocatable, high * 1.1, top, bottom,
                     ALLOCATABLE_COLOUR, f"{row.node}: {row.allocatable}m CPU allocatable")
            svg.text(x + slot / 2, bottom + 14, row.node, anchor="middle")
            if not row.up:
                svg.text(x + slot / 2, bottom + 30, "(down)", anchor="middle", colour=MUTED)
    return svg.markup()


def _bar(svg: Svg, x: float, w: float, value: float, high: float, top: float, bottom: float,
         colour: str, tip: str, *, hatched: bool = False) -> None:
    """One bar of `value` on an axis from 0 at `bottom` to `high` at `top`, its value above it."""
    h = (bottom - top) * value / high
    svg.rect(x, bottom - h, w, h, colour, stroke="#333333", hatched=hatched, tip=tip)
    svg.text(x + w / 2, bottom - h - 9, f"{value:g}", anchor="middle")

"""How full each node is, as the scheduler's resource plugins see it: CPU and memory requested as a
percentage of what the node can allocate, for one cluster or two side by side.

"Requested" is the sum of the requests of the pods bound to the node and not finished, read
through the API server: what `kubectl describe node` lists under "Allocated resources", and what
NodeResourcesFit's Filter checks. Each drawing returns a closed matplotlib `Figure`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from k8slab.api.resources import node_allocatable, pod_requests
from k8slab.errors import APIError
from k8slab.lab.kubeadm import CONTROL_PLANE_LABEL
from k8slab.lab.plots.style import api_trouble, pyplot
from k8slab.lab.plots.svg import MUTED, TITLE_PX, Key, Svg, value_axis

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from k8slab.lab.cluster import Cluster

FINISHED_PHASES = ("Succeeded", "Failed")
RESOURCES = ("cpu", "memory")
COLOURS = {"cpu": "#e07b39", "memory": "#4c72b0"}
FULL_COLOUR = "#c0392b"
MIB = 1024 * 1024


def node_utilization(cluster: Cluster, *, control_plane: bool = False) -> list[dict]:
    """One row per node: pods, CPU (millicores) and memory (MiB) requested and allocatable, and %.

    Control-plane nodes are left out unless `control_plane` is True. Percentages are rounded to
    one decimal; a node that offers none of a resource shows 0 %.
    """
    return utilization_rows(cluster.list("pods"), cluster.list("nodes"),
                            control_plane=control_plane)


def utilization_rows(pods: list[dict], nodes: list[dict], *, control_plane: bool = False
                     ) -> list[dict]:
    """`node_utilization`'s rows from lists of pods and nodes already read (one read, one instant).
    """
    requested: dict[str, dict[str, int]] = {}
    counts: dict[str, int] = {}
    for pod in pods:
        node = (pod.get("spec") or {}).get("nodeName")
        if not node or (pod.get("status") or {}).get("phase") in FINISHED_PHASES:
            continue
        counts[node] = counts.get(node, 0) + 1
        total = requested.setdefault(node, {"cpu": 0, "memory": 0})
        asked = pod_requests(pod)
        for resource in RESOURCES:
            total[resource] += asked.get(resource, 0)
    rows = []
    for node in sorted(nodes, key=lambda n: n["metadata"]["name"]):
        name = node["metadata"]["name"]
        if CONTROL_PLANE_LABEL in (node["metadata"].get("labels") or {}) and not control_plane:
            continue
        allocatable = node_allocatable(node)
        used = requested.get(name, {"cpu": 0, "memory": 0})
        rows.append({
            "node": name,
            "pods": counts.get(name, 0),
            "cpu requested (m)": used["cpu"],
            "cpu allocatable (m)": allocatable["cpu"],
            "cpu %": _percent(used["cpu"], allocatable["cpu"]),
            "memory requested (Mi)": used["memory"] // MIB,
            "memory allocatable (Mi)": allocatable["memory"] // MIB,
            "memory %": _percent(used["memory"], allocatable["memory"]),
        })
    return rows


def _pods(count: int) -> str:
    return "1 pod" if count == 1 else f"{count} pods"


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def utilization(cluster: Cluster, title: str | None = None) -> Figure:
    """Bars per node: CPU and memory requested, in % of allocatable, with the 100 % line."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.6))
    _draw(ax, cluster, title)
    fig.tight_layout()
    plt.close(fig)
    return fig


def compare_utilization(
    left: Cluster, right: Cluster, titles: tuple[str, str] = ("left", "right")
) -> Figure:
    """Two clusters' utilization side by side, on the same scale, e.g. spreading vs bin-packing."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.8), sharey=True)
    for ax, cluster, title in zip(axes, (left, right), titles, strict=True):
        _draw(ax, cluster, title)
    axes[1].set_ylabel("")
    fig.tight_layout()
    plt.close(fig)
    return fig


def _draw(ax: Axes, cluster: Cluster, title: str | None) -> None:
    heading = f"{title} · t = {cluster.now:.1f} s" if title else f"t = {cluster.now:.1f} s"
    try:
        rows = node_utilization(cluster)
    except APIError as error:
        ax.set_axis_off()
        ax.set_title(f"{heading}: {api_trouble(error)}", fontsize=10)
        ax.text(0.5, 0.5, str(error), ha="center", va="center", fontsize=9, wrap=True,
                transform=ax.transAxes)
        return
    positions = range(len(rows))
    width = 0.38
    for offset, resource in ((-width / 2, "cpu"), (width / 2, "memory")):
        bars = ax.bar([p + offset for p in positions], [row[f"{resource} %"] for row in rows],
                      width, label=f"{resource} requested", color=COLOURS[resource],
                      edgecolor="#333333")
        ax.bar_label(bars, fmt="%.0f", fontsize=9)
    ax.axhline(100, color=FULL_COLOUR, linestyle="--", linewidth=1, label="allocatable (100 %)")
    labels = [f"{row['node']}\n{_pods(row['pods'])}" for row in rows]
    ax.set_xticks(list(positions), labels, fontsize=9)
    ax.set_xlabel("node (pods bound to it)")
    ax.set_xlim(-0.6, max(len(rows), 1) - 0.4)
    ax.set_ylim(0, 125)
    ax.set_ylabel("% of allocatable")
    ax.set_title(heading, fontsize=10)
    ax.legend(fontsize=9, loc="upper left", ncol=3, frameon=False)


def utilization_svg(rows: list[dict], now: float, title: str) -> str:
    """The panel's chart of `rows`: CPU and memory requested per node, in % of allocatable."""
    svg = Svg(760, 300)
    svg.text(380, 14, f"{title} · t = {now:.1f} s", size=TITLE_PX, anchor="middle", bold=True)
    svg.legend([Key("cpu requested", COLOURS["cpu"]), Key("memory requested", COLOURS["memory"]),
                Key("allocatable (100 %)", FULL_COLOUR, line=True)], 80, 38)
    left, right, top, bottom = 80.0, 740.0, 60.0, 240.0
    value_axis(svg, left, top, bottom, right, 125, "% of allocatable", (0, 25, 50, 75, 100))
    full = bottom - (bottom - top) * 100 / 125
    svg.line(left, full, right, full, FULL_COLOUR, width=1.5, dashed=True)
    slot = (right - left) / max(len(rows), 1)
    for index, row in enumerate(rows):
        x = left + index * slot
        for offset, resource in ((0.12, "cpu"), (0.5, "memory")):
            value = min(row[f"{resource} %"], 125)
            h = (bottom - top) * value / 125
            svg.rect(x + slot * offset, bottom - h, slot * 0.38, h, COLOURS[resource],
                     stroke="#333333", tip=f"{resource} {row[f'{resource} %']:g} %")
            svg.text(x + slot * (offset + 0.19), bottom - h - 9, f"{row[f'{resource} %']:.0f}",
                     anchor="middle")
        svg.text(x + slot / 2, bottom + 14, row["node"], anchor="middle")
        svg.text(x + slot / 2, bottom + 30, _pods(row["pods"]), anchor="middle", colour=MUTED)
    if not rows:
        svg.text((left + right) / 2, (top + bottom) / 2, "no worker nodes", anchor="middle")
    return svg.markup()

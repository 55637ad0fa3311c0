"""The architecture map of a highly available control plane: a column per control-plane host
(etcd with its Raft role, the scheduler holding the lease, the API server) and the load balancer
in front of the API servers, with arrows to the healthy ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from k8slab.lab import components
from k8slab.lab.plots.hosts import NODE_SERVICES, HostView
from k8slab.lab.plots.shapes import (
    BOX_H,
    COLOURS,
    MAP_FONT,
    TITLE_H,
    WIDTH,
    box,
    host_frame,
    link,
    short,
)
from k8slab.lab.plots.style import ROLE_COLOURS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from k8slab.lab.cluster import Cluster

# With several control-plane hosts: the load balancer between the bands, arrows above and below.
LB_W, LB_H, LB_ABOVE, LB_BELOW = 3.6, 0.8, 0.6, 0.65
_UNHEALTHY = "#9e9e9e"


def ha_host_height(views: list[HostView]) -> float:
    """The height of every control-plane column: title, services, gap, etcd and scheduler,
    arrows, API server, margin; and a line for the pods if any column has some."""
    pods = 0.3 if any(view.pods for view in views) else 0
    return TITLE_H + BOX_H + 0.2 + 0.5 + 0.45 + 0.45 + 0.15 + pods


def etcd_leaders(cluster: Cluster) -> str:
    """ "etcd leader: control-plane-2 (term 3)", or every member that believes it leads."""
    leaders = []
    for name in cluster.control_planes:
        status = components.etcd_status(cluster.network, name)
        if status is not None and status.is_leader:
            leaders.append(f"{name} (term {status.term})")
    if not leaders:
        return "no etcd leader"
    return f"etcd leader{'s' if len(leaders) > 1 else ''}: {', '.join(leaders)}"


def _fitted(lines: tuple[str, ...], width: float, fontsize: float) -> str:
    """The first of `lines` (alternative texts) whose longest line fits `width` inches."""
    for text in lines:
        if max(map(len, text.split("\n"))) * fontsize * 0.6 / 72 <= width:
            return text
    return lines[-1]


def _badge(ax: Axes, x: float, y: float, text: str, colour: str) -> None:
    ax.text(x, y, text, ha="right", va="center", fontsize=MAP_FONT, zorder=6,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": colour, "edgecolor": "#555555",
                  "linewidth": 0.5})


def draw_ha_control_planes(ax: Axes, cluster: Cluster, views: list[HostView],
                           top: float) -> list[tuple[str, float, float]]:
    """Draw each control-plane host as a column: services, etcd and scheduler, the API server.

    Returns, per host, where the load balancer's arrow ends: (name, x, y) under its API server.
    """
    slot = (WIDTH - 0.6) / len(views)
    host_w = min(3.0, slot - 0.25)
    host_h = ha_host_height(views)
    fontsize = MAP_FONT
    half = (host_w - 0.3) / 2
    services_y = top - TITLE_H - BOX_H
    static_y = services_y - 0.2 - 0.5
    api_y = static_y - 0.45 - 0.45
    backends = []
    for index, view in enumerate(views):
        x = 0.3 + index * slot + (slot - host_w) / 2
        title = view.name if view.up else _fitted((f"{view.name} · down", view.name), host_w,
                                                  MAP_FONT)
        host_frame(ax, view, x, top, host_w, host_h, title)
        backends.append((view.name, x + host_w / 2, api_y))
        if not view.up:
            ax.text(x + host_w / 2, top - host_h / 2, "host down", ha="center", va="center",
                    fontsize=fontsize, color=COLOURS["cross"], zorder=4,
                    bbox={"facecolor": "white", "edgecolor": "none"})
        for column, service in enumerate(NODE_SERVICES):
            if service in view.services:
                box(ax, x + 0.1 + column * (half + 0.1), services_y, half, BOX_H, service,
                    "service", fontsize=fontsize)
        etcd_x, scheduler_x = x + 0.1, x + 0.2 + half
        if "etcd" in view.control:
            etcd = components.etcd_status(cluster.network, view.name)
            role = etcd.role
            box(ax, etcd_x, static_y, half, 0.5, f"etcd\nterm {etcd.term}", "control",
                fontsize=fontsize)
            if role != "follower":
                _badge(ax, etcd_x + half - 0.03, static_y + 0.5, role,
                       ROLE_COLOURS.get(role, "white"))
        if "kube-scheduler" in view.control:
            box(ax, scheduler_x, static_y, half, 0.5,
                _fitted(("kube-scheduler", "kube-\nscheduler"), half, fontsize), "control",
                fontsize=fontsize)
            if components.scheduler_view(cluster.network, view.name).leading:
                _badge(ax, scheduler_x + half - 0.03, static_y + 0.5, "holds lease",
                       ROLE_COLOURS["leader"])
        if view.pods:
            ax.text(x + 0.12, api_y - 0.2, short(f"pods: {', '.join(view.pods)}",
                                                 int(host_w * 9)),
                    fontsize=MAP_FONT, va="center", color="#555555", zorder=3)
        if "kube-apiserver" not in view.control:
            continue
        box(ax, x + 0.1, api_y, host_w - 0.2, 0.45, "kube-apiserver", "control",
            fontsize=fontsize)
        labelled = host_w >= 2
        if "etcd" in view.control:
            link(ax, (etcd_x + half / 2, api_y + 0.45), (etcd_x + half / 2, static_y),
                 "etcd client" if labelled else "")
        if "kube-scheduler" in view.control:
            link(ax, (scheduler_x + half / 2, static_y), (scheduler_x + half / 2, api_y + 0.45),
                 "watch/list" if labelled else "")
    return backends


def draw_balancer(ax: Axes, cluster: Cluster, backends: list[tuple[str, float, float]],
                  top: float) -> tuple | None:
    """Draw the load-balancer host and its arrows to every API server (grey dashed: unhealthy).

    Returns its box (left, bottom, width) for the kubelets' arrow, if HAProxy runs.
    """
    name = cluster.endpoint
    view = HostView(name, cluster.host_is_up(name))
    x = (WIDTH - LB_W) / 2
    host_frame(ax, view, x, top, LB_W, LB_H)
    stats = components.load_balancer_stats(cluster.network, name)
    if stats is None:
        return None
    servers = [row.server for row in stats]
    healthy = [row.server for row in stats if row.up]
    box(ax, x + 0.15, top - LB_H + 0.08, LB_W - 0.3, 0.34,
        f"haproxy: {len(healthy)} of {len(servers)} API servers up", "service")
    spread = [x + 0.3 + (LB_W - 0.6) * (i + 0.5) / len(backends) for i in range(len(backends))]
    for start_x, (backend, end_x, end_y) in zip(spread, backends, strict=True):
        if backend not in servers:
            continue
        ok = backend in healthy
        ax.annotate("", xy=(end_x, end_y), xytext=(start_x, top), zorder=4, arrowprops={
            "arrowstyle": "-|>", "color": COLOURS["link"] if ok else _UNHEALTHY,
            "lw": 1.1 if ok else 0.9, "linestyle": "-" if ok else "--",
            "shrinkA": 0, "shrinkB": 0})
    ax.text(x + LB_W + 0.15, top - LB_H / 2, "round robin over the healthy API servers\n"
            "(grey dashed: failing /healthz checks)", ha="left", va="center", fontsize=MAP_FONT,
            color="#555555")
    return x, top - LB_H, LB_W

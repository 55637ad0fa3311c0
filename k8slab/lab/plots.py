"""Pictures of a live cluster: its architecture map, the life of one object, pods per node.

Every function reads the cluster as it is now and returns a closed matplotlib `Figure`, so a
notebook cell ending in the figure shows it exactly once. matplotlib is imported only when drawing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from k8slab.api.resources import node_allocatable, pod_requests
from k8slab.errors import UnavailableError
from k8slab.lab.raft_plots import ROLE_COLOURS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from k8slab.lab.cluster import Cluster

NODE_SERVICES = ("kubelet", "containerd")
CONTROL_PLANE_PODS = ("etcd", "kube-apiserver", "kube-scheduler")
LANES = ("apiserver", "etcd", "scheduler", "kubelet", "containerd", "runc")
TERMINATED_PHASES = ("Succeeded", "Failed")
MAX_WORKERS_DRAWN = 8
WORKERS_BEFORE_MORE = 6
WORKER_COLUMNS = 4
PODS_SHOWN = 6
DETAILS_WIDTH = 60

_COLOURS = {
    "service": "#dbe9f6", "control": "#fde2c8", "pod": "#d9f0d3", "down": "#e6e6e6",
    "cp_band": "#f4f0fa", "worker_band": "#f1f7ee", "link": "#4d4d4d", "cross": "#c0392b",
}
_LANE_COLOURS = ("#1f77b4", "#9467bd", "#ff7f0e", "#2ca02c", "#17becf", "#8c564b", "#7f7f7f")

# Layout of the architecture map, in inches (the axes span the whole figure, one unit an inch).
_WIDTH = 12.0
_SLOT = _WIDTH / WORKER_COLUMNS
_WORKER_W, _WORKER_H, _ROW_GAP = 2.6, 2.3, 0.5
_CP_X, _CP_W = 1.0, 10.0
_BOX_H, _TITLE_H, _BAND_PAD, _BAND_GAP = 0.4, 0.35, 0.3, 0.9
# With several control-plane hosts: the load balancer between the bands, arrows above and below.
_LB_W, _LB_H, _LB_ABOVE, _LB_BELOW = 3.2, 0.8, 0.6, 0.65
_UNHEALTHY = "#9e9e9e"


def _pyplot() -> Any:
    import matplotlib.pyplot as plt

    return plt


@dataclass
class _HostView:
    """What one host runs right now, read from its memory and from `runc list`."""

    name: str
    up: bool
    services: list[str] = field(default_factory=list)
    control: list[str] = field(default_factory=list)
    pods: list[str] = field(default_factory=list)


def _host_view(cluster: Cluster, name: str) -> _HostView:
    memory = cluster.network.host(name).memory
    control = [c for c in CONTROL_PLANE_PODS if c in memory]
    pods = []
    for container in cluster.containers(name):
        if not container["pod"]:
            continue
        _, namespace, pod = container["pod"].split("/", 2)
        label = pod if namespace == "default" else f"{namespace}/{pod}"
        static = namespace == "kube-system" and pod.removesuffix(f"-{name}") in control
        if not static and label not in pods:
            pods.append(label)
    return _HostView(name, cluster.host_is_up(name), [s for s in NODE_SERVICES if s in memory],
                     control, sorted(pods, key=_natural))


# -- the architecture map -----------------------------------------------------------------------


def _worker_names(cluster: Cluster) -> list[str]:
    """Every host that is neither a control-plane host nor the load balancer in front of them."""
    return [name for name in cluster.hosts
            if name not in cluster.control_planes and name != cluster.endpoint]


def architecture(cluster: Cluster) -> Figure:
    """The live cluster as a map: each host with the services and containers it runs now.

    Arrows are the API server's links: the kubelets and the scheduler watch it; it alone uses etcd.
    With several control-plane hosts the kubelets reach the API servers through the load balancer;
    badges mark the etcd Raft leader and the kube-scheduler holding the leader-election lease.
    """
    control_planes = [_host_view(cluster, name) for name in cluster.control_planes]
    workers = [_host_view(cluster, name) for name in _worker_names(cluster)]
    more: list[_HostView] = []
    if len(workers) > MAX_WORKERS_DRAWN:
        workers, more = workers[:WORKERS_BEFORE_MORE], workers[WORKERS_BEFORE_MORE:]
    slots = len(workers) + (1 if more else 0)
    rows = -(-slots // WORKER_COLUMNS)
    highly_available = len(control_planes) > 1
    if highly_available:
        cp_h = _ha_host_height(control_planes)
        gap = _LB_ABOVE + _LB_H + (_LB_BELOW if slots else 0.2)
    else:
        cp_h, gap = _control_plane_height(control_planes[0]), _BAND_GAP
    workers_h = rows * _WORKER_H + max(rows - 1, 0) * _ROW_GAP
    height = 0.6 + cp_h + 2 * _BAND_PAD + (workers_h + 2 * _BAND_PAD if slots else 0)
    height += gap if highly_available or slots else 0

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(_WIDTH, height))
    fig.subplots_adjust(left=0, right=1, bottom=0, top=1)
    ax.set_xlim(0, _WIDTH)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    hosts = cluster.hosts
    up = sum(cluster.host_is_up(name) for name in hosts)
    ax.text(_WIDTH / 2, height - 0.3, f"Cluster at t = {cluster.now:.1f} s · {up} of "
            f"{len(hosts)} hosts up", ha="center", va="center", fontsize=12, weight="bold")

    cp_top = height - 0.6 - _BAND_PAD
    cp_bottom = cp_top - cp_h - _BAND_PAD
    if highly_available:
        _band(ax, cp_bottom, cp_h + 2 * _BAND_PAD,
              f"control plane · {_etcd_leaders(cluster)}", "cp_band")
        backends = _draw_ha_control_planes(ax, cluster, control_planes, cp_top)
        target = _draw_balancer(ax, cluster, backends, cp_bottom - _LB_ABOVE)
        missing = f"{cluster.endpoint} not running: kubelets cannot reach the API servers"
        band_top = cp_bottom - _LB_ABOVE - _LB_H - _LB_BELOW
    else:
        _band(ax, cp_bottom, cp_h + 2 * _BAND_PAD, "control plane", "cp_band")
        target = _draw_control_plane(ax, control_planes[0], cp_top, cp_h)
        missing = "kube-apiserver not running: kubelets cannot reach it"
        band_top = cp_bottom - _BAND_GAP
    if slots:
        _band(ax, band_top - workers_h - 2 * _BAND_PAD, workers_h + 2 * _BAND_PAD,
              "worker nodes", "worker_band")
        kubelets = _draw_workers(ax, workers, more, band_top - _BAND_PAD)
        bus_y = band_top + (_LB_BELOW if highly_available else _BAND_GAP) / 2
        _draw_kubelet_links(ax, kubelets, target, bus_y, missing)
    plt.close(fig)
    return fig


def _draw_workers(ax: Axes, workers: list[_HostView], more: list[_HostView],
                  top: float) -> list[tuple]:
    """Draw the workers in rows of four, then the "… N more" box; return their kubelet boxes."""
    slots = len(workers) + (1 if more else 0)
    first_x = (_WIDTH - min(slots, WORKER_COLUMNS) * _SLOT) / 2
    kubelets = []
    for index in range(slots):
        row, column = divmod(index, WORKER_COLUMNS)
        x = first_x + column * _SLOT + (_SLOT - _WORKER_W) / 2
        row_top = top - row * (_WORKER_H + _ROW_GAP)
        if index == len(workers):
            _draw_more(ax, more, x, row_top)
            continue
        kubelet = _draw_worker(ax, workers[index], x, row_top)
        if kubelet is not None:
            kubelets.append((*kubelet, row))
    return kubelets


def _control_plane_height(view: _HostView) -> float:
    return 2.1 + (0.5 if view.pods else 0)


def _band(ax: Axes, y: float, h: float, label: str, colour: str) -> None:
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((0.15, y), _WIDTH - 0.3, h, facecolor=_COLOURS[colour],
                           edgecolor="none", zorder=0))
    ax.text(0.3, y + h - 0.14, label, ha="left", va="center", fontsize=10, style="italic",
            color="#555555")


def _box(ax: Axes, x: float, y: float, w: float, h: float, text: str, colour: str,
         *, fontsize: float = 8, dashed: bool = False, zorder: float = 2) -> None:
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.06",
                                facecolor=_COLOURS.get(colour, colour), edgecolor="#555555",
                                linestyle="--" if dashed else "-", linewidth=0.8, zorder=zorder))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=fontsize, zorder=3)


def _host_frame(ax: Axes, view: _HostView, x: float, top: float, w: float, h: float,
                title: str | None = None) -> None:
    title = title or (view.name if view.up else f"{view.name} · down")
    _box(ax, x, top - h, w, h, "", "white" if view.up else "down", zorder=1.5)
    ax.text(x + w / 2, top - _TITLE_H / 2, title, ha="center", va="center", fontsize=9.5,
            weight="bold", zorder=3)
    if not view.up:
        ax.plot([x, x + w], [top - h, top], color=_COLOURS["cross"], lw=1.5, zorder=3)
        ax.plot([x, x + w], [top, top - h], color=_COLOURS["cross"], lw=1.5, zorder=3)


def _link(ax: Axes, start: tuple[float, float], end: tuple[float, float], label: str,
          *, label_at: tuple[float, float] | None = None) -> None:
    ax.annotate("", xy=end, xytext=start, zorder=4, arrowprops={
        "arrowstyle": "-|>", "color": _COLOURS["link"], "lw": 1.1, "shrinkA": 0, "shrinkB": 0})
    if label:
        x, y = label_at or ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        ax.text(x, y, label, ha="center", va="center", fontsize=7, color=_COLOURS["link"],
                zorder=5, bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                                "edgecolor": "none"})


def _draw_control_plane(ax: Axes, view: _HostView, top: float, h: float) -> tuple | None:
    """Draw the control-plane host; return the API server box (x, y, w) if it is running."""
    _host_frame(ax, view, _CP_X, top, _CP_W, h)
    box_w = 1.9
    columns = {"etcd": 2.45, "kube-apiserver": 5.05, "kube-scheduler": 7.65}
    services_y = top - _TITLE_H - _BOX_H - 0.05
    static_y = services_y - 0.55 - 0.5
    # The kubelet sits above the API server it talks to; containerd beside it.
    service_x = {"kubelet": columns["kube-apiserver"] + 0.2,
                 "containerd": columns["kube-scheduler"] + 0.2}
    for service in view.services:
        _box(ax, service_x[service], services_y, box_w - 0.4, _BOX_H, service, "service")
    for component in view.control:
        _box(ax, columns[component], static_y, box_w, 0.5, f"{component}\n(static pod)",
             "control", fontsize=8)
    if view.up:
        ax.text(_CP_X + 0.12, services_y + _BOX_H / 2, "node services", fontsize=7,
                va="center", color="#555555")
        ax.text(_CP_X + 0.12, static_y + 0.25, "containers\n(runc)", fontsize=7,
                va="center", color="#555555")
    for index, pod in enumerate(view.pods[:PODS_SHOWN]):
        _box(ax, 2.45 + index * 1.25, static_y - 0.45, 1.15, 0.32, _short(pod), "pod", fontsize=7)
    if "kube-apiserver" not in view.control:
        return None
    api_x, api_y = columns["kube-apiserver"], static_y
    if "kube-scheduler" in view.control:
        _link(ax, (columns["kube-scheduler"], api_y + 0.25), (api_x + box_w, api_y + 0.25),
              "watch/list")
    if "etcd" in view.control:
        _link(ax, (api_x, api_y + 0.25), (columns["etcd"] + box_w, api_y + 0.25), "etcd client")
    if "kubelet" in view.services:
        x = service_x["kubelet"] + (box_w - 0.4) / 2
        _link(ax, (x, services_y), (x, api_y + 0.5), "watch/list")
    return api_x, api_y, box_w


def _ha_host_height(views: list[_HostView]) -> float:
    # Title, services, gap, etcd and scheduler, arrows, API server, margin; a line for any pods.
    pods = 0.3 if any(view.pods for view in views) else 0
    return _TITLE_H + _BOX_H + 0.2 + 0.5 + 0.45 + 0.45 + 0.15 + pods


def _etcd_leaders(cluster: Cluster) -> str:
    """ "etcd leader: control-plane-2 (term 3)", or every member that believes it leads."""
    leaders = []
    for name in cluster.control_planes:
        host = cluster.network.host(name)
        member = host.memory.get("etcd") if host.up else None
        if member is not None and member.raft.role.value == "leader":
            leaders.append(f"{name} (term {member.raft.term})")
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
    ax.text(x, y, text, ha="right", va="center", fontsize=6.5, zorder=6,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": colour, "edgecolor": "#555555",
                  "linewidth": 0.5})


def _draw_ha_control_planes(ax: Axes, cluster: Cluster, views: list[_HostView],
                            top: float) -> list[tuple[str, float, float]]:
    """Draw each control-plane host as a column: services, etcd and scheduler, the API server.

    Returns, per host, where the load balancer's arrow ends: (name, x, y) under its API server.
    """
    slot = (_WIDTH - 0.6) / len(views)
    host_w = min(3.0, slot - 0.25)
    host_h = _ha_host_height(views)
    fontsize = 8 if host_w >= 2 else 6.5
    half = (host_w - 0.3) / 2
    services_y = top - _TITLE_H - _BOX_H
    static_y = services_y - 0.2 - 0.5
    api_y = static_y - 0.45 - 0.45
    backends = []
    for index, view in enumerate(views):
        x = 0.3 + index * slot + (slot - host_w) / 2
        title = view.name if view.up else _fitted((f"{view.name} · down", view.name), host_w,
                                                  12)
        _host_frame(ax, view, x, top, host_w, host_h, title)
        backends.append((view.name, x + host_w / 2, api_y))
        if not view.up:
            ax.text(x + host_w / 2, top - host_h / 2, "host down", ha="center", va="center",
                    fontsize=fontsize, color=_COLOURS["cross"], zorder=4,
                    bbox={"facecolor": "white", "edgecolor": "none"})
        memory = cluster.network.host(view.name).memory if view.up else {}
        for column, service in enumerate(NODE_SERVICES):
            if service in view.services:
                _box(ax, x + 0.1 + column * (half + 0.1), services_y, half, _BOX_H, service,
                     "service", fontsize=fontsize)
        etcd_x, scheduler_x = x + 0.1, x + 0.2 + half
        if "etcd" in view.control:
            raft = memory["etcd"].raft
            _box(ax, etcd_x, static_y, half, 0.5, f"etcd\nterm {raft.term}", "control",
                 fontsize=fontsize)
            if raft.role.value != "follower":
                _badge(ax, etcd_x + half - 0.03, static_y + 0.5, raft.role.value,
                       ROLE_COLOURS.get(raft.role.value, "white"))
        if "kube-scheduler" in view.control:
            _box(ax, scheduler_x, static_y, half, 0.5,
                 _fitted(("kube-scheduler", "kube-\nscheduler"), half, fontsize), "control",
                 fontsize=fontsize)
            if memory["kube-scheduler"].leading:
                _badge(ax, scheduler_x + half - 0.03, static_y + 0.5, "holds lease",
                       ROLE_COLOURS["leader"])
        if view.pods:
            ax.text(x + 0.12, api_y - 0.2, _short(f"pods: {', '.join(view.pods)}",
                                                  int(host_w * 14)),
                    fontsize=6.5, va="center", color="#555555", zorder=3)
        if "kube-apiserver" not in view.control:
            continue
        _box(ax, x + 0.1, api_y, host_w - 0.2, 0.45, "kube-apiserver", "control",
             fontsize=fontsize)
        labelled = host_w >= 2
        if "etcd" in view.control:
            _link(ax, (etcd_x + half / 2, api_y + 0.45), (etcd_x + half / 2, static_y),
                  "etcd client" if labelled else "")
        if "kube-scheduler" in view.control:
            _link(ax, (scheduler_x + half / 2, static_y), (scheduler_x + half / 2, api_y + 0.45),
                  "watch/list" if labelled else "")
    return backends


def _draw_balancer(ax: Axes, cluster: Cluster, backends: list[tuple[str, float, float]],
                   top: float) -> tuple | None:
    """Draw the load-balancer host and its arrows to every API server (grey dashed: unhealthy).

    Returns its box (left, bottom, width) for the kubelets' arrow, if HAProxy runs.
    """
    name = cluster.endpoint
    view = _HostView(name, cluster.host_is_up(name))
    x = (_WIDTH - _LB_W) / 2
    _host_frame(ax, view, x, top, _LB_W, _LB_H)
    balancer = cluster.network.host(name).memory.get("haproxy") if view.up else None
    if balancer is None:
        return None
    healthy = [b for b in balancer.backends if balancer.healthy.get(b)]
    _box(ax, x + 0.15, top - _LB_H + 0.08, _LB_W - 0.3, 0.34,
         f"haproxy · {len(healthy)} of {len(balancer.backends)} API servers healthy", "service")
    spread = [x + 0.3 + (_LB_W - 0.6) * (i + 0.5) / len(backends) for i in range(len(backends))]
    for start_x, (backend, end_x, end_y) in zip(spread, backends, strict=True):
        if backend not in balancer.backends:
            continue
        ok = backend in healthy
        ax.annotate("", xy=(end_x, end_y), xytext=(start_x, top), zorder=4, arrowprops={
            "arrowstyle": "-|>", "color": _COLOURS["link"] if ok else _UNHEALTHY,
            "lw": 1.1 if ok else 0.9, "linestyle": "-" if ok else "--",
            "shrinkA": 0, "shrinkB": 0})
    ax.text(x + _LB_W + 0.15, top - _LB_H / 2, "round robin over the healthy API servers\n"
            "(grey dashed: failing /healthz checks)", ha="left", va="center", fontsize=7,
            color="#555555")
    return x, top - _LB_H, _LB_W


def _draw_worker(ax: Axes, view: _HostView, x: float, top: float) -> tuple | None:
    """Draw one worker; return its kubelet box (left, bottom, width) if the kubelet runs."""
    _host_frame(ax, view, x, top, _WORKER_W, _WORKER_H)
    if not view.up:
        ax.text(x + _WORKER_W / 2, top - _WORKER_H / 2, "host down", ha="center", va="center",
                fontsize=9, color=_COLOURS["cross"], zorder=4,
                bbox={"facecolor": "white", "edgecolor": "none"})
        return None
    inner_w = (_WORKER_W - 0.3) / 2
    services_y = top - _TITLE_H - _BOX_H
    for index, service in enumerate(NODE_SERVICES):
        if service in view.services:
            _box(ax, x + 0.1 + index * (inner_w + 0.1), services_y, inner_w, _BOX_H, service,
                 "service")
    ax.text(x + 0.12, services_y - 0.2, f"containers (runc): {len(view.pods)} pods",
            fontsize=7, va="center", color="#555555", zorder=3)
    pods = view.pods if len(view.pods) <= PODS_SHOWN else view.pods[:PODS_SHOWN - 1]
    labels = [_short(pod) for pod in pods]
    if len(view.pods) > PODS_SHOWN:
        labels.append(f"+ {len(view.pods) - len(pods)} more")
    for index, label in enumerate(labels):
        row, column = divmod(index, 2)
        _box(ax, x + 0.1 + column * (inner_w + 0.1), services_y - 0.72 - row * 0.42, inner_w,
             0.32, label, "pod", fontsize=7, dashed=label.startswith("+ "))
    if "kubelet" not in view.services:
        return None
    return x + 0.1, services_y, inner_w


def _draw_more(ax: Axes, hidden: list[_HostView], x: float, top: float) -> None:
    up = sum(view.up for view in hidden)
    _box(ax, x, top - _WORKER_H, _WORKER_W, _WORKER_H,
         f"… {len(hidden)} more\nworker nodes\n({up} up)", "white", fontsize=10, dashed=True)


def _draw_kubelet_links(ax: Axes, kubelets: list[tuple], apiserver: tuple | None,
                        bus_y: float, missing: str) -> None:
    """Join every worker kubelet to one line under the control plane, and that to the API server
    (or to the load balancer in front of the API servers); say so when there is none to reach.

    Kubelets in lower rows climb through the gaps between the boxes above them, on the side
    nearer the middle.
    """
    if not kubelets:
        return
    style = {"color": _COLOURS["link"], "lw": 0.9, "zorder": 1.8}
    reach = []
    for left, bottom, width, row in kubelets:
        if row == 0:
            x = left + width / 2
            ax.plot([x, x], [bottom + _BOX_H, bus_y], **style)
        else:
            box_x, margin = left - 0.1, (_SLOT - _WORKER_W) / 2
            gap_x = box_x + _WORKER_W + margin if box_x < _WIDTH / 2 - _SLOT / 2 else box_x - margin
            above = bottom + _BOX_H + _TITLE_H + _ROW_GAP / 2
            x = left + width / 2
            ax.plot([x, x, gap_x, gap_x], [bottom + _BOX_H, above, above, bus_y], **style)
            x = gap_x
        reach.append(x)
    if apiserver is None:
        ax.plot([min(reach), max(reach)], [bus_y, bus_y], linestyle="--", **style)
        ax.text(_WIDTH / 2, bus_y, missing,
                ha="center", va="center", fontsize=8, color=_COLOURS["cross"],
                bbox={"facecolor": "white", "edgecolor": "none"})
        return
    api_x, api_y, api_w = apiserver
    centre = api_x + api_w / 2
    ax.plot([min(*reach, centre), max(*reach, centre)], [bus_y, bus_y], **style)
    _link(ax, (centre, bus_y), (centre, api_y), "kubelets: watch/list",
          label_at=(centre, (bus_y + api_y) / 2))


def _natural(name: str) -> list:
    """Sort key that puts web-2 before web-10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _short(name: str, width: int = 18) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


# -- the life of one object ---------------------------------------------------------------------


def _lanes(records: list) -> list[str]:
    present = list(dict.fromkeys(rec.component for rec in records))
    return [lane for lane in LANES if lane in present] + [c for c in present if c not in LANES]


def swimlane(cluster: Cluster, ref: str) -> Figure:
    """The life of one object across components: a lane each, a marker per record in time.

    Lanes run in the order a request travels: apiserver, etcd, scheduler, kubelet, containerd, runc.
    """
    records = cluster.trace_of(ref)
    lanes = _lanes(records)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(11, 1.2 + 0.8 * max(len(lanes), 1)))
    ax.set_title(f"Life of {ref}", fontsize=11)
    ax.set_xlabel("simulated time (s)")
    if not records:
        ax.set_yticks([])
        ax.text(0.5, 0.5, f"no records about {ref} yet", ha="center", va="center",
                transform=ax.transAxes)
        plt.close(fig)
        return fig
    row_of = {lane: len(lanes) - 1 - index for index, lane in enumerate(lanes)}
    start, end = records[0].time, records[-1].time
    span = max(end - start, 1e-3)
    for index, lane in enumerate(lanes):
        colour = _LANE_COLOURS[min(index, len(_LANE_COLOURS) - 1)]
        times = [rec.time for rec in records if rec.component == lane]
        ax.plot(times, [row_of[lane]] * len(times), "o", color=colour, markersize=6, zorder=3)
        level, previous = 0, None
        for group in _close_groups([rec for rec in records if rec.component == lane], span / 50):
            level = 1 - level if previous is not None and group[0].time - previous < span / 5 else 0
            previous = group[0].time
            ax.annotate(_kinds_label(group), (group[0].time, row_of[lane]),
                        xytext=(2, 7 + 11 * level), textcoords="offset points", fontsize=7,
                        color=colour)
    ax.set_yticks(list(row_of.values()), list(row_of))
    ax.set_ylim(-0.6, len(lanes) - 0.1)
    ax.set_xlim(start - span * 0.03, end + span * 0.25)
    ax.grid(axis="y", color="#dddddd", zorder=0)
    fig.tight_layout()
    plt.close(fig)
    return fig


def _close_groups(records: list, within: float) -> list[list]:
    """Split time-ordered records into runs that start less than `within` seconds apart."""
    groups: list[list] = []
    for rec in records:
        if groups and rec.time - groups[-1][0].time < within:
            groups[-1].append(rec)
        else:
            groups.append([rec])
    return groups


def _kinds_label(group: list) -> str:
    """"put, put, bind" becomes "put ×2, bind": the kinds of a run of records, in order."""
    runs: list[list] = []
    for rec in group:
        if runs and runs[-1][0] == rec.kind:
            runs[-1][1] += 1
        else:
            runs.append([rec.kind, 1])
    return ", ".join(kind if count == 1 else f"{kind} ×{count}" for kind, count in runs)


def trace_table(cluster: Cluster, ref: str) -> list[dict]:
    """The records about one object as table rows: time, host, component, kind, details.

    The same records the swimlane draws, for reading exact times and values.
    """
    return [{"time": round(rec.time, 4), "host": rec.host, "component": rec.component,
             "kind": rec.kind, "details": _details_text(rec.details)}
            for rec in cluster.trace_of(ref)]


def _details_text(details: dict) -> str:
    text = ", ".join(f"{key}={value}" for key, value in details.items())
    return text if len(text) <= DETAILS_WIDTH else text[: DETAILS_WIDTH - 1] + "…"


# -- pods per node ----------------------------------------------------------------------------


def pods_per_node(cluster: Cluster) -> Figure:
    """Running pods per worker node, and CPU requested against what each node can allocate.

    Read through the API server, as kubectl would: what the cluster believes, not what runs.
    """
    plt = _pyplot()
    try:
        pods, nodes = cluster.list("pods"), cluster.list("nodes")
    except UnavailableError as error:
        fig, ax = plt.subplots(figsize=(11, 4))
        ax.set_axis_off()
        ax.set_title(f"API server unreachable at t = {cluster.now:.1f} s: nothing to count",
                     fontsize=11)
        ax.text(0.5, 0.5, str(error), ha="center", va="center", fontsize=8, wrap=True,
                transform=ax.transAxes)
        plt.close(fig)
        return fig
    workers = _worker_names(cluster)
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
                    color=[_COLOURS["down"] if d else "#4c9a5b" for d in down],
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

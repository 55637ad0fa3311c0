"""The live cluster as a map: each host with the services and containers it runs now, and the
API server's links (the kubelets and the scheduler watch it; it alone uses etcd).

Every picture reads the cluster as it is now and returns a closed matplotlib `Figure`, so a
notebook cell ending in the figure shows it exactly once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from k8slab.lab.plots.architecture_ha import (
    LB_ABOVE,
    LB_BELOW,
    LB_H,
    draw_balancer,
    draw_ha_control_planes,
    etcd_leaders,
    ha_host_height,
)
from k8slab.lab.plots.hosts import NODE_SERVICES, HostView, host_view, worker_names
from k8slab.lab.plots.shapes import (
    BOX_H,
    COLOURS,
    MAP_FONT,
    TITLE_H,
    WIDTH,
    band,
    box,
    host_frame,
    link,
    short,
)
from k8slab.lab.plots.style import pyplot

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from k8slab.lab.cluster import Cluster

MAX_WORKERS_DRAWN = 8
WORKERS_BEFORE_MORE = 6
WORKER_COLUMNS = 4
PODS_SHOWN = 6
# Layout of the workers and of a lone control plane, in inches.
_SLOT = WIDTH / WORKER_COLUMNS
_WORKER_W, _WORKER_H, _ROW_GAP = 2.6, 2.3, 0.5
_CP_X, _CP_W = 1.0, 10.0
_BAND_PAD, _BAND_GAP = 0.3, 0.9
# The long name in two lines, so four static pods fit side by side.
CONTROL_LABELS = {"kube-controller-manager": "kube-controller-\nmanager"}


def architecture(cluster: Cluster) -> Figure:
    """The live cluster as a map: each host with the services and containers it runs now.

    Arrows are the API server's links: the kubelets and the scheduler watch it; it alone uses etcd.
    With several control-plane hosts the kubelets reach the API servers through the load balancer;
    badges mark the etcd Raft leader and the kube-scheduler holding the leader-election lease.
    """
    control_planes = [host_view(cluster, name) for name in cluster.control_planes]
    workers = [host_view(cluster, name) for name in worker_names(cluster)]
    more: list[HostView] = []
    if len(workers) > MAX_WORKERS_DRAWN:
        workers, more = workers[:WORKERS_BEFORE_MORE], workers[WORKERS_BEFORE_MORE:]
    slots = len(workers) + (1 if more else 0)
    rows = -(-slots // WORKER_COLUMNS)
    highly_available = len(control_planes) > 1
    if highly_available:
        cp_h = ha_host_height(control_planes)
        gap = LB_ABOVE + LB_H + (LB_BELOW if slots else 0.2)
    else:
        cp_h, gap = _control_plane_height(control_planes[0]), _BAND_GAP
    workers_h = rows * _WORKER_H + max(rows - 1, 0) * _ROW_GAP
    height = 0.6 + cp_h + 2 * _BAND_PAD + (workers_h + 2 * _BAND_PAD if slots else 0)
    height += gap if highly_available or slots else 0

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(WIDTH, height))
    fig.subplots_adjust(left=0, right=1, bottom=0, top=1)
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    hosts = cluster.hosts
    up = sum(cluster.host_is_up(name) for name in hosts)
    ax.text(WIDTH / 2, height - 0.3, f"Cluster at t = {cluster.now:.1f} s · {up} of "
            f"{len(hosts)} hosts up", ha="center", va="center", fontsize=15, weight="bold")

    cp_top = height - 0.6 - _BAND_PAD
    cp_bottom = cp_top - cp_h - _BAND_PAD
    if highly_available:
        band(ax, cp_bottom, cp_h + 2 * _BAND_PAD,
             f"control plane · {etcd_leaders(cluster)}", "cp_band")
        backends = draw_ha_control_planes(ax, cluster, control_planes, cp_top)
        target = draw_balancer(ax, cluster, backends, cp_bottom - LB_ABOVE)
        missing = f"{cluster.endpoint} not running: kubelets cannot reach the API servers"
        band_top = cp_bottom - LB_ABOVE - LB_H - LB_BELOW
    else:
        band(ax, cp_bottom, cp_h + 2 * _BAND_PAD, "control plane", "cp_band")
        target = _draw_control_plane(ax, control_planes[0], cp_top, cp_h)
        missing = "kube-apiserver not running: kubelets cannot reach it"
        band_top = cp_bottom - _BAND_GAP
    if slots:
        band(ax, band_top - workers_h - 2 * _BAND_PAD, workers_h + 2 * _BAND_PAD,
             "worker nodes", "worker_band")
        kubelets = _draw_workers(ax, workers, more, band_top - _BAND_PAD)
        bus_y = band_top + (LB_BELOW if highly_available else _BAND_GAP) / 2
        _draw_kubelet_links(ax, kubelets, target, bus_y, missing)
    plt.close(fig)
    return fig


def _draw_workers(ax: Axes, workers: list[HostView], more: list[HostView],
                  top: float) -> list[tuple]:
    """Draw the workers in rows of four, then the "… N more" box; return their kubelet boxes."""
    slots = len(workers) + (1 if more else 0)
    first_x = (WIDTH - min(slots, WORKER_COLUMNS) * _SLOT) / 2
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


def _control_plane_height(view: HostView) -> float:
    return 2.1 + (0.5 if view.pods else 0)


def _draw_control_plane(ax: Axes, view: HostView, top: float, h: float) -> tuple | None:
    """Draw the control-plane host; return the API server box (x, y, w) if it is running."""
    host_frame(ax, view, _CP_X, top, _CP_W, h)
    box_w = 1.8
    columns = {"etcd": 2.3, "kube-apiserver": 4.45, "kube-scheduler": 6.6,
               "kube-controller-manager": 8.75}
    services_y = top - TITLE_H - BOX_H - 0.05
    static_y = services_y - 0.55 - 0.5
    # The kubelet sits above the API server it talks to; containerd beside it.
    service_x = {"kubelet": columns["kube-apiserver"] + 0.2,
                 "containerd": columns["kube-scheduler"] + 0.2}
    for service in view.services:
        box(ax, service_x[service], services_y, box_w - 0.4, BOX_H, service, "service")
    for component in view.control:
        label = CONTROL_LABELS.get(component, component)
        box(ax, columns[component], static_y, box_w, 0.62, f"{label}\n(static pod)",
            "control", fontsize=MAP_FONT)
    if view.up:
        ax.text(_CP_X + 0.12, services_y + BOX_H / 2, "node services", fontsize=MAP_FONT,
                va="center", color="#555555")
        ax.text(_CP_X + 0.12, static_y + 0.25, "containers\n(shim, runc)", fontsize=MAP_FONT,
                va="center", color="#555555")
    for index, pod in enumerate(view.pods[:PODS_SHOWN]):
        box(ax, 2.45 + index * 1.25, static_y - 0.45, 1.15, 0.32, short(pod, 10), "pod",
            fontsize=MAP_FONT)
    if "kube-apiserver" not in view.control:
        return None
    api_x, api_y = columns["kube-apiserver"], static_y
    if "kube-scheduler" in view.control:
        link(ax, (columns["kube-scheduler"], api_y + 0.25), (api_x + box_w, api_y + 0.25),
             "watch/list")
    if "etcd" in view.control:
        link(ax, (api_x, api_y + 0.25), (columns["etcd"] + box_w, api_y + 0.25), "etcd client")
    if "kubelet" in view.services:
        x = service_x["kubelet"] + (box_w - 0.4) / 2
        link(ax, (x, services_y), (x, api_y + 0.62), "watch/list")
    return api_x, api_y, box_w


def _draw_worker(ax: Axes, view: HostView, x: float, top: float) -> tuple | None:
    """Draw one worker; return its kubelet box (left, bottom, width) if the kubelet runs."""
    host_frame(ax, view, x, top, _WORKER_W, _WORKER_H)
    if not view.up:
        ax.text(x + _WORKER_W / 2, top - _WORKER_H / 2, "host down", ha="center", va="center",
                fontsize=MAP_FONT, color=COLOURS["cross"], zorder=4,
                bbox={"facecolor": "white", "edgecolor": "none"})
        return None
    inner_w = (_WORKER_W - 0.3) / 2
    services_y = top - TITLE_H - BOX_H
    for index, service in enumerate(NODE_SERVICES):
        if service in view.services:
            box(ax, x + 0.1 + index * (inner_w + 0.1), services_y, inner_w, BOX_H, service,
                "service")
    count = f"{len(view.pods)} pod{'' if len(view.pods) == 1 else 's'}"
    ax.text(x + 0.12, services_y - 0.2, f"{count} · shim → runc",
            fontsize=MAP_FONT, va="center", color="#555555", zorder=3)
    pods = view.pods if len(view.pods) <= PODS_SHOWN else view.pods[:PODS_SHOWN - 1]
    labels = [short(pod, 10) for pod in pods]
    if len(view.pods) > PODS_SHOWN:
        labels.append(f"+ {len(view.pods) - len(pods)} more")
    for index, label in enumerate(labels):
        row, column = divmod(index, 2)
        box(ax, x + 0.1 + column * (inner_w + 0.1), services_y - 0.72 - row * 0.42, inner_w,
            0.32, label, "pod", fontsize=MAP_FONT, dashed=label.startswith("+ "))
    if "kubelet" not in view.services:
        return None
    return x + 0.1, services_y, inner_w


def _draw_more(ax: Axes, hidden: list[HostView], x: float, top: float) -> None:
    up = sum(view.up for view in hidden)
    box(ax, x, top - _WORKER_H, _WORKER_W, _WORKER_H,
        f"… {len(hidden)} more\nworker nodes\n({up} up)", "white", fontsize=MAP_FONT,
        dashed=True)


def _draw_kubelet_links(ax: Axes, kubelets: list[tuple], apiserver: tuple | None,
                        bus_y: float, missing: str) -> None:
    """Join every worker kubelet to one line under the control plane, and that to the API server
    (or to the load balancer in front of the API servers); say so when there is none to reach.

    Kubelets in lower rows climb through the gaps between the boxes above them, on the side
    nearer the middle.
    """
    if not kubelets:
        return
    style = {"color": COLOURS["link"], "lw": 0.9, "zorder": 1.8}
    reach = []
    for left, bottom, width, row in kubelets:
        if row == 0:
            x = left + width / 2
            ax.plot([x, x], [bottom + BOX_H, bus_y], **style)
        else:
            box_x, margin = left - 0.1, (_SLOT - _WORKER_W) / 2
            gap_x = box_x + _WORKER_W + margin if box_x < WIDTH / 2 - _SLOT / 2 else box_x - margin
            above = bottom + BOX_H + TITLE_H + _ROW_GAP / 2
            x = left + width / 2
            ax.plot([x, x, gap_x, gap_x], [bottom + BOX_H, above, above, bus_y], **style)
            x = gap_x
        reach.append(x)
    if apiserver is None:
        ax.plot([min(reach), max(reach)], [bus_y, bus_y], linestyle="--", **style)
        ax.text(WIDTH / 2, bus_y, missing,
                ha="center", va="center", fontsize=MAP_FONT, color=COLOURS["cross"],
                bbox={"facecolor": "white", "edgecolor": "none"})
        return
    api_x, api_y, api_w = apiserver
    centre = api_x + api_w / 2
    ax.plot([min(*reach, centre), max(*reach, centre)], [bus_y, bus_y], **style)
    link(ax, (centre, bus_y), (centre, api_y), "kubelets: watch/list",
         label_at=(centre, (bus_y + api_y) / 2))

"""The life of one object across the components: a swimlane figure, and the same records as a table.

Lanes run in the order a request travels: apiserver, etcd, scheduler, kubelet, containerd,
cni (the plugins containerd runs for the sandbox's network), containerd-shim-runc-v2, runc.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from k8slab.lab.plots.style import pyplot

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from k8slab.lab.cluster import Cluster

LANES = ("apiserver", "etcd", "scheduler", "kubelet", "containerd", "cni",
         "containerd-shim-runc-v2", "runc")
DETAILS_WIDTH = 50
_LANE_COLOURS = ("#1f77b4", "#9467bd", "#ff7f0e", "#2ca02c", "#17becf", "#bcbd22", "#8c564b",
                 "#7f7f7f")


def _lanes(records: list) -> list[str]:
    present = list(dict.fromkeys(rec.component for rec in records))
    return [lane for lane in LANES if lane in present] + [c for c in present if c not in LANES]


def swimlane(cluster: Cluster, ref: str) -> Figure:
    """The life of one object across components: a lane each, a marker per record in time.

    Lanes run in the order a request travels: apiserver, etcd, scheduler, kubelet, containerd,
    cni, containerd-shim-runc-v2, runc.
    """
    records = cluster.trace_of(ref)
    lanes = _lanes(records)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8.4, 1.2 + 0.8 * max(len(lanes), 1)))
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
                        xytext=(2, 7 + 12 * level), textcoords="offset points", fontsize=9,
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

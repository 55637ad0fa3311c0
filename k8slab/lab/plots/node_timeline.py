"""When a node dies: one timeline, read from the trace, of everything the cluster does about it.

Lane by lane: the host's power, its kubelet's Lease renewals (which stop), what the node
lifecycle controller does to the Node (NodeNotReady, taints), the taint-eviction controller
marking the node's pods for deletion, the API server deleting them, the ReplicaSet controller
creating replacements, and the scheduler placing those on other nodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from k8slab.lab.plots.svg import GRID, INK, MUTED, TITLE_PX, Picture, Svg, text_width, time_ticks
from k8slab.sim.trace import Record, Trace

if TYPE_CHECKING:
    from k8slab.lab.cluster import Cluster

CONTROLLER_MANAGER = "kube-controller-manager"
# (lane, label): top to bottom, in the order the story happens.
LANES = (
    ("host", "host power"),
    ("lease", "kubelet: Lease renewed"),
    ("node", "node lifecycle: the Node"),
    ("evicted", "taint eviction: pods"),
    ("deleted", "apiserver: pods deleted"),
    ("created", "replicaset: pods created"),
    ("scheduled", "scheduler: new pods placed"),
)
LANE_COLOURS = {"host": "#222222", "lease": "#2ca02c", "node": "#d62728", "evicted": "#ff7f0e",
                "deleted": "#8c564b", "created": "#1f77b4", "scheduled": "#9467bd"}
LEAD_SECONDS = 30.0  # how far before the node's crash the timeline starts by default
CREATED_PREFIX = "Created pod: "  # the SuccessfulCreate message (kk controller_utils.go)


@dataclass(frozen=True)
class Moment:
    """Something the cluster did about the node, at `time`, drawn in `lane`."""

    time: float
    lane: str
    kind: str
    obj: str
    detail: str = ""


def last_crash(trace: Trace, node: str) -> float | None:
    """When the host `node` last crashed, or None if it never did."""
    crashes = trace.where(component="host", kind="crash", host=node)
    return crashes[-1].time if crashes else None


def _pods_on(trace: Trace, node: str) -> set[str]:
    """The pods that ran on `node`: the scheduler bound them there, or its kubelet synced them."""
    scheduled = {r.obj for r in trace.by_component("scheduler")
                 if r.kind == "Scheduled" and r.details.get("node") == node}
    synced = {r.obj for r in trace.where(component="kubelet", kind="SyncPod", host=node)}
    return scheduled | synced


def _moment(record: Record, lane: str, detail: str = "") -> Moment:
    return Moment(record.time, lane, record.kind, record.obj,
                  detail or str(record.details.get("message", "")))


def node_moments(trace: Trace, node: str, since: float | None = None) -> list[Moment]:
    """Every moment of the story of `node` from `since` (default: 30 s before its last crash),
    in time order. A pod of the node deleted before the crash (a rollout's) is not part of it."""
    crashed = last_crash(trace, node)
    if since is None:
        since = max((crashed or 0.0) - LEAD_SECONDS, 0.0)
    pods = _pods_on(trace, node)
    node_ref = f"node/{node}"
    moments: list[Moment] = []
    replacements: dict[str, str] = {}
    first_eviction: float | None = None
    for record in trace:
        if record.time < since:
            continue
        if record.component == "host" and record.host == node:
            moments.append(_moment(record, "host"))
        elif record.kind == "RenewLease" and record.obj == f"lease/kube-node-lease/{node}":
            moments.append(_moment(record, "lease"))
        elif record.component == CONTROLLER_MANAGER and record.obj == node_ref:
            moments.append(_moment(record, "node"))
        elif record.kind == "TaintManagerEviction" and record.obj in pods:
            first_eviction = record.time if first_eviction is None else first_eviction
            moments.append(_moment(record, "evicted"))
        elif (record.component == "apiserver" and record.kind == "delete"
              and record.obj in pods and record.time >= (crashed or 0.0)):
            moments.append(_moment(record, "deleted", str(record.details.get("user", ""))))
        elif (record.kind == "SuccessfulCreate" and first_eviction is not None
              and str(record.details.get("message", "")).startswith(CREATED_PREFIX)):
            namespace = record.obj.split("/")[1] if record.obj.count("/") == 2 else "default"
            name = str(record.details["message"]).removeprefix(CREATED_PREFIX)
            replacements[f"pod/{namespace}/{name}"] = record.obj
            moments.append(_moment(record, "created", f"pod/{namespace}/{name}"))
        elif (record.component == "scheduler" and record.kind == "Scheduled"
              and record.obj in replacements):
            moments.append(_moment(record, "scheduled", str(record.details.get("node", ""))))
    return moments


def timeline_rows(moments: Sequence[Moment], *, renewals: bool = False) -> list[dict]:
    """The moments as table rows (time, lane, kind, object, detail); Lease renewals only if
    `renewals`, as they come every 10 s and would fill the table."""
    labels = dict(LANES)
    return [{"time": round(m.time, 3), "lane": labels[m.lane], "kind": m.kind, "object": m.obj,
             "detail": m.detail} for m in moments if renewals or m.lane != "lease"]


def lane_labels(moments: Sequence[Moment], within: float) -> list[tuple[float, str]]:
    """(time, text) labels for one lane: each kind once, at its first moment, with how many
    followed ("TaintManagerEviction ×3 at 410.2 s"); kinds that first came less than `within`
    seconds apart share one label ("NodeStatusUnknown, NodeNotReady at 155.0 s")."""
    labels: list[tuple[float, list[str]]] = []
    for kind in dict.fromkeys(m.kind for m in moments):
        group = [m for m in moments if m.kind == kind]
        name = f"{kind} ×{len(group)}" if len(group) > 1 else kind
        if labels and group[0].time - labels[-1][0] < within:
            labels[-1][1].append(name)
        else:
            labels.append((group[0].time, [name]))
    return [(time, f"{', '.join(names)} at {time:.1f} s") for time, names in labels]


def node_timeline_svg(moments: Sequence[Moment], title: str) -> str:
    """The timeline: a lane per actor, a mark per moment, the first of each kind labelled with
    its time (and how many followed)."""
    width, lane_h, left, right, top = 860.0, 40.0, 200.0, 840.0, 40.0
    bottom = top + lane_h * len(LANES)
    svg = Svg(width, bottom + 44)
    svg.text(width / 2, 14, title, size=TITLE_PX, anchor="middle", bold=True)
    if not moments:
        svg.text(width / 2, (top + bottom) / 2, "nothing recorded about this node yet",
                 anchor="middle")
        return svg.markup()
    start, end = moments[0].time, max(m.time for m in moments)
    span = max(end - start, 1.0)

    def x_of(time: float) -> float:
        return left + (right - left - 10) * (time - start) / span

    for tick in time_ticks(start, end, 8):
        svg.line(x_of(tick), top, x_of(tick), bottom, GRID)
        svg.text(x_of(tick), bottom + 12, f"{tick:g}", anchor="middle", colour=MUTED)
    svg.text((left + right) / 2, bottom + 30, "simulated time (s)", anchor="middle",
             colour=MUTED)
    for index, (lane, label) in enumerate(LANES):
        y = top + lane_h * (index + 0.5)
        svg.text(left - 8, y, label, anchor="end")
        svg.line(left, y, right, y, GRID)
        in_lane = [m for m in moments if m.lane == lane]
        colour = LANE_COLOURS[lane]
        for moment in in_lane:
            svg.circle(x_of(moment.time), y, 4, colour, stroke=colour,
                       tip=f"{moment.time:.1f} s {moment.kind} {moment.obj} {moment.detail}")
        if lane == "lease":  # renewals are marks only: their rhythm is the point
            continue
        labelled_until, level = -1.0, 0
        for time, text in lane_labels(in_lane, 1.0):
            x = min(x_of(time) + 6, width - text_width(text) - 4)
            level = 1 - level if x < labelled_until else 0
            svg.text(x, y - 11 + 22 * level, text, colour=INK)
            labelled_until = x + text_width(text)
    return svg.markup()


def node_timeline(cluster: Cluster, node: str, since: float | None = None) -> Picture:
    """The timeline of `node` from the cluster's trace, ready to show as a cell's value."""
    moments = node_moments(cluster.trace, node, since)
    counts = {lane: sum(m.lane == lane for m in moments) for lane, _ in LANES}
    summary = (f"node/{node}: " + ", ".join(f"{label} {counts[lane]}" for lane, label in LANES))
    return Picture(node_timeline_svg(moments, f"What the cluster did about {node}"), summary)

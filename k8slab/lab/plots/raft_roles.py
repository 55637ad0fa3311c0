"""Each etcd member's Raft role over time, read from the trace: as segments, and as a timeline
with one lane per member (RaftScope's idea: one colour per role).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import TYPE_CHECKING

from k8slab.errors import K8sLabError
from k8slab.lab.plots.style import ROLE_COLOURS, fits, pyplot
from k8slab.lab.plots.svg import MUTED, TITLE_PX, Key, Svg, nice_ticks, text_width

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from k8slab.lab.cluster import Cluster

DOWN_EDGE = "#c0392b"
DOWN_HATCH = "///"
_LANE_HEIGHT = 0.7


def window(cluster: Cluster, start: float, end: float | None) -> tuple[float, float]:
    """The window [start, end] in simulated seconds (end: now), checked: end after start >= 0."""
    end = cluster.now if end is None else end
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, numbers.Real) or isinstance(value, bool) or value < 0:
            raise K8sLabError(f"{name} is a time in simulated seconds >= 0, got {value!r}")
    if end <= start:
        raise K8sLabError(f"end ({end:g} s) must come after start ({start:g} s)")
    return float(start), float(end)


@dataclass(frozen=True)
class Segment:
    """A stretch of time a member spent in one role and term ("down" while its host is off)."""

    start: float
    end: float
    role: str
    term: int
    leader: str | None = None


@dataclass
class _Change:
    time: float
    role: str
    term: int
    leader: str | None = None


def _changes(cluster: Cluster, members: list[str]) -> dict[str, list[_Change]]:
    """Each member's role changes in trace order; a member starts as a follower in the term its
    WAL holds (a new member's bootstrap writes term 1), as its "restore" record says.

    A crashed host is "down"; it boots as a follower in the term it had persisted.
    """
    changes = {m: [_Change(0.0, "follower", 0)] for m in members}
    for rec in cluster.trace:
        if rec.obj not in changes:
            continue
        last = changes[rec.obj][-1]
        if rec.component == "etcd" and rec.kind == "restore":
            term = rec.details["term"]
            if len(changes[rec.obj]) == 1:  # the first start: the lane shows it from time 0
                changes[rec.obj][0] = _Change(0.0, "follower", term)
            else:
                changes[rec.obj].append(_Change(rec.time, "follower", term))
        elif rec.component == "etcd" and rec.kind == "raft-role":
            details = rec.details
            changes[rec.obj].append(_Change(rec.time, details["role"], details["term"],
                                            details.get("leader")))
        elif rec.component == "host" and rec.kind == "crash":
            changes[rec.obj].append(_Change(rec.time, "down", last.term))
        elif rec.component == "host" and rec.kind == "boot" and last.role == "down":
            changes[rec.obj].append(_Change(rec.time, "follower", last.term))
    return changes


def role_segments(cluster: Cluster, start: float = 0, end: float | None = None
                  ) -> dict[str, list[Segment]]:
    """Each etcd member's roles between `start` and `end` (default: now), as time segments.

    Built from the trace's `raft-role` records and its host crash and boot records.
    """
    start, end = window(cluster, start, end)
    segments: dict[str, list[Segment]] = {}
    for member, changes in _changes(cluster, list(cluster.control_planes)).items():
        merged: list[_Change] = []
        for change in changes:
            if merged and (merged[-1].role, merged[-1].term) == (change.role, change.term):
                continue
            merged.append(change)
        bounds = [change.time for change in merged[1:]] + [end]
        segments[member] = [
            Segment(max(c.time, start), min(until, end), c.role, c.term, c.leader)
            for c, until in zip(merged, bounds, strict=True)
            if min(until, end) > max(c.time, start)
        ]
    return segments


def roles_timeline(cluster: Cluster, start: float = 0, end: float | None = None) -> Figure:
    """One lane per etcd member, coloured by its Raft role over time, each stretch with its term.

    Grey follower, light orange pre-candidate, orange candidate, green leader, hatched red: down.
    """
    from matplotlib.patches import Patch

    segments = role_segments(cluster, start, end)
    start, end = window(cluster, start, end)
    members = list(segments)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8.4, 1.8 + _LANE_HEIGHT * max(len(members), 1)))
    ax.set_title(f"Raft roles of the etcd members, t = {start:g} to {end:g} s", fontsize=11)
    ax.set_xlabel("simulated time (s)")
    inches_per_second = 6.6 / (end - start)
    for lane, member in enumerate(members):
        y = len(members) - 1 - lane
        for seg in segments[member]:
            down = seg.role == "down"
            ax.barh(y, seg.end - seg.start, left=seg.start, height=0.6,
                    color=ROLE_COLOURS.get(seg.role, ROLE_COLOURS["follower"]),
                    edgecolor=DOWN_EDGE if down else "white", hatch=DOWN_HATCH if down else None,
                    linewidth=0.8 if down else 0.5)
            label = _segment_label(seg, (seg.end - seg.start) * inches_per_second)
            if label:
                ax.text((seg.start + seg.end) / 2, y, label, ha="center", va="center",
                        fontsize=9, color=DOWN_EDGE if down else "#222222",
                        bbox={"boxstyle": "round,pad=0.1", "facecolor": "white",
                              "edgecolor": "none"} if down else None)
    ax.set_yticks(range(len(members)), list(reversed(members)), fontsize=9)
    ax.set_ylabel("etcd member")
    ax.set_ylim(-0.6, max(len(members), 1) - 0.4)
    ax.set_xlim(start, end)
    handles = [Patch(facecolor=colour, edgecolor=DOWN_EDGE if role == "down" else "#999999",
                     hatch=DOWN_HATCH if role == "down" else None, label=role)
               for role, colour in ROLE_COLOURS.items()]
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.08), ncol=5,
              fontsize=9, frameon=False)
    fig.tight_layout()
    plt.close(fig)
    return fig


def _segment_label(seg: Segment, inches: float) -> str:
    """"term 3" where it fits, "3" where only that fits, nothing on a sliver."""
    long, short = ("down", "") if seg.role == "down" else (f"term {seg.term}", str(seg.term))
    for text in (long, short):
        if text and fits(text, inches - 0.04, 9):
            return text
    return ""


def roles_timeline_svg(segments: dict[str, list[Segment]], start: float, end: float) -> str:
    """The panel's picture of `segments` (from `role_segments`): `roles_timeline` as an SVG."""
    left, right, lane = 140.0, 790.0, 36.0
    svg = Svg(800, 110 + lane * len(segments))
    svg.text(400, 14, f"Raft roles of the etcd members, t = {start:g} to {end:g} s",
             size=TITLE_PX, anchor="middle", bold=True)
    svg.legend([Key(role, colour, hatched=role == "down") for role, colour in
                ROLE_COLOURS.items()], 20, 38)
    scale = (right - left) / (end - start)
    for index, (member, segs) in enumerate(segments.items()):
        y = 60 + index * lane
        svg.text(left - 8, y + lane / 2 - 3, member, anchor="end")
        for seg in segs:
            x, w = left + (seg.start - start) * scale, (seg.end - seg.start) * scale
            down = seg.role == "down"
            svg.rect(x, y, w, lane - 6, ROLE_COLOURS.get(seg.role, ROLE_COLOURS["follower"]),
                     stroke=DOWN_EDGE if down else "white", hatched=down,
                     tip=f"{member}: {seg.role}, term {seg.term}, "
                         f"{seg.start:.2f} to {seg.end:.2f} s")
            label = next((t for t in (("down",) if down else (f"term {seg.term}", str(seg.term)))
                          if text_width(t) < w - 4), "")
            if label:
                svg.text(x + w / 2, y + lane / 2 - 3, label, anchor="middle",
                         colour=DOWN_EDGE if down else "#222222")
    bottom = 60 + lane * len(segments)
    svg.line(left, bottom, right, bottom, MUTED)
    for tick in nice_ticks(end - start, 6):
        x = left + tick * scale
        svg.line(x, bottom, x, bottom + 4, MUTED)
        svg.text(x, bottom + 14, f"{start + tick:g}", anchor="middle", colour=MUTED)
    svg.text((left + right) / 2, bottom + 34, "simulated time (s)", anchor="middle",
             colour=MUTED)
    return svg.markup()

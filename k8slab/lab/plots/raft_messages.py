"""The messages of an election as a sequence diagram: one lifeline per etcd member, time running
down, an arrow per Raft message, role changes, crashes and boots on the lifelines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from k8slab.lab.plots.raft_roles import DOWN_EDGE, Segment, role_segments, window
from k8slab.lab.plots.style import ROLE_COLOURS, pyplot

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from k8slab.lab.cluster import Cluster

MESSAGE_COLOURS = {"vote": "#e6550d", "append": "#3182bd", "snapshot": "#756bb1",
                   "other": "#636363"}
MAX_EVENTS = 100
CRASH_COLOUR, BOOT_COLOUR = "#f5b7b1", "#d5f5e3"


@dataclass
class SequenceRow:
    """One row of the sequence diagram: messages from one member, or a change on its lifeline."""

    time: float
    member: str
    label: str
    kind: str  # "message", "role" or "host"
    colour: str
    dashed: bool = False
    destinations: list[str] = field(default_factory=list)


def message_label(details: dict) -> str:
    """A short arrow label for a Raft message: "PreVote t=2", "vote ✓ t=2", "AppendEntries ×1 t=2".

    An AppendEntries with no entries is the leader's heartbeat (Raft paper, section 5.2).
    """
    kind = details.get("type", "?")
    pre = bool(details.get("pre_vote")) or kind.startswith("PreVote")
    term = f" t={details['term']}" if "term" in details else ""
    granted = details.get("granted", details.get("success"))
    mark = "?" if granted is None else ("✓" if granted else "✗")
    if kind in ("RequestVote", "PreVote"):
        return f"{'PreVote' if pre else 'RequestVote'}{term}"
    if kind in ("RequestVoteResponse", "PreVoteResponse"):
        return f"{'pre-vote' if pre else 'vote'} {mark}{term}"
    if kind == "AppendEntries":
        entries = details.get("entries", 0)
        return f"AppendEntries ×{entries}{term}" if entries else f"heartbeat{term}"
    if kind == "AppendEntriesResponse":
        return f"append {mark}{term}"
    return f"{kind}{term}"


def _message_style(kind: str) -> tuple[str, bool]:
    family = ("vote" if "Vote" in kind else "append" if "Append" in kind
              else "snapshot" if "Snapshot" in kind else "other")
    return MESSAGE_COLOURS[family], kind.endswith("Response")


def sequence_events(cluster: Cluster, start: float, end: float | None = None) -> list[SequenceRow]:
    """The rows of `election_sequence`: messages between members, role changes, crashes, boots.

    Messages one member sends at the same moment with the same label share a row (a broadcast).
    """
    start, end = window(cluster, start, end)
    members = list(cluster.control_planes)
    events: list[SequenceRow] = []
    for rec in cluster.trace:
        if rec.time < start or rec.time > end or rec.obj not in members:
            continue
        if rec.component == "etcd" and rec.kind == "raft-msg":
            destination = rec.details.get("dst")
            if destination not in members:
                continue
            label = message_label(rec.details)
            last = events[-1] if events else None
            if (last and last.kind == "message" and last.time == rec.time
                    and last.member == rec.obj and last.label == label):
                last.destinations.append(destination)
                continue
            colour, dashed = _message_style(rec.details.get("type", ""))
            events.append(SequenceRow(rec.time, rec.obj, label, "message", colour, dashed,
                                      [destination]))
        elif rec.component == "etcd" and rec.kind == "raft-role":
            role = rec.details["role"]
            events.append(SequenceRow(rec.time, rec.obj, f"{role} t={rec.details['term']}", "role",
                                      ROLE_COLOURS.get(role, ROLE_COLOURS["follower"])))
        elif rec.component == "host" and rec.kind in ("crash", "boot"):
            events.append(SequenceRow(rec.time, rec.obj, rec.kind, "host",
                                      CRASH_COLOUR if rec.kind == "crash" else BOOT_COLOUR))
    return events


def election_sequence(cluster: Cluster, start: float, end: float | None = None) -> Figure:
    """A message sequence diagram: one lifeline per member, time running down, arrows between.

    Dashed arrows are replies; boxes on a lifeline are role changes, crashes and boots.
    """
    events = sequence_events(cluster, start, end)
    start, end = window(cluster, start, end)
    members = list(cluster.control_planes)
    total = len(events)
    events = events[:MAX_EVENTS]
    rows = max(len(events), 1)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8.4, 2.6 + 0.34 * rows))
    title = f"Raft messages between etcd members, t = {start:g} to {end:g} s"
    if total > MAX_EVENTS:
        title += f"\n(first {MAX_EVENTS} of {total} events: choose a shorter window)"
    ax.set_title(title, fontsize=11)
    x_of = {member: index for index, member in enumerate(members)}
    _draw_lifelines(ax, cluster, members, events, start, end, rows)
    for row, event in enumerate(events):
        x = x_of[event.member]
        if event.kind != "message":
            ax.text(x, row, event.label, ha="center", va="center", fontsize=9, zorder=4,
                    bbox={"boxstyle": "round,pad=0.2", "facecolor": event.colour,
                          "edgecolor": "#555555", "linewidth": 0.5})
            continue
        for destination in event.destinations:
            ax.annotate("", xy=(x_of[destination], row + 0.45), xytext=(x, row), zorder=3,
                        arrowprops={"arrowstyle": "-|>", "color": event.colour, "lw": 1.0,
                                    "linestyle": "--" if event.dashed else "-",
                                    "shrinkA": 0, "shrinkB": 0})
        if len(event.destinations) == 1:
            label_x = (x + x_of[event.destinations[0]]) / 2
        else:
            label_x = x
        ax.text(label_x, row - 0.05, event.label, ha="center", va="bottom", fontsize=9,
                color=event.colour, zorder=5,
                bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none"})
    if not events:
        ax.text((len(members) - 1) / 2, 0, f"no Raft messages between t = {start:g} and "
                f"{end:g} s", ha="center", va="center", fontsize=9)
    times = [f"{event.time:.3f}" for event in events]
    ax.set_yticks(range(len(times)), [t if i == 0 or t != times[i - 1] else ""
                                      for i, t in enumerate(times)], fontsize=9)
    ax.set_ylabel("simulated time (s), running down")
    ax.set_xticks(range(len(members)), members, fontsize=9)
    ax.xaxis.tick_top()
    ax.set_xlim(-0.6, len(members) - 0.4)
    ax.set_ylim(rows + 0.2, -1.6)
    for side in ("right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.legend(handles=_legend_handles(), loc="upper center", bbox_to_anchor=(0.5, 0.0),
              ncol=4, fontsize=9, frameon=False)
    fig.tight_layout()
    plt.close(fig)
    return fig


def _legend_handles() -> list:
    """What the arrows' colours and dashes mean, and the boxes on the lifelines."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Line2D([], [], color=MESSAGE_COLOURS[family], lw=1.5, label=label)
               for family, label in (("vote", "votes"), ("append", "AppendEntries"),
                                     ("snapshot", "snapshots"))]
    handles.append(Line2D([], [], color="#636363", lw=1.5, linestyle="--", label="reply"))
    handles += [Patch(facecolor=ROLE_COLOURS[role], edgecolor="#555555", label=role)
                for role in ("follower", "candidate", "leader")]
    handles += [Patch(facecolor=colour, edgecolor="#555555", label=f"host {kind}")
                for kind, colour in (("crash", CRASH_COLOUR), ("boot", BOOT_COLOUR))]
    return handles


def _draw_lifelines(ax: Axes, cluster: Cluster, members: list[str], events: list[SequenceRow],
                    start: float, end: float, rows: int) -> None:
    """Dashed lifelines headed by each member's role at `start` (a fresh member: a follower in
    its bootstrap's term 1); red where the host is down."""
    at_start = {m: segs[0] for m, segs in role_segments(cluster, start, end).items() if segs}
    for x, member in enumerate(members):
        ax.plot([x, x], [-1, rows + 0.2], color="#999999", lw=0.8, linestyle=":", zorder=1)
        state = at_start.get(member, Segment(start, end, "follower", 0))
        head = "down" if state.role == "down" else f"{state.role} t={state.term}"
        ax.text(x, -1, head, ha="center", va="center", fontsize=9, zorder=4,
                bbox={"boxstyle": "round,pad=0.25", "facecolor": ROLE_COLOURS.get(
                    state.role, ROLE_COLOURS["follower"]), "edgecolor": "#555555"})
        down_since = -1.0 if state.role == "down" else None
        for row, event in enumerate(events):
            if event.member != member or event.kind != "host":
                continue
            if event.label == "crash":
                down_since = row
            elif down_since is not None:
                ax.plot([x, x], [down_since, row], color=DOWN_EDGE, lw=2.5, alpha=0.5, zorder=2)
                down_since = None
        if down_since is not None:
            ax.plot([x, x], [down_since, rows + 0.2], color=DOWN_EDGE, lw=2.5, alpha=0.5,
                    zorder=2)

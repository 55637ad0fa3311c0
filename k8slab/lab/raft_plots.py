"""Pictures of Raft inside etcd: each member's role over time, the logs side by side, the messages
of an election, and a status table, read from the trace and from the members' memory.

The colours follow RaftScope's idea: one colour per role, one colour per term. Each function
returns a closed matplotlib `Figure` (or table rows); matplotlib is imported only when drawing.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from k8slab.errors import K8sLabError
from k8slab.etcd.wire import RequestOp, TxnRequest

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from k8slab.lab.cluster import Cluster

ROLE_COLOURS = {
    "follower": "#bdbdbd",
    "pre-candidate": "#fdd0a2",
    "candidate": "#fd8d3c",
    "leader": "#41ab5d",
    "down": "#ffffff",
}
DOWN_EDGE = "#c0392b"
DOWN_HATCH = "///"
TERM_COLOURS = ("#9ecae1", "#fdae6b", "#a1d99b", "#bcbddc", "#fc9272",
                "#c7e9c0", "#fdd0a2", "#dadaeb", "#c6dbef", "#fee391")
SNAPSHOT_COLOUR = "#d9d9d9"
COMMIT_COLOUR = "#c0392b"
MESSAGE_COLOURS = {"vote": "#e6550d", "append": "#3182bd", "snapshot": "#756bb1",
                   "other": "#636363"}
LOG_WINDOW = 40
MAX_EVENTS = 100
_LANE_HEIGHT = 0.7
_CHAR_INCHES = 0.6 / 72  # the width of one character per point of font size, roughly


def _pyplot() -> Any:
    import matplotlib.pyplot as plt

    return plt


def term_colour(term: int) -> str:
    """The colour of log entries of `term`: ten colours, repeating from term 11."""
    return TERM_COLOURS[(term - 1) % len(TERM_COLOURS)]


def _fits(text: str, inches: float, fontsize: float) -> bool:
    return len(text) * fontsize * _CHAR_INCHES <= inches


def _window(cluster: Cluster, start: float, end: float | None) -> tuple[float, float]:
    end = cluster.now if end is None else end
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, numbers.Real) or isinstance(value, bool) or value < 0:
            raise K8sLabError(f"{name} is a time in simulated seconds >= 0, got {value!r}")
    if end <= start:
        raise K8sLabError(f"end ({end:g} s) must come after start ({start:g} s)")
    return float(start), float(end)


def _member(cluster: Cluster, name: str) -> Any | None:
    """The etcd member running on host `name`, or None when the host or etcd is down."""
    host = cluster.network.host(name)
    return host.memory.get("etcd") if host.up else None


def _last_index(log: list, snapshot_index: int) -> int:
    return log[-1].index if log else snapshot_index


# -- what each member was, over time -------------------------------------------------------------


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
    """Each member's role changes in trace order; a member starts as a follower in term 0.

    A crashed host is "down"; it boots as a follower in the term it had persisted.
    """
    changes = {m: [_Change(0.0, "follower", 0)] for m in members}
    for rec in cluster.trace:
        if rec.obj not in changes:
            continue
        last = changes[rec.obj][-1]
        if rec.component == "etcd" and rec.kind == "raft-role":
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
    start, end = _window(cluster, start, end)
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
    start, end = _window(cluster, start, end)
    members = list(segments)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(11, 1.6 + _LANE_HEIGHT * max(len(members), 1)))
    ax.set_title(f"Raft roles of the etcd members, t = {start:g} to {end:g} s", fontsize=11)
    ax.set_xlabel("simulated time (s)")
    inches_per_second = 9.5 / (end - start)
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
                        fontsize=7, color=DOWN_EDGE if down else "#222222",
                        bbox={"boxstyle": "round,pad=0.1", "facecolor": "white",
                              "edgecolor": "none"} if down else None)
    ax.set_yticks(range(len(members)), list(reversed(members)))
    ax.set_ylim(-0.6, max(len(members), 1) - 0.4)
    ax.set_xlim(start, end)
    handles = [Patch(facecolor=colour, edgecolor=DOWN_EDGE if role == "down" else "#999999",
                     hatch=DOWN_HATCH if role == "down" else None, label=role)
               for role, colour in ROLE_COLOURS.items()]
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.08), ncol=5,
              fontsize=8, frameon=False)
    fig.tight_layout()
    plt.close(fig)
    return fig


def _segment_label(seg: Segment, inches: float) -> str:
    """"term 3" where it fits, "3" where only that fits, nothing on a sliver."""
    long, short = ("down", "") if seg.role == "down" else (f"term {seg.term}", str(seg.term))
    for text in (long, short):
        if text and _fits(text, inches - 0.04, 7):
            return text
    return ""


# -- the logs side by side ----------------------------------------------------------------------


def raft_logs(cluster: Cluster) -> Figure:
    """Every member's Raft log, one row each, for the last 40 indexes: a cell per entry.

    Cells are coloured by term (faded until committed); the red bar is the commit index; grey is
    the prefix compacted into a snapshot. A member that is down shows an empty row.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    members = list(cluster.control_planes)
    rafts = {}
    for name in members:
        member = _member(cluster, name)
        rafts[name] = (member.raft, member.raft.log) if member is not None else None
    hi = max([_last_index(log, raft.snapshot_index) for raft, log in filter(None, rafts.values())]
             + [0])
    lo = max(1, hi - LOG_WINDOW + 1)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(12, 1.7 + 0.6 * max(len(members), 1)))
    ax.set_title(f"Raft logs at t = {cluster.now:.1f} s · indexes {lo} to {hi} "
                 "(colour = term)" if hi else f"Raft logs at t = {cluster.now:.1f} s: empty",
                 fontsize=11)
    cell_inches = 9.0 / (max(hi, lo) - lo + 1)
    terms: list[int] = []
    labels = []
    for lane, name in enumerate(members):
        y = len(members) - 1 - lane
        if rafts[name] is None:
            labels.append(f"{name}\ndown")
            ax.text((lo + hi) / 2, y, "down", ha="center", va="center", fontsize=9,
                    color=DOWN_EDGE)
            continue
        raft, log = rafts[name]
        labels.append(f"{name} ({raft.role.value}, t={raft.term})\n"
                      f"commit {raft.commit_index}, applied {raft.applied_index}")
        if raft.snapshot_index >= lo:
            right = min(raft.snapshot_index, hi)
            ax.add_patch(Rectangle((lo - 0.5, y - 0.4), right - lo + 1, 0.8,
                                   facecolor=SNAPSHOT_COLOUR, edgecolor="white"))
            inches = (right - lo + 1) * cell_inches
            text = next((t for t in (f"snapshot ≤ {raft.snapshot_index}",
                                     f"≤ {raft.snapshot_index}") if _fits(t, inches, 7)), "")
            if text:
                ax.text((lo + right) / 2, y, text, ha="center", va="center", fontsize=7)
        for entry in log:
            if entry.index < lo:
                continue
            committed = entry.index <= raft.commit_index
            ax.add_patch(Rectangle((entry.index - 0.5, y - 0.4), 1, 0.8,
                                   facecolor=term_colour(entry.term), edgecolor="white",
                                   alpha=1.0 if committed else 0.45))
            if entry.term not in terms:
                terms.append(entry.term)
            if _fits(str(entry.term), cell_inches - 0.02, 7):
                ax.text(entry.index, y, str(entry.term), ha="center", va="center", fontsize=7,
                        color="#222222" if committed else "#777777")
        if hi and lo - 1 <= raft.commit_index <= hi:
            x = raft.commit_index + 0.5
            ax.plot([x, x], [y - 0.48, y + 0.48], color=COMMIT_COLOUR, lw=2.2)
    ax.set_yticks(range(len(members)), list(reversed(labels)), fontsize=8)
    ax.set_ylim(-0.6, max(len(members), 1) - 0.4)
    ax.set_xlim(lo - 0.5, max(hi, lo) + 0.5)
    step = 1 if hi - lo < 20 else 5
    ax.set_xticks([i for i in range(lo, max(hi, lo) + 1) if i == lo or i % step == 0])
    ax.set_xlabel("log index")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    handles = [Patch(facecolor=term_colour(t), label=f"term {t}") for t in sorted(terms)]
    handles.append(Line2D([], [], color=COMMIT_COLOUR, lw=2.2, label="commit index"))
    handles.append(Patch(facecolor=SNAPSHOT_COLOUR, label="in snapshot"))
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.08),
              ncol=min(len(handles), 8), fontsize=8, frameon=False)
    fig.tight_layout()
    plt.close(fig)
    return fig


# -- the messages of an election ----------------------------------------------------------------


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
    start, end = _window(cluster, start, end)
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
                                 "#f5b7b1" if rec.kind == "crash" else "#d5f5e3"))
    return events


def election_sequence(cluster: Cluster, start: float, end: float | None = None) -> Figure:
    """A message sequence diagram: one lifeline per member, time running down, arrows between.

    Dashed arrows are replies; boxes on a lifeline are role changes, crashes and boots.
    """
    events = sequence_events(cluster, start, end)
    start, end = _window(cluster, start, end)
    members = list(cluster.control_planes)
    total = len(events)
    events = events[:MAX_EVENTS]
    rows = max(len(events), 1)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(11, 2.0 + 0.3 * rows))
    title = f"Raft messages between etcd members, t = {start:g} to {end:g} s"
    if total > MAX_EVENTS:
        title += f"\n(first {MAX_EVENTS} of {total} events: choose a shorter window)"
    ax.set_title(title, fontsize=11)
    x_of = {member: index for index, member in enumerate(members)}
    _draw_lifelines(ax, cluster, members, events, start, rows)
    for row, event in enumerate(events):
        x = x_of[event.member]
        if event.kind != "message":
            ax.text(x, row, event.label, ha="center", va="center", fontsize=6.5, zorder=4,
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
        ax.text(label_x, row - 0.05, event.label, ha="center", va="bottom", fontsize=6.5,
                color=event.colour, zorder=5,
                bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none"})
    if not events:
        ax.text((len(members) - 1) / 2, 0, f"no Raft messages between t = {start:g} and "
                f"{end:g} s", ha="center", va="center", fontsize=9)
    times = [f"{event.time:.3f}" for event in events]
    ax.set_yticks(range(len(times)), [t if i == 0 or t != times[i - 1] else ""
                                      for i, t in enumerate(times)], fontsize=7)
    ax.set_ylabel("simulated time (s), running down")
    ax.set_xticks(range(len(members)), members, fontsize=8)
    ax.xaxis.tick_top()
    ax.set_xlim(-0.6, len(members) - 0.4)
    ax.set_ylim(rows + 0.2, -1.6)
    for side in ("right", "bottom"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    plt.close(fig)
    return fig


def _draw_lifelines(ax: Axes, cluster: Cluster, members: list[str], events: list[SequenceRow],
                    start: float, rows: int) -> None:
    """Dashed lifelines headed by each member's role at `start`; red where the host is down."""
    before = {}
    if start > 0:
        before = {m: segs[-1] for m, segs in role_segments(cluster, 0, start).items()}
    for x, member in enumerate(members):
        ax.plot([x, x], [-1, rows + 0.2], color="#999999", lw=0.8, linestyle=":", zorder=1)
        state = before.get(member, Segment(0, 0, "follower", 0))
        head = "down" if state.role == "down" else f"{state.role} t={state.term}"
        ax.text(x, -1, head, ha="center", va="center", fontsize=7, zorder=4,
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


# -- a status table ------------------------------------------------------------------------------


def status_table(cluster: Cluster) -> list[dict]:
    """One row per etcd member: up, role, term, leader, last log index, commit, applied, revision.

    What `etcdctl endpoint status` shows, plus the Raft indexes; a down member has empty cells.
    """
    rows = []
    for name in cluster.control_planes:
        member = _member(cluster, name)
        if member is None:
            rows.append({"member": name, "up": False, "role": None, "term": None,
                         "leader": None, "last index": None, "commit": None, "applied": None,
                         "store revision": None})
            continue
        raft = member.raft
        rows.append({"member": name, "up": True, "role": raft.role.value, "term": raft.term,
                     "leader": raft.leader_id,
                     "last index": _last_index(raft.log, raft.snapshot_index),
                     "commit": raft.commit_index, "applied": raft.applied_index,
                     "store revision": member.store.revision})
    return rows


def log_entries(cluster: Any, member: str, last: int = 8) -> list[dict]:
    """The last entries of one member's Raft log as rows: index, term, what the entry does.

    An entry's data is the etcd request it carries: a Txn's writes with their keys, a lease
    operation, or nothing (the no-op a new leader appends).
    """
    raft = cluster.network.host(member).memory["etcd"].raft
    rows = []
    for entry in raft.log[-last:]:
        data = entry.data
        if data is None:
            what, keys = "no-op (new leader)", ""
        else:
            request = data.request
            ops = request.success if isinstance(request, TxnRequest) else [request]
            what = " + ".join(op.verb for op in ops)
            keys = ", ".join(op.key for op in ops if isinstance(op, RequestOp))
        rows.append({"index": entry.index, "term": entry.term, "request": what, "keys": keys,
                     "committed": entry.index <= raft.commit_index})
    return rows

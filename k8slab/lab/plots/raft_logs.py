"""Every etcd member's Raft log side by side: a cell per entry, coloured by term, the commit
index and the snapshot marked (RaftScope's idea: one colour per term).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from k8slab.lab import components
from k8slab.lab.plots.raft_roles import DOWN_EDGE
from k8slab.lab.plots.style import fits, pyplot
from k8slab.lab.plots.svg import FONT_PX, MUTED, TITLE_PX, Key, Svg, text_width

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from k8slab.lab.cluster import Cluster
    from k8slab.raft.status import Status

TERM_COLOURS = ("#9ecae1", "#fdae6b", "#a1d99b", "#bcbddc", "#fc9272",
                "#c7e9c0", "#fdd0a2", "#dadaeb", "#c6dbef", "#fee391")
SNAPSHOT_COLOUR = "#d9d9d9"
COMMIT_COLOUR = "#c0392b"
LOG_WINDOW = 40


def term_colour(term: int) -> str:
    """The colour of log entries of `term`: ten colours, repeating from term 11."""
    return TERM_COLOURS[(term - 1) % len(TERM_COLOURS)]


def member_logs(cluster: Cluster) -> dict[str, Status | None]:
    """Each control-plane host's Raft status (its log, commit, snapshot); None while it is down."""
    statuses = {name: components.etcd_status(cluster.network, name)
                for name in cluster.control_planes}
    return {name: status.raft if status else None for name, status in statuses.items()}


def log_window(rafts: dict[str, Status | None]) -> tuple[int, int]:
    """The indexes drawn: the last 40 up to the highest last index of any member (0, 0 if none)."""
    hi = max([raft.last_index for raft in rafts.values() if raft is not None] + [0])
    return max(1, hi - LOG_WINDOW + 1), hi


def raft_logs(cluster: Cluster) -> Figure:
    """Every member's Raft log, one row each, for the last 40 indexes: a cell per entry.

    Cells are coloured by term (faded until committed); the red bar is the commit index; grey is
    the prefix compacted into a snapshot. A member that is down shows an empty row.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    rafts = member_logs(cluster)
    members = list(rafts)
    lo, hi = log_window(rafts)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8.4, 1.9 + 0.6 * max(len(members), 1)))
    ax.set_title(f"Raft logs at t = {cluster.now:.1f} s · indexes {lo} to {hi} "
                 "(colour = term)" if hi else f"Raft logs at t = {cluster.now:.1f} s: empty",
                 fontsize=11)
    cell_inches = 5.2 / (max(hi, lo) - lo + 1)
    terms: list[int] = []
    labels = []
    for lane, name in enumerate(members):
        y = len(members) - 1 - lane
        if rafts[name] is None:
            labels.append(f"{name}\ndown")
            ax.text((lo + hi) / 2, y, "down", ha="center", va="center", fontsize=9,
                    color=DOWN_EDGE)
            continue
        raft = rafts[name]
        labels.append(f"{name} ({raft.raft_state.value}, t={raft.term})\n"
                      f"commit {raft.commit}, applied {raft.applied}")
        if raft.snapshot_index >= lo:
            right = min(raft.snapshot_index, hi)
            ax.add_patch(Rectangle((lo - 0.5, y - 0.4), right - lo + 1, 0.8,
                                   facecolor=SNAPSHOT_COLOUR, edgecolor="white"))
            inches = (right - lo + 1) * cell_inches
            text = next((t for t in (f"snapshot ≤ {raft.snapshot_index}",
                                     f"≤ {raft.snapshot_index}") if fits(t, inches, 9)), "")
            if text:
                ax.text((lo + right) / 2, y, text, ha="center", va="center", fontsize=9)
        for entry in raft.entries:
            if entry.index < lo:
                continue
            committed = entry.index <= raft.commit
            ax.add_patch(Rectangle((entry.index - 0.5, y - 0.4), 1, 0.8,
                                   facecolor=term_colour(entry.term), edgecolor="white",
                                   alpha=1.0 if committed else 0.45))
            if entry.term not in terms:
                terms.append(entry.term)
            if fits(str(entry.term), cell_inches - 0.02, 9):
                ax.text(entry.index, y, str(entry.term), ha="center", va="center", fontsize=9,
                        color="#222222" if committed else "#777777")
        if hi and lo - 1 <= raft.commit <= hi:
            x = raft.commit + 0.5
            ax.plot([x, x], [y - 0.48, y + 0.48], color=COMMIT_COLOUR, lw=2.2)
    ax.set_yticks(range(len(members)), list(reversed(labels)), fontsize=9)
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
              ncol=min(len(handles), 8), fontsize=9, frameon=False)
    fig.tight_layout()
    plt.close(fig)
    return fig


def raft_logs_svg(rafts: dict[str, Status | None], now: float) -> str:
    """The panel's picture of `rafts` (from `member_logs`): `raft_logs` drawn as an SVG."""
    lo, hi = log_window(rafts)
    left, right, lane = 250.0, 790.0, 44.0
    svg = Svg(800, 110 + lane * len(rafts))
    title = (f"Raft logs at t = {now:.1f} s · indexes {lo} to {hi} (colour = term)" if hi
             else f"Raft logs at t = {now:.1f} s: empty")
    svg.text(400, 14, title, size=TITLE_PX, anchor="middle", bold=True)
    terms = sorted({e.term for r in rafts.values() if r for e in r.entries if e.index >= lo})
    svg.legend([*(Key(f"term {t}", term_colour(t)) for t in terms[-6:]),
                Key("commit index", COMMIT_COLOUR, line=True),
                Key("in snapshot", SNAPSHOT_COLOUR)], 20, 38)
    cell = (right - left) / LOG_WINDOW
    for lane_index, (name, raft) in enumerate(rafts.items()):
        y = 60 + lane_index * lane
        if raft is None:
            svg.text(left - 10, y + lane / 2 - 4, f"{name}: down", anchor="end")
            svg.text((left + right) / 2, y + lane / 2 - 4, "down", anchor="middle",
                     colour=DOWN_EDGE)
            continue
        svg.text(left - 10, y + 10, f"{name} ({raft.raft_state.value}, t={raft.term})",
                 anchor="end")
        svg.text(left - 10, y + 26, f"commit {raft.commit}, applied {raft.applied}",
                 anchor="end", colour=MUTED)
        if raft.snapshot_index >= lo:
            width = (min(raft.snapshot_index, hi) - lo + 1) * cell
            svg.rect(left, y, width, lane - 8, SNAPSHOT_COLOUR, stroke="white")
            text = f"snapshot ≤ {raft.snapshot_index}"
            if text_width(text) < width:
                svg.text(left + width / 2, y + lane / 2 - 4, text, anchor="middle")
        for entry in raft.entries:
            if entry.index < lo:
                continue
            committed = entry.index <= raft.commit
            x = left + (entry.index - lo) * cell
            svg.rect(x, y, cell, lane - 8, term_colour(entry.term), stroke="white",
                     opacity=1.0 if committed else 0.45,
                     tip=f"index {entry.index}, term {entry.term}"
                         f"{'' if committed else ', not committed'}")
            if text_width(str(entry.term), FONT_PX) < cell - 2:
                svg.text(x + cell / 2, y + lane / 2 - 4, str(entry.term), anchor="middle",
                         colour="#222222" if committed else "#777777")
        if hi and lo - 1 <= raft.commit <= hi:
            x = left + (raft.commit - lo + 1) * cell
            svg.line(x, y - 2, x, y + lane - 6, COMMIT_COLOUR, width=3)
    bottom = 60 + lane * len(rafts)
    for index in range(lo, max(hi, lo) + 1):
        if index % 5 == 0 or (index == lo and -lo % 5 >= 3):
            svg.text(left + (index - lo + 0.5) * cell, bottom + 8, str(index), anchor="middle",
                     colour=MUTED)
    svg.text((left + right) / 2, bottom + 30, "log index", anchor="middle", colour=MUTED)
    return svg.markup()

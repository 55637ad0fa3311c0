"""One moment of a step-by-step Raft run: each member's role, term and log, and the messages in
flight, as a matplotlib figure for the notebook (the panel draws the same moment as SVG, in
raft_chart). The picture keeps its artists and only changes them, so redrawing it is quick.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from k8slab.lab.plots.raft_logs import COMMIT_COLOUR, term_colour
from k8slab.lab.plots.style import ROLE_COLOURS, pyplot
from k8slab.robustness.raft_stepper import TICK_SECONDS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from k8slab.robustness.raft_moments import Moment
    from k8slab.robustness.raft_stepper import RaftStepper

SHOWN_MESSAGES = 7  # messages in flight listed by name; the rest are counted
UNCOMMITTED_ALPHA = 0.35
DPI = 80  # the panel's PNG: small enough to encode in a few tens of milliseconds


def log_width(moments: Sequence[Moment]) -> int:
    """How many log indexes the picture needs to show every moment of `moments` (at least 4)."""
    return max([4] + [node.last_index for m in moments for node in m.nodes])


class RaftPicture:
    """A figure with one row per member (role badge, term, log cells, commit bar) and the list
    of messages in flight; `draw(moment)` changes the existing artists to show `moment`."""

    def __init__(self, names: Sequence[str], width: int) -> None:
        from matplotlib.lines import Line2D
        from matplotlib.patches import Circle, Patch, Rectangle

        plt = pyplot()
        self.names, self.width = list(names), width
        rows = len(self.names)
        self.figure = fig = plt.figure(figsize=(11, 1.9 + 0.55 * rows), dpi=DPI)
        plt.close(fig)
        self.ax = ax = fig.add_axes((0.13, 0.1, 0.44, 0.66))
        self.side = fig.add_axes((0.6, 0.1, 0.39, 0.66))
        self.side.axis("off")
        ax.set_xlim(-1.2, width + 0.5)
        ax.set_ylim(-0.6, rows - 0.4)
        ax.set_xticks(range(1, width + 1))
        ax.set_yticks([])
        ax.set_xlabel("log index (cell: the entry's term; faded = not committed)", fontsize=9)
        ax.tick_params(labelsize=9)
        for spine in ("top", "right", "left"):
            ax.spines[spine].set_visible(False)
        self.title = fig.text(0.01, 0.97, "", fontsize=10, va="top", family="monospace")
        self.badges, self.terms, self.labels, self.bars = [], [], [], []
        self.cells: list[list[Any]] = []
        self.texts: list[list[Any]] = []
        for row in range(rows):
            y = rows - 1 - row
            self.badges.append(ax.add_patch(Circle((-0.6, y), 0.3, edgecolor="#444444")))
            self.terms.append(ax.text(-0.6, y, "", ha="center", va="center", fontsize=9))
            self.labels.append(ax.text(-1.1, y, "", ha="right", va="center", fontsize=9))
            self.cells.append([ax.add_patch(Rectangle((i - 0.45, y - 0.35), 0.9, 0.7,
                                                      edgecolor="#555555", visible=False))
                               for i in range(1, width + 1)])
            self.texts.append([ax.text(i, y, "", ha="center", va="center", fontsize=9)
                               for i in range(1, width + 1)])
            self.bars.append(ax.add_line(Line2D([], [], color=COMMIT_COLOUR, lw=2.5)))
        self.flight = self.side.text(0, 1, "", va="top", fontsize=9, family="monospace")
        self._background: Any = None
        self._canvas: Any = None
        roles = [Patch(facecolor=c, edgecolor="#444444", label=r)
                 for r, c in ROLE_COLOURS.items()]
        roles.append(Line2D([], [], color=COMMIT_COLOUR, lw=2.5, label="commit index"))
        fig.legend(handles=roles, loc="upper left", bbox_to_anchor=(0.01, 0.9), ncol=6,
                   fontsize=9, frameon=False, title="badge = role (term inside)",
                   title_fontsize=9)

    def draw(self, moment: Moment) -> None:
        """Show `moment`: every artist is updated in place; nothing is created."""
        head = f"step {moment.step} · t = {moment.ticks * TICK_SECONDS:.1f} s · "
        self.title.set_text("\n".join(textwrap.wrap(head + moment.action, 120)[:2]))
        rows = len(self.names)
        for row, name in enumerate(self.names):
            node, y = moment.node(name), rows - 1 - row
            self.badges[row].set_facecolor(ROLE_COLOURS[node.role])
            self.terms[row].set_text(str(node.term))
            self.labels[row].set_text(f"{name} {node.role}")
            pairs = zip(self.cells[row], self.texts[row], strict=True)
            for i, (cell, text) in enumerate(pairs, start=1):
                entry = node.entry(i)
                cell.set_visible(entry is not None)
                if entry is None:
                    text.set_text("")
                    continue
                committed = i <= node.commit
                cell.set_facecolor(term_colour(entry.term))
                cell.set_alpha(1.0 if committed else UNCOMMITTED_ALPHA)
                cell.set_linestyle("-" if committed else "--")
                text.set_text(f"{entry.term}" + ("" if entry.data is None else f" {entry.data}"))
                text.set_color("#111111" if committed else "#666666")
            x = min(node.commit, self.width) + 0.5
            self.bars[row].set_data([x, x] if node.commit else [], [y - 0.45, y + 0.45]
                                    if node.commit else [])
        self.flight.set_text("\n".join(flight_lines(moment)))

    def _dynamic(self) -> list[Any]:
        return [self.title, *self.badges, *self.terms, *self.labels, *self.bars, self.flight,
                *(a for row in self.cells for a in row), *(a for row in self.texts for a in row)]

    def png(self) -> bytes:
        """The figure as PNG bytes (what the panel's Image widget shows), drawn by blitting:
        the axes, ticks and legend are drawn once; each call draws only the changing artists."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from PIL import Image

        if self._background is None:
            for artist in self._dynamic():
                artist.set_animated(True)
            self._canvas = FigureCanvasAgg(self.figure)
            self._canvas.draw()
            self._background = self._canvas.copy_from_bbox(self.figure.bbox)
        self._canvas.restore_region(self._background)
        for artist in self._dynamic():
            self.figure.draw_artist(artist)
        width, height = self._canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), self._canvas.buffer_rgba())
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=1)
        return buffer.getvalue()


def flight_lines(moment: Moment, chars: int = 58) -> list[str]:
    """The list of messages in flight (oldest first, each shortened to `chars` characters, the
    first SHOWN_MESSAGES named, the rest counted) and whether Figure 3's properties hold."""
    lines = [f"in flight: {len(moment.in_flight)} message(s), oldest first"]
    lines += [textwrap.shorten(f.describe(), chars, placeholder="…")
              for f in moment.in_flight[:SHOWN_MESSAGES]]
    if len(moment.in_flight) > SHOWN_MESSAGES:
        lines.append(f"… and {len(moment.in_flight) - SHOWN_MESSAGES} more")
    if moment.violations:
        lines.append(f"✗ {len(moment.violations)} safety violation(s)")
    else:
        lines.append("Figure 3's properties hold ✓")
    return lines


def raft_moment(stepper: RaftStepper, step: int | None = None) -> Figure:
    """The picture of `stepper`'s moment after action `step` (the latest if None)."""
    moment = stepper.history[-1 if step is None else step]
    picture = RaftPicture(stepper.names, log_width(stepper.history))
    picture.draw(moment)
    return picture.figure

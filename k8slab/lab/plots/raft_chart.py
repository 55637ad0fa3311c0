"""One moment of a step-by-step Raft run as an SVG chart, for the Raft panel: a row per member
(role badge with its term inside, log cells coloured by term, the commit index) and the messages
in flight, for the Raft panel and for chapter 03's pictures of a run (raft_history).

Built as text in about a millisecond, so that a click or a slider step redraws at once.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from k8slab.lab.plots.raft_logs import COMMIT_COLOUR, term_colour
from k8slab.lab.plots.raft_roles import DOWN_EDGE
from k8slab.lab.plots.style import ROLE_COLOURS
from k8slab.lab.plots.svg import FONT_PX, MUTED, TITLE_PX, Key, Svg, text_width
from k8slab.robustness.raft_stepper import TICK_SECONDS

if TYPE_CHECKING:
    from k8slab.robustness.raft_moments import Moment, NodeView

SHOWN_MESSAGES = 7  # messages in flight listed by name; the rest are counted
UNCOMMITTED_ALPHA = 0.35
WIDTH = 800.0
LOG_LEFT, LOG_RIGHT = 150.0, 790.0  # the log cells' area, in pixels
BADGE_X, BADGE_R = 122.0, 14.0
ROWS_TOP, LANE = 104.0, 40.0
MAX_CELL = 56.0
LINE = 19.0  # one line of the in-flight list
FLIGHT_CHARS = 100  # a message's description is shortened to this many characters
FLIGHT_ROWS = SHOWN_MESSAGES + 3  # the heading, the messages, "… and n more", Figure 3's line
SHOWN_TERMS = 8  # the legend names the most recent terms in the logs
KEYS_X = 10 + text_width("badge = role, term inside:") + 12  # both legends start here
DOWN_LABEL = "crashed"
BADGE_KEYS = (Key("follower", ROLE_COLOURS["follower"]),
              Key("pre-candidate", ROLE_COLOURS["pre-candidate"]),
              Key("candidate", ROLE_COLOURS["candidate"]),
              Key("leader", ROLE_COLOURS["leader"]),
              Key(f"{DOWN_LABEL} (log on disk)", ROLE_COLOURS["down"], hatched=True))


def raft_moment_svg(moment: Moment, width: int) -> str:
    """`moment` as an SVG chart whose log area shows indexes 1 to `width` (at least the longest
    log: see log_width); its height depends only on the number of members."""
    rows = len(moment.nodes)
    flight_top = ROWS_TOP + LANE * rows + 48
    svg = Svg(WIDTH, flight_top + LINE * (FLIGHT_ROWS + 0.5))
    _header(svg, moment)
    cell = min(MAX_CELL, (LOG_RIGHT - LOG_LEFT) / max(width, 1))
    for row, node in enumerate(moment.nodes):
        _member(svg, node, ROWS_TOP + LANE * row, cell)
    _index_axis(svg, ROWS_TOP + LANE * rows, cell, width)
    _flight(svg, moment, flight_top)
    return svg.markup()


def _flight_rows(moment: Moment) -> list[str]:
    """The in-flight lines, padded with blank ones to the most there can be, so that
    the chart keeps its height while messages come and go."""
    lines = flight_lines(moment, FLIGHT_CHARS)
    return lines + [""] * (FLIGHT_ROWS - len(lines))


def _header(svg: Svg, moment: Moment) -> None:
    svg.text(10, 12, f"Raft, step {moment.step} · t = {moment.ticks * TICK_SECONDS:.1f} s",
             size=TITLE_PX, bold=True)
    svg.text(10, 32, textwrap.shorten(moment.action, 100, placeholder="…"))
    svg.text(10, 56, "badge = role, term inside:", colour=MUTED)
    svg.legend(BADGE_KEYS, KEYS_X, 56)
    terms = sorted({e.term for node in moment.nodes for e in node.entries})[-SHOWN_TERMS:]
    keys = [Key(f"term {t}", term_colour(t)) for t in terms]
    keys += [Key("not committed", term_colour(terms[-1] if terms else 1),
                 opacity=UNCOMMITTED_ALPHA, dashed=True),
             Key("commit index", COMMIT_COLOUR, line=True)]
    svg.text(10, 80, "log cell = term, value:", colour=MUTED)
    svg.legend(keys, KEYS_X, 80)


def _member(svg: Svg, node: NodeView, top: float, cell: float) -> None:
    middle = top + LANE / 2
    role = DOWN_LABEL if not node.up else node.role
    if not node.up:  # hatched beyond the log its disk keeps
        left = LOG_LEFT + min(node.last_index * cell, LOG_RIGHT - LOG_LEFT)
        svg.rect(left, top + 3, LOG_RIGHT - left, LANE - 6, "none", hatched=True,
                 tip=f"{node.name} crashed: what its disk holds is drawn")
    svg.text(BADGE_X - BADGE_R - 6, middle, f"{node.name} {role}", anchor="end",
             colour=DOWN_EDGE if not node.up else "#222222", bold=node.role == "leader")
    vote = f", voted for {node.voted_for}" if node.voted_for else ""
    svg.circle(BADGE_X, middle, BADGE_R, ROLE_COLOURS[node.role],
               stroke=DOWN_EDGE if not node.up else "#444444", dashed=not node.up,
               tip=f"{node.name}: {role} in term {node.term}{vote}, commit {node.commit}")
    svg.text(BADGE_X, middle, str(node.term), anchor="middle")
    for entry in node.entries:
        if entry.index * cell > LOG_RIGHT - LOG_LEFT + 0.5:
            break
        committed = entry.index <= node.commit
        x = LOG_LEFT + (entry.index - 1) * cell
        value = "" if entry.data is None else f" {entry.data}"
        svg.rect(x + 1, top + 6, cell - 2, LANE - 12, term_colour(entry.term),
                 stroke="#555555", opacity=1.0 if committed else UNCOMMITTED_ALPHA,
                 dashed=not committed,
                 tip=f"{node.name} index {entry.index}: term {entry.term}{value}"
                     f"{'' if committed else ', not committed'}")
        label = next((t for t in (f"{entry.term}{value}", str(entry.term))
                      if text_width(t) < cell - 4), "")
        if label:
            svg.text(x + cell / 2, middle, label, anchor="middle",
                     colour="#111111" if committed else "#666666")
    if node.commit:
        x = LOG_LEFT + min(node.commit * cell, LOG_RIGHT - LOG_LEFT)
        svg.line(x, top + 2, x, top + LANE - 2, COMMIT_COLOUR, width=3)


def _index_axis(svg: Svg, top: float, cell: float, width: int) -> None:
    svg.line(LOG_LEFT, top, LOG_LEFT + cell * width, top, MUTED)
    every = 1 if cell >= 24 else 5
    for index in range(1, width + 1):
        if index % every == 0 or index == 1:
            svg.text(LOG_LEFT + (index - 0.5) * cell, top + 10, str(index), anchor="middle",
                     colour=MUTED)
    svg.text(LOG_LEFT, top + 30, "log index (faded, dashed cells: not committed yet)",
             colour=MUTED)


def _flight(svg: Svg, moment: Moment, top: float) -> None:
    for number, line in enumerate(_flight_rows(moment)):
        if not line:
            continue
        bad = line.startswith("✗")
        svg.text(10, top + number * LINE, line, size=FONT_PX, bold=number == 0 or bad,
                 colour=DOWN_EDGE if bad else "#222222")


def log_width(moments: Sequence[Moment]) -> int:
    """How many log indexes the picture needs to show every moment of `moments` (at least 4)."""
    return max([4] + [node.last_index for m in moments for node in m.nodes])


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

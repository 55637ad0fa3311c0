"""The shapes the architecture map is drawn with: bands, boxes, host frames, arrows.

Lengths are in inches: the map's axes span the whole figure, one unit an inch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from k8slab.lab.plots.hosts import HostView

COLOURS = {
    "service": "#dbe9f6", "control": "#fde2c8", "pod": "#d9f0d3", "down": "#e6e6e6",
    "cp_band": "#f4f0fa", "worker_band": "#f1f7ee", "link": "#4d4d4d", "cross": "#c0392b",
}
# Layout of the architecture map, in inches (the axes span the whole figure, one unit an inch).
WIDTH = 12.0
BOX_H, TITLE_H = 0.4, 0.35
# The map is 12 inches wide and JupyterLab shrinks it to its 848-px output area (style.py): text of
# 12.5 pt in the figure shows at 9 pt there.
MAP_FONT = 12.5


def band(ax: Axes, y: float, h: float, label: str, colour: str) -> None:
    """A tinted band across the map with a label at its top left: the control plane, the workers."""
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((0.15, y), WIDTH - 0.3, h, facecolor=COLOURS[colour],
                           edgecolor="none", zorder=0))
    ax.text(0.3, y + h - 0.14, label, ha="left", va="center", fontsize=MAP_FONT, style="italic",
            color="#555555")


def box(ax: Axes, x: float, y: float, w: float, h: float, text: str, colour: str,
        *, fontsize: float = MAP_FONT, dashed: bool = False, zorder: float = 2) -> None:
    """A rounded box with `text` in its middle (`colour` a name in COLOURS or a colour)."""
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.06",
                                facecolor=COLOURS.get(colour, colour), edgecolor="#555555",
                                linestyle="--" if dashed else "-", linewidth=0.8, zorder=zorder))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=fontsize, zorder=3)


def host_frame(ax: Axes, view: HostView, x: float, top: float, w: float, h: float,
               title: str | None = None) -> None:
    """The frame of one host, titled with its name; a host that is down is greyed, crossed out."""
    title = title or (view.name if view.up else f"{view.name} · down")
    box(ax, x, top - h, w, h, "", "white" if view.up else "down", zorder=1.5)
    ax.text(x + w / 2, top - TITLE_H / 2, title, ha="center", va="center", fontsize=MAP_FONT,
            weight="bold", zorder=3)
    if not view.up:
        ax.plot([x, x + w], [top - h, top], color=COLOURS["cross"], lw=1.5, zorder=3)
        ax.plot([x, x + w], [top, top - h], color=COLOURS["cross"], lw=1.5, zorder=3)


def link(ax: Axes, start: tuple[float, float], end: tuple[float, float], label: str,
         *, label_at: tuple[float, float] | None = None) -> None:
    """An arrow from `start` to `end`, labelled midway (or at `label_at`)."""
    ax.annotate("", xy=end, xytext=start, zorder=4, arrowprops={
        "arrowstyle": "-|>", "color": COLOURS["link"], "lw": 1.1, "shrinkA": 0, "shrinkB": 0})
    if label:
        x, y = label_at or ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        ax.text(x, y, label, ha="center", va="center", fontsize=MAP_FONT, color=COLOURS["link"],
                zorder=5, bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                                "edgecolor": "none"})


def short(name: str, width: int = 18) -> str:
    """`name` cut to `width` characters, the last one an ellipsis when it is longer."""
    return name if len(name) <= width else name[: width - 1] + "…"

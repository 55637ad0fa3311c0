"""What every picture shares: matplotlib, imported only when something is drawn, and the colour
of each Raft role (the architecture map's badges and the Raft plots use the same ones).
"""

from __future__ import annotations

from typing import Any

from k8slab.errors import APIError, UnavailableError

ROLE_COLOURS = {
    "follower": "#bdbdbd",
    "pre-candidate": "#fdd0a2",
    "candidate": "#fd8d3c",
    "leader": "#41ab5d",
    "down": "#ffffff",
}
_CHAR_INCHES = 0.6 / 72  # the width of one character per point of font size, roughly


def pyplot() -> Any:
    """`matplotlib.pyplot`, imported on first use so that importing a plot module stays light."""
    import matplotlib.pyplot as plt

    return plt


def api_trouble(error: APIError) -> str:
    """Why a read through the API server got no objects, in a few words for a title or status:
    no connection at all, or the API server's error (a 500 while etcd has lost its quorum)."""
    if isinstance(error, UnavailableError):
        return "API server unreachable"
    return f"API server answered {error.code} ({error.message})"


def fits(text: str, inches: float, fontsize: float) -> bool:
    """Whether `text`, one line at `fontsize` points, is at most `inches` wide (roughly)."""
    return len(text) * fontsize * _CHAR_INCHES <= inches


# JupyterLab 4 shows a figure's PNG at its size in pixels (100 dpi), shrunk to fit the output
# area: 848 px wide in a 1280 px window with the file browser open (measured in Chromium).
DISPLAY_WIDTH_PX = 848
MIN_POINTS = 9.0
_CSS_PX_PER_POINT = 96 / 72


def displayed_points(fontsize: float, figure: Any) -> float:
    """How large text of `fontsize` points in `figure` looks in a notebook, in CSS points: a
    figure wider than the output area is shrunk to fit it, and its text with it."""
    width_px = figure.get_figwidth() * figure.dpi
    shown_px = fontsize * figure.dpi / 72 * min(1.0, DISPLAY_WIDTH_PX / width_px)
    return shown_px / _CSS_PX_PER_POINT

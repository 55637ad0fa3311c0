"""Small SVG charts for the control panels: written as text in a millisecond, drawn by the browser.

A panel redraws on every click. matplotlib needs 40-100 ms per figure to lay out and rasterize its
text on a small machine; an SVG of a few hundred elements is built in about a millisecond and the
browser draws it at once. Lengths are CSS pixels; no text is smaller than 12 px (9 pt).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

MIN_FONT_PX = 12  # 9 pt at CSS's 96 px per inch, 72 pt per inch
FONT_PX = 13
TITLE_PX = 14
INK = "#222222"
MUTED = "#555555"
GRID = "#dddddd"
HATCH_ID = "k8slab-hatch"
_HATCH = (f'<defs><pattern id="{HATCH_ID}" width="6" height="6" patternUnits="userSpaceOnUse" '
          'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#c0392b" '
          'stroke-width="1.5"/></pattern></defs>')


@dataclass(frozen=True)
class Key:
    """One legend entry: a swatch of `colour` (a short line if `line`, hatched if `hatched`,
    see-through at `opacity` and outlined dashed if `dashed`)."""

    label: str
    colour: str
    line: bool = False
    hatched: bool = False
    opacity: float = 1.0
    dashed: bool = False


class Svg:
    """An SVG picture `width` × `height` pixels, built element by element; `markup()` is the text.

    Every text goes through `text`, which refuses sizes under 12 px, so a panel stays legible.
    """

    def __init__(self, width: float, height: float) -> None:
        self.width, self.height = width, height
        self._parts: list[str] = []

    def rect(self, x: float, y: float, w: float, h: float, fill: str, *, stroke: str = "none",
             opacity: float = 1.0, hatched: bool = False, dashed: bool = False,
             tip: str = "") -> None:
        """A rectangle from its top-left corner; `tip` shows when the pointer rests on it."""
        attrs = (f'x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" '
                 f'fill="{fill}" stroke="{stroke}"')
        if opacity != 1.0:
            attrs += f' fill-opacity="{opacity:.2f}"'
        if dashed:
            attrs += ' stroke-dasharray="4 2"'
        body = f"<title>{escape(tip)}</title>" if tip else ""
        self._parts.append(f"<rect {attrs}>{body}</rect>")
        if hatched:
            self._parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" '
                               f'height="{max(h, 0):.1f}" fill="url(#{HATCH_ID})"/>')

    def circle(self, x: float, y: float, r: float, fill: str, *, stroke: str = INK,
               dashed: bool = False, tip: str = "") -> None:
        """A circle of radius `r` centred at (x, y), its outline dashed if `dashed`."""
        dash = ' stroke-dasharray="4 2"' if dashed else ""
        body = f"<title>{escape(tip)}</title>" if tip else ""
        self._parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{fill}" '
                           f'stroke="{stroke}" stroke-width="1.5"{dash}>{body}</circle>')

    def line(self, x1: float, y1: float, x2: float, y2: float, colour: str = INK, *,
             width: float = 1.0, dashed: bool = False) -> None:
        """A straight line, solid or dashed."""
        dash = ' stroke-dasharray="5 3"' if dashed else ""
        self._parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                           f'stroke="{colour}" stroke-width="{width}"{dash}/>')

    def polyline(self, points: Sequence[tuple[float, float]], colour: str = INK, *,
                 width: float = 1.0, dashed: bool = False, tip: str = "") -> None:
        """A line through `points` in order, solid or dashed; `tip` shows under the pointer."""
        dash = ' stroke-dasharray="5 3"' if dashed else ""
        body = f"<title>{escape(tip)}</title>" if tip else ""
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        self._parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                           f'stroke-width="{width}"{dash}>{body}</polyline>')

    def text(self, x: float, y: float, text: str, *, size: float = FONT_PX,
             anchor: str = "start", colour: str = INK, bold: bool = False,
             rotate: bool = False) -> None:
        """`text` with its `anchor` (start, middle, end) at (x, y), vertically centred there."""
        if size < MIN_FONT_PX:
            raise ValueError(f"text of {size} px is below {MIN_FONT_PX} px (9 pt): {text!r}")
        turn = f' transform="rotate(-90 {x:.1f} {y:.1f})"' if rotate else ""
        weight = ' font-weight="bold"' if bold else ""
        self._parts.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" '
                           f'text-anchor="{anchor}" dominant-baseline="central" fill="{colour}"'
                           f'{weight}{turn}>{escape(text)}</text>')

    def legend(self, keys: Sequence[Key], x: float, y: float) -> None:
        """The keys in one row from (x, y): a swatch and its label each."""
        for key in keys:
            if key.line:
                self.line(x, y, x + 16, y, key.colour, width=3)
            else:
                self.rect(x, y - 6, 16, 12, key.colour, stroke=MUTED, hatched=key.hatched,
                          opacity=key.opacity, dashed=key.dashed)
            self.text(x + 21, y, key.label)
            x += 21 + text_width(key.label) + 16

    def markup(self) -> str:
        """The SVG element, sized in pixels so that it shows at exactly this size (shrunk only
        where the page is narrower)."""
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width:.0f}" '
                f'height="{self.height:.0f}" viewBox="0 0 {self.width:.0f} {self.height:.0f}" '
                f'style="max-width: 100%; height: auto" font-family="sans-serif">'
                f'{_HATCH}{"".join(self._parts)}</svg>')


class Picture:
    """An SVG picture a notebook cell shows as an image (`_repr_svg_`), with `summary` as its
    plain-text form (what a terminal, nbval's text comparison and a screen reader get)."""

    def __init__(self, markup: str, summary: str) -> None:
        self.markup = markup
        self.summary = summary

    def _repr_svg_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return self.summary


def text_width(text: str, size: float = FONT_PX) -> float:
    """About how many pixels `text` takes at `size` px in a sans-serif font."""
    return len(text) * size * 0.58


def value_axis(svg: Svg, left: float, top: float, bottom: float, right: float, top_value: float,
               label: str, ticks: Sequence[float]) -> None:
    """A vertical axis at `left` from 0 (at `bottom`) to `top_value` (at `top`): tick labels,
    light grid lines to `right`, and `label` written upwards beside it."""
    for value in ticks:
        y = bottom - (bottom - top) * value / top_value
        svg.line(left, y, right, y, GRID)
        svg.text(left - 5, y, f"{value:g}", anchor="end", colour=MUTED)
    svg.line(left, top, left, bottom, MUTED)
    svg.line(left, bottom, right, bottom, MUTED)
    svg.text(left - 48, (top + bottom) / 2, label, anchor="middle", colour=MUTED, rotate=True)


def nice_ticks(top_value: float, count: int = 4) -> list[float]:
    """Round tick values from 0 to at most `top_value`: steps of 1, 2, 2.5 or 5 times a power of
    ten, about `count` of them."""
    raw = max(top_value, 1e-9) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return [i * step for i in range(int(top_value // step) + 1)]


def time_ticks(start: float, end: float, count: int = 6) -> list[float]:
    """Round times from `start` to `end` for a time axis: about `count` multiples of a step of
    1, 2, 2.5 or 5 times a power of ten (a run from 123.4 s to 190 s gets 140, 160, 180)."""
    steps = nice_ticks(max(end - start, 1e-9), count)
    step = steps[1] if len(steps) > 1 else max(end - start, 1.0)
    first = math.ceil(start / step - 1e-9)
    return [round(i * step, 9) for i in range(first, math.floor(end / step + 1e-9) + 1)]

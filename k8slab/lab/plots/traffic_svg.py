"""The network panel's two charts of a `TrafficReport`, as SVG text the browser draws at once:
requests answered per endpoint against an even split, and answered/failed per second.

They read the same numbers as the notebook's matplotlib figures (`traffic.even_split`,
`TrafficReport.over_time`), so the panel and a cell never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from k8slab.lab.plots.svg import (
    MUTED,
    TITLE_PX,
    Key,
    Svg,
    nice_ticks,
    text_width,
    time_ticks,
    value_axis,
)
from k8slab.lab.plots.traffic import (
    EVENT_COLOUR,
    EXPECTED_COLOUR,
    FAILED_COLOUR,
    OK_COLOUR,
    UNEXPECTED_COLOUR,
    checked_events,
    even_split,
    over_time_title,
)

if TYPE_CHECKING:
    from k8slab.lab.traffic import TrafficReport

WIDTH = 800.0
LEFT, RIGHT = 80.0, 780.0


def endpoint_histogram_svg(report: TrafficReport, expected: Sequence[str] | None = None,
                           names: Mapping[str, str] | None = None) -> str:
    """A bar per endpoint (its pod's name from `names` under it, when known), the even-split
    line, and the chi-square verdict."""
    counts, evenly, verdict = even_split(report, expected)
    names = names or {}
    svg = Svg(WIDTH, 330)
    answered = sum(counts.values())
    svg.text(WIDTH / 2, 14, f"{answered:,} answered requests to {report.url} per endpoint",
             size=TITLE_PX, anchor="middle", bold=True)
    svg.text(WIDTH / 2, 34, verdict, anchor="middle")
    keys = [Key("answered requests", OK_COLOUR), Key("even split", EXPECTED_COLOUR, line=True)]
    if any(e not in evenly for e in counts):
        keys.append(Key("not an expected endpoint", UNEXPECTED_COLOUR))
    svg.legend(keys, LEFT, 56)
    top, bottom = 76.0, 262.0
    high = max([4, *counts.values()]) * 1.15
    value_axis(svg, LEFT, top, bottom, RIGHT, high, "requests",
               [t for t in nice_ticks(high) if t == int(t)])
    slot = (RIGHT - LEFT) / max(len(counts), 1)
    for index, (endpoint, count) in enumerate(counts.items()):
        x = LEFT + index * slot
        h = (bottom - top) * count / high
        colour = OK_COLOUR if endpoint in evenly else UNEXPECTED_COLOUR
        pod = names.get(endpoint)
        svg.rect(x + slot * 0.2, bottom - h, slot * 0.6, h, colour, stroke="#333333",
                 tip=f"{pod + ' ' if pod else ''}{endpoint}: {count} answered")
        svg.text(x + slot / 2, bottom - h - 9, f"{count:,}", anchor="middle")
        svg.text(x + slot / 2, bottom + 14, _fit(endpoint, slot), anchor="middle")
        if pod:
            svg.text(x + slot / 2, bottom + 30, _fit(pod, slot), anchor="middle", colour=MUTED)
    if evenly and answered:
        share = sum(counts[e] for e in evenly) / len(evenly)
        y = bottom - (bottom - top) * share / high
        svg.polyline([(LEFT, y), (RIGHT, y)], EXPECTED_COLOUR, width=1.5, dashed=True,
                     tip=f"even split: {share:,.1f} each")
    if not counts:
        svg.text((LEFT + RIGHT) / 2, (top + bottom) / 2, "no request answered",
                 anchor="middle")
    return svg.markup()


def requests_over_time_svg(report: TrafficReport,
                           events: Sequence[tuple[float, str]] = ()) -> str:
    """Answered (green) and failed (red) requests per second, stacked, with `events` marked."""
    marks = checked_events(events)
    rows = report.over_time(1.0)
    svg = Svg(WIDTH, 300)
    svg.text(WIDTH / 2, 14, over_time_title(report, rows), size=TITLE_PX, anchor="middle",
             bold=True)
    svg.legend([Key("answered", OK_COLOUR), Key("failed", FAILED_COLOUR),
                Key("event", EVENT_COLOUR, line=True)], LEFT, 38)
    top, bottom = 60.0, 240.0
    high = max([4, *(ok + failed for _, ok, failed in rows)]) * 1.15
    value_axis(svg, LEFT, top, bottom, RIGHT, high, "requests per second",
               [t for t in nice_ticks(high) if t == int(t)])
    if not rows:
        svg.text((LEFT + RIGHT) / 2, (top + bottom) / 2, "no request sent yet", anchor="middle")
        return svg.markup()
    start, end = rows[0][0], rows[-1][0] + 1
    span = end - start

    def x_at(time: float) -> float:
        return LEFT + (RIGHT - LEFT) * (time - start) / span

    def y_at(value: float) -> float:
        return bottom - (bottom - top) * value / high

    width = (RIGHT - LEFT) / span
    for time, ok, failed in rows:
        svg.rect(x_at(time), y_at(ok), width, bottom - y_at(ok), OK_COLOUR,
                 tip=f"t = {time:g} s: {ok} answered")
        if failed:
            svg.rect(x_at(time), y_at(ok + failed), width, y_at(ok) - y_at(ok + failed),
                     FAILED_COLOUR, tip=f"t = {time:g} s: {failed} failed")
    for time, label in marks:
        if start <= time <= end:
            svg.polyline([(x_at(time), top), (x_at(time), bottom)], EVENT_COLOUR, width=2,
                         dashed=True, tip=f"t = {time:g} s: {label}")
    for tick in time_ticks(start, end):
        svg.text(x_at(tick), bottom + 14, f"{tick:g}", anchor="middle", colour=MUTED)
    svg.text((LEFT + RIGHT) / 2, bottom + 32, "simulated time (s)", anchor="middle",
             colour=MUTED)
    return svg.markup()


def _fit(text: str, room: float) -> str:
    """`text`, cut with an ellipsis where it would be wider than `room` pixels."""
    if text_width(text) <= room - 4:
        return text
    keep = max(1, int((room - 4) / text_width("x")) - 1)
    return text[:keep] + "…"

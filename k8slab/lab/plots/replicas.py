"""Replicas over time during a rollout: the pods of each ReplicaSet of a Deployment, the pods
available in all, and the bounds the rolling update keeps to, drawn from a `ReplicaSampler`.

Each ReplicaSet's line is its `status.replicas` (the pods it has, Terminating ones excluded);
the black line is the sum of their `availableReplicas`. The dashed lines are the Deployment's
`spec.replicas + maxSurge` (no more pods than this) and `spec.replicas - maxUnavailable` (no
fewer available than this), so the arithmetic of the rollout shows on the picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from k8slab.lab.plots.svg import (
    MUTED,
    TITLE_PX,
    Key,
    Picture,
    Svg,
    nice_ticks,
    time_ticks,
    value_axis,
)

if TYPE_CHECKING:
    from k8slab.lab.replica_sampler import DeploymentSample, ReplicaSample, ReplicaSampler

# Oldest to newest revision; a newer one than the palette holds reuses the last colours.
RS_COLOURS = ("#8c8c8c", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#4c72b0")
AVAILABLE_COLOUR = "#222222"
MOST_COLOUR = "#c0392b"
LEAST_COLOUR = "#7b3294"
DESIRED_COLOUR = "#999999"
WIDTH, HEIGHT = 800.0, 340.0
LEFT, RIGHT, TOP, BOTTOM = 70.0, 780.0, 88.0, 296.0


def rs_colours(count: int) -> list[str]:
    """A colour per ReplicaSet, oldest first, the newest always blue."""
    tail = list(RS_COLOURS[len(RS_COLOURS) - min(count, len(RS_COLOURS)):])
    return [RS_COLOURS[0]] * (count - len(tail)) + tail


def _steps(points: Sequence[tuple[float, int]]) -> list[tuple[float, int]]:
    """A staircase through `points`: each value holds until the next sample's time."""
    stairs: list[tuple[float, int]] = []
    for time, value in points:
        if stairs:
            stairs.append((time, stairs[-1][1]))
        stairs.append((time, value))
    return stairs


def available_totals(samples: Sequence[ReplicaSample]) -> list[tuple[float, int]]:
    """(time, pods available across the Deployment's ReplicaSets) at each sampled instant."""
    totals: dict[float, int] = {}
    for sample in samples:
        totals[sample.time] = totals.get(sample.time, 0) + sample.available
    return sorted(totals.items())


def summary(samples: Sequence[ReplicaSample], deployment: str) -> str:
    """One line on the last instant sampled: each ReplicaSet's pods, and the available total."""
    if not samples:
        return f"no ReplicaSet of deployment/{deployment} sampled yet"
    last = samples[-1].time
    now = [s for s in samples if s.time == last]
    parts = [f"rev {s.revision} {s.replica_set}: {s.current} pods" for s in now]
    available = sum(s.available for s in now)
    return (f"deployment/{deployment} at t = {last:.1f} s · " + ", ".join(parts)
            + f" · {available} available")


def replicas_svg(samples: Sequence[ReplicaSample], bounds: Sequence[DeploymentSample],
                 title: str) -> str:
    """The chart: a line of pods per ReplicaSet, the available total, and the rollout's bounds,
    over the sampled time."""
    svg = Svg(WIDTH, HEIGHT)
    svg.text(WIDTH / 2, 14, title, size=TITLE_PX, anchor="middle", bold=True)
    names = list(dict.fromkeys(s.replica_set for s in samples))
    colours = dict(zip(names, rs_colours(len(names)), strict=True))
    revisions = {s.replica_set: s.revision for s in samples}
    svg.legend([*(Key(f"rev {revisions[n]}: {n}", colours[n], line=True) for n in names[-3:]),
                Key("available (all)", AVAILABLE_COLOUR, line=True)], LEFT, 36)
    svg.legend([Key("replicas", DESIRED_COLOUR, line=True),
                Key("max pods = replicas + maxSurge", MOST_COLOUR, line=True),
                Key("min available = replicas − maxUnavailable", LEAST_COLOUR, line=True)],
               LEFT, 58)
    times = [s.time for s in samples] + [b.time for b in bounds]
    if not times:
        value_axis(svg, LEFT, TOP, BOTTOM, RIGHT, 4, "pods", (0, 1, 2, 3, 4))
        svg.text((LEFT + RIGHT) / 2, (TOP + BOTTOM) / 2, "nothing sampled yet", anchor="middle")
        return svg.markup()
    start, end = min(times), max(times)
    span = max(end - start, 1e-9)
    high = max([4, *(s.current for s in samples), *(b.most_pods for b in bounds)]) * 1.15
    value_axis(svg, LEFT, TOP, BOTTOM, RIGHT, high, "pods",
               [t for t in nice_ticks(high) if t == int(t)])

    def at(time: float, value: float) -> tuple[float, float]:
        return (LEFT + (RIGHT - LEFT) * (time - start) / span,
                BOTTOM - (BOTTOM - TOP) * value / high)

    for tick in time_ticks(start, end):
        x, _ = at(tick, 0)
        svg.text(x, BOTTOM + 14, f"{tick:g}", anchor="middle", colour=MUTED)
    svg.text((LEFT + RIGHT) / 2, BOTTOM + 32, "simulated time (s)", anchor="middle",
             colour=MUTED)
    for values, colour, label in (
            ([(b.time, b.most_pods) for b in bounds], MOST_COLOUR, "max pods"),
            ([(b.time, b.least_available) for b in bounds], LEAST_COLOUR, "min available"),
            ([(b.time, b.desired) for b in bounds], DESIRED_COLOUR, "replicas")):
        if values:
            svg.polyline([at(t, v) for t, v in _steps(values)], colour, width=1.5,
                         dashed=colour != DESIRED_COLOUR, tip=f"{label}: {values[-1][1]}")
    for name in names:
        points = [(s.time, s.current) for s in samples if s.replica_set == name]
        svg.polyline([at(t, v) for t, v in _steps(points)], colours[name], width=5,
                     tip=f"rev {revisions[name]} {name}: {points[-1][1]} pods")
    totals = available_totals(samples)
    if not totals:
        svg.text((LEFT + RIGHT) / 2, (TOP + BOTTOM) / 2, "no ReplicaSet yet", anchor="middle")
        return svg.markup()
    svg.polyline([at(t, v) for t, v in _steps(totals)], AVAILABLE_COLOUR, width=1.5,
                 tip=f"available: {totals[-1][1]}")
    return svg.markup()


def replicas_chart(sampler: ReplicaSampler, title: str | None = None) -> Picture:
    """The chart of what `sampler` has sampled so far, ready to show as a cell's value."""
    title = title or f"ReplicaSets of deployment/{sampler.deployment}, sampled each second"
    return Picture(replicas_svg(sampler.samples, sampler.bounds, title),
                   summary(sampler.samples, sampler.deployment))

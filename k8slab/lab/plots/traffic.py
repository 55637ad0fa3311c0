"""What a load generator saw, drawn three ways: requests per endpoint against an even split (with
a chi-square test), answered and failed requests second by second with the moments the cluster
changed, and the latency distribution.

Each figure reads a `TrafficReport` only (plain data), so the same report can be drawn again and
the plots need no running cluster. The panel's SVG charts of the first two are in `traffic_svg`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from k8slab.errors import K8sLabError
from k8slab.lab.chi_square import chi_square
from k8slab.lab.plots.style import pyplot

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from k8slab.lab.traffic import TrafficReport

OK_COLOUR, FAILED_COLOUR, UNEXPECTED_COLOUR = "#4c9a5b", "#c0392b", "#bdbdbd"
EXPECTED_COLOUR, EVENT_COLOUR, LATENCY_COLOUR = "#222222", "#7b3294", "#1f77b4"
SIGNIFICANCE = 0.05  # the usual 5 % level: below it, an even split would rarely look this uneven


def checked_events(events: object) -> list[tuple[float, str]]:
    """`events` as (time, label) pairs in time order; anything else is refused, saying why."""
    shape = "a sequence of (time, label) pairs such as [(12.0, 'pod killed')]"
    if isinstance(events, str | bytes) or not isinstance(events, Sequence):
        raise K8sLabError(f"events must be {shape}, got {events!r}")
    pairs = []
    for event in events:
        if (not isinstance(event, tuple | list) or len(event) != 2
                or isinstance(event[0], bool) or not isinstance(event[0], int | float)
                or not isinstance(event[1], str)):
            raise K8sLabError(f"events must be {shape}; {event!r} is not one")
        pairs.append((float(event[0]), event[1]))
    return sorted(pairs, key=lambda pair: pair[0])


def even_split(report: TrafficReport, expected: Sequence[str] | None = None
               ) -> tuple[dict[str, int], list[str], str]:
    """(answered per endpoint, the endpoints an even split is expected over, a verdict): the
    verdict is the chi-square test's result in words, or why there is none."""
    counts = report.by_endpoint()
    if expected is None:
        expected = list(counts)
    elif isinstance(expected, str) or not all(isinstance(e, str) for e in expected):
        raise K8sLabError("expected must be a list of endpoints such as ['10.244.1.2:80'], "
                          f"got {expected!r}")
    expected = list(dict.fromkeys(expected))
    shown = {endpoint: counts.get(endpoint, 0) for endpoint in expected}
    shown.update((e, n) for e, n in counts.items() if e not in shown)
    total = sum(shown[e] for e in expected)
    if len(expected) < 2:
        return shown, expected, f"{len(expected)} endpoint: no split to test"
    if total == 0:
        return shown, expected, "no request answered by the expected endpoints"
    test = chi_square([shown[e] for e in expected], [total / len(expected)] * len(expected))
    verdict = ("consistent with an even split" if test.p_value >= SIGNIFICANCE
               else f"not an even split (p < {SIGNIFICANCE:g})")
    return shown, expected, (f"χ² = {test.statistic:.2f} on {test.degrees} d.f., "
                             f"p = {test.p_value:.3f}: {verdict}")


def endpoint_histogram(report: TrafficReport, expected: Sequence[str] | None = None) -> Figure:
    """A bar per endpoint of the requests it answered, the line an even split over `expected`
    (default: the endpoints that answered) would reach, and the chi-square verdict in the title.
    An endpoint outside `expected` that still answered is drawn grey."""
    plt = pyplot()
    counts, evenly, verdict = even_split(report, expected)
    fig, ax = plt.subplots(figsize=(8.4, 4))
    answered = sum(counts.values())
    fig.suptitle(f"{answered:,} answered requests from {report.source} to {report.url} "
                 f"over {len(counts)} endpoint(s)", fontsize=11)
    ax.set_title(verdict, fontsize=10)
    names = list(counts)
    bars = ax.bar(range(len(names)), [counts[n] for n in names], width=0.6, edgecolor="#333333",
                  color=[OK_COLOUR if n in evenly else UNEXPECTED_COLOUR for n in names],
                  label="answered requests")
    ax.bar_label(bars, fontsize=9, padding=3)
    if evenly:
        share = sum(counts[n] for n in evenly) / len(evenly)
        ax.axhline(share, color=EXPECTED_COLOUR, linestyle="--", linewidth=1.2,
                   label=f"even split: {share:,.0f} each")
    if any(n not in evenly for n in names):
        from matplotlib.patches import Patch

        handles, _ = ax.get_legend_handles_labels()
        handles.append(Patch(facecolor=UNEXPECTED_COLOUR, edgecolor="#333333",
                             label="not an expected endpoint"))
        ax.legend(handles=handles, fontsize=9, loc="lower right")
    else:
        ax.legend(fontsize=9, loc="lower right")
    ax.set_xticks(range(len(names)), names, fontsize=9)
    ax.set_xlim(-0.6, max(len(names), 1) - 0.4)
    ax.set_ylim(0, max([1, *counts.values()]) * 1.2)
    ax.set_xlabel("endpoint chosen by kube-proxy's rules (the pod holding it, or IP:port)")
    ax.set_ylabel("requests answered")
    fig.tight_layout()
    plt.close(fig)
    return fig


def over_time_title(report: TrafficReport, rows: list[tuple[float, int, int]]) -> str:
    """The point of the over-time picture: how many failed, and from when to when."""
    total = len(report.requests)
    failed = [t for t, _, f in rows if f]
    if not total:
        return f"no request sent from {report.source}"
    if not failed:
        return f"all {total:,} requests from {report.source} to {report.url} answered"
    count = sum(f for _, _, f in rows)
    # Rows are one-second buckets: the last failure came before the end of its second.
    return (f"{count:,} of {total:,} requests to {report.url} failed, between "
            f"t = {failed[0]:g} s and t = {failed[-1] + 1:g} s")


def requests_over_time(report: TrafficReport, events: Sequence[tuple[float, str]] = ()
                       ) -> Figure:
    """Answered and failed requests per simulated second, stacked, with a dashed vertical line
    at each (time, label) of `events` ("pod killed", "EndpointSlice updated", "rules synced")."""
    marks = checked_events(events)
    plt = pyplot()
    rows = report.over_time(1.0)
    fig, ax = plt.subplots(figsize=(8.4, 4))
    ax.set_title(over_time_title(report, rows), fontsize=11)
    starts = [t for t, _, _ in rows]
    ax.bar(starts, [ok for _, ok, _ in rows], width=1.0, align="edge", color=OK_COLOUR,
           label="answered")
    ax.bar(starts, [f for _, _, f in rows], width=1.0, align="edge", color=FAILED_COLOUR,
           bottom=[ok for _, ok, _ in rows], label="failed")
    peak = max([1, *(ok + f for _, ok, f in rows)])
    high = peak * (1.1 + 0.12 * min(len(marks), 3))  # room above the bars for the labels
    for index, (time, label) in enumerate(marks):
        ax.axvline(time, color=EVENT_COLOUR, linestyle="--", linewidth=1.2)
        ax.text(time, high - peak * 0.12 * (index % 3), f" {label}", color=EVENT_COLOUR,
                fontsize=9, va="top",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    ax.set_ylim(0, high)
    ax.set_xlabel("simulated time (s)")
    ax.set_ylabel("requests per second")
    ax.legend(fontsize=9, loc="lower right")
    fig.tight_layout()
    plt.close(fig)
    return fig


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie (nearest rank, as load testers report)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(round(fraction * len(ordered), 9)))
    return ordered[min(rank, len(ordered)) - 1]


def latency_cdf(report: TrafficReport) -> Figure:
    """The share of answered requests at or under each latency, in milliseconds, with the median
    and the 99th percentile marked."""
    plt = pyplot()
    latencies = sorted(1000 * value for value in report.latencies())
    fig, ax = plt.subplots(figsize=(8.4, 4))
    if not latencies:
        ax.set_title(f"no request from {report.source} was answered: no latency to draw",
                     fontsize=11)
    else:
        p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
        ax.set_title(f"latency of {len(latencies):,} answered requests: p50 = {p50:.2f} ms, "
                     f"p99 = {p99:.2f} ms", fontsize=11)
        shares = [(i + 1) / len(latencies) for i in range(len(latencies))]
        ax.step(latencies, shares, where="post", color=LATENCY_COLOUR, linewidth=2,
                label="answered requests")
        ax.axvline(p50, color=EXPECTED_COLOUR, linestyle="--", linewidth=1, label="p50")
        ax.axvline(p99, color=FAILED_COLOUR, linestyle="--", linewidth=1, label="p99")
        ax.legend(fontsize=9, loc="lower right")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("latency (ms)")
    ax.set_ylabel("share of requests at or under")
    fig.tight_layout()
    plt.close(fig)
    return fig

"""A CPU-limited container's progress: the CPU time its cgroup counted, second by second, against
the line its limit allows and the line its threads would reach unthrottled.

The counters are the ones `crictl stats` reads through containerd (CRI ListContainerStats):
cpu.stat's usage_usec and nr_throttled. A limit of 1 CPU is cpu.max "100000 100000": at most
100 ms of CPU time in every 100 ms period, whatever the number of threads that want more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from k8slab.errors import K8sLabError
from k8slab.lab import components
from k8slab.lab.plots.svg import MUTED, TITLE_PX, Key, Picture, Svg, nice_ticks, value_axis

if TYPE_CHECKING:
    from k8slab.lab.cluster import Cluster

USED_COLOUR, LIMIT_COLOUR, WANTED_COLOUR = "#1f77b4", "#d62728", "#7f7f7f"


@dataclass(frozen=True)
class CpuSample:
    """At `time`, the container had used `cpu_seconds` of CPU and been throttled in
    `throttled_periods` periods of 100 ms, counted from its start."""

    time: float
    cpu_seconds: float
    throttled_periods: int


def _running_id(cluster: Cluster, node: str, pod: str, container: str) -> str:
    view = components.crictl_view(cluster.network, node)
    if view is None:
        raise K8sLabError(f"{node} is down: there is no containerd to ask")
    sandboxes = {s.id for s in view.sandboxes if s.name == pod}
    ids = [c.id for c in view.containers
           if c.sandbox_id in sandboxes and c.name == container and c.state == "CONTAINER_RUNNING"]
    if not ids:
        names = sorted({c.name for c in view.containers if c.sandbox_id in sandboxes})
        raise K8sLabError(f"pod {pod} on {node} has no running container {container!r}; its "
                          f"containers are {', '.join(names) or 'none'}")
    return ids[-1]


def sample_cpu(cluster: Cluster, node: str, pod: str, container: str,
               seconds: int) -> list[CpuSample]:
    """Run the cluster `seconds` seconds, reading the container's CPU counters every second
    (one sample now, then one a second later each time)."""
    container_id = _running_id(cluster, node, pod, container)
    samples: list[CpuSample] = []
    for step in range(seconds + 1):
        if step:
            cluster.run(1)
        stats = {s.id: s for s in components.container_stats(cluster.network, node)}
        if container_id not in stats:
            break  # the container stopped: the samples end with it
        counted = stats[container_id]
        samples.append(CpuSample(cluster.now, counted.cpu_usage_usec / 1e6, counted.nr_throttled))
    return samples


def throttle_svg(samples: list[CpuSample], limit_cpus: float, wanted_cpus: float,
                 title: str) -> str:
    """CPU seconds used over the samples' time (blue), beside `limit_cpus` and `wanted_cpus`
    CPU-seconds per second from the first sample (red and grey dashed lines)."""
    width, height, left, right, top, bottom = 700.0, 340.0, 80.0, 680.0, 40.0, 270.0
    svg = Svg(width, height)
    svg.text(width / 2, 14, title, size=TITLE_PX, anchor="middle", bold=True)
    if len(samples) < 2:
        svg.text(width / 2, (top + bottom) / 2, "not enough samples to draw", anchor="middle")
        return svg.markup()
    start, end = samples[0].time, samples[-1].time
    base = samples[0].cpu_seconds
    span = max(end - start, 1e-9)
    top_value = max(wanted_cpus * span, samples[-1].cpu_seconds - base, 1e-9)
    value_axis(svg, left, top, bottom, right, top_value, "CPU seconds used",
               nice_ticks(top_value))

    def point(time: float, value: float) -> tuple[float, float]:
        return (left + (right - left) * (time - start) / span,
                bottom - (bottom - top) * value / top_value)

    for tick in range(0, int(span) + 1, max(1, int(span) // 6)):
        x, _ = point(start + tick, 0)
        svg.text(x, bottom + 12, f"{tick}", anchor="middle", colour=MUTED)
    svg.text((left + right) / 2, bottom + 30, "seconds of sampling", anchor="middle",
             colour=MUTED)
    svg.polyline([point(start, 0), point(end, wanted_cpus * span)], WANTED_COLOUR, width=2,
                 dashed=True, tip=f"{wanted_cpus:g} CPUs wanted")
    svg.polyline([point(s.time, s.cpu_seconds - base) for s in samples], USED_COLOUR, width=3,
                 tip="CPU seconds the cgroup counted")
    # The limit on top, dashed: a throttled program's line runs right under it.
    svg.polyline([point(start, 0), point(end, limit_cpus * span)], LIMIT_COLOUR, width=2,
                 dashed=True, tip=f"limit {limit_cpus:g} CPU")
    svg.legend([Key("used", USED_COLOUR, line=True),
                Key(f"limit: {limit_cpus:g} CPU", LIMIT_COLOUR, line=True),
                Key(f"wanted: {wanted_cpus:g} CPUs", WANTED_COLOUR, line=True)],
               left, height - 20)
    return svg.markup()


def throttle_chart(samples: list[CpuSample], limit_cpus: float, wanted_cpus: float,
                   title: str) -> Picture:
    """The chart as a cell's value; its text form says the rate and how often it was throttled."""
    first, last = samples[0], samples[-1]
    elapsed = max(last.time - first.time, 1e-9)
    rate = (last.cpu_seconds - first.cpu_seconds) / elapsed
    throttled = last.throttled_periods - first.throttled_periods
    summary = (f"{title}: {rate:.2f} CPU-seconds per second over {elapsed:g} s "
               f"(limit {limit_cpus:g}, wanted {wanted_cpus:g}); throttled in {throttled} periods")
    return Picture(throttle_svg(samples, limit_cpus, wanted_cpus, title), summary)

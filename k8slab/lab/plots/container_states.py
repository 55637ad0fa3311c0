"""A pod's containers over time, read from the trace: when each ran, how each run ended, and what
the kubelet said about it (probe failures, kills, back-off).

A run starts at the kubelet's ContainerStarted record and ends at the shim's TaskExit (the exit
status runc reported); runc's oom-kill record marks a run the kernel ended. Between two runs the
container is not running: the kubelet is waiting out its back-off (10 s, doubling to 300 s).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from k8slab.lab.plots.svg import GRID, INK, MUTED, TITLE_PX, Key, Picture, Svg, time_ticks
from k8slab.sim.trace import Trace

if TYPE_CHECKING:
    from k8slab.lab.cluster import Cluster

SHIM = "containerd-shim-runc-v2"
EVENT_KINDS = ("Unhealthy", "Killing", "BackOff")
EVENT_COLOURS = {"Unhealthy": "#ff7f0e", "Killing": "#9467bd", "BackOff": "#7f7f7f"}
RUNNING_COLOUR, STOPPED_COLOUR, EXIT_COLOUR = "#2ca02c", "#eeeeee", "#d62728"
EVENTS_LANE = "kubelet events"


@dataclass(frozen=True)
class Run:
    """One run of container `container`: started at `start`, ended at `end` with `exit_status`
    and `reason` (Completed, Error, OOMKilled), or still running (`end` None)."""

    container: str
    attempt: int
    start: float
    end: float | None = None
    exit_status: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class Mark:
    """An Event the kubelet recorded about the pod: Unhealthy, Killing or BackOff."""

    time: float
    kind: str
    message: str


def _reason(exit_status: int, oom: bool) -> str:
    # The reasons containerd gives the kubelet (CRI ContainerStatus.reason).
    return "OOMKilled" if oom else "Completed" if exit_status == 0 else "Error"


def container_runs(trace: Trace, ref: str) -> list[Run]:
    """Every run of every container of pod `ref` ("pod/default/web"), in the order they started.

    A run's container id is the one containerd's StartContainer named last before the kubelet's
    ContainerStarted (the kubelet's pod worker starts one container at a time)."""
    runs: dict[str, Run] = {}
    last_started_id = ""
    oom: set[str] = set()
    for record in trace.about(ref):
        # The record's container: an id (13 characters) from containerd, the shim and runc,
        # a name from the kubelet.
        container = str(record.details.get("container", ""))
        if record.component == "containerd" and record.kind == "StartContainer":
            last_started_id = container
        elif record.component == "kubelet" and record.kind == "ContainerStarted":
            runs[last_started_id] = Run(container, int(record.details.get("attempt", 0)),
                                        record.time)
        elif record.component == "runc" and record.kind == "oom-kill":
            oom.add(container)
        elif record.component == SHIM and record.kind == "TaskExit" and container in runs:
            status = int(record.details.get("exit_status", 0))
            run = runs[container]
            runs[container] = Run(run.container, run.attempt, run.start, record.time, status,
                                  _reason(status, container in oom))
    return sorted(runs.values(), key=lambda run: (run.start, run.container))


def kubelet_marks(trace: Trace, ref: str) -> list[Mark]:
    """The kubelet's Unhealthy, Killing and BackOff Events about pod `ref`, in time order."""
    return [Mark(r.time, r.kind, str(r.details.get("message", ""))) for r in trace.about(ref)
            if r.component == "kubelet" and r.kind in EVENT_KINDS]


def restart_delays(runs: list[Run], container: str) -> list[float]:
    """Seconds from each exit of `container` to its next start, rounded to 0.1 s: the back-off
    the kubelet waited (plus the 0.1 s that creating and starting a container take here)."""
    mine = [run for run in runs if run.container == container]
    return [round(later.start - earlier.end, 1)
            for earlier, later in zip(mine, mine[1:], strict=False) if earlier.end is not None]


def container_states_svg(runs: list[Run], marks: list[Mark], now: float, title: str,
                         since: float = 0.0) -> str:
    """A lane per container (green while running, a red mark at each exit) and a lane of the
    kubelet's Events, from `since` to `now`."""
    lanes = list(dict.fromkeys(run.container for run in runs)) + [EVENTS_LANE]
    width, lane_h, left, right, top = 860.0, 40.0, 140.0, 840.0, 40.0
    bottom = top + lane_h * len(lanes)
    svg = Svg(width, bottom + 64)
    svg.text(width / 2, 14, title, size=TITLE_PX, anchor="middle", bold=True)
    span = max(now - since, 1.0)

    def x_of(time: float) -> float:
        return left + (right - left) * (min(max(time, since), now) - since) / span

    for tick in time_ticks(since, since + span, 8):
        svg.line(x_of(tick), top, x_of(tick), bottom, GRID)
        svg.text(x_of(tick), bottom + 12, f"{tick:g}", anchor="middle", colour=MUTED)
    svg.text((left + right) / 2, bottom + 30, "simulated time (s)", anchor="middle",
             colour=MUTED)
    for index, lane in enumerate(lanes):
        y = top + lane_h * (index + 0.5)
        svg.text(left - 8, y, lane, anchor="end")
        svg.rect(left, y - 9, right - left, 18, STOPPED_COLOUR)
    for run in runs:
        y = top + lane_h * (lanes.index(run.container) + 0.5)
        end = now if run.end is None else run.end
        if end >= since:
            ended = "running" if run.end is None else f"exit {run.exit_status} ({run.reason})"
            svg.rect(x_of(run.start), y - 9, max(x_of(end) - x_of(run.start), 1.5), 18,
                     RUNNING_COLOUR, tip=f"{run.container} attempt {run.attempt}: "
                                         f"{run.start:.1f} s to {end:.1f} s, {ended}")
        if run.end is not None and since <= run.end <= now:
            svg.circle(x_of(run.end), y, 4, EXIT_COLOUR, stroke=INK,
                       tip=f"{run.end:.1f} s: exit {run.exit_status} ({run.reason})")
    y = top + lane_h * (len(lanes) - 0.5)
    for mark in marks:
        if since <= mark.time <= now:
            colour = EVENT_COLOURS[mark.kind]
            svg.circle(x_of(mark.time), y, 4, colour, stroke=colour,
                       tip=f"{mark.time:.1f} s {mark.kind}: {mark.message}")
    svg.legend([Key("running", RUNNING_COLOUR), Key("not running", STOPPED_COLOUR),
                Key("exit", EXIT_COLOUR, line=True),
                *(Key(kind, EVENT_COLOURS[kind], line=True) for kind in EVENT_KINDS)],
               left, bottom + 50)
    return svg.markup()


def summary(runs: list[Run], marks: list[Mark], ref: str) -> str:
    """One line per container: its runs and how they ended; then the kubelet's Event counts."""
    lines = [f"{ref}:"]
    for container in dict.fromkeys(run.container for run in runs):
        ends = [run.reason or "running" for run in runs if run.container == container]
        lines.append(f"  {container}: {len(ends)} run(s): {', '.join(ends)}")
    counts = {kind: sum(m.kind == kind for m in marks) for kind in EVENT_KINDS}
    lines.append("  kubelet events: " + ", ".join(f"{k} {n}" for k, n in counts.items()))
    return "\n".join(lines)


def container_states(cluster: Cluster, pod: str, namespace: str = "default",
                     since: float = 0.0) -> Picture:
    """The chart of pod `pod`'s containers from `since` to now, read from the cluster's trace."""
    ref = f"pod/{namespace}/{pod}"
    runs, marks = container_runs(cluster.trace, ref), kubelet_marks(cluster.trace, ref)
    title = f"Containers of {ref}"
    return Picture(container_states_svg(runs, marks, cluster.now, title, since),
                   summary(runs, marks, ref))

"""How fast each control panel answers a click, on the Python side: handler plus redraw.

Builds each panel on the cluster its chapter builds (the tour's, chapter 03's, chapter 05's
playground), clicks each control about 20 times, and prints the median and the maximum wall time
per click: the simulation the click runs, the one read of the cluster, the status line and the SVG
chart. The browser adds the kernel round trip and the drawing; the report of issue 9 gives those
figures, measured in JupyterLab in headless Chromium.

    python benchmarks/bench_panels.py [clicks]
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from k8slab import Cluster
from k8slab.lab.widgets.cluster_panel import ClusterPanel
from k8slab.lab.widgets.etcd_panel import EtcdPanel
from k8slab.lab.widgets.scheduler_panel import SchedulerPanel

CLICKS = 20


def timed(clicks: int, *buttons: object) -> list[float]:
    """Wall milliseconds of each click, clicking `buttons` in turn `clicks` times in all."""
    times = []
    for index in range(clicks):
        button = buttons[index % len(buttons)]
        start = time.perf_counter()
        button.click()
        times.append((time.perf_counter() - start) * 1000)
    return times


def tour() -> ClusterPanel:
    return ClusterPanel(Cluster(workers=3, seed=7))


def etcd() -> EtcdPanel:
    return EtcdPanel(Cluster(workers=1, seed=5, control_planes=3, check_invariants=True))


def scheduler() -> SchedulerPanel:
    return SchedulerPanel(Cluster(workers=3, seed=7, worker_cpu="2"))


# panel, action, the buttons clicked in turn (kill and restart alternate, as a reader would).
ACTIONS: list[tuple[str, Callable, str, Callable]] = [
    ("tour", tour, "add pod", lambda p: (p.add_button,)),
    ("tour", tour, "kill / restart", lambda p: (p.kill_button, p.restart_button)),
    ("tour", tour, "advance 10 s", lambda p: (p.advance_button,)),
    ("etcd", etcd, "write", lambda p: (p.write_button,)),
    ("etcd", etcd, "kill / restart", lambda p: (p.kill_button, p.restart_button)),
    ("etcd", etcd, "isolate / heal", lambda p: (p.isolate_button, p.heal_button)),
    ("etcd", etcd, "advance 2 s", lambda p: (p.advance_button,)),
    ("scheduler", scheduler, "add pod", lambda p: (p.add_button,)),
    ("scheduler", scheduler, "cordon / uncordon", lambda p: (p.cordon_button,
                                                            p.uncordon_button)),
    ("scheduler", scheduler, "taint / untaint", lambda p: (p.taint_button, p.untaint_button)),
    ("scheduler", scheduler, "advance 10 s", lambda p: (p.advance_button,)),
]


def main(clicks: int) -> None:
    """One line per panel and action: median and maximum milliseconds per click."""
    print(f"{'panel':<10} {'action':<18} {'clicks':>6} {'median ms':>10} {'max ms':>8}")
    for name, build, action, buttons in ACTIONS:
        panel = build()
        times = timed(clicks, *buttons(panel))
        print(f"{name:<10} {action:<18} {clicks:>6} {statistics.median(times):>10.1f} "
              f"{max(times):>8.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else CLICKS)

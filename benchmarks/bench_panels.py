"""How fast each control panel answers a click, on the Python side: handler plus redraw.

Builds each panel on the cluster its chapter builds (the tour's, chapter 03's, chapter 05's
playground, and chapter 03's five-member Raft stepper), clicks each control about 20 times, and
prints the median and the maximum wall time per click: the simulation the click runs, the one read
of the cluster, the status line and the SVG chart; then the Raft panel's redraw (`redraw_ms`) for
each of the 71 moments of Figure 8, scrubbed to with the slider. With --browser it measures what a
reader sees instead: it starts JupyterLab on a scratch notebook that shows the four panels,
opens it in headless Chromium (/usr/bin/chromium, driven by Playwright), clicks each control in
the page and times the click until the panel's last change in the page (no change for 400 ms
after it).

    python benchmarks/bench_panels.py [clicks] [--browser]
"""

from __future__ import annotations

import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from k8slab import Cluster
from k8slab.lab.widgets.cluster_panel import ClusterPanel
from k8slab.lab.widgets.etcd_panel import EtcdPanel
from k8slab.lab.widgets.raft_panel import RaftPanel
from k8slab.lab.widgets.scheduler_panel import SchedulerPanel
from k8slab.robustness import figure8
from k8slab.robustness.raft_stepper import RaftStepper

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


def raft() -> RaftPanel:
    return RaftPanel(RaftStepper(5, seed=8))


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
    ("raft", raft, "time out / deliver", lambda p: (p.timeout_button, p.deliver_all_button)),
    ("raft", raft, "tick 100 ms", lambda p: (p.tick_button,)),
    ("raft", raft, "crash / restart", lambda p: (p.crash_button, p.restart_button)),
]


# The scratch notebook: the four panels, built as above (the kernel runs in a scratch folder
# that links to this one).
CELLS = ("from benchmarks.bench_panels import etcd, raft, scheduler, tour",
         "tour().ui", "etcd().ui", "scheduler().ui", "raft().ui")
# Click the button labelled `label` in the index-th output area; resolve with the milliseconds
# from the click to the last change in that area (none for 400 ms after it; -1: no change).
CLICK_JS = """async ([index, label]) => {
  const area = document.querySelectorAll('.jp-Cell-outputArea')[index];
  const button = [...area.querySelectorAll('button')].find(b => b.textContent.trim() === label);
  return await new Promise(resolve => {
    let last = null, quiet = null;
    const start = performance.now();
    const done = () => { observer.disconnect(); resolve(last === null ? -1 : last - start); };
    const observer = new MutationObserver(() => {
      last = performance.now(); clearTimeout(quiet); quiet = setTimeout(done, 400);
    });
    observer.observe(area, {subtree: true, childList: true, characterData: true});
    quiet = setTimeout(done, 3000);
    button.click();
  });
}"""
BUTTONS = {"add pod": ("Add pod",), "kill / restart": ("Kill", "Restart"),
           "advance 10 s": ("Advance 10 s",), "advance 2 s": ("Advance 2 s",),
           "write": ("Write",), "isolate / heal": ("Isolate", "Heal network"),
           "cordon / uncordon": ("Cordon", "Uncordon"), "taint / untaint": ("Taint", "Untaint"),
           "time out / deliver": ("Time out", "Deliver all"), "tick 100 ms": ("Tick 100 ms",),
           "crash / restart": ("Crash", "Restart")}


def free_port() -> int:
    """A TCP port nothing listens on now (JupyterLab would quietly take the next one if busy)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def browser(clicks: int) -> None:
    """Time clicks in JupyterLab in headless Chromium: one line per panel and action."""
    from playwright.sync_api import sync_playwright

    root, port = Path(tempfile.mkdtemp(prefix="bench-panels-")), free_port()
    cells = [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
              "outputs": [], "source": source} for i, source in enumerate(CELLS)]
    (root / "panels.ipynb").write_text(json.dumps({
        "cells": cells, "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                    "language": "python"}}}))
    (root / "benchmarks").symlink_to(Path(__file__).resolve().parent)
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
         f"--port={port}", "--ServerApp.token=bench", f"--ServerApp.root_dir={root}",
         "--LabApp.expose_app_in_browser=True", "--allow-root"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token=bench")
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
            page = chromium.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(180_000)
            page.goto(f"http://127.0.0.1:{port}/lab/tree/panels.ipynb?token=bench")
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                                   timeout=180_000)
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.wait_for_function(
                "document.querySelectorAll('.jp-Cell-outputArea svg').length >= 5",
                polling=500, timeout=180_000)
            print(f"{'panel':<10} {'action':<18} {'redrawn':>7} {'median ms':>10} {'max ms':>8}")
            areas = {"tour": 1, "etcd": 2, "scheduler": 3, "raft": 4}
            for name, _, action, _ in ACTIONS:
                labels = BUTTONS[action]
                times = [page.evaluate(CLICK_JS, [areas[name], labels[k % len(labels)]])
                         for k in range(clicks)]
                changed = [t for t in times if t >= 0]
                shown = changed or [float("nan")]
                print(f"{name:<10} {action:<18} {len(changed):>4}/{clicks:<2} "
                      f"{statistics.median(shown):>10.0f} {max(shown):>8.0f}", flush=True)
            chromium.close()
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(root, ignore_errors=True)


def main(clicks: int) -> None:
    """One line per panel and action: median and maximum milliseconds per click."""
    print(f"{'panel':<10} {'action':<18} {'clicks':>6} {'median ms':>10} {'max ms':>8}")
    for name, build, action, buttons in ACTIONS:
        panel = build()
        times = timed(clicks, *buttons(panel))
        print(f"{name:<10} {action:<18} {clicks:>6} {statistics.median(times):>10.1f} "
              f"{max(times):>8.1f}")
    panel = RaftPanel(figure8.figure_8())
    panel.redraw_ms.clear()
    for step in range(len(panel.stepper.history)):
        panel.slider.value = step
    print(f"{'raft':<10} {'redraw (slider)':<18} {len(panel.redraw_ms):>6} "
          f"{statistics.median(panel.redraw_ms):>10.1f} {max(panel.redraw_ms):>8.1f}")


if __name__ == "__main__":
    numbers = [int(arg) for arg in sys.argv[1:] if arg.isdigit()]
    (browser if "--browser" in sys.argv else main)(numbers[0] if numbers else CLICKS)

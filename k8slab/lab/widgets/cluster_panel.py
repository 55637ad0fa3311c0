"""A control panel for a live cluster: add pods, kill and restart nodes, advance time, watch.

Each button calls one handler method, and each handler calls only the `Cluster` methods a reader
could call in a cell, so the panel teaches nothing the code does not. The status line and the chart
are built from one read of the cluster. ipywidgets loads on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

from k8slab.errors import APIError
from k8slab.lab.plots.hosts import pods_and_nodes
from k8slab.lab.plots.pods_per_node import WorkerRow, pods_per_node_svg, worker_rows
from k8slab.lab.plots.style import api_trouble
from k8slab.lab.widgets.panel import Panel

if TYPE_CHECKING:
    from k8slab.lab.cluster import Cluster

CPU_REQUESTS = ("100m", "250m", "500m", "1000m")
POD_PREFIX = "web-"
POD_IMAGE = "nginx:1.27"
SETTLE_SECONDS = 5
ADVANCE_SECONDS = 10
ABOUT = (f"Add pod: an nginx pod requesting the chosen CPU, then {SETTLE_SECONDS} s run · "
         "Kill / Restart: power the chosen worker off / on · "
         f"Advance: let {ADVANCE_SECONDS} simulated seconds pass.")


class ClusterPanel(Panel):
    """Buttons that act on `cluster`, a status line, and the pods-per-node chart kept current.

    Show it with `ClusterPanel(cluster).ui` (or just the panel) as a cell's last expression.
    """

    advance_seconds = ADVANCE_SECONDS

    def __init__(self, cluster: Cluster) -> None:
        import ipywidgets as widgets

        super().__init__(cluster)
        self.rows: list[WorkerRow] = []
        self.cpu_dropdown = widgets.Dropdown(options=CPU_REQUESTS, value="250m",
                                             description="CPU request")
        self.add_button = widgets.Button(description="Add pod", icon="plus")
        infrastructure = [*cluster.control_planes, cluster.endpoint]
        workers = [name for name in cluster.hosts if name not in infrastructure]
        self.node_dropdown = widgets.Dropdown(options=workers, description="Node")
        self.kill_button = widgets.Button(description="Kill", button_style="danger")
        self.restart_button = widgets.Button(description="Restart", button_style="success")
        self.advance_button = widgets.Button(description=f"Advance {ADVANCE_SECONDS} s")
        self._wire((self.add_button, self.add_pod), (self.kill_button, self.kill),
                   (self.restart_button, self.restart), (self.advance_button, self.advance))
        self._lay_out([[self.cpu_dropdown, self.add_button],
                       [self.node_dropdown, self.kill_button, self.restart_button],
                       [self.advance_button]], about=ABOUT)

    # -- handlers: each one a few public Cluster calls, then a refresh ------------------------

    def add_pod(self) -> None:
        """Create one nginx pod with the chosen CPU request, then let the cluster run 5 s."""
        def create() -> str:
            cpu = self.cpu_dropdown.value
            outcome = self.cluster.create(_pod_manifest(cpu))
            self.cluster.run(SETTLE_SECONDS)
            return f"{outcome[0]} (requests {cpu} CPU); ran {SETTLE_SECONDS} s"
        self._attempt(create)

    def kill(self) -> None:
        """Crash the chosen node, as pulling its power cord would."""
        self._on_node(self.cluster.kill_node, "killed")

    def restart(self) -> None:
        """Power the chosen node back on."""
        self._on_node(self.cluster.restart_node, "restarted")

    def refresh(self) -> None:
        """Read the cluster once; draw the status line and the pods-per-node chart from that read.

        The status counts the pods Running on worker nodes, the pods the chart draws; the
        control plane's static pods are in neither.
        """
        hosts = self.cluster.hosts
        up = sum(self.cluster.host_is_up(name) for name in hosts)
        try:
            pods, nodes = pods_and_nodes(self.cluster)
        except APIError as error:
            self.rows = []
            head = f"t = {self.cluster.now:.1f} s · {up} of {len(hosts)} nodes up"
            self.status.value = f"{head} · {api_trouble(error)}"
            self.chart.value = f"<p>Nothing to draw: {escape(str(error))}</p>"
            return
        self.rows = worker_rows(self.cluster, pods, nodes)
        now = self.cluster.now
        running = sum(row.running for row in self.rows)
        self.status.value = (f"t = {now:.1f} s · {up} of {len(hosts)} nodes up · "
                             f"{_pods(running)} running on worker nodes")
        self.chart.value = pods_per_node_svg(self.rows, now)

    # -- helpers ------------------------------------------------------------------------------

    def _on_node(self, action: Callable[[str], None], done: str) -> None:
        name = self._chosen_worker(self.node_dropdown)
        if name is not None:
            self._act_on(name, action, done)


def _pods(count: int) -> str:
    return "1 pod" if count == 1 else f"{count} pods"


def _pod_manifest(cpu: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"generateName": POD_PREFIX, "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "web", "image": POD_IMAGE,
                                 "resources": {"requests": {"cpu": cpu}}}]},
    }

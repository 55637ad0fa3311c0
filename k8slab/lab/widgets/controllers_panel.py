"""A control panel for the controllers: scale a Deployment, roll out a new image or back, kill and
restart a worker, let time pass, and watch the ReplicaSets' replicas follow on a chart.

Each handler is the kubectl command a reader could type in a cell (`kubectl scale`, `kubectl set
image`, `kubectl rollout undo`) or a public `Cluster` call (`kill_node`, `restart_node`); time
passes through the panel's `ReplicaSampler`, which runs the cluster and reads the Deployment's
ReplicaSets through the API server every simulated second. ipywidgets loads on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

from k8slab.errors import APIError
from k8slab.lab.plots.replicas import replicas_svg
from k8slab.lab.plots.style import api_trouble
from k8slab.lab.replica_sampler import ReplicaSampler
from k8slab.lab.widgets.panel import Panel

if TYPE_CHECKING:
    from k8slab.lab.cluster import Cluster

IMAGES = ("nginx:1.27", "nginx:1.28", "nginx:1.29")
MAX_REPLICAS = 12
SETTLE_SECONDS = 2
ADVANCE_CHOICES = (("10 s", 10), ("60 s", 60), ("300 s", 300))
# A long advance samples less often, so that a click stays quick: at most this many reads.
SAMPLES_PER_ADVANCE = 60
ABOUT = (f"Scale: kubectl scale to the chosen replicas · Roll out: kubectl set image to the "
         f"chosen image · Undo: kubectl rollout undo · each then {SETTLE_SECONDS} s run · "
         "Kill / Restart: power the chosen worker off / on · Advance: let the chosen "
         "simulated time pass.")


class ControllersPanel(Panel):
    """Buttons that act on Deployment `deployment` of `cluster` and on its workers, a status
    line, and the chart of replicas per ReplicaSet over the time the panel has run.

    Show it with `ControllersPanel(cluster, "web").ui` (or just the panel) as a cell's last
    expression. The Deployment must exist; the panel changes it, never creates it.
    """

    def __init__(self, cluster: Cluster, deployment: str, namespace: str = "default") -> None:
        import ipywidgets as widgets

        super().__init__(cluster)
        self.sampler = ReplicaSampler(cluster, deployment, namespace)
        self.target = f"deployment/{deployment}"
        spec = cluster.get("deployments", deployment, namespace)["spec"]
        self.container = spec["template"]["spec"]["containers"][0]["name"]
        replicas = spec.get("replicas", 1)
        self.replicas_slider = widgets.IntSlider(value=min(replicas, MAX_REPLICAS), min=0,
                                                 max=MAX_REPLICAS, description="Replicas")
        self.scale_button = widgets.Button(description="Scale")
        image = spec["template"]["spec"]["containers"][0].get("image", IMAGES[0])
        images = IMAGES if image in IMAGES else (image, *IMAGES)
        self.image_dropdown = widgets.Dropdown(options=images, value=image, description="Image")
        self.rollout_button = widgets.Button(description="Roll out", button_style="info")
        self.undo_button = widgets.Button(description="Undo")
        infrastructure = [*cluster.control_planes, cluster.endpoint]
        workers = [name for name in cluster.hosts if name not in infrastructure]
        self.node_dropdown = widgets.Dropdown(options=workers, description="Node")
        self.kill_button = widgets.Button(description="Kill", button_style="danger")
        self.restart_button = widgets.Button(description="Restart", button_style="success")
        self.advance_dropdown = widgets.Dropdown(options=ADVANCE_CHOICES, value=10,
                                                 description="Time")
        self.advance_button = widgets.Button(description="Advance")
        self._wire((self.scale_button, self.scale), (self.rollout_button, self.roll_out),
                   (self.undo_button, self.undo), (self.kill_button, self.kill),
                   (self.restart_button, self.restart), (self.advance_button, self.advance))
        self.sampler.sample()
        self._lay_out([[self.replicas_slider, self.scale_button],
                       [self.image_dropdown, self.rollout_button, self.undo_button],
                       [self.node_dropdown, self.kill_button, self.restart_button],
                       [self.advance_dropdown, self.advance_button]], about=ABOUT)

    # -- handlers: each one a kubectl command or a Cluster call, then time, then a refresh --

    def scale(self) -> None:
        """`kubectl scale deployment/<name> --replicas=<slider>`, then 2 s."""
        self._kubectl(f"scale {self.target} --replicas={self.replicas_slider.value}")

    def roll_out(self) -> None:
        """`kubectl set image deployment/<name> <container>=<image>`, then 2 s."""
        self._kubectl(f"set image {self.target} {self.container}={self.image_dropdown.value}")

    def undo(self) -> None:
        """`kubectl rollout undo deployment/<name>`: back to the previous revision, then 2 s."""
        self._kubectl(f"rollout undo {self.target}")

    def kill(self) -> None:
        """Crash the chosen worker, as pulling its power cord would."""
        self._on_node(self.cluster.kill_node, "killed")

    def restart(self) -> None:
        """Power the chosen worker back on."""
        self._on_node(self.cluster.restart_node, "restarted")

    def advance(self) -> None:
        """Let the chosen simulated time pass, sampling the ReplicaSets as it goes."""
        seconds = self.advance_dropdown.value

        def run() -> str:
            self._run(seconds)
            return f"ran {seconds} s"
        self._attempt(run)

    def refresh(self) -> None:
        """Sample now (a read takes no simulated time); draw the status line and the chart."""
        up = sum(self.cluster.host_is_up(name) for name in self.cluster.hosts)
        head = f"t = {self.cluster.now:.1f} s · {up} of {len(self.cluster.hosts)} nodes up"
        try:
            self.sampler.sample()
            deployment = self.cluster.get("deployments", self.sampler.deployment,
                                          self.sampler.namespace)
        except APIError as error:
            self.status.value = f"{head} · {api_trouble(error)}"
            self.chart.value = f"<p>Nothing to draw: {escape(str(error))}</p>"
            return
        self.status.value = f"{head} · {self.target}: {rollout_state(deployment)}"
        self.chart.value = replicas_svg(self.sampler.samples, self.sampler.bounds,
                                        f"ReplicaSets of {self.target} while this panel ran")

    # -- helpers ------------------------------------------------------------------------------

    def _run(self, seconds: float) -> None:
        self.sampler.run(seconds, every=max(1.0, seconds / SAMPLES_PER_ADVANCE))

    def _kubectl(self, command: str) -> None:
        def act() -> str:
            said = self.cluster.kubectl(command).strip()
            self._run(SETTLE_SECONDS)
            return f"{said}; ran {SETTLE_SECONDS} s"
        self._attempt(act)

    def _on_node(self, action: Callable[[str], None], done: str) -> None:
        name = self._chosen_worker(self.node_dropdown)
        if name is not None:
            self._act_on(name, action, done)


def rollout_state(deployment: dict) -> str:
    """What `kubectl get deployment` says in words: ready of desired, up to date, available."""
    spec, status = deployment.get("spec") or {}, deployment.get("status") or {}

    def count(field: str) -> int:
        value = status.get(field)
        return value if isinstance(value, int) else 0

    return (f"{count('readyReplicas')}/{spec.get('replicas', 1)} ready, "
            f"{count('updatedReplicas')} up to date, {count('availableReplicas')} available")

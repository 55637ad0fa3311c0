"""A control panel for one pod on a node: crash a container, break or heal its liveness probe,
re-create the pod with another memory limit, let time pass, and watch the containers' runs,
exits and the kubelet's Events on a chart.

Each handler is a kubectl command a reader could type in a cell (`kubectl exec`, `kubectl
delete`) or a public `Cluster` call (`create`, `run`). The crash and probe buttons act through
the lab pod's program (`lab_pod`): it exits 1 once /tmp/crash exists, and its liveness probe
reads /tmp/healthy. ipywidgets loads on first use.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from k8slab.api.quantity import memory_bytes
from k8slab.errors import APIError
from k8slab.lab.plots.container_states import container_states
from k8slab.lab.plots.style import api_trouble
from k8slab.lab.widgets.panel import Panel

if TYPE_CHECKING:
    from k8slab.lab.cluster import Cluster

MEMORY_LIMITS = ("100Mi", "200Mi", "400Mi")
ADVANCE_CHOICES = (("10 s", 10), ("60 s", 60), ("300 s", 300))
SETTLE_SECONDS = 2
APP_SCRIPT = ("touch /tmp/healthy; while [ ! -f /tmp/crash ]; do sleep 1; done; "
              "echo crashing; exit 1")
ABOUT = ("Crash: kubectl exec -- touch /tmp/crash (the app exits 1) · Break / Heal probe: "
         "kubectl exec -- rm -f / touch /tmp/healthy · Re-create: kubectl delete pod, then "
         "create it with the chosen memory limit on the chosen container · Advance: let the "
         f"chosen simulated time pass · each action then runs {SETTLE_SECONDS} s.")
# What a pod's spec keeps when the panel creates it again: what a manifest would have said,
# not what the scheduler and the admission plugins added (nodeName, tolerations...).
KEPT_SPEC = ("containers", "initContainers", "volumes", "restartPolicy",
             "terminationGracePeriodSeconds")


def lab_pod(name: str = "lab", memory_limit: str = "200Mi") -> dict:
    """The panel's pod: `app` (busybox, exits 1 once /tmp/crash exists, a liveness probe on
    /tmp/healthy every 5 s) and `stress` (polinux/stress holding 150M under `memory_limit`)."""
    return {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "terminationGracePeriodSeconds": 5,
            "containers": [
                {"name": "app", "image": "busybox:1.37", "command": ["sh", "-c", APP_SCRIPT],
                 "livenessProbe": {"exec": {"command": ["cat", "/tmp/healthy"]},
                                   "periodSeconds": 5}},
                {"name": "stress", "image": "polinux/stress", "command": ["stress"],
                 "args": ["--vm", "1", "--vm-bytes", "150M", "--vm-hang", "1"],
                 "resources": {"requests": {"memory": "50Mi"},
                               "limits": {"memory": memory_limit}}},
            ],
        },
    }


class NodePanel(Panel):
    """Buttons that act on pod `pod` of `cluster` and its containers, a status line, and the
    chart of its containers' runs since the panel was made.

    Show it with `NodePanel(cluster, "lab").ui` as a cell's last expression. The pod must exist
    (`cluster.create(lab_pod())`); the panel changes it, never creates it from nothing.
    """

    def __init__(self, cluster: Cluster, pod: str, namespace: str = "default") -> None:
        import ipywidgets as widgets

        super().__init__(cluster)
        self.pod, self.namespace = pod, namespace
        self.since = cluster.now
        spec = cluster.get("pods", pod, namespace)["spec"]
        names = [c["name"] for c in spec["containers"]]
        self.container_dropdown = widgets.Dropdown(options=names, value=names[0],
                                                   description="Container")
        self.crash_button = widgets.Button(description="Crash", button_style="danger")
        self.break_button = widgets.Button(description="Break probe", button_style="warning")
        self.heal_button = widgets.Button(description="Heal probe", button_style="success")
        self.memory_dropdown = widgets.Dropdown(options=MEMORY_LIMITS, value=MEMORY_LIMITS[1],
                                                description="Memory")
        self.recreate_button = widgets.Button(description="Re-create", button_style="info")
        self.advance_dropdown = widgets.Dropdown(options=ADVANCE_CHOICES, value=10,
                                                 description="Time")
        self.advance_button = widgets.Button(description="Advance")
        self._wire((self.crash_button, self.crash), (self.break_button, self.break_probe),
                   (self.heal_button, self.heal_probe), (self.recreate_button, self.recreate),
                   (self.advance_button, self.advance))
        self._lay_out([[self.container_dropdown, self.crash_button, self.break_button,
                        self.heal_button],
                       [self.memory_dropdown, self.recreate_button],
                       [self.advance_dropdown, self.advance_button]], about=ABOUT)

    # -- handlers: each one a kubectl command or a Cluster call, then time, then a refresh --

    def crash(self) -> None:
        """`kubectl exec POD -c C -- touch /tmp/crash`: the lab app sees the file and exits 1."""
        self._exec("touch /tmp/crash")

    def break_probe(self) -> None:
        """`kubectl exec POD -c C -- rm -f /tmp/healthy`: the liveness probe starts failing."""
        self._exec("rm -f /tmp/healthy")

    def heal_probe(self) -> None:
        """`kubectl exec POD -c C -- touch /tmp/healthy`: the liveness probe passes again."""
        self._exec("touch /tmp/healthy")

    def recreate(self) -> None:
        """Delete the pod and create it again with the chosen memory limit on the chosen
        container: a pod's resources cannot be changed in place by an update."""
        def act() -> str:
            manifest = self._manifest_with_limit(self.memory_dropdown.value)
            self.cluster.kubectl(f"delete pod {self.pod} -n {self.namespace}")
            [said] = self.cluster.create(manifest)
            self.cluster.run(SETTLE_SECONDS)
            return f"{said} with memory limit {self.memory_dropdown.value}; ran {SETTLE_SECONDS} s"
        self._attempt(act)

    def advance(self) -> None:
        """Let the chosen simulated time pass."""
        seconds = self.advance_dropdown.value

        def run() -> str:
            self.cluster.run(seconds)
            return f"ran {seconds} s"
        self._attempt(run)

    def refresh(self) -> None:
        """Draw the status line (kubectl get pod's READY, STATUS, RESTARTS) and the chart."""
        head = f"t = {self.cluster.now:.1f} s"
        try:
            row = self.cluster.kubectl(f"get pod {self.pod} -n {self.namespace}").splitlines()[1]
        except APIError as error:
            self.status.value = f"{head} · {api_trouble(error)}"
            self.chart.value = f"<p>Nothing to draw: {escape(str(error))}</p>"
            return
        name, ready, status, *rest = row.split(maxsplit=3)
        restarts = rest[0].rsplit(maxsplit=1)[0] if rest else "0"
        self.status.value = (f"{head} · pod/{name}: {ready} ready, {status}, "
                             f"restarts {restarts}")
        picture = container_states(self.cluster, self.pod, self.namespace, self.since)
        self.chart.value = picture.markup

    # -- helpers ------------------------------------------------------------------------------

    def _exec(self, command: str) -> None:
        container = self.container_dropdown.value

        def act() -> str:
            self.cluster.exec_(self.pod, command.split(), container, self.namespace)
            self.cluster.run(SETTLE_SECONDS)
            return f"exec {command} in {container}; ran {SETTLE_SECONDS} s"
        self._attempt(act)

    def _manifest_with_limit(self, limit: str) -> dict:
        pod = self.cluster.get("pods", self.pod, self.namespace)
        spec = {k: v for k, v in pod["spec"].items() if k in KEPT_SPEC}
        [container] = [c for c in spec["containers"]
                       if c["name"] == self.container_dropdown.value]
        resources = container.setdefault("resources", {})
        resources.setdefault("limits", {})["memory"] = limit
        requested = resources.get("requests", {}).get("memory")
        if requested is not None and memory_bytes(requested) > memory_bytes(limit):
            resources["requests"]["memory"] = limit
        metadata = {k: pod["metadata"][k] for k in ("name", "namespace", "labels")
                    if k in pod["metadata"]}
        return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}


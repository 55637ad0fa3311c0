"""A control panel for the scheduler: add pods of a size and priority, taint or cordon nodes.

Pods go to the scheduler profile chosen in the panel (their spec.schedulerName), so a cluster whose
kube-scheduler runs a spreading and a bin-packing profile lets the reader switch strategy pod by
pod. The per-node utilization chart and the explain table of the scheduler's latest decision
follow; the status line and the chart come from one read of the cluster. Every handler calls only
the `Cluster` methods a reader could call in a cell.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

from k8slab.errors import APIError, K8sLabError
from k8slab.lab import components
from k8slab.lab.kubeadm import CONTROL_PLANE_LABEL
from k8slab.lab.plots.hosts import pods_and_nodes
from k8slab.lab.plots.style import api_trouble
from k8slab.lab.plots.utilization import FINISHED_PHASES, utilization_rows, utilization_svg
from k8slab.lab.widgets.panel import Panel

if TYPE_CHECKING:
    from k8slab.lab.cluster import Cluster
    from k8slab.lab.scheduling import Explanation
    from k8slab.scheduler.view import SchedulerView

CPU_REQUESTS = ("250m", "500m", "1000m", "2000m")
MEMORY_REQUEST = "256Mi"
PRIORITIES = (("low (0)", 0), ("medium (100)", 100), ("high (1000)", 1000))
POD_PREFIX = "app-"
POD_IMAGE = "nginx:1.27"
# The taint the panel adds and removes: upstream's documentation example of a dedicated node.
TAINT = "dedicated=panel:NoSchedule"
UNTAINT = "dedicated:NoSchedule-"
SETTLE_SECONDS = 2
ADVANCE_SECONDS = 10
DECISIONS = ("Scheduled", "FailedScheduling")
ABOUT = ("Add pod: a pod of the chosen CPU request and priority, scheduled by the chosen profile, "
         f"then {SETTLE_SECONDS} s run · Taint / Untaint / Cordon / Uncordon: kubectl on the "
         f"chosen node · Advance: let {ADVANCE_SECONDS} simulated seconds pass.")


class SchedulerPanel(Panel):
    """Buttons that act on `cluster`, a status line, the utilization chart and the last decision.

    Show it with `SchedulerPanel(cluster).ui` (or just the panel) as a cell's last expression.
    """

    advance_seconds = ADVANCE_SECONDS

    def __init__(self, cluster: Cluster) -> None:
        import ipywidgets as widgets

        super().__init__(cluster)
        self.rows: list[dict] = []
        self.decision: Explanation | None = None
        self.cpu_dropdown = widgets.Dropdown(options=CPU_REQUESTS, value="500m",
                                             description="CPU request")
        self.priority_dropdown = widgets.Dropdown(options=PRIORITIES, value=0,
                                                  description="Priority")
        self.profile_dropdown = widgets.Dropdown(options=profile_options(cluster),
                                                 description="Profile")
        self.add_button = widgets.Button(description="Add pod", icon="plus")
        self.node_dropdown = widgets.Dropdown(options=schedulable_nodes(cluster),
                                              description="Node")
        self.taint_button = widgets.Button(description="Taint", tooltip=TAINT)
        self.untaint_button = widgets.Button(description="Untaint")
        self.cordon_button = widgets.Button(description="Cordon")
        self.uncordon_button = widgets.Button(description="Uncordon")
        self.advance_button = widgets.Button(description=f"Advance {ADVANCE_SECONDS} s")
        self.explanation = widgets.HTML()
        self._wire((self.add_button, self.add_pod), (self.taint_button, self.taint),
                   (self.untaint_button, self.untaint), (self.cordon_button, self.cordon),
                   (self.uncordon_button, self.uncordon), (self.advance_button, self.advance))
        self._lay_out([[self.cpu_dropdown, self.priority_dropdown],
                       [self.profile_dropdown, self.add_button],
                       [self.node_dropdown, self.taint_button, self.untaint_button,
                        self.cordon_button, self.uncordon_button],
                       [self.advance_button]],
                      self.explanation, about=ABOUT)

    # -- handlers: each one a few public Cluster calls, then a refresh ------------------------

    def add_pod(self) -> None:
        """Create a pod with the chosen CPU request, priority and profile; run the cluster 2 s."""
        cpu, priority = self.cpu_dropdown.value, self.priority_dropdown.value
        profile = self.profile_dropdown.value

        def create() -> str:
            if priority:  # the Priority admission plugin reads it from a PriorityClass
                self.cluster.apply(priority_class_manifest(priority))
            outcome = self.cluster.create(pod_manifest(cpu, priority, profile))
            self.cluster.run(SETTLE_SECONDS)
            return (f"{outcome[0]} (cpu {cpu}, priority {priority}, {profile}); "
                    f"ran {SETTLE_SECONDS} s")
        self._attempt(create)

    def taint(self) -> None:
        """`kubectl taint nodes <node> dedicated=panel:NoSchedule`."""
        self._on_node(lambda node: self.cluster.taint(node, TAINT))

    def untaint(self) -> None:
        """`kubectl taint nodes <node> dedicated:NoSchedule-`."""
        self._on_node(lambda node: self.cluster.taint(node, UNTAINT))

    def cordon(self) -> None:
        """`kubectl cordon <node>`."""
        self._on_node(self.cluster.cordon)

    def uncordon(self) -> None:
        """`kubectl uncordon <node>`."""
        self._on_node(self.cluster.uncordon)

    def refresh(self) -> None:
        """Read the cluster once; draw the status line and the utilization chart from that read,
        and the table of the scheduler's latest decision from the trace."""
        self.decision, self.explanation.value = self._last_decision()
        try:
            pods, nodes = pods_and_nodes(self.cluster)
        except APIError as error:
            self.rows = []
            self.status.value = f"t = {self.cluster.now:.1f} s · {api_trouble(error)}"
            self.chart.value = f"<p>Nothing to draw: {escape(str(error))}</p>"
            return
        self.rows = utilization_rows(pods, nodes)
        now = self.cluster.now
        bound = sum(row["pods"] for row in self.rows)
        waiting = sum(not (pod.get("spec") or {}).get("nodeName")
                      and (pod.get("status") or {}).get("phase") not in FINISHED_PHASES
                      for pod in pods)
        pods_bound = "1 pod" if bound == 1 else f"{bound} pods"
        self.status.value = (f"t = {now:.1f} s · {pods_bound} bound to a worker node · "
                             f"{waiting} waiting for one")
        self.chart.value = utilization_svg(self.rows, now, "CPU and memory requested per node")

    # -- helpers ------------------------------------------------------------------------------

    def _last_decision(self) -> tuple[Explanation | None, str]:
        """The explanation of the scheduler's latest decision, and its HTML (or why none)."""
        latest = next((r for r in reversed(self.cluster.trace.by_component("scheduler"))
                       if r.kind in DECISIONS), None)
        if latest is None:
            return None, "<p>No scheduling decision yet: add a pod.</p>"
        target = latest.obj.removeprefix("pod/")
        try:
            explanation = self.cluster.explain(target)
        except K8sLabError as error:
            return None, f"<p>Last decision, for pod {target}: {error}</p>"
        return explanation, explanation._repr_html_()

    def _on_node(self, action: Callable[[str], str]) -> None:
        name = self._chosen_worker(self.node_dropdown)
        if name is None:
            return

        def edit() -> str:
            done = action(name)
            self.cluster.run(SETTLE_SECONDS)
            return f"{done}; ran {SETTLE_SECONDS} s"
        self._attempt(edit)


def priority_class_name(priority: int) -> str:
    """The PriorityClass the panel names for a priority: `panel-priority-100`."""
    return f"panel-priority-{priority}"


def priority_class_manifest(priority: int) -> dict:
    """The PriorityClass of that value the panel creates before its first pod of it."""
    return {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
            "metadata": {"name": priority_class_name(priority)}, "value": priority}


def pod_manifest(cpu: str, priority: int, scheduler_name: str) -> dict:
    """The pod the panel creates: one nginx container with `cpu` and 256Mi requested, naming
    the PriorityClass of `priority` (none for 0, the priority of a pod without a class)."""
    spec: dict = {"schedulerName": scheduler_name}
    if priority:
        spec["priorityClassName"] = priority_class_name(priority)
    spec["containers"] = [{"name": "app", "image": POD_IMAGE,
                           "resources": {"requests": {"cpu": cpu, "memory": MEMORY_REQUEST}}}]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"generateName": POD_PREFIX, "labels": {"app": "panel"}},
        "spec": spec,
    }


def running_scheduler(cluster: Cluster) -> SchedulerView | None:
    """The kube-scheduler of the first control-plane host that runs one, the leader preferred."""
    found = [components.scheduler_view(cluster.network, name)
             for name in cluster.control_planes if cluster.host_is_up(name)]
    found = [scheduler for scheduler in found if scheduler is not None]
    return next((s for s in found if s.leading), found[0] if found else None)


def profile_options(cluster: Cluster) -> list[tuple[str, str]]:
    """(label, schedulerName) for each profile of the running scheduler, with its scoring strategy.

    E.g. ("default-scheduler · LeastAllocated", "default-scheduler").
    """
    scheduler = running_scheduler(cluster)
    if scheduler is None:
        return [("default-scheduler", "default-scheduler")]
    options = []
    for profile in scheduler.profiles:
        strategy = profile.scoring_strategy
        options.append((f"{profile.name} · {strategy}" if strategy else profile.name,
                        profile.name))
    return options


def schedulable_nodes(cluster: Cluster) -> list[str]:
    """The names of the nodes that are not control-plane nodes, read through the API server."""
    try:
        nodes = cluster.list("nodes")
    except APIError:
        return []
    return sorted(node["metadata"]["name"] for node in nodes
                  if CONTROL_PLANE_LABEL not in (node["metadata"].get("labels") or {}))

"""A control panel for a Service and the Deployment behind it: scale the backend by one, kill a
backend pod, toggle one pod's readiness, send traffic from a client pod, and watch how the
requests spread over the endpoints and what failed, second by second.

Each handler is a kubectl command a reader could type in a cell (`kubectl scale`, `kubectl
delete pod`, `kubectl exec`) or `Cluster.traffic`. The backend's readiness probe fails while
/tmp/not-ready exists (`backend()` makes such a Deployment and its Service): creating the file
takes the pod out of the Service's endpoints without stopping it; removing it puts it back.
ipywidgets loads on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

from k8slab.errors import APIError, K8sLabError
from k8slab.lab.plots.style import api_trouble
from k8slab.lab.plots.traffic_svg import endpoint_histogram_svg, requests_over_time_svg
from k8slab.lab.traffic import TrafficReport
from k8slab.lab.widgets.panel import Panel

if TYPE_CHECKING:
    from k8slab.lab.cluster import Cluster

NOT_READY_FILE = "/tmp/not-ready"
SETTLE_SECONDS = 2
MAX_REPLICAS = 12
TRAFFIC_RPS = 100
TRAFFIC_CHOICES = (("5 s", 5), ("10 s", 10), ("30 s", 30))
# One sh -c line: remove the file if it is there, create it if not, and say which.
TOGGLE_SCRIPT = (f"if [ -e {NOT_READY_FILE} ]; then rm {NOT_READY_FILE}; "
                 f"echo removed {NOT_READY_FILE}; else touch {NOT_READY_FILE}; "
                 f"echo created {NOT_READY_FILE}; fi")
ABOUT = (f"−1 / +1: kubectl scale the backend Deployment · Kill: kubectl delete pod "
         f"--wait=false · Toggle ready: kubectl exec -- sh -c 'touch or rm {NOT_READY_FILE}' "
         f"(the readiness probe fails while it exists) · each then {SETTLE_SECONDS} s run · "
         f"Send: {TRAFFIC_RPS} requests a second from the client pod for the chosen time · "
         "Advance: 10 s.")


def backend(name: str = "web", replicas: int = 3) -> list[dict]:
    """A Deployment of nginx whose readiness probe runs `test ! -e /tmp/not-ready` every
    second, one failure enough to mark the pod unready, and the ClusterIP Service `name` in
    front of it. (nginx stays PID 1, so it stops at once on SIGTERM.)"""
    probe = ["test", "!", "-e", NOT_READY_FILE]
    container = {"name": "web", "image": "nginx:1.27",
                 "ports": [{"name": "http", "containerPort": 80}],
                 "readinessProbe": {"exec": {"command": probe},
                                    "periodSeconds": 1, "failureThreshold": 1}}
    labels = {"app": name}
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
                  "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                           "template": {"metadata": {"labels": labels},
                                        "spec": {"containers": [container]}}}}
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
               "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": "http"}]}}
    return [deployment, service]


def client_pod(name: str = "client") -> dict:
    """A busybox pod that sleeps, to send requests from (`wget`, `nslookup`, the traffic)."""
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "client", "image": "busybox:1.37",
                                     "command": ["sleep", "86400"]}]}}


class NetworkPanel(Panel):
    """Buttons that act on Deployment `deployment` behind Service `service` and send traffic from
    pod `client` to `url`; a status line, the last traffic's requests per endpoint, and every
    request the panel sent, second by second, with what its buttons did marked in between.

    Show it with `NetworkPanel(cluster).ui` as a cell's last expression. The Deployment, the
    Service and the client pod must exist (`cluster.apply(backend() + [client_pod()])`).
    """

    def __init__(self, cluster: Cluster, deployment: str = "web", *, service: str | None = None,
                 client: str = "client", url: str | None = None,
                 namespace: str = "default") -> None:
        import ipywidgets as widgets

        super().__init__(cluster)
        self.deployment, self.namespace = deployment, namespace
        self.service = service or deployment
        self.client = client
        self.url = url or f"http://{self.service}"
        spec = cluster.get("deployments", deployment, namespace)["spec"]
        self.selector = spec["selector"].get("matchLabels", {})
        cluster.get("services", self.service, namespace)
        cluster.get("pods", client, namespace)
        self.report: TrafficReport | None = None
        # Every report sent from this panel, for the over-time chart, and what the buttons did
        # meanwhile (time, what), marked on it.
        self.reports: list[TrafficReport] = []
        self.events: list[tuple[float, str]] = []
        self.down_button = widgets.Button(description="−1 replica")
        self.up_button = widgets.Button(description="+1 replica")
        self.pod_dropdown = widgets.Dropdown(options=self._backend_pods(), description="Pod")
        self.kill_button = widgets.Button(description="Kill", button_style="danger")
        self.ready_button = widgets.Button(description="Toggle ready", button_style="warning")
        self.seconds_dropdown = widgets.Dropdown(options=TRAFFIC_CHOICES, value=10,
                                                 description="Traffic")
        self.send_button = widgets.Button(description="Send", button_style="info")
        self.advance_button = widgets.Button(description="Advance")
        self._wire((self.down_button, self.scale_down), (self.up_button, self.scale_up),
                   (self.kill_button, self.kill), (self.ready_button, self.toggle_ready),
                   (self.send_button, self.send), (self.advance_button, self.advance))
        self._lay_out([[self.down_button, self.up_button],
                       [self.pod_dropdown, self.kill_button, self.ready_button],
                       [self.seconds_dropdown, self.send_button, self.advance_button]],
                      about=ABOUT)

    # -- handlers: each one a kubectl command or a Cluster call, then time, then a refresh --

    def scale_down(self) -> None:
        """`kubectl scale deployment/<name> --replicas=<current − 1>`, then 2 s."""
        self._scale(-1)

    def scale_up(self) -> None:
        """`kubectl scale deployment/<name> --replicas=<current + 1>`, then 2 s."""
        self._scale(+1)

    def kill(self) -> None:
        """`kubectl delete pod <chosen> --wait=false`: the pod terminates, its ReplicaSet makes
        another; then 2 s."""
        pod = self._chosen_pod()
        if pod is not None:
            self._act(f"pod {pod} deleted", lambda: self.cluster.kubectl(
                f"delete pod {pod} -n {self.namespace} --wait=false"))

    def toggle_ready(self) -> None:
        """`kubectl exec <chosen> -- sh -c '...'`: create /tmp/not-ready if it is absent, remove
        it if not; the readiness probe follows within its period. Then 2 s."""
        pod = self._chosen_pod()
        if pod is not None:
            self._act(f"{pod}: readiness file toggled", lambda: self.cluster.exec_(
                pod, ["sh", "-c", TOGGLE_SCRIPT], namespace=self.namespace))

    def send(self) -> None:
        """`cluster.traffic(client, url, rps=100, seconds=<chosen>)`; the charts show its report."""
        seconds = self.seconds_dropdown.value

        def act() -> str:
            self.report = self.cluster.traffic(self.client, self.url, rps=TRAFFIC_RPS,
                                               seconds=seconds, namespace=self.namespace)
            self.reports.append(self.report)
            failed = sum(self.report.failures().values())
            return (f"sent {len(self.report.requests)} requests to {self.url} in {seconds} s; "
                    f"{failed} failed")
        self._attempt(act)

    def refresh(self) -> None:
        """Draw the status line (the Deployment's ready replicas, the Service's ready endpoints),
        the pod choices, and the last traffic's charts."""
        head = f"t = {self.cluster.now:.1f} s"
        try:
            pods = self._backend_pods()
            deployment = self.cluster.get("deployments", self.deployment, self.namespace)
            ready, serving = self._endpoints()
        except APIError as error:
            self.status.value = f"{head} · {api_trouble(error)}"
            self.chart.value = f"<p>Nothing to draw: {escape(str(error))}</p>"
            return
        chosen = self.pod_dropdown.value
        self.pod_dropdown.options = pods
        self.pod_dropdown.value = chosen if chosen in pods else (pods[0] if pods else None)
        status = deployment.get("status") or {}
        self.status.value = (f"{head} · deployment/{self.deployment}: "
                             f"{status.get('readyReplicas', 0)}/{deployment['spec']['replicas']}"
                             f" ready · service/{self.service}: {ready} ready endpoint(s) of "
                             f"{serving} in its EndpointSlices")
        if self.report is None:
            self.chart.value = "<p>Send traffic to draw where the requests went.</p>"
            return
        self.chart.value = (endpoint_histogram_svg(self.report, names=self._names())
                            + requests_over_time_svg(self._all_sent(), self.events))

    # -- helpers ------------------------------------------------------------------------------

    def _act(self, event: str, action: Callable[[], object]) -> None:
        """`action`, then `event` noted at this time for the over-time chart, then 2 s."""
        def act() -> str:
            said = str(action()).strip()
            self.events.append((self.cluster.now, event))
            self.cluster.run(SETTLE_SECONDS)
            return f"{said}; ran {SETTLE_SECONDS} s"
        self._attempt(act)

    def _scale(self, step: int) -> None:
        def replicas() -> str:
            current = self.cluster.get("deployments", self.deployment,
                                       self.namespace)["spec"]["replicas"]
            wanted = current + step
            if not 0 <= wanted <= MAX_REPLICAS:
                raise K8sLabError(f"the panel scales between 0 and {MAX_REPLICAS} replicas; "
                                  f"deployment/{self.deployment} has {current}")
            return self.cluster.kubectl(f"scale deployment/{self.deployment} "
                                        f"--replicas={wanted} -n {self.namespace}")
        self._act(f"scaled {'+' if step > 0 else '−'}1", replicas)

    def _all_sent(self) -> TrafficReport:
        """Every request this panel sent, as one report (the seconds between sends are empty)."""
        return TrafficReport(self.client, self.url, TRAFFIC_RPS,
                             sum(r.seconds for r in self.reports),
                             [request for r in self.reports for request in r.requests])

    def _chosen_pod(self) -> str | None:
        if self.pod_dropdown.value is None:
            self._say(f"deployment/{self.deployment} has no pod to choose")
        return self.pod_dropdown.value

    def _backend_pods(self) -> list[str]:
        """The Deployment's pods that are not being deleted, by name."""
        return sorted(p["metadata"]["name"] for p in self.cluster.list("pods", self.namespace)
                      if self._selected(p) and not p["metadata"].get("deletionTimestamp"))

    def _selected(self, pod: dict) -> bool:
        labels = pod["metadata"].get("labels") or {}
        return all(labels.get(key) == value for key, value in self.selector.items())

    def _endpoints(self) -> tuple[int, int]:
        """(ready endpoints, endpoints) in the Service's EndpointSlices."""
        slices = [s for s in self.cluster.list("endpointslices", self.namespace)
                  if (s["metadata"].get("labels") or {}).get("kubernetes.io/service-name")
                  == self.service]
        endpoints = [e for s in slices for e in s.get("endpoints") or []]
        ready = sum((e.get("conditions") or {}).get("ready") is not False for e in endpoints)
        return ready, len(endpoints)

    def _names(self) -> dict[str, str]:
        """What to write under each endpoint's bar: for a pod ("namespace/name", as
        `Cluster.traffic` names it) its IP if it still has one; for a bare "IP:port", the pod
        holding that IP."""
        pods = self.cluster.list("pods", self.namespace)
        ips = {f"{self.namespace}/{p['metadata']['name']}": (p.get("status") or {}).get("podIP")
               for p in pods}
        by_ip = {(p.get("status") or {}).get("podIP"): p["metadata"]["name"] for p in pods}
        names = {}
        for endpoint in self.report.by_endpoint() if self.report else {}:
            label = ips.get(endpoint) or by_ip.get(endpoint.rpartition(":")[0])
            if label:
                names[endpoint] = label
        return names

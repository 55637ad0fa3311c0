"""The network panel's buttons run the kubectl commands they name against a real cluster: scale
the backend by one, kill a pod, toggle a pod's readiness (and so its place in the Service's
EndpointSlice); Send calls `Cluster.traffic` and the charts draw the report it returns.

Most tests replace that one call, `Cluster.traffic`, with a stand-in that spreads requests
round-robin over the ready endpoints of the Service's EndpointSlices (naming each by its pod, as
the real one does), so they can assert exact counts; one sends real traffic through the rules."""

import ipywidgets as widgets
import pytest

from k8slab.errors import NotFoundError
from k8slab.lab.cluster import Cluster
from k8slab.lab.traffic import Request, TrafficReport
from k8slab.lab.widgets.network_panel import NetworkPanel, backend, client_pod
from tests.lab.widgets.chart import texts, tips


def ready_endpoints(cluster: Cluster, service: str = "web") -> list[str]:
    """The Service's ready endpoints as "ip:port", read from its EndpointSlices."""
    found = []
    for slice_ in cluster.list("endpointslices", "default"):
        if slice_["metadata"].get("labels", {}).get("kubernetes.io/service-name") != service:
            continue
        port = slice_["ports"][0]["port"]
        for endpoint in slice_.get("endpoints") or []:
            if endpoint.get("conditions", {}).get("ready") is not False:
                found += [f"{address}:{port}" for address in endpoint["addresses"]]
    return sorted(found)


def ready_pods(cluster: Cluster, service: str = "web") -> list[str]:
    """The pods behind the Service's ready endpoints, as "namespace/name"."""
    by_ip = {p["status"].get("podIP"): p["metadata"]["name"] for p in cluster.list("pods")}
    return sorted(f"default/{by_ip[e.rpartition(':')[0]]}"
                  for e in ready_endpoints(cluster, service))


class TrafficStandIn:
    """Stands in for `Cluster.traffic` only: records its calls, lets the simulated time pass,
    and answers each request from the next ready endpoint in turn."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.calls: list[tuple] = []

    def __call__(self, source, url, *, rps=100, seconds=10, timeout=1.0, namespace="default"):
        self.calls.append((source, url, rps, seconds, namespace))
        endpoints = ready_pods(self.cluster)
        start = self.cluster.now
        requests = [Request(start + i / rps, endpoints[i % len(endpoints)], 0.002, None)
                    for i in range(int(rps * seconds))]
        self.cluster.run(seconds)
        return TrafficReport(source, url, rps, seconds, requests)


@pytest.fixture(scope="module")
def settled() -> Cluster:
    cluster = Cluster(workers=2, seed=1)
    cluster.apply([*backend(), client_pod()])
    cluster.run(15)
    return cluster


@pytest.fixture
def panel() -> NetworkPanel:
    cluster = Cluster(workers=2, seed=1)
    cluster.apply([*backend(), client_pod()])
    cluster.run(15)
    return NetworkPanel(cluster)


def replicas(panel: NetworkPanel) -> int:
    return panel.cluster.get("deployments", "web")["spec"]["replicas"]


def test_the_panel_starts_from_the_service_as_it_is(settled):
    panel = NetworkPanel(settled)
    assert isinstance(panel.ui, widgets.VBox)
    pods = [p["metadata"]["name"] for p in settled.list("pods", "default")
            if p["metadata"]["name"].startswith("web-")]
    assert list(panel.pod_dropdown.options) == sorted(pods)
    assert len(pods) == 3
    assert panel.status.value == (f"t = {settled.now:.1f} s · deployment/web: 3/3 ready · "
                                  "service/web: 3 ready endpoint(s) of 3 in its EndpointSlices")
    assert panel.chart.value == "<p>Send traffic to draw where the requests went.</p>"


def test_plus_and_minus_one_run_kubectl_scale(panel):
    panel.up_button.click()
    assert panel.message.value == "deployment.apps/web scaled; ran 2 s"
    assert replicas(panel) == 4
    panel.advance_button.click()
    assert "deployment/web: 4/4 ready" in panel.status.value
    assert "4 ready endpoint(s) of 4" in panel.status.value
    panel.down_button.click()
    assert replicas(panel) == 3


def test_scaling_below_zero_is_refused_and_changes_nothing(panel):
    panel.cluster.kubectl("scale deployment/web --replicas=0")
    panel.down_button.click()
    assert panel.message.value == ("the panel scales between 0 and 12 replicas; deployment/web "
                                   "has 0")
    assert replicas(panel) == 0
    assert panel.events == []


def test_kill_deletes_the_chosen_pod_and_its_replicaset_replaces_it(panel):
    victim = panel.pod_dropdown.options[1]
    panel.pod_dropdown.value = victim
    panel.kill_button.click()
    assert panel.message.value == (f'pod "{victim}" deleted from default namespace; '
                                   "ran 2 s")
    assert victim not in panel.pod_dropdown.options
    assert len(panel.pod_dropdown.options) == 3  # the replacement is already there
    # nginx is the container's PID 1 and stops at once on SIGTERM: the pod is gone already.
    assert victim not in [p["metadata"]["name"] for p in panel.cluster.list("pods", "default")]
    assert [label for _, label in panel.events] == [f"pod {victim} deleted"]


def test_toggle_ready_takes_the_pod_out_of_the_endpoints_and_back(panel):
    pod = panel.pod_dropdown.value
    ip = panel.cluster.get("pods", pod)["status"]["podIP"]
    panel.ready_button.click()
    assert panel.message.value == "created /tmp/not-ready; ran 2 s"
    assert "deployment/web: 2/3 ready" in panel.status.value
    assert "service/web: 2 ready endpoint(s) of 3" in panel.status.value
    assert f"{ip}:80" not in ready_endpoints(panel.cluster)
    panel.ready_button.click()
    assert panel.message.value == "removed /tmp/not-ready; ran 2 s"
    assert "service/web: 3 ready endpoint(s) of 3" in panel.status.value
    assert f"{ip}:80" in ready_endpoints(panel.cluster)


def test_send_calls_cluster_traffic_and_draws_the_report(panel):
    stand_in = TrafficStandIn(panel.cluster)
    panel.cluster.traffic = stand_in
    panel.ready_button.click()  # one pod out of the endpoints: the traffic avoids it
    panel.seconds_dropdown.value = 5
    panel.send_button.click()
    assert stand_in.calls == [("client", "http://web", 100, 5, "default")]
    assert panel.message.value == "sent 500 requests to http://web in 5 s; 0 failed"
    bars = [t for t in tips(panel.chart.value) if " answered" in t and "default/" in t]
    ips = {f"default/{p}": panel.cluster.get("pods", p)["status"]["podIP"]
           for p in panel.pod_dropdown.options}
    assert bars == [f"{ips[pod]} {pod}: 250 answered" for pod in ready_pods(panel.cluster)]
    assert "all 500 requests from client to http://web answered" in texts(panel.chart.value)


def test_send_with_the_real_traffic_avoids_an_unready_pod(panel):
    unready = panel.pod_dropdown.value
    panel.ready_button.click()
    panel.seconds_dropdown.value = 5
    panel.send_button.click()
    assert panel.message.value == "sent 500 requests to http://web in 5 s; 0 failed"
    assert sorted(panel.report.by_endpoint()) == ready_pods(panel.cluster)
    assert f"default/{unready}" not in panel.report.by_endpoint()
    assert len(panel.report.by_endpoint()) == 2
    assert "all 500 requests from client to http://web answered" in texts(panel.chart.value)


def test_a_panel_needs_its_deployment_service_and_client(settled):
    with pytest.raises(NotFoundError, match='deployments.apps "nope" not found'):
        NetworkPanel(settled, "nope")
    with pytest.raises(NotFoundError, match='services "nope" not found'):
        NetworkPanel(settled, service="nope")
    with pytest.raises(NotFoundError, match='pods "nope" not found'):
        NetworkPanel(settled, client="nope")


def test_without_an_api_server_the_panel_says_so(panel):
    panel.cluster.kill_node("control-plane")
    panel.refresh()
    assert panel.status.value.endswith("· API server unreachable")
    assert panel.chart.value.startswith("<p>Nothing to draw")
    panel.up_button.click()
    assert "refused" in panel.message.value


def test_what_the_buttons_did_is_marked_between_the_sends(panel):
    panel.cluster.traffic = TrafficStandIn(panel.cluster)
    panel.seconds_dropdown.value = 5
    panel.send_button.click()
    victim = panel.pod_dropdown.value
    victim_ip = panel.cluster.get("pods", victim)["status"]["podIP"]
    panel.kill_button.click()
    killed_at = panel.events[0][0]
    panel.send_button.click()
    assert len(panel.reports) == 2
    over_time = texts(panel.chart.value)
    assert "all 1,000 requests from client to http://web answered" in over_time
    assert f"t = {killed_at:g} s: pod {victim} deleted" in tips(panel.chart.value)
    # The histogram is the last send's: three bars, none of them the killed pod's address.
    bars = [t for t in tips(panel.chart.value) if " answered" in t and "default/" in t]
    assert len(bars) == 3
    assert not any(victim in bar or victim_ip in bar for bar in bars)

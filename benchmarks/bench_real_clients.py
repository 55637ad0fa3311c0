"""Real clients against a served cluster: how fast it answers, and how soon a watcher hears.

Printed:
(a) requests per wall second for `GET /api/v1/namespaces/default/pods` with kubectl's Table
    Accept header, on a served cluster (stepped mode) holding 1,000 pods: over one kept-alive
    HTTPS connection (http.client), and as whole `kubectl get pods` invocations (a process each:
    start-up, discovery from its cache, TLS, the Table);
(b) the latency from a simulated change to the watch event arriving at a real client: in paced
    mode at 1x, a pod is created through the facade (c.apply) while the official Python
    client's watch is open on another thread; the wall time from just before c.apply to the
    event's arrival, median and p95 over CHANGES changes.

    python benchmarks/bench_real_clients.py
"""

from __future__ import annotations

import base64
import http.client
import os
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import yaml

from k8slab import Cluster

PODS, WORKERS, REQUESTS, KUBECTL_RUNS, CHANGES = 1000, 10, 30, 10, 50
# What kubectl 1.36 sends for `get pods` (server-side printing, then the plain list).
TABLE_ACCEPT = ("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;"
                "as=Table;v=v1beta1;g=meta.k8s.io,application/json")


def deployment(name: str, replicas: int) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": name,
                                                           "image": "nginx:1.27"}]}}}}


def connection(kubeconfig: str, workdir: str) -> tuple[http.client.HTTPSConnection, dict]:
    """One HTTPS connection with the kubeconfig's CA and client certificate."""
    config = yaml.safe_load(open(kubeconfig))
    cluster, user = config["clusters"][0]["cluster"], config["users"][0]["user"]
    files = {}
    for key in ("certificate-authority-data", "client-certificate-data", "client-key-data"):
        files[key] = os.path.join(workdir, key)
        with open(files[key], "wb") as out:
            out.write(base64.b64decode(cluster.get(key) or user[key]))
    context = ssl.create_default_context(cafile=files["certificate-authority-data"])
    context.load_cert_chain(files["client-certificate-data"], files["client-key-data"])
    host, port = cluster["server"].removeprefix("https://").rsplit(":", 1)
    return http.client.HTTPSConnection(host, int(port), context=context), {
        "Accept": TABLE_ACCEPT, "User-Agent": "bench_real_clients"}


def requests_per_second(kubeconfig: str) -> float:
    """GET pods as a Table, REQUESTS times over one kept-alive connection."""
    with tempfile.TemporaryDirectory() as workdir:
        conn, headers = connection(kubeconfig, workdir)
        path = "/api/v1/namespaces/default/pods"  # all 1,000 rows in one Table
        conn.request("GET", path, headers=headers)  # warm: TLS handshake, first Table
        assert conn.getresponse().read()
        start = time.perf_counter()
        for _ in range(REQUESTS):
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            assert response.status == 200 and b'"kind":"Table"' in body.replace(b" ", b"")
        elapsed = time.perf_counter() - start
        conn.close()
    return REQUESTS / elapsed


def kubectl_per_second(kubeconfig: str) -> float:
    """Whole `kubectl get pods` runs per second (kubectl pages its list: limit=500, twice)."""
    kubectl = (shutil.which("kubectl", path=os.path.dirname(sys.executable))
               or shutil.which("kubectl"))
    env = dict(os.environ, KUBECONFIG=kubeconfig)
    run = [kubectl, "get", "pods", "--no-headers"]
    subprocess.run(run, env=env, check=True, capture_output=True)  # warm the discovery cache
    start = time.perf_counter()
    for _ in range(KUBECTL_RUNS):
        done = subprocess.run(run, env=env, check=True, capture_output=True, text=True)
        assert len(done.stdout.splitlines()) == PODS
    return KUBECTL_RUNS / (time.perf_counter() - start)


def watch_latencies() -> list[float]:
    """Wall seconds from c.apply(pod) to the official client's watch receiving ADDED."""
    from kubernetes import client, config, watch

    cluster = Cluster(workers=1, seed=2)
    api = config.new_client_from_config(config_file=cluster.serve(mode="paced"))
    core = client.CoreV1Api(api)
    arrived: dict[str, float] = {}
    ready = threading.Event()

    def watcher() -> None:
        ready.set()
        for event in watch.Watch().stream(core.list_namespaced_pod, "default",
                                          timeout_seconds=10 * CHANGES):
            if event["type"] == "ADDED":
                arrived.setdefault(event["object"].metadata.name, time.perf_counter())
                if len(arrived) == CHANGES:
                    return

    thread = threading.Thread(target=watcher, daemon=True)
    thread.start()
    ready.wait()
    time.sleep(1.0)  # wall time for the watch to open before the first change
    latencies = []
    for i in range(CHANGES):
        name = f"probe-{i:02d}"
        start = time.perf_counter()
        cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                       "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}})
        while name not in arrived and time.perf_counter() - start < 10:
            time.sleep(0.001)
        latencies.append(arrived[name] - start)
        time.sleep(0.05)
    thread.join(10)
    api.close()
    cluster.stop_serving()
    return latencies


def main() -> None:
    made = time.perf_counter()
    cluster = Cluster(workers=WORKERS, seed=1)
    cluster.apply(deployment("web", PODS))
    cluster.run(120)
    pods = len(cluster.list("pods", "default"))
    print(f"cluster: {WORKERS} workers, {pods} pods in default "
          f"({time.perf_counter() - made:.0f} s to build)")
    kubeconfig = cluster.serve(mode="stepped")
    try:
        print(f"(a) GET pods as a Table (1,000 rows), one kept-alive "
              f"connection: {requests_per_second(kubeconfig):.1f} requests/s")
        print(f"    real `kubectl get pods` (1,000 rows, two pages): "
              f"{kubectl_per_second(kubeconfig):.2f} invocations/s")
    finally:
        cluster.stop_serving()
    latencies = sorted(watch_latencies())
    p95 = latencies[round(0.95 * (len(latencies) - 1))]
    print(f"(b) change -> watch event at the official client (paced 1x, {len(latencies)} "
          f"changes): median {1000 * statistics.median(latencies):.1f} ms, "
          f"p95 {1000 * p95:.1f} ms")


if __name__ == "__main__":
    main()

"""What the watch cache buys: API server LIST and WATCH throughput, in wall time.

A control plane (one etcd, one kube-apiserver) holds 1,000 pods. Printed per case:
- LIST: lists of all pods per wall second, with resourceVersion "" (a consistent read) and "0",
  and a paged list (limit 500), served from the cache and with --watch-cache=false (every list
  decodes every pod from etcd); over all lists (which includes Python's garbage collections of
  the whole simulation's heap) and from the median list (which mostly does not);
- WATCH fan-out: 200 watchers of pods, 200 pod updates; watch events delivered per wall second;
- the cost of the copy each served object is (copy.deepcopy against json_copy).
With `--before DIR` the same LIST and WATCH cases also run against the k8slab checked out in DIR
(e.g. the commit before the cacher), in a subprocess.

    python benchmarks/bench_apiserver_cache.py [--before DIR]
"""

from __future__ import annotations

import copy
import json
import os
import statistics
import subprocess
import sys
import time

PODS, WATCHERS, UPDATES, LISTS = 1000, 200, 200, 20


def control_plane():
    """A simulation with etcd and the API server running, and a client on a worker."""
    from k8slab.api.certificates import CertificateAuthority, derived_key
    from k8slab.api.kubeconfig import Credentials
    from k8slab.apiserver.authentication import Authenticator
    from k8slab.apiserver.server import APIServer
    from k8slab.client.rest import Client
    from k8slab.etcd.member import EtcdMember
    from k8slab.sim.kernel import Simulation
    from k8slab.sim.network import Network

    sim = Simulation(1)
    network = Network(sim)
    for name in ("control-plane", "worker-1"):
        network.add_host(name).start()
    EtcdMember(network.host("control-plane").group("etcd"), "control-plane").start()
    # A client certificate in system:masters from a CA the server trusts (--client-ca-file).
    ca = CertificateAuthority.create("kubernetes", derived_key("bench/ca"), 0.0)
    server = APIServer(network.host("control-plane").group("kube-apiserver"), "control-plane",
                       authenticator=Authenticator(lambda: sim.now, ca))
    server.start()
    sim.run(2.0)
    group = network.host("worker-1").group("bench")
    admin = Credentials(ca.issue("kubernetes-super-admin", ("system:masters",), 1, 0.0))
    return sim, server, group, Client(group, admin, "control-plane")


def pod(i: int) -> dict:
    """A pod with the fields a Deployment's pod carries (labels, owner, resources)."""
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"web-{i:04d}", "namespace": "default",
                         "labels": {"app": "web", "pod-template-hash": "5d4f8b9c7"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27", "ports": [
                {"containerPort": 80}], "resources": {"requests": {"cpu": "100m",
                                                                    "memory": "64Mi"}}}]}}


def default_account(client):
    """The `default` ServiceAccount the ServiceAccount admission plugin requires of a pod (the
    serviceaccount controller, not running here, would create it)."""
    yield from client.create({"apiVersion": "v1", "kind": "ServiceAccount",
                              "metadata": {"name": "default", "namespace": "default"}})


def run(sim, group, steps):
    return sim.run_process(group.spawn(steps), 600.0)


def measure() -> dict:
    """Every LIST and WATCH figure for the k8slab on sys.path."""
    sim, server, group, client = control_plane()

    def fill():
        yield from default_account(client)
        for i in range(PODS):
            yield from client.create(pod(i))

    run(sim, group, fill())
    figures = {}
    cacher = getattr(server, "cacher", None)
    for cache_on in (True, False) if cacher else (None,):
        if cacher:
            cacher.enabled = cache_on
        for label, fields in (("rv unset", {}), ("rv 0", {"resource_version": "0"}),
                              ("limit 500", {"limit": 500})):
            if "limit" in fields and not cacher:
                continue
            took = []
            for _ in range(LISTS):
                start = time.perf_counter()
                items, _ = run(sim, group, client.list("pods", **fields))
                took.append(time.perf_counter() - start)
                assert len(items) == PODS
            name = f"LIST {label}" + ("" if cache_on is None else
                                      (" (cache)" if cache_on else " (--watch-cache=false)"))
            figures[name] = LISTS / sum(took)
            figures[name + ", median list"] = 1 / statistics.median(took)
    received = [0]
    for _ in range(WATCHERS):
        watcher = client.__class__(group, client.credentials, "control-plane")
        watcher.watch("pods", str(server.cache.revision), lambda _e: received.__setitem__(
            0, received[0] + 1), lambda _r: None)
    sim.run(0.1)

    def update():
        for i in range(UPDATES):
            obj = yield from client.get("pods", f"web-{i:04d}", "default")
            obj["metadata"]["labels"]["round"] = "1"
            yield from client.update(obj)

    start = time.perf_counter()
    run(sim, group, update())
    sim.run(0.1)
    figures["WATCH events delivered"] = received[0] / (time.perf_counter() - start)
    assert received[0] == WATCHERS * UPDATES, received[0]
    return figures


def copy_costs() -> dict:
    """Microseconds to copy one stored pod: deepcopy, json_copy, and a JSON round trip."""
    from k8slab.apiserver.object_copy import json_copy

    sim, server, group, client = control_plane()
    run(sim, group, default_account(client))
    created = run(sim, group, client.create(pod(0)))
    stored = json.loads(json.dumps(created))
    costs = {}
    for name, fn in (("copy.deepcopy", copy.deepcopy), ("json_copy", json_copy),
                     ("json.loads(json.dumps())", lambda o: json.loads(json.dumps(o)))):
        start = time.perf_counter()
        for _ in range(20000):
            fn(stored)
        costs[name] = (time.perf_counter() - start) / 20000 * 1e6
    return costs


def main(argv: list[str]) -> None:
    """Print the figures, and those of `--before DIR` when given."""
    if argv[:1] == ["--measure"]:
        print(json.dumps(measure()))
        return
    runs = {"after": measure()}
    if argv[:1] == ["--before"]:
        env = dict(os.environ, PYTHONPATH=argv[1])
        done = subprocess.run([sys.executable, __file__, "--measure"], env=env, check=True,
                              capture_output=True, text=True, cwd=argv[1])
        runs["before"] = json.loads(done.stdout)
    print(f"{PODS} pods; {WATCHERS} watchers x {UPDATES} updates; per wall second:")
    for name in sorted({n for figures in runs.values() for n in figures}):
        row = "  ".join(f"{label} {figures[name]:10.1f}" for label, figures in runs.items()
                        if name in figures)
        print(f"  {name:40s} {row}")
    print("copying one stored pod (microseconds):")
    for name, cost in copy_costs().items():
        print(f"  {name:40s} {cost:8.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])

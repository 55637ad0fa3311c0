"""How fast the simulation runs: simulated seconds per wall second and peak memory.

For clusters of 3, 100 and 1,000 workers with two pods on every worker, it measures ten simulated
minutes with every kubelet renewing its Lease, the scheduler, the controller manager and the API
server running. Then 1,000 workers with one Deployment of 2,000 replicas: how long the rollout
takes (simulated and wall), and ten simulated minutes after it. Each run has its own process so
peak memory (max RSS) belongs to it alone. It also times `import k8slab` (which must stay
light) and `from k8slab import Cluster` (which loads SimPy).

    python benchmarks/bench_cluster.py [sizes...]      (sizes alone skip the Deployment run)
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time

SIZES = (3, 100, 1000)
SIMULATED_SECONDS = 600.0
PODS_PER_WORKER = 2

ONE_SIZE = """
import json, resource, sys, time
from k8slab import Cluster
workers, seconds, per = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
t0 = time.perf_counter()
c = Cluster(workers=workers, seed=1)
boot = time.perf_counter() - t0
pods = [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"app-{i}"},
         "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                  "resources": {"requests": {"cpu": "250m", "memory": "128Mi"}}}]}}
        for i in range(per * workers)]
t0 = time.perf_counter()
c.apply(pods)
c.run(30)
placed = time.perf_counter() - t0
t0 = time.perf_counter()
c.run(seconds)
wall = time.perf_counter() - t0
running = sum(p["status"]["phase"] == "Running" for p in c.list("pods", "default"))
print(json.dumps({"workers": workers, "pods": len(pods), "running": running,
                  "boot_s": boot, "apply_and_start_s": placed, "run_wall_s": wall,
                  "sim_per_wall": seconds / wall, "trace_records": len(c.trace),
                  "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

DEPLOYMENT_WORKERS = 1000
DEPLOYMENT_REPLICAS = 2000

ONE_DEPLOYMENT = """
import json, resource, sys, time
from k8slab import Cluster
workers, replicas, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
probes = sys.argv[4:] == ["probes"]  # bench_probes.py: a readiness and a liveness probe per pod
container = {"name": "web", "image": "nginx:1.27",
             "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}
if probes:
    container["readinessProbe"] = {"httpGet": {"path": "/", "port": 80}}
    container["livenessProbe"] = {"tcpSocket": {"port": 80}}
c = Cluster(workers=workers, seed=1)
deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
              "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [container]}}}}
t0, start = time.perf_counter(), c.now
c.apply(deployment)
available = 0
while available < replicas and c.now - start < 1800:
    c.run(10)
    available = c.get("deployments", "web").get("status", {}).get("availableReplicas", 0)
rollout_sim, rollout_wall = c.now - start, time.perf_counter() - t0
t0 = time.perf_counter()
c.run(seconds)
wall = time.perf_counter() - t0
print(json.dumps({"available": available, "rollout_sim_s": rollout_sim,
                  "rollout_wall_s": rollout_wall, "run_wall_s": wall,
                  "sim_per_wall": seconds / wall, "trace_records": len(c.trace),
                  "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure_deployment() -> dict:
    """Run the Deployment scenario in a fresh process and return its figures."""
    done = subprocess.run(
        [sys.executable, "-c", ONE_DEPLOYMENT, str(DEPLOYMENT_WORKERS),
         str(DEPLOYMENT_REPLICAS), str(SIMULATED_SECONDS)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(done.stdout)


def measure(workers: int) -> dict:
    """Run one cluster size in a fresh process and return its figures."""
    done = subprocess.run(
        [sys.executable, "-c", ONE_SIZE, str(workers), str(SIMULATED_SECONDS),
         str(PODS_PER_WORKER)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(done.stdout)


def import_seconds(statement: str, repeat: int = 5) -> float:
    """Median wall time of a fresh interpreter running `statement`, minus an empty one."""
    def once(code: str) -> float:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - t0

    base = statistics.median(once("pass") for _ in range(repeat))
    return statistics.median(once(statement) for _ in range(repeat)) - base


def main(sizes: tuple[int, ...], deployment: bool) -> None:
    """Print one line per cluster size, the Deployment run, then the import times."""
    print(f"{'workers':>7} {'pods':>6} {'running':>7} {'boot s':>7} {'place s':>8} "
          f"{'600 s sim in':>12} {'sim s/wall s':>12} {'peak MiB':>9}")
    for workers in sizes:
        r = measure(workers)
        print(f"{r['workers']:>7} {r['pods']:>6} {r['running']:>7} {r['boot_s']:>7.2f} "
              f"{r['apply_and_start_s']:>8.2f} {r['run_wall_s']:>10.2f} s "
              f"{r['sim_per_wall']:>12.1f} {r['max_rss_mib']:>9.0f}")
    if deployment:
        d = measure_deployment()
        print(f"{DEPLOYMENT_WORKERS} workers, a Deployment of {DEPLOYMENT_REPLICAS} replicas: "
              f"{d['available']} available after {d['rollout_sim_s']:.0f} simulated s "
              f"({d['rollout_wall_s']:.1f} s wall); then {d['sim_per_wall']:.1f} sim s/wall s, "
              f"peak {d['max_rss_mib']:.0f} MiB")
    print(f"import k8slab:               {import_seconds('import k8slab') * 1000:6.0f} ms")
    print(f"from k8slab import Cluster:  "
          f"{import_seconds('from k8slab import Cluster') * 1000:6.0f} ms")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(this driver process: {own:.0f} MiB)")


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or SIZES, deployment=len(sys.argv) == 1)

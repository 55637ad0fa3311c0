"""What probes cost: simulated seconds per wall second of a cluster running a Deployment of
nginx pods, once with a readiness httpGet probe and a liveness tcpSocket probe on every pod and
once without any probe.

Each case runs in its own process: boot the cluster, roll the Deployment out (until every
replica is available, at most 30 simulated minutes), then time SIMULATED_SECONDS more. Probes
run every 10 s (periodSeconds' default), so 2,000 pods make 400 probes per simulated second.

    python benchmarks/bench_probes.py [workers replicas]     (default: 1000 workers, 2000 pods)
"""

from __future__ import annotations

import json
import subprocess
import sys

from bench_cluster import ONE_DEPLOYMENT  # the same scenario, with probes added by its flag

WORKERS, REPLICAS = 1000, 2000
SIMULATED_SECONDS = 300.0


def measure(workers: int, replicas: int, probes: bool) -> dict:
    """Run one case in a fresh process and return its figures."""
    done = subprocess.run(
        [sys.executable, "-c", ONE_DEPLOYMENT, str(workers), str(replicas), str(SIMULATED_SECONDS),
         "probes" if probes else "none"],
        capture_output=True, text=True, check=True,
    )
    return json.loads(done.stdout)


def main(workers: int, replicas: int) -> None:
    """Print one line per case, then the ratio of their speeds."""
    print(f"{workers} workers, a Deployment of {replicas} nginx replicas; "
          f"{SIMULATED_SECONDS:.0f} simulated s timed after the rollout")
    results = {}
    for probes in (False, True):
        r = results[probes] = measure(workers, replicas, probes)
        label = "readiness httpGet + liveness tcpSocket" if probes else "no probes"
        print(f"{label:>40}: {r['available']} available after {r['rollout_sim_s']:.0f} sim s "
              f"({r['rollout_wall_s']:.1f} s wall); {r['sim_per_wall']:.2f} sim s/wall s, "
              f"peak {r['max_rss_mib']:.0f} MiB", flush=True)
    ratio = results[True]["sim_per_wall"] / results[False]["sim_per_wall"]
    print(f"speed with probes / speed without: {ratio:.2f} (below 1: probes cost time)")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*(args or (WORKERS, REPLICAS)))

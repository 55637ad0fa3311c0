"""How fast the simulated etcd runs, and how long its elections take.

Prints, for 3 and 5 members: committed writes per second of wall time (one client writing one
key after another, each write waiting for its commit), and how many simulated seconds pass per
wall second meanwhile. Then the first-election and re-election times over 100 seeds for 3
members, with etcd's defaults (100 ms heartbeat, 1 s election timeout).

    python benchmarks/bench_etcd.py
"""

from __future__ import annotations

import statistics
import time

from k8slab.errors import K8sLabError
from k8slab.robustness.etcd_lab import EtcdLab, election_times

WRITES = 2000
SEEDS = range(100)


def write_speed(members: int) -> tuple[float, float]:
    """(committed writes per wall second, simulated seconds per wall second)."""
    lab = EtcdLab(members, seed=1, observe_every_event=False)
    lab.run_until_leader()
    client = lab.client()
    start_wall, start_sim = time.perf_counter(), lab.now
    for i in range(WRITES):
        result = lab.put(f"/bench/{i % 100}", str(i), client=client)
        assert not isinstance(result, K8sLabError), result
    wall = time.perf_counter() - start_wall
    return WRITES / wall, (lab.now - start_sim) / wall


def describe(values: list[float]) -> str:
    """min / median / p90 / max of a sample, in seconds."""
    ordered = sorted(values)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    return (f"min {ordered[0]:.2f}  median {statistics.median(ordered):.2f}  p90 {p90:.2f}  "
            f"max {ordered[-1]:.2f} s")


def main() -> None:
    """Print every figure."""
    for members in (3, 5):
        writes, speed = write_speed(members)
        print(f"{members} members: {writes:8.0f} committed writes/s (wall), "
              f"{speed:6.1f} simulated s per wall s")
    firsts, again = election_times(3, SEEDS)
    print(f"first election, 3 members, {len(SEEDS)} seeds: {describe(firsts)}")
    print(f"re-election after the leader crashes:     {describe(again)}")
    print(f"re-elections within 2 s (one randomized election timeout): "
          f"{sum(t <= 2.0 for t in again)}/{len(again)}")


if __name__ == "__main__":
    main()

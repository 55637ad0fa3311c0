"""A longer nemesis soak than the tests run: many random fault schedules on 3 and 5 members.

Each schedule crashes, restarts and partitions members, loses, duplicates and reorders messages
while three clients write and read; then everything heals and the Raft safety checks and the
linearizability check run. Prints how many schedules ran and every violation found.

    python benchmarks/soak_etcd.py [schedules]
"""

from __future__ import annotations

import random
import sys
import time

from k8slab.robustness.nemesis import random_schedule, run_nemesis


def main(schedules: int) -> None:
    """Run `schedules` random schedules and report."""
    rng = random.Random(2026)
    start, violations, operations = time.perf_counter(), 0, 0
    for number in range(schedules):
        members = rng.choice([3, 5])
        lab = run_nemesis(members, rng.randrange(1_000_000), random_schedule(rng, members, 40))
        operations += len(lab.operations)
        for violation in lab.violations():
            violations += 1
            print(f"schedule {number}: {violation}")
    wall = time.perf_counter() - start
    print(f"{schedules} schedules, {operations} client operations checked, "
          f"{violations} violations, {wall:.1f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)

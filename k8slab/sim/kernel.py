"""The simulation kernel: SimPy's event loop, simulated seconds, randomness derived from one seed.

Nothing reads the wall clock. Each component draws from its own generator, derived from the cluster
seed and the component's name, so adding a draw in one place does not shift every other component.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from typing import Any

import simpy

from k8slab.errors import K8sLabError
from k8slab.sim.trace import Trace


class RunLimitExceeded(K8sLabError):
    """A process given to `Simulation.run_process` had not returned when its time limit passed.

    Simulated time stops at the limit; the process is left as it was (its caller may stop it).
    """


class Simulation:
    """One simulated world: the clock (`env`), the trace, and the seeded random generators."""

    def __init__(self, seed: int) -> None:
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise TypeError(f"seed must be an int, got {seed!r}")
        self.seed = seed
        self.env = simpy.Environment()
        self.trace = Trace()
        self._rngs: dict[str, random.Random] = {}

    @property
    def now(self) -> float:
        """Simulated seconds since the cluster was created."""
        return self.env.now

    def rng(self, name: str) -> random.Random:
        """The generator named `name`, derived from the seed the same way in every process."""
        if name not in self._rngs:
            digest = hashlib.sha256(f"{self.seed}/{name}".encode()).digest()
            self._rngs[name] = random.Random(int.from_bytes(digest[:8], "big"))
        return self._rngs[name]

    def record(self, host: str, component: str, kind: str, obj: str = "", **details) -> None:
        """Add a record to the trace, stamped with the current simulated time."""
        self.trace.record(self.env.now, host, component, kind, obj, **details)

    def run(self, seconds: float, after_event: Callable[[], None] | None = None) -> None:
        """Advance simulated time by `seconds`, running everything that happens meanwhile.

        With `after_event`, it is called after every single event (to check invariants).
        """
        end = self.env.now + seconds
        if after_event is not None:
            while self.env.peek() < end:
                self.env.step()
                after_event()
        if end > self.env.now:
            self.env.run(until=end)

    def run_process(
        self,
        process: simpy.Process,
        limit: float,
        after_event: Callable[[], None] | None = None,
    ) -> Any:
        """Run until `process` returns and give back its value, or raise what it raised.

        SimPy's `env.run(until=...)` does the running, stopped by the process or by `limit`
        simulated seconds, whichever comes first: past the limit, `RunLimitExceeded`. With
        `after_event`, events are stepped one at a time and it is called after each (to check
        invariants), up to the event in which the process returns.
        """
        deadline = self.env.timeout(limit)
        if after_event is None:
            self.env.run(until=process | deadline)
        else:
            while process.is_alive and not deadline.processed:
                self.env.step()
                after_event()
        if not process.triggered:
            raise RunLimitExceeded(
                f"the process did not return within {limit:g} simulated seconds"
            )
        if not process.ok:
            process.defused = True  # raised here, to the caller, not again by a later step
            raise process.value
        return process.value

"""The simulation kernel: SimPy's event loop, simulated seconds, randomness derived from one seed.

Nothing reads the wall clock. Each component draws from its own generator, derived from the cluster
seed and the component's name, so adding a draw in one place does not shift every other component.
"""

from __future__ import annotations

import contextlib
import hashlib
import random
import signal
import threading
from collections.abc import Callable, Iterator
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
        self._awaited: dict[int, simpy.Process] = {}
        self.events = 0  # how many events have run: nothing happened while it stays the same
        # Held by whoever steps or changes the world when several threads may (a served
        # cluster: the notebook, the HTTPS server's threads, the pacer; lab/serving/sim_runner).
        self.lock = threading.RLock()

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
        self.run_until(self.env.now + seconds, after_event)

    def run_until(self, end: float, after_event: Callable[[], None] | None = None) -> None:
        """Run every event due before simulated time `end`, then set the clock to `end`.

        One event at a time, so an error or a kernel interrupt (`KeyboardInterrupt`) stops the
        world between two events, never inside one, and leaves nothing queued to stop a later run.
        """
        peek, step = self.env.peek, self.env.step
        with _interruptible() as interrupted:
            while peek() < end:
                step()
                self.events += 1
                if after_event is not None:
                    after_event()
                if interrupted:
                    raise _stopped_at(self.env.now)
        if end > self.env.now:
            self.env.run(until=end)  # no event is due before `end`: this only moves the clock

    def run_process(
        self,
        process: simpy.Process,
        limit: float,
        after_event: Callable[[], None] | None = None,
    ) -> Any:
        """Run until `process` returns and give back its value, or raise what it raised.

        Events run one at a time until the process returns or `limit` simulated seconds pass,
        whichever comes first: past the limit, `RunLimitExceeded`. The process hands an error
        to this caller instead of crashing its group. With `after_event`, it is called after
        each event (to check invariants).
        """
        self._awaited[id(process)] = process
        try:
            with _interruptible() as interrupted:
                deadline = self.env.now + limit
                while process.is_alive and self.env.peek() < deadline:
                    self.env.step()
                    self.events += 1
                    if after_event is not None:
                        after_event()
                    if interrupted:
                        raise _stopped_at(self.env.now)
        finally:
            del self._awaited[id(process)]
        if process.is_alive:
            if deadline > self.env.now:
                self.env.run(until=deadline)
            raise RunLimitExceeded(
                f"the process did not return within {limit:g} simulated seconds"
            )
        if not process.ok:
            process.defused = True  # raised here, to the caller, not again by a later step
            raise process.value
        return process.value

    def awaited(self, process: simpy.Process | None) -> bool:
        """True while `run_process` waits for `process`: its error goes to that caller."""
        return process is not None and id(process) in self._awaited


def _stopped_at(now: float) -> KeyboardInterrupt:
    return KeyboardInterrupt(
        f"stopped at {now:g} simulated seconds, between two events: the cluster is consistent "
        "and runs on from there"
    )


@contextlib.contextmanager
def _interruptible() -> Iterator[list[bool]]:
    """While the world runs, Ctrl-C (a Jupyter kernel interrupt) only raises a flag: the list
    yielded becomes non-empty.

    The run loop checks it after each event, so an interrupt never lands inside a component's
    step. Off the main thread (where Python delivers no signals) it is never raised.
    """
    flag: list[bool] = []
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is None):
        yield flag
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: flag.append(True))
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)

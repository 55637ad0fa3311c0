"""Time while real clients talk: one lock around the simulation, and two ways for time to pass.

The simulation is single-threaded; the HTTPS server answers on many threads and the notebook
runs on its own. So one re-entrant lock, `sim.lock`, guards the world: every public method of
the Cluster facade holds it (`locking`), and so does each request from a real client.

*Paced* mode: a background thread advances simulated time at `speed` x the wall clock, a small
slice at a time, taking the lock per slice and sleeping between slices; so `kubectl get pods -w`
shows a rollout live. Pacing against the wall clock is what this mode is for; the model itself
still never reads a clock (the thread only decides how far `run_until` goes).
*Stepped* mode: time moves only when the notebook calls `c.run(...)`.

In both modes a request is answered by running the simulation until that request's process
returns (a few simulated milliseconds on the network), as the facade's own calls do.
"""

from __future__ import annotations

import functools
import inspect
import logging
import queue
import threading
import time
from collections.abc import Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any

from k8slab.api.kubeconfig import Credentials
from k8slab.client.rest import Client
from k8slab.errors import K8sLabError, UnavailableError
from k8slab.lab.serving.wall_clock import received_from_clients, shown_to_clients
from k8slab.sim.network import Stream

if TYPE_CHECKING:
    from k8slab.lab.cluster import Cluster

MODES = ("paced", "stepped")
MAX_SPEED = 1000.0
SLICE_WALL_SECONDS = 0.02  # the pacer advances the world every 20 ms of wall time
MAX_SLICE_WALL_SECONDS = 0.1  # ... by at most 100 ms' worth at a time
# Off by more than half a wall second's worth (c.run() jumped ahead, or the world is too big to
# keep up), the pacer takes the present as its new start instead of catching up.
RESYNC_WALL_SECONDS = 0.5
WATCH_TICK_SECONDS = 0.5  # how often an idle watch lets the server check its client
# Stepped mode: a new watch is run (simulated time) until its first event arrives, at most this
# long, in steps of WATCH_OPEN_STEP: its replay from a resourceVersion travels the network.
WATCH_OPEN_SECONDS = 1.0
WATCH_OPEN_STEP = 0.01
LOG = logging.getLogger(__name__)


def locking(cls: type) -> type:
    """Make every public method of `cls` (its bases' too) hold `self.sim.lock` while it runs,
    so the notebook's calls and the endpoint's requests take turns with the world."""
    names = {name for klass in cls.__mro__[:-1] for name in vars(klass)}
    for name in sorted(names):
        method = inspect.getattr_static(cls, name)  # the one the MRO picks
        if not name.startswith("_") and inspect.isfunction(method):
            setattr(cls, name, _holding_lock(method))
    return cls


def outside_lock(method: Callable) -> Callable:
    """Leave `method` out of `locking`: it waits for threads that need the lock."""
    method._locking_decided = True  # type: ignore[attr-defined]
    return method


def _holding_lock(method: Callable) -> Callable:
    if getattr(method, "_locking_decided", False):
        return method

    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        with self.sim.lock:
            return method(self, *args, **kwargs)

    call._locking_decided = True  # type: ignore[attr-defined]
    return call


class SimRunner:
    """Runs a served cluster's simulation: `mode` "paced" (at `speed` x wall clock, in a
    background thread) or "stepped" (only the notebook's c.run()), and one request at a time."""

    def __init__(self, cluster: Cluster, *, mode: str = "paced", speed: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if mode not in MODES:
            raise K8sLabError(f"mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}")
        if (not isinstance(speed, int | float) or isinstance(speed, bool)
                or not 0 < speed <= MAX_SPEED):
            raise K8sLabError(f"speed must be a number above 0 and at most {MAX_SPEED:g} "
                              f"(simulated seconds per wall second), got {speed!r}")
        self.cluster = cluster
        self.mode = mode
        self.speed = float(speed)
        self.lock = cluster.sim.lock
        self.error: BaseException | None = None  # what stopped the pacer, if anything did
        self.resyncs = 0  # how often the pacer re-anchored (c.run() jumped ahead, or it fell
        # behind: a world too big for `speed` runs as fast as it can)
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._credentials: dict[tuple[str, tuple[str, ...]], Credentials] = {}

    # -- time -------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the pacer thread (paced mode; stepped mode has none)."""
        if self.mode == "paced":
            self._thread = threading.Thread(target=self._pace, name="k8slab-pacer",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the pacer at its next slice (the world is left between two events)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _pace(self) -> None:
        sim = self.cluster.sim
        with self.lock:
            anchor_sim, anchor_wall = sim.now, self._clock()
        while not self._stop.wait(SLICE_WALL_SECONDS):
            wall = self._clock()
            with self.lock:
                target = anchor_sim + self.speed * (wall - anchor_wall)
                # At most a few slices' worth at once, so requests get their turn even when
                # the world is too big to keep up (it then runs slower than `speed`).
                end = min(target, sim.now + self.speed * MAX_SLICE_WALL_SECONDS)
                try:
                    sim.run_until(end)
                except Exception as error:  # a model failure: stop pacing, keep serving
                    self.error = error
                    LOG.exception("the pacer stopped at %g simulated seconds", sim.now)
                    return
                if abs(sim.now - target) > self.speed * RESYNC_WALL_SECONDS:
                    self.resyncs += 1
                    anchor_sim, anchor_wall = sim.now, wall

    # -- requests ---------------------------------------------------------------------------

    def credentials_for(self, user: str, groups: tuple[str, ...]) -> Credentials:
        """The simulated Credentials for a real client certificate's CN/O: a certificate for
        the same user and groups, signed by the cluster's CA (one per identity, kept)."""
        key = (user, tuple(groups))
        with self.lock:
            if key not in self._credentials:
                self._credentials[key] = Credentials(self.cluster.issue_certificate(*key))
            return self._credentials[key]

    def run_request(self, steps: Callable[[Client], Generator], credentials: Credentials, *,
                    impersonation: tuple[str, tuple[str, ...]] = ("", ())) -> Any:
        """Run one client request, `steps(client)`, in the simulation until it returns, with a
        Client built from `credentials` on a control-plane host (kubectl's place), so it goes
        through the API server's pipeline like any client's; its value or error comes back."""
        user, groups = impersonation
        with self.lock:
            self._check_endpoint()
            return self.cluster._on_control_plane(lambda group: steps(Client(
                group, credentials, self.cluster.endpoint, impersonate_user=user,
                impersonate_groups=tuple(groups))))

    def open_watch(self, resource: str, resource_version: str, credentials: Credentials, *,
                   impersonation: tuple[str, tuple[str, ...]] = ("", ()),
                   user_agent: str = "", **options: Any) -> WatchEvents:
        """Open `Client.watch(resource, resource_version, ..., **options)` in the simulation,
        sent with the real client's `user_agent`, and return its events as a thread-safe
        iterator (see WatchEvents)."""
        user, groups = impersonation
        with self.lock:
            self._check_endpoint()
            host = next((n for n in self.cluster.control_planes
                         if self.cluster.host_is_up(n)), None)
            if host is None:
                raise UnavailableError("every control-plane host is down: nowhere to run "
                                       "kubectl")
            group = self.cluster.network.host(host).group("kubectl-watch")
            client = Client(group, credentials, self.cluster.endpoint, impersonate_user=user,
                            impersonate_groups=tuple(groups), user_agent=user_agent)
            events = WatchEvents(self.lock, group.stop)
            events.stream = client.watch(resource, resource_version, events.put, events.end,
                                         **options)
            if self.mode == "stepped":
                self._answer_watch(events)
            return events

    def _answer_watch(self, events: WatchEvents) -> None:
        """Stepped mode: nothing else moves time, so run the world until the watch's first
        event (its replay from resourceVersion, or an ERROR) has arrived, or for at most
        WATCH_OPEN_SECONDS when nothing is due, as a request is run until it is answered."""
        sim = self.cluster.sim
        deadline = sim.now + WATCH_OPEN_SECONDS
        while not events.arrived and sim.now < deadline:
            sim.run_until(min(sim.now + WATCH_OPEN_STEP, deadline))

    def shown(self, value: Any) -> Any:
        """`value` (an object, a list, a watch event) with its timestamps on the wall clock,
        as real clients are shown them (wall_clock.py)."""
        offset = self.cluster.wall_clock_offset or 0
        return shown_to_clients(value, offset) if offset else value

    def received(self, value: Any) -> Any:
        """A body a real client sent, with its timestamps back on the model's clock."""
        offset = self.cluster.wall_clock_offset or 0
        return received_from_clients(value, offset) if offset else value

    def _check_endpoint(self) -> None:
        if not self.cluster.network.host(self.cluster.endpoint).up:
            raise UnavailableError(f"The connection to the server {self.cluster.endpoint}:6443 "
                                   "was refused - did you specify the right host or port?")


class WatchEvents:
    """A simulated watch's events for another thread: iterate to get each event (a dict) as it
    arrives, or None every WATCH_TICK_SECONDS while none does; the iteration ends when the
    stream closes. `close()` (the HTTP client went away) closes the simulated stream, as does
    closing the iteration (a generator wrapping it, closed by the server, closes it too)."""

    def __init__(self, lock: threading.RLock, stop: Callable[[], None]) -> None:
        self.stream: Stream | None = None
        self.closed_because = ""
        self._lock = lock
        self._stop = stop
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._ended = object()

    @property
    def arrived(self) -> bool:
        """Whether an event (or the end) is waiting to be read."""
        return not self._queue.empty()

    def put(self, event: dict) -> None:
        """The simulated stream delivered `event` (called inside the simulation)."""
        self._queue.put(event)

    def end(self, reason: str) -> None:
        """The simulated stream closed (called inside the simulation)."""
        self.closed_because = reason
        self._queue.put(self._ended)

    def __iter__(self) -> Iterator[dict | None]:
        try:
            while True:
                try:
                    event = self._queue.get(timeout=WATCH_TICK_SECONDS)
                except queue.Empty:
                    yield None
                    continue
                if event is self._ended:
                    return
                yield event
        finally:  # ended, or abandoned by its reader (closed): the simulated watch ends too
            self.close()

    def close(self) -> None:
        """Stop watching: close the simulated stream and its process group."""
        with self._lock:
            if self.stream is not None:
                self.stream.close("the client went away")
            self._stop()

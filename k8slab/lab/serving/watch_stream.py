"""A watch as a chunked HTTP body: one JSON watch event per line, as kube-apiserver streams them.

Each event is `{"type":"ADDED","object":{...}}` and a newline (apiserver pkg/endpoints/handlers/
watch.go with the JSON framer). `timeoutSeconds` ends the stream once that many *simulated*
seconds have passed since it opened: the API server is simulated, so its clock is the
simulation's (paced mode: about wall time × speed; stepped mode: only while the notebook runs
the cluster). Without timeoutSeconds the stream lasts until the client goes away
(simplified: upstream also ends it after its min-request-timeout, 1800 s × a random [1, 2)).
"""

from __future__ import annotations

import math
import queue
import threading
from collections.abc import Callable, Iterator

from k8slab.lab.serving.status import encode

POLL_SECONDS = 0.05  # how often (wall time) a stream with a deadline looks at the clock
_END = object()


def event_lines(events: Iterator[dict], present: Callable[[dict], dict],
                clock: Callable[[], float] | None = None,
                deadline: float = math.inf) -> Iterator[bytes]:
    """The encoded events of `events`, each passed through `present` (a Table row, or the
    object as is); with a `clock`, ended at `deadline`: the events that came before it are
    sent, none after."""
    if clock is None:
        try:
            for event in events:
                if event is not None:  # None: the runner's tick while nothing happens
                    yield encode(present(event))
        finally:  # the client went away, or the watch ended: let the runner close it
            _close(events)
        return
    pump = _Pump(events, clock)
    try:
        while True:
            try:
                came, item = pump.items.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if clock() >= deadline:
                    return
                continue
            if item is _END or came >= deadline:
                return
            if isinstance(item, BaseException):
                raise item
            yield encode(present(item))
    finally:
        pump.stop()


class _Pump:
    """Reads a blocking event iterator on its own thread, noting the simulated time each event
    came at, so its reader can look at the clock between events; stopped, it closes the
    iterator at the next event it receives."""

    def __init__(self, events: Iterator[dict], clock: Callable[[], float]) -> None:
        self.events = events
        self.clock = clock
        self.items: queue.Queue = queue.Queue()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="watch-pump", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for event in self.events:
                if self.stopped.is_set():
                    break
                if event is not None:  # None: the runner's tick while nothing happens
                    self.items.put((self.clock(), event))
        except Exception as error:  # handed to the reader, which raises it
            self.items.put((self.clock(), error))
        finally:
            _close(self.events)
            self.items.put((self.clock(), _END))

    def stop(self) -> None:
        """Close the iterator: at once if it allows being closed from another thread (an
        iterator object with close()), else (a generator still running) at its next event."""
        self.stopped.set()
        if self.thread.is_alive():
            try:
                _close(self.events)
            except ValueError:  # "generator already executing": it stops at its next event
                pass


def _close(events: Iterator[dict]) -> None:
    close = getattr(events, "close", None)
    if close is not None:
        close()

"""Watch events as JSON lines, and timeoutSeconds on the simulated clock."""

from __future__ import annotations

import json
import threading

from k8slab.lab.serving.watch_stream import event_lines


class Blocking:
    """A runner's watch that has nothing to say: next() waits until the watch is closed."""

    def __init__(self) -> None:
        self.closed = threading.Event()

    def __iter__(self):
        return self

    def __next__(self):
        self.closed.wait(10)
        raise StopIteration

    def close(self) -> None:
        self.closed.set()


def test_without_a_deadline_each_event_is_one_json_line():
    events = iter([{"type": "ADDED", "object": {"metadata": {"name": "a"}}},
                   {"type": "DELETED", "object": {"metadata": {"name": "a"}}}])
    lines = list(event_lines(events, lambda e: e))
    assert [json.loads(line)["type"] for line in lines] == ["ADDED", "DELETED"]
    assert all(line.endswith(b"\n") and line.count(b"\n") == 1 for line in lines)


def test_a_deadline_passed_ends_a_silent_watch_and_closes_it():
    watch = Blocking()
    clock = iter(range(100))
    assert list(event_lines(watch, lambda e: e, lambda: next(clock), 3.0)) == []
    assert watch.closed.wait(1)


def test_events_that_came_before_the_deadline_are_sent_and_later_ones_are_not():
    now = [0.0]

    def events():
        for second in (1.0, 2.0, 5.0):
            now[0] = second
            yield {"type": "MODIFIED", "object": {"at": second}}

    lines = list(event_lines(events(), lambda e: e, lambda: now[0], 4.0))
    assert [json.loads(line)["object"]["at"] for line in lines] == [1.0, 2.0]


class Listed:
    """A runner's watch with a few events to give, which records being closed."""

    def __init__(self, *events: dict) -> None:
        self.events = list(events)
        self.closed = False

    def __iter__(self):
        return self

    def __next__(self):
        if self.closed or not self.events:
            raise StopIteration
        return self.events.pop(0)

    def close(self) -> None:
        self.closed = True


def test_a_client_going_away_closes_the_watch():
    watch = Listed({"type": "ADDED", "object": {}}, {"type": "MODIFIED", "object": {}})
    stream = event_lines(watch, lambda e: e)
    next(stream)
    stream.close()  # what the HTTP server does when the connection drops
    assert watch.closed and watch.events == [{"type": "MODIFIED", "object": {}}]

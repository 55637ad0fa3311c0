"""Is a recorded history of key-value operations linearizable? (Wing & Gong's search, per key.)

Each client operation is recorded with the simulated time it was invoked and the time its answer
came back. The history is linearizable if every operation can be placed at one instant between
those two times so that, in that order, a plain dict would have answered exactly the same.
Linearizability is compositional, so each key is checked on its own (Herlihy & Wing, 1990). An
operation whose answer never came (a timeout) may have taken effect at any time after it was
invoked, or never.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ABSENT = None  # the value of a key that does not exist


@dataclass(frozen=True)
class Operation:
    """One client call: `kind` is "put", "get" or "delete"; `ret` None means no answer came."""

    client: str
    kind: str
    key: str
    call: float
    ret: float | None
    value: str | None = None  # what a put wrote
    output: str | None = None  # what a get returned (None: key absent)

    def __post_init__(self) -> None:
        if self.kind not in ("put", "get", "delete"):
            raise ValueError(f"unknown operation kind {self.kind!r}; use put, get or delete")
        if self.ret is not None and self.ret < self.call:
            raise ValueError(f"returned at {self.ret}, before it was called ({self.call})")

    def step(self, state: str | None) -> tuple[bool, str | None]:
        """Apply to the key's state: (answer matches, new state)."""
        if self.kind == "put":
            return True, self.value
        if self.kind == "delete":
            return True, ABSENT
        return self.output == state, state


def check(history: list[Operation]) -> list[str]:
    """Every key whose operations cannot be linearized, as messages (empty: linearizable)."""
    keys: dict[str, list[Operation]] = {}
    for op in history:
        if op.kind == "get" and op.ret is None:
            continue  # a read that never answered tells nothing
        keys.setdefault(op.key, []).append(op)
    return [
        f"key {key!r}: {len(ops)} operations admit no linearization"
        for key, ops in keys.items()
        if not linearizable(ops)
    ]


def linearizable(ops: list[Operation]) -> bool:
    """True if one key's operations have a valid sequential order within their time windows."""
    # Events: (time, 0 = call / 1 = return, op index). Calls sort before returns at equal times,
    # so operations that touch in time count as concurrent.
    events = sorted(
        [(op.call, 0, i) for i, op in enumerate(ops)]
        + [(math.inf if op.ret is None else op.ret, 1, i) for i, op in enumerate(ops)]
    )
    seen: set[tuple[frozenset[int], str | None]] = set()

    def children(position: int, done: frozenset[int], state: str | None):
        """True if every event is placed; else the next states to try, in order."""
        # Skip events of operations already placed.
        while position < len(events) and events[position][2] in done:
            position += 1
        if position == len(events):
            return True
        if (done, state) in seen:
            return []
        seen.add((done, state))
        time, kind, index = events[position]
        if kind == 1:
            # An operation's answer arrived and it was not placed before it: only a timed-out
            # operation (return at infinity) may be dropped, as never having happened.
            return [(position + 1, done | {index}, state)] if time == math.inf else []
        # Try to place each operation that is open at this point (called, not yet returned).
        options = []
        for _, ev_kind, candidate in events[position:]:
            if ev_kind == 1:
                if candidate not in done:
                    break  # an open operation returned: nothing after it may go first
                continue
            if candidate in done:
                continue
            ok, new_state = ops[candidate].step(state)
            if ok:
                options.append((position, done | {candidate}, new_state))
        return options

    # Depth-first search with an explicit stack (histories can be thousands of calls long).
    stack = [(0, frozenset(), ABSENT)]
    while stack:
        found = children(*stack.pop())
        if found is True:
            return True
        stack.extend(reversed(found))
    return False

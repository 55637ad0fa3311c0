"""Check cells for the chapters' exercises: the reader writes a prediction into a variable, the
simulation computes the truth, and `check` says in one line whether the two agree.

A prediction left as `None` is not an error: the check says what to fill in, so a notebook run top
to bottom (nbval, the browser tests) prints the same line every time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

RIGHT = "right"
WRONG = "not yet"
UNANSWERED = "no answer yet"


def verdict(answer: Any, expected: Any) -> str:
    """`RIGHT` when `answer` equals `expected` (or, if `expected` is a predicate, satisfies it),
    `UNANSWERED` when it is None, else `WRONG`."""
    if answer is None:
        return UNANSWERED
    right = expected(answer) if isinstance(expected, Callable) else answer == expected
    return RIGHT if right else WRONG


def check(exercise: str, answer: Any, expected: Any, *, why: str = "", hint: str = "") -> str:
    """Print and return one line on `answer` for `exercise`: right (and `why`), not yet (and
    `hint`), or a reminder to fill the prediction in. `expected` comes from the simulation: a
    value, or a predicate where more than one answer is right (a range that covers what ran)."""
    outcome = verdict(answer, expected)
    if outcome == RIGHT:
        line = f"{exercise}: right — {answer!r}." + (f" {why}" if why else "")
    elif outcome == WRONG:
        line = f"{exercise}: not yet — you said {answer!r}." + (f" Hint: {hint}" if hint else "")
    else:
        line = f"{exercise}: no answer yet — set the prediction above, then run this cell again."
    print(line)
    return outcome

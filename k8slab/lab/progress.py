"""A one-line progress display for long runs, shown only inside a Jupyter kernel.

The line advances in steps of simulated time, never of wall-clock time, and its last state is
fixed by the run alone ("ran 86400 s: now t=86520.3 s"), so a notebook that stores it stays
byte-identical from one execution to the next. Outside a kernel nothing is shown.
"""

from __future__ import annotations

from collections.abc import Callable

# Runs this long (simulated seconds) or longer show the line; chapters run far less.
SHOW_FROM_SECONDS = 3600.0
STEPS = 50


def progress_line(seconds: float) -> Callable[[float, float], None] | None:
    """A callback `show(done, now)` that updates one output line, or None if none is shown."""
    if seconds < SHOW_FROM_SECONDS:
        return None
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return None
    handle = display({"text/plain": _line(0.0, seconds, None)}, raw=True, display_id=True)

    def show(done: float, now: float) -> None:
        handle.update({"text/plain": _line(done, seconds, now)}, raw=True)

    return show


def _line(done: float, seconds: float, now: float | None) -> str:
    if now is not None and done >= seconds:
        return f"ran {seconds:g} s: now t={now:.1f} s"
    filled = int(STEPS * done / seconds)
    return f"running [{'#' * filled}{'.' * (STEPS - filled)}] {done:g} of {seconds:g} s"


def steps(start: float, seconds: float) -> list[float]:
    """The simulated times a long run stops at to update its line, the last being the end."""
    return [start + seconds * (i + 1) / STEPS for i in range(STEPS - 1)] + [start + seconds]

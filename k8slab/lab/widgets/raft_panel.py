"""Raft, step by step (RaftScope's controls): deliver or drop a message in flight, time a member
out, crash or restart it, write, let time tick, and scrub a slider back through the history.

Every button calls the `RaftStepper` method a reader could call in a cell. The picture is the
Panel's SVG chart (raft_chart), rebuilt from the moment shown on every click or slider step; the
notebook's pictures of the same moments are the same chart (raft_history.raft_moment).
"""

from __future__ import annotations

import time
from typing import Any

from k8slab.lab.plots.raft_chart import log_width, raft_moment_svg
from k8slab.lab.widgets.panel import Panel
from k8slab.robustness.raft_stepper import RaftStepper

ABOUT = ("Deliver or Drop the chosen message in flight · Time out makes the member campaign now · "
        "Tick lets 100 ms pass · drag Step to replay the history; acting from a past step "
        "forks it there.")
FALLBACK = "Raft step-by-step panel: run this cell to get the panel."


class RaftPanel(Panel):
    """Controls over a `RaftStepper` (five members by default), its chart, and a history
    slider; `redraw_ms` keeps how long each redraw took on the Python side."""

    def __init__(self, stepper: RaftStepper | None = None) -> None:
        import ipywidgets as widgets

        self.stepper = stepper or RaftStepper(5)
        super().__init__(self.stepper)  # type: ignore[arg-type]  # the panel drives a stepper
        self.writes = 0
        self.redraw_ms: list[float] = []
        names = self.stepper.names
        self.member_dropdown = widgets.Dropdown(options=names, description="Member")
        self.timeout_button = widgets.Button(description="Time out", icon="hourglass-end")
        self.crash_button = widgets.Button(description="Crash", button_style="danger")
        self.restart_button = widgets.Button(description="Restart", button_style="success")
        self.write_button = widgets.Button(description="Write", icon="pencil")
        self.message_dropdown = widgets.Dropdown(description="Message",
                                                 layout=widgets.Layout(width="34em"))
        self.deliver_button = widgets.Button(description="Deliver", button_style="info")
        self.drop_button = widgets.Button(description="Drop", button_style="warning")
        self.deliver_all_button = widgets.Button(description="Deliver all")
        self.tick_button = widgets.Button(description="Tick 100 ms")
        self.slider = widgets.IntSlider(description="Step", min=0, max=0,
                                        layout=widgets.Layout(width="60em"))
        self._wire((self.timeout_button, self.time_out), (self.crash_button, self.crash),
                   (self.restart_button, self.restart), (self.write_button, self.write),
                   (self.deliver_button, self.deliver), (self.drop_button, self.drop),
                   (self.deliver_all_button, self.deliver_all), (self.tick_button, self.advance))
        self._following = False  # True while refresh moves the slider itself
        self.slider.observe(self._on_slide, names="value")
        self._lay_out([[self.member_dropdown, self.timeout_button, self.crash_button,
                        self.restart_button, self.write_button],
                       [self.message_dropdown, self.deliver_button, self.drop_button,
                        self.deliver_all_button, self.tick_button],
                       [self.slider]], about=ABOUT)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = self.ui._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = FALLBACK
        return bundle

    # -- handlers -----------------------------------------------------------------------------

    def time_out(self) -> None:
        """Make the chosen member's election timer run out: it campaigns now."""
        self._do(lambda: self.stepper.timeout(self.member_dropdown.value))

    def crash(self) -> None:
        """Crash the chosen member (it keeps its disk)."""
        self._do(lambda: self.stepper.crash(self.member_dropdown.value))

    def restart(self) -> None:
        """Restart the chosen member from its disk."""
        self._do(lambda: self.stepper.restart(self.member_dropdown.value))

    def write(self) -> None:
        """A client write on the leader: one more numbered value."""
        self._do(lambda: self.stepper.propose(f"w{self.writes + 1}"))
        self.writes = sum(1 for action in self.stepper.actions if action[0] == "propose")

    def deliver(self) -> None:
        """Deliver the message chosen in the Message list (the oldest by default)."""
        self._do(lambda: self.stepper.deliver(self.message_dropdown.value))

    def drop(self) -> None:
        """Drop the message chosen in the Message list."""
        self._do(lambda: self.stepper.drop(self.message_dropdown.value))

    def deliver_all(self) -> None:
        """Deliver every message in flight, and their answers, until none is left."""
        self._do(self.stepper.deliver_all)

    def advance(self) -> None:
        """Let one tick (100 ms) pass on every live member."""
        self._do(self.stepper.tick)

    def _do(self, action: Any) -> None:
        # Acting while the slider shows the past forks the history there (RaftScope does too).
        step = self.slider.value
        forked = step < len(self.stepper.history) - 1
        if forked:
            self.stepper.rewind(step)

        def act() -> str:
            said = action()
            return f"forked at step {step}: {said}" if forked else said
        self._attempt(act)

    # -- drawing ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Follow the latest moment: slider at the end, message list, status, chart."""
        history = self.stepper.history
        options = [(f.describe(), f.number) for f in self.stepper.in_flight]
        self.message_dropdown.options = options or [("(no message in flight)", None)]
        self.message_dropdown.value = options[0][1] if options else None
        self._following = True
        try:
            self.slider.max = len(history) - 1
            self.slider.value = len(history) - 1
        finally:
            self._following = False
        self.show_step(len(history) - 1)

    def _on_slide(self, change: dict) -> None:
        if not self._following:
            self.show_step(change["new"])

    def show_step(self, step: int) -> None:
        """Draw the moment after action `step` in the chart (its log area as wide as the longest
        log of the whole history, and two more cells), and say in the status line what it holds."""
        started = time.perf_counter()
        history = self.stepper.history
        self.chart.value = raft_moment_svg(history[step], log_width(history) + 2)
        self.status.value = self.status_text(step)
        self.redraw_ms.append((time.perf_counter() - started) * 1000)

    def status_text(self, step: int) -> str:
        """Which step is shown, the leaders in it, the messages in flight, and Figure 3."""
        moment = self.stepper.history[step]
        last = len(self.stepper.history) - 1
        where = f"step {step} of {last}" + (" (the past: acting forks here)" if step < last
                                            else "")
        leaders = ", ".join(f"{n} (term {moment.node(n).term})" for n in moment.leaders)
        safety = "Figure 3 holds ✓" if not moment.violations else (
            f"{len(moment.violations)} violations ✗")
        return (f"{where} · leader: {leaders or 'none'} · {len(moment.in_flight)} in flight · "
                f"{safety}")

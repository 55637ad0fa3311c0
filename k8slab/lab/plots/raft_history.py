"""One moment of a step-by-step Raft run, for the notebook: each member's role, term and log, and
the messages in flight, drawn as the Raft panel draws it (raft_chart's SVG), so the chapter's
pictures and the panel agree, and no text is under 9 pt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from k8slab.lab.plots.raft_chart import log_width, raft_moment_svg

if TYPE_CHECKING:
    from k8slab.robustness.raft_stepper import RaftStepper


@dataclass(frozen=True)
class MomentChart:
    """A moment's SVG chart; a notebook shows it as a picture, its text form names the step."""

    step: int
    action: str
    svg: str

    def _repr_svg_(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        return f"<Raft moment: step {self.step}, {self.action}>"


def raft_moment(stepper: RaftStepper, step: int | None = None) -> MomentChart:
    """The chart of `stepper`'s moment after action `step` (the latest if None), its log area as
    wide as the longest log of the whole history."""
    moment = stepper.history[-1 if step is None else step]
    return MomentChart(moment.step, moment.action,
                       raft_moment_svg(moment, log_width(stepper.history)))

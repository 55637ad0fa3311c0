"""What the lab reads of a kube-scheduler: a small read-only view, and its decisions in the trace.

`Scheduler.view()` returns a `SchedulerView` (whether it leads, its profiles, how many nodes it
sees, how many pods wait where), a snapshot taken at that moment. Every decision the scheduler
makes is recorded in the trace (the Assumed or FailedScheduling record carries the Decision as
its data), so `decision_log` can read a pod's decisions back even after the scheduler that made
them has crashed, each with what became of it: the Scheduled event once the binding succeeded, or
the binding's FailedScheduling error.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from k8slab.scheduler.framework.diagnosis import Decision
from k8slab.scheduler.framework.runtime import Framework
from k8slab.sim.trace import Trace

# The trace component, the record kinds that carry a scheduling decision, and the one that says
# the binding succeeded (upstream's Scheduled event).
COMPONENT = "scheduler"
DECISION_KINDS = ("Assumed", "FailedScheduling")
SCHEDULED = "Scheduled"


@dataclass(frozen=True, slots=True)
class ProfileView:
    """One scheduling profile: the schedulerName it serves, its plugins in order, and the scoring
    strategy of its NodeResourcesFit (None without one)."""

    name: str
    plugins: tuple[str, ...]
    scoring_strategy: str | None

    @classmethod
    def of(cls, name: str, framework: Framework) -> ProfileView:
        """The view of `framework`, the profile serving schedulerName `name`."""
        fit = next((p for p in framework.plugins if p.name == "NodeResourcesFit"), None)
        strategy = getattr(fit, "scoring_strategy", None)
        return cls(name, tuple(plugin.name for plugin in framework.plugins), strategy)


@dataclass(frozen=True, slots=True)
class SchedulerView:
    """A kube-scheduler as the lab sees it: where it runs, whether it holds the leader Lease, its
    profiles, how many nodes its informer knows, and how many pods wait in each part of its queue.
    """

    host: str
    leading: bool
    profiles: tuple[ProfileView, ...]
    nodes_seen: int
    pods_active: int
    pods_backing_off: int
    pods_unschedulable: int

    @property
    def profile_names(self) -> tuple[str, ...]:
        """The schedulerNames this scheduler serves, the default profile first."""
        return tuple(profile.name for profile in self.profiles)


@dataclass(frozen=True, slots=True)
class LoggedDecision:
    """One decision read back from the trace: when, by the scheduler on which host, and what.

    `outcome` is the event that followed a chosen node: the Scheduled event's text once the
    binding succeeded, the binding's FailedScheduling error, or "" while the binding is pending.
    """

    time: float
    host: str
    decision: Decision
    outcome: str = ""


def decision_log(trace: Trace, pod: str) -> list[LoggedDecision]:
    """Every decision any kube-scheduler recorded for the pod "namespace/name", oldest first."""
    logged: list[LoggedDecision] = []
    for record in trace.about(f"pod/{pod}"):
        if record.component != COMPONENT:
            continue
        if record.kind in DECISION_KINDS and isinstance(record.data, Decision):
            logged.append(LoggedDecision(record.time, record.host, record.data))
        elif record.kind in (SCHEDULED, "FailedScheduling") and logged:
            last = logged[-1]
            if last.host == record.host and last.decision.node and not last.outcome:
                logged[-1] = replace(last, outcome=record.details.get("message", ""))
    return logged

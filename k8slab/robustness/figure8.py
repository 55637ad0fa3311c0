"""Figure 8 of the Raft paper (§5.4.2), played on the step-by-step network, stage by stage.

A leader replicates an entry of its term to a minority and crashes; later the entry sits in a
majority of logs and is still overwritten, because it was never committed: a leader commits by
counting copies only entries of its own term. Each stage is a list of real actions (deliver,
drop, timeout, crash...) taken on a `RaftStepper`, so its history can be scrubbed step by step.
The indexes differ from the paper's by the empty entry each new leader appends (etcd does too).
"""

from __future__ import annotations

from collections.abc import Callable

from k8slab.raft import Message, RequestVote, RequestVoteResponse
from k8slab.robustness.raft_stepper import RaftStepper

CLIENT_WRITE = "x"  # the entry the first leader replicates to a minority


DELIVER, DROP, WAIT = "deliver", "drop", "wait"


def handle(stepper: RaftStepper, choose: Callable[[Message], str]) -> None:
    """Deliver or drop each message in flight, oldest first, as `choose(message)` says (DELIVER,
    DROP or WAIT: leave it in flight), until only waiting messages are left."""
    while True:
        pending = [f for f in stepper.in_flight if choose(f.message) != WAIT]
        if not pending:
            return
        flight = pending[0]
        if choose(flight.message) == DELIVER:
            stepper.deliver(flight.number)
        else:
            stepper.drop(flight.number)


def _votes_only(message: Message) -> str:
    return DELIVER if isinstance(message, RequestVote | RequestVoteResponse) else WAIT


def _elect(stepper: RaftStepper, name: str) -> None:
    # Time `name` out until it leads, delivering only the election's messages.
    while stepper.leader() != name:
        stepper.timeout(name)
        handle(stepper, _votes_only)


def _between(*names: str) -> Callable[[Message], str]:
    return lambda m: DELIVER if m.src in names and m.dst in names else DROP


def stage_a(stepper: RaftStepper) -> None:
    """s1 leads term 1 and commits its empty entry on all five, then writes `x` at index 2
    (term 1); only s2 receives it."""
    stepper.timeout("s1")
    stepper.deliver_all()
    stepper.tick()
    stepper.deliver_all()
    stepper.propose(CLIENT_WRITE)
    handle(stepper, _between("s1", "s2"))


def stage_b(stepper: RaftStepper) -> None:
    """s1 crashes; s5 wins term 2 with the votes of s3 and s4 (s2's log is newer: it refuses),
    appends its own entry at index 2 (term 2) and crashes before sending it anywhere."""
    stepper.crash("s1")
    _elect(stepper, "s5")
    handle(stepper, lambda m: DROP)
    stepper.crash("s5")


def stage_c(stepper: RaftStepper) -> None:
    """s1 restarts and wins term 3 (its term-2 attempt fails: s3 and s4 voted for s5 in term 2);
    it brings s3's log up to date, `x` included; its message to s2 is still in flight, those
    to s4 and s5 are lost. `x` is now in three logs of five, and still not committed."""
    stepper.restart("s1")
    _elect(stepper, "s1")
    handle(stepper, lambda m: WAIT if m.dst == "s2" else _between("s1", "s3")(m))


def stage_d(stepper: RaftStepper) -> None:
    """s1 crashes and its message to s2 is lost; s5 restarts and wins term 4 with the votes of
    s2 and s4 (its last entry, term 2, is newer than theirs) and overwrites index 2 everywhere."""
    stepper.crash("s1")
    handle(stepper, lambda m: DROP)
    stepper.restart("s5")
    _elect(stepper, "s5")
    stepper.deliver_all()
    stepper.restart("s1")
    stepper.tick()
    stepper.deliver_all()


def stage_e(stepper: RaftStepper) -> None:
    """Instead of (d): s1's message reaches s2, so its term-3 entry is on a majority and s1
    commits it, `x` with it; then s1 crashes, and s5 cannot win: s2 and s3 end in a newer term."""
    stepper.deliver_all()
    stepper.crash("s1")
    stepper.restart("s5")
    for _ in range(3):
        stepper.timeout("s5")
        stepper.deliver_all()


def figure_8(*, committed_first: bool = False) -> RaftStepper:
    """Five members played through stages (a) to (c), then (d), or (e) if `committed_first`."""
    stepper = RaftStepper(5, seed=8)
    for stage in (stage_a, stage_b, stage_c, stage_e if committed_first else stage_d):
        stage(stepper)
    return stepper

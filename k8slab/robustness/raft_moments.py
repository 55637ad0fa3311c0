"""What a step-by-step Raft run records after every action: each member's role, term and log,
and the messages still in flight. Plots and the panel's time slider read these, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from k8slab.raft import (
    AppendEntries,
    AppendEntriesResponse,
    Entry,
    Heartbeat,
    HeartbeatResponse,
    InstallSnapshot,
    InstallSnapshotResponse,
    Message,
    RequestVote,
    RequestVoteResponse,
)


@dataclass(frozen=True, slots=True)
class InFlight:
    """A message sent and not yet delivered or dropped; `number` names it for the reader."""

    number: int
    message: Message

    def describe(self) -> str:
        """One line: number, sender → receiver, and the fields Figure 2 of the paper names."""
        return f"#{self.number} {self.message.src}→{self.message.dst} {describe(self.message)}"


@dataclass(frozen=True, slots=True)
class NodeView:
    """One member at one moment; `up` False means crashed (role and log are what its disk
    holds: term, vote and the entries it persisted)."""

    name: str
    up: bool
    role: str
    term: int
    voted_for: str | None
    leader: str | None
    commit: int
    entries: tuple[Entry, ...]

    @property
    def last_index(self) -> int:
        """Index of the member's last log entry (0 when the log is empty)."""
        return self.entries[-1].index if self.entries else 0

    def entry(self, index: int) -> Entry | None:
        """The entry at `index`, or None if the log does not reach it."""
        return self.entries[index - 1] if 0 < index <= len(self.entries) else None


@dataclass(frozen=True, slots=True)
class Moment:
    """The whole cluster after one action: `step` counts actions, `ticks` counts 100 ms ticks."""

    step: int
    ticks: int
    action: str
    nodes: tuple[NodeView, ...]
    in_flight: tuple[InFlight, ...]
    violations: tuple[str, ...]

    def node(self, name: str) -> NodeView:
        """The view of the member called `name`."""
        return next(node for node in self.nodes if node.name == name)

    @property
    def leaders(self) -> list[str]:
        """The members that are up and believe they lead (two at once only in different terms)."""
        return [node.name for node in self.nodes if node.up and node.role == "leader"]

    def copies(self, index: int, term: int) -> int:
        """How many members' logs hold an entry at `index` from `term` (committed or not)."""
        return sum(1 for node in self.nodes
                   if (entry := node.entry(index)) is not None and entry.term == term)


def _entries(entries: tuple[Entry, ...]) -> str:
    if not entries:
        return "[]"
    return "[" + " ".join(f"{e.index}:t{e.term}" for e in entries) + "]"


def describe(message: Message) -> str:
    """A message in a few words, with the Raft paper's field names (term, prev log, commit...)."""
    if isinstance(message, RequestVote):
        kind = "PreVote" if message.pre_vote else "RequestVote"
        return (f"{kind} term {message.term} (last log {message.last_log_index}, "
                f"term {message.last_log_term})")
    if isinstance(message, RequestVoteResponse):
        kind = "pre-vote" if message.pre_vote else "vote"
        answer = "granted" if message.vote_granted else "refused"
        return f"{kind} {answer} (term {message.term})"
    if isinstance(message, AppendEntries):
        return (f"AppendEntries term {message.term} prev {message.prev_log_index}/t"
                f"{message.prev_log_term} entries {_entries(message.entries)} "
                f"commit {message.leader_commit}")
    if isinstance(message, AppendEntriesResponse):
        if message.success:
            return f"append ok, match {message.match_index} (term {message.term})"
        return (f"append rejected at {message.rejected_index}, hint {message.reject_hint} "
                f"(term {message.term})")
    if isinstance(message, Heartbeat):
        return f"Heartbeat term {message.term} commit {message.leader_commit}"
    if isinstance(message, HeartbeatResponse):
        return f"heartbeat ack (term {message.term})"
    if isinstance(message, InstallSnapshot):
        return f"InstallSnapshot up to {message.last_included_index}"
    if isinstance(message, InstallSnapshotResponse):
        return f"snapshot installed, match {message.match_index}"
    raise TypeError(f"not a Raft message: {message!r}")

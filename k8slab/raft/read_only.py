"""ReadIndex bookkeeping (etcd's read_only.go, ReadOnlySafe): linearizable reads without a write.

The leader notes its commit index for each read, asks a quorum "am I still leader?" with a
heartbeat carrying the read's context, and answers with a `ReadState` once a quorum has said yes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ReadState:
    """A read may be served once the state machine has applied up to `index`."""

    index: int
    context: Any


@dataclass
class _PendingRead:
    index: int
    context: Any
    acks: dict[str, bool] = field(default_factory=dict)


class ReadOnly:
    """Reads waiting for a quorum of heartbeat acks, oldest first."""

    def __init__(self) -> None:
        self._pending: dict[Any, _PendingRead] = {}
        self._queue: list[Any] = []

    def add_request(self, index: int, context: Any) -> None:
        """Remember a read at commit index `index` (a repeated context is ignored)."""
        if context in self._pending:
            return
        self._pending[context] = _PendingRead(index, context)
        self._queue.append(context)

    def recv_ack(self, peer: str, context: Any) -> int:
        """`peer` answered the heartbeat carrying `context`; returns how many acked it."""
        read = self._pending.get(context)
        if read is None:
            return 0
        read.acks[peer] = True
        return len(read.acks)

    def advance(self, context: Any) -> list[ReadState]:
        """A quorum acked `context`: it and every older read are answered, oldest first."""
        if context not in self._pending:
            return []
        position = self._queue.index(context) + 1
        done, self._queue = self._queue[:position], self._queue[position:]
        return [ReadState(read.index, read.context) for read in map(self._pending.pop, done)]

    def last_pending_context(self) -> Any:
        """The newest read still waiting, which the next heartbeat carries (None if none)."""
        return self._queue[-1] if self._queue else None

"""Raft's safety properties (Figure 3 of the paper) watched over a run of live etcd members.

Observe after every event (or every tick) to keep the history the checks need; `violations`
then reads the history and the members' current state. EtcdLab and the Cluster both use it.
"""

from __future__ import annotations

from collections.abc import Callable

from k8slab.raft.invariants import History, check
from k8slab.raft.node import RaftNode


class RaftSafety:
    """Follows the Raft nodes `nodes()` returns (the members that are up) and checks Figure 3.

    Keeps who led each term and what each member committed, so a later state can be checked
    against what came before; `violations()` is [] while every property holds.
    """

    def __init__(self, nodes: Callable[[], list[RaftNode]]) -> None:
        self._nodes = nodes
        self.history = History()

    def observe(self) -> None:
        """Record the nodes' state now; call after every event for the strictest check."""
        self.history.observe(self._nodes())

    def violations(self) -> list[str]:
        """Every violation seen so far and in the current state, in the paper's words, each once
        (the history and the current state may both see the same one)."""
        found = list(self.history.violations) + check(self._nodes(), self.history)
        return list(dict.fromkeys(found))

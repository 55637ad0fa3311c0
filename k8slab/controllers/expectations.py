"""Expectations, as pkg/controller/controller_utils.go has them: what a controller is waiting
to see in its informer before it may sync a key again.

A ReplicaSet that just asked for three pods must not ask again before its pod informer has
seen them, or one sync too early would create six. So a sync records "expect 3 creations";
the pod informer's add events count them down; until they reach zero (or 5 minutes pass) the
next sync only updates status. Deletions are tracked by pod key, so a pod that is first marked
for deletion and later removed counts once (UIDTrackingControllerExpectations).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from k8slab.controllers.controller_utils import EXPECTATIONS_TIMEOUT
from k8slab.sim.kernel import Simulation


@dataclass
class _Expected:
    adds: int
    deletes: int
    since: float
    delete_keys: set[str] = field(default_factory=set)


class Expectations:
    """Per controller key: creations and deletions still to be observed."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self._by_key: dict[str, _Expected] = {}

    def satisfied(self, key: str) -> bool:
        """True if nothing is awaited for `key`, or the wait is over 5 minutes old."""
        expected = self._by_key.get(key)
        if expected is None:
            return True
        fulfilled = expected.adds <= 0 and expected.deletes <= 0
        return fulfilled or self.sim.now - expected.since > EXPECTATIONS_TIMEOUT

    def expect_creations(self, key: str, adds: int) -> None:
        """Record that `adds` pods are about to be created for `key` (forgets older ones)."""
        self._by_key[key] = _Expected(adds, 0, self.sim.now)

    def expect_deletions(self, key: str, pod_keys: list[str]) -> None:
        """Record that these pods are about to be deleted for `key`."""
        self._by_key[key] = _Expected(0, len(pod_keys), self.sim.now, set(pod_keys))

    def expect(self, key: str, adds: int, pod_keys: list[str]) -> None:
        """Record creations and deletions at once (SetExpectations), as a DaemonSet's sync."""
        self._by_key[key] = _Expected(adds, len(pod_keys), self.sim.now, set(pod_keys))

    def creation_observed(self, key: str) -> None:
        """One awaited creation happened (or will not: a create that failed)."""
        expected = self._by_key.get(key)
        if expected is not None:
            expected.adds -= 1

    def deletion_observed(self, key: str, pod_key: str) -> None:
        """`pod_key` was deleted or marked for deletion; counts once per awaited pod."""
        expected = self._by_key.get(key)
        if expected is not None and pod_key in expected.delete_keys:
            expected.delete_keys.discard(pod_key)
            expected.deletes -= 1

    def delete(self, key: str) -> None:
        """Forget `key` (its owner is gone; a new one of the same name starts clean)."""
        self._by_key.pop(key, None)

    def pending(self, key: str) -> tuple[int, int]:
        """(creations, deletions) still awaited for `key`."""
        expected = self._by_key.get(key)
        return (expected.adds, expected.deletes) if expected else (0, 0)

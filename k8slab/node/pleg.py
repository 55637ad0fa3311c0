"""The PLEG (pod lifecycle event generator): every second the kubelet lists the runtime's
containers and compares them with the last list; a container that started, died or vanished
makes its pod sync again (kk pkg/kubelet/pleg/generic.go: relist period 1 s).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from k8slab.node.containerd import Containerd
    from k8slab.sim.host import ProcessGroup

RELIST_PERIOD = 1.0  # seconds (generic.go's relistPeriod in kubelet.go: genericPlegRelistPeriod)


class GenericPLEG:
    """Relists containerd and reports, by sandbox id, the pods whose containers changed."""

    def __init__(self, group: ProcessGroup, containerd: Containerd,
                 on_change: Callable[[str], None]) -> None:
        self.group = group
        self.containerd = containerd
        self._on_change = on_change  # called with the sandbox id of a changed pod
        self._seen: dict[str, tuple[str, str]] = {}  # container id -> (sandbox id, state)
        self.relists = 0
        self._generation = -1

    def start(self) -> None:
        """Relist every second, for as long as the kubelet runs."""
        self.group.spawn(self._loop())

    def _loop(self) -> Generator:
        while True:
            yield self.group.env.timeout(RELIST_PERIOD)
            self.relist()

    def relist(self) -> None:
        """One relist: compare each container's state with the last one seen (a node where
        nothing changed since the last relist is skipped: containerd counts its changes)."""
        if self.containerd.generation == self._generation:
            return
        self._generation = self.containerd.generation
        self.relists += 1
        current = {c.id: (c.sandbox_id, c.state) for c in self.containerd.list_containers()}
        changed: list[str] = []
        for container_id, (sandbox, state) in current.items():
            if self._seen.get(container_id, ("", ""))[1] != state and sandbox not in changed:
                changed.append(sandbox)
        for container_id, (sandbox, _) in self._seen.items():
            if container_id not in current and sandbox not in changed:
                changed.append(sandbox)
        self._seen = current
        for sandbox in changed:
            self._on_change(sandbox)

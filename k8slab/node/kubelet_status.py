"""What a kubelet reports about itself, as a read-only snapshot: its node, whether it registered
and holds its Lease, and which pods it runs (the kubelet's `/pods` endpoint lists them).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KubeletStatus:
    """One kubelet at one moment, as the lab reads it.

    `registered` is kubelet_node_status.go's registrationCompleted (its Node was created or found),
    `lease_renewed` that the node lease controller (pkg/kubelet/nodelease) has renewed its Lease;
    `static_pods` and `running_pods` are pod keys ("namespace/name").
    """

    node_name: str
    version: str
    registered: bool
    lease_renewed: bool
    static_pods: tuple[str, ...]
    running_pods: tuple[str, ...]

    @property
    def settled(self) -> bool:
        """Registered, holding its Lease, and running every static pod."""
        return (self.registered and self.lease_renewed
                and all(key in self.running_pods for key in self.static_pods))

"""The kinds this lab's `kubectl get` knows: their spellings, scope, columns and row printers.

kubectl learns them from the API server's discovery; here they are one table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from k8slab.lab.kubectl.printers import (
    lease_cells,
    name_of,
    namespace_cells,
    node_cells,
    pod_cells,
)


@dataclass(frozen=True)
class ResourceType:
    """One kind `kubectl get` knows: its spellings, scope, columns and row printer."""

    plural: str
    kind: str
    aliases: tuple[str, ...]
    namespaced: bool
    columns: tuple[str, ...]
    wide_columns: tuple[str, ...]
    cells: Callable[[dict, float, bool], list[str]]
    group: str = ""

    @property
    def qualified(self) -> str:
        """`pods`, or `leases.coordination.k8s.io` for a kind outside the core group."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def objectname_of(self, obj: dict) -> str:
        """What `-o name` prints: `pod/web-1`, `lease.coordination.k8s.io/worker-1`."""
        kind = f"{self.kind}.{self.group}" if self.group else self.kind
        return f"{kind.lower()}/{name_of(obj)}"


RESOURCE_TYPES = (
    ResourceType(
        plural="pods",
        kind="Pod",
        aliases=("pods", "pod", "po"),
        namespaced=True,
        columns=("NAME", "READY", "STATUS", "RESTARTS", "AGE"),
        wide_columns=("IP", "NODE", "NOMINATED NODE", "READINESS GATES"),
        cells=pod_cells,
    ),
    ResourceType(
        plural="nodes",
        kind="Node",
        aliases=("nodes", "node", "no"),
        namespaced=False,
        columns=("NAME", "STATUS", "ROLES", "AGE", "VERSION"),
        wide_columns=(
            "INTERNAL-IP",
            "EXTERNAL-IP",
            "OS-IMAGE",
            "KERNEL-VERSION",
            "CONTAINER-RUNTIME",
        ),
        cells=node_cells,
    ),
    ResourceType(
        plural="namespaces",
        kind="Namespace",
        aliases=("namespaces", "namespace", "ns"),
        namespaced=False,
        columns=("NAME", "STATUS", "AGE"),
        wide_columns=(),
        cells=namespace_cells,
    ),
    ResourceType(
        plural="leases",
        kind="Lease",
        aliases=("leases", "lease"),
        namespaced=True,
        columns=("NAME", "HOLDER", "AGE"),
        wide_columns=(),
        cells=lease_cells,
        group="coordination.k8s.io",
    ),
)
# Every spelling of every kind, to the kind.
BY_ALIAS = {alias: rtype for rtype in RESOURCE_TYPES for alias in rtype.aliases}

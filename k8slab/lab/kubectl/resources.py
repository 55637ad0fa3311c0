"""The kinds this lab's `kubectl get` knows: their spellings, scope, columns and row printers.

kubectl learns them from the API server's discovery; here they are one table. Columns are the
API server's table columns (pkg/printers/internalversion/printers.go, v1.35): a `wide` column
has priority 1 and shows only with `-o wide`, wherever it stands in the row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from k8slab.api import kinds
from k8slab.api.custom_kinds import crd_kinds, established, served_versions
from k8slab.api.kinds import Kind
from k8slab.lab.kubectl.admission_printers import webhook_configuration_cells
from k8slab.lab.kubectl.custom_printers import (
    columns_of,
    crd_cells,
    custom_cells,
    custom_typed_cells,
)
from k8slab.lab.kubectl.event_printers import event_cells
from k8slab.lab.kubectl.network_printers import (
    config_map_cells,
    endpoint_slice_cells,
    secret_cells,
    service_account_cells,
    service_cells,
)
from k8slab.lab.kubectl.printers import (
    lease_cells,
    name_of,
    namespace_cells,
    node_cells,
    pod_cells,
    priority_class_cells,
)
from k8slab.lab.kubectl.quota_printers import limit_range_cells, resource_quota_cells
from k8slab.lab.kubectl.rbac_printers import binding_cells, role_cells
from k8slab.lab.kubectl.workload_printers import (
    daemon_set_cells,
    deployment_cells,
    job_cells,
    replica_set_cells,
    replication_controller_cells,
    stateful_set_cells,
)


@dataclass(frozen=True)
class Column:
    """One table column as the API server's Table defines it: its name ("Nominated Node"),
    whether only `-o wide` shows it (priority 1), and its type ("string", "integer",
    "boolean", "date"). kubectl prints the name upper-cased as the header."""

    name: str
    wide: bool = False
    type: str = "string"

    @property
    def header(self) -> str:
        """The header kubectl prints: the name in capitals ("NOMINATED NODE")."""
        return self.name.upper()


def _columns(narrow: str, wide: str = "", **types: str) -> tuple[Column, ...]:
    """Columns from `|`-separated names, the wide ones after the narrow ones; `types` gives
    the type of the columns that are not strings (`Desired="integer"`; `_` stands for `-`)."""
    types = {name.replace("_", "-"): kind for name, kind in types.items()}
    return tuple(Column(name, type=types.get(name, "string")) for name in narrow.split("|")) + (
        tuple(Column(name, wide=True, type=types.get(name, "string"))
              for name in wide.split("|") if name))


@dataclass(frozen=True)
class ResourceType:
    """One kind `kubectl get` knows: its spellings, scope, columns and row printer."""

    plural: str
    kind: str
    aliases: tuple[str, ...]
    namespaced: bool
    columns: tuple[Column, ...]
    cells: Callable[[dict, float], list[str]]
    group: str = ""
    # A custom kind's cells as the server's Table types them (None for a missing value); the
    # built-in kinds' Table cells are their printed cells (k8slab.lab.serving.tables).
    typed_cells: Callable[[dict, float], list[object]] | None = None

    @property
    def qualified(self) -> str:
        """`pods`, or `leases.coordination.k8s.io` for a kind outside the core group."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def objectname_of(self, obj: dict) -> str:
        """What `-o name` prints: `pod/web-1`, `deployment.apps/web`."""
        kind = f"{self.kind}.{self.group}" if self.group else self.kind
        return f"{kind.lower()}/{name_of(obj)}"

    def header(self, wide: bool) -> list[str]:
        """The column headers kubectl prints, with or without the wide columns."""
        return [column.header for column in self.columns if wide or not column.wide]

    def row(self, obj: dict, now: float, wide: bool) -> list[str]:
        """One object's cells, with or without the wide columns."""
        cells = self.cells(obj, now)
        return [cell for cell, column in zip(cells, self.columns, strict=True)
                if wide or not column.wide]


def _spellings(plural: str, kind: str, group: str, *short: str) -> tuple[str, ...]:
    """`deployments`, `deployment`, `deploy`, and the group-qualified `deployments.apps`..."""
    names = (plural, kind.lower(), *short)
    if group:
        names += (f"{plural}.{group}", f"{kind.lower()}.{group}")
    return names


_WORKLOAD_WIDE = "Containers|Images|Selector"
_EVENT_COLUMNS = (
    Column("Last Seen"), Column("Type"), Column("Reason"), Column("Object"),
    Column("Subobject", wide=True), Column("Source", wide=True), Column("Message"),
    Column("First Seen", wide=True), Column("Count", wide=True), Column("Name", wide=True),
)
# What the default table convertor shows for a kind without a printer (apiserver
# pkg/registry/rest/table.go): the name and the creation time, RFC 3339.
_CREATED_AT = "Name|Created At"
_COUNTS = {"Desired": "integer", "Current": "integer", "Ready": "integer"}


def _type(info: Kind, columns: tuple[Column, ...],
          cells: Callable[[dict, float], list[str]]) -> ResourceType:
    """The `kubectl get` view of one of the kinds k8slab models (k8slab.api.kinds)."""
    return ResourceType(
        plural=info.resource, kind=info.kind,
        aliases=_spellings(info.resource, info.kind, info.group, *info.short_names),
        namespaced=info.namespaced, columns=columns, cells=cells, group=info.group,
    )


# One entry per resource of k8slab.api.kinds.KINDS: events.k8s.io/v1 Events are the same
# objects as core/v1 ones (one storage), and `kubectl get events` means the core group's.
RESOURCE_TYPES = (
    _type(kinds.POD,
          _columns("Name|Ready|Status|Restarts|Age", "IP|Node|Nominated Node|Readiness Gates"),
          pod_cells),
    _type(kinds.NODE,
          _columns("Name|Status|Roles|Age|Version",
                   "Internal-IP|External-IP|OS-Image|Kernel-Version|Container-Runtime"),
          node_cells),
    _type(kinds.NAMESPACE, _columns("Name|Status|Age"), namespace_cells),
    _type(kinds.LEASE, _columns("Name|Holder|Age"), lease_cells),
    _type(kinds.EVENT, _EVENT_COLUMNS, event_cells),
    _type(kinds.REPLICATION_CONTROLLER,
          _columns("Name|Desired|Current|Ready|Age", _WORKLOAD_WIDE, **_COUNTS),
          replication_controller_cells),
    _type(kinds.DEPLOYMENT,
          _columns("Name|Ready|Up-to-date|Available|Age", _WORKLOAD_WIDE), deployment_cells),
    _type(kinds.REPLICA_SET,
          _columns("Name|Desired|Current|Ready|Age", _WORKLOAD_WIDE, **_COUNTS),
          replica_set_cells),
    _type(kinds.DAEMON_SET,
          _columns("Name|Desired|Current|Ready|Up-to-date|Available|Node Selector|Age",
                   _WORKLOAD_WIDE, **_COUNTS, Up_to_date="integer", Available="integer"),
          daemon_set_cells),
    _type(kinds.STATEFUL_SET, _columns("Name|Ready|Age", "Containers|Images"),
          stateful_set_cells),
    _type(kinds.JOB, _columns("Name|Status|Completions|Duration|Age", _WORKLOAD_WIDE),
          job_cells),
    _type(kinds.SERVICE, _columns("Name|Type|Cluster-IP|External-IP|Port(s)|Age", "Selector"),
          service_cells),
    _type(kinds.ENDPOINT_SLICE, _columns("Name|AddressType|Ports|Endpoints|Age"),
          endpoint_slice_cells),
    _type(kinds.CONFIG_MAP, _columns("Name|Data|Age"), config_map_cells),
    _type(kinds.LIMIT_RANGE, _columns(_CREATED_AT, Created_At="date"), limit_range_cells),
    _type(kinds.RESOURCE_QUOTA, _columns("Name|Age|Request|Limit"), resource_quota_cells),
    _type(kinds.PRIORITY_CLASS, _columns("Name|Value|Global-Default|Age|PreemptionPolicy",
                                             Value="integer", Global_Default="boolean"),
          priority_class_cells),
    _type(kinds.ROLE, _columns(_CREATED_AT, Created_At="date"), role_cells),
    _type(kinds.CLUSTER_ROLE, _columns(_CREATED_AT, Created_At="date"), role_cells),
    _type(kinds.ROLE_BINDING, _columns("Name|Role|Age", "Users|Groups|ServiceAccounts"),
          binding_cells),
    _type(kinds.CLUSTER_ROLE_BINDING, _columns("Name|Role|Age", "Users|Groups|ServiceAccounts"),
          binding_cells),
    _type(kinds.SERVICE_ACCOUNT, _columns("Name|Secrets|Age"), service_account_cells),
    _type(kinds.CUSTOM_RESOURCE_DEFINITION, _columns(_CREATED_AT, Created_At="date"),
          crd_cells),
    _type(kinds.MUTATING_WEBHOOK_CONFIGURATION, _columns("Name|Webhooks|Age", Webhooks="integer"),
          webhook_configuration_cells),
    _type(kinds.VALIDATING_WEBHOOK_CONFIGURATION, _columns("Name|Webhooks|Age", Webhooks="integer"),
          webhook_configuration_cells),
    _type(kinds.SECRET, _columns("Name|Type|Data|Age"), secret_cells),
)
# Every spelling of every kind, to the kind.
BY_ALIAS = {alias: rtype for rtype in RESOURCE_TYPES for alias in rtype.aliases}


def custom_resource_types(crds: list[dict]) -> tuple[ResourceType, ...]:
    """The `kubectl get` view of each Established CRD's kind, in its preferred version: what
    kubectl learns from discovery and the server's Table for a custom kind."""
    types = []
    for crd in crds:
        if not established(crd) or not served_versions(crd):
            continue
        info = crd_kinds(crd)[0]
        columns = columns_of(served_versions(crd)[0])
        names = (crd.get("status") or {}).get("acceptedNames") or crd["spec"]["names"]
        spellings = _spellings(info.resource, info.kind, info.group, *info.short_names)
        if names.get("singular"):
            spellings += (names["singular"], f"{names['singular']}.{info.group}")
        types.append(ResourceType(
            plural=info.resource, kind=info.kind, aliases=spellings,
            namespaced=info.namespaced, group=info.group,
            columns=(Column("Name"), *(Column(c["name"], wide=c.get("priority", 0) > 0,
                                              type=c.get("type", "string"))
                                       for c in columns)),
            cells=custom_cells(columns), typed_cells=custom_typed_cells(columns)))
    return tuple(types)

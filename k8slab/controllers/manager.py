"""kube-controller-manager's controllers by name, which ones `--controllers` turns on, and the
process that runs them while it holds the leader Lease.

Upstream names every controller (cmd/kube-controller-manager/names) and keeps its older short
name as an alias ("replicaset" for "replicaset-controller"). `--controllers` is a list read in
order: `*` means every controller that is on by default, `foo` turns foo on, `-foo` turns it off,
and the first entry naming a controller decides. bootstrapsigner and tokencleaner are off by
default, which is why kubeadm passes `--controllers=*,bootstrapsigner,tokencleaner`.
The lab runs the controllers it models; the others are known, so their names are accepted, and
the view lists them as not modelled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from k8slab.api.kubeconfig import ANONYMOUS_CREDENTIALS, Credentials
from k8slab.client.informer import SharedInformerFactory
from k8slab.client.leader_election import LeaderElector
from k8slab.client.rest import Client
from k8slab.controllers.accounts import account_user
from k8slab.controllers.clusterrole_aggregation import ClusterRoleAggregationController
from k8slab.controllers.context import COMPONENT, ControllerContext, ControllerOptions
from k8slab.controllers.daemonset import DaemonSetsController
from k8slab.controllers.deployment.controller import DeploymentController
from k8slab.controllers.endpointslice import EndpointSliceController
from k8slab.controllers.garbage_collector import GarbageCollector
from k8slab.controllers.job import JobController
from k8slab.controllers.namespace import NamespaceController
from k8slab.controllers.node_lifecycle import NodeLifecycleController
from k8slab.controllers.replicaset import ReplicaSetController, ReplicationManager
from k8slab.controllers.resource_quota import ResourceQuotaController
from k8slab.controllers.root_ca_publisher import RootCACertPublisher
from k8slab.controllers.serviceaccount import ServiceAccountsController
from k8slab.controllers.statefulset import StatefulSetController
from k8slab.controllers.taint_eviction import TaintEvictionController
from k8slab.errors import K8sLabError
from k8slab.sim.host import ProcessGroup

# Every controller of kube-controller-manager v1.35 with its aliases (the ControllerDescriptors
# of cmd/kube-controller-manager/app/*.go; names.go holds the canonical names).
KNOWN_CONTROLLERS: dict[str, tuple[str, ...]] = {
    "bootstrap-signer-controller": ("bootstrapsigner",),
    "certificatesigningrequest-approving-controller": ("csrapproving",),
    "certificatesigningrequest-cleaner-controller": ("csrcleaner",),
    "certificatesigningrequest-signing-controller": ("csrsigning",),
    "cloud-node-lifecycle-controller": ("cloud-node-lifecycle",),
    "clusterrole-aggregation-controller": ("clusterrole-aggregation",),
    "cronjob-controller": ("cronjob",),
    "daemonset-controller": ("daemonset",),
    "deployment-controller": ("deployment",),
    "disruption-controller": ("disruption",),
    "endpoints-controller": ("endpoint",),
    "endpointslice-controller": ("endpointslice",),
    "endpointslice-mirroring-controller": ("endpointslicemirroring",),
    "ephemeral-volume-controller": ("ephemeral-volume",),
    "garbage-collector-controller": ("garbagecollector",),
    "horizontal-pod-autoscaler-controller": ("horizontalpodautoscaling",),
    "job-controller": ("job",),
    "legacy-serviceaccount-token-cleaner-controller": ("legacy-service-account-token-cleaner",),
    "namespace-controller": ("namespace",),
    "node-ipam-controller": ("nodeipam",),
    "node-lifecycle-controller": ("nodelifecycle",),
    "node-route-controller": ("route",),
    "persistentvolume-attach-detach-controller": ("attachdetach",),
    "persistentvolume-binder-controller": ("persistentvolume-binder",),
    "persistentvolume-expander-controller": ("persistentvolume-expander",),
    "persistentvolume-protection-controller": ("pv-protection",),
    "persistentvolumeclaim-protection-controller": ("pvc-protection",),
    "pod-garbage-collector-controller": ("podgc",),
    "replicaset-controller": ("replicaset",),
    "replicationcontroller-controller": ("replicationcontroller",),
    "resourceclaim-controller": ("resource-claim-controller",),
    "resourcequota-controller": ("resourcequota",),
    "root-ca-certificate-publisher-controller": ("root-ca-cert-publisher",),
    "service-cidr-controller": (),
    "service-lb-controller": ("service",),
    "serviceaccount-controller": ("serviceaccount",),
    "serviceaccount-token-controller": ("serviceaccount-token",),
    "statefulset-controller": ("statefulset",),
    "storage-version-migrator-controller": (),
    "storageversion-garbage-collector-controller": ("storage-version-gc",),
    "taint-eviction-controller": (),
    "token-cleaner-controller": ("tokencleaner",),
    "ttl-after-finished-controller": ("ttl-after-finished",),
    "ttl-controller": ("ttl",),
    "validatingadmissionpolicy-status-controller": (),
}
ALIASES = {alias: name for name, aliases in KNOWN_CONTROLLERS.items() for alias in aliases}
DISABLED_BY_DEFAULT = ("bootstrap-signer-controller", "token-cleaner-controller")
# The cloud controllers run in cloud-controller-manager since v1.31 (KEP-2395); kube-controller-
# manager skips them.
CLOUD_CONTROLLERS = ("cloud-node-lifecycle-controller", "node-route-controller",
                     "service-lb-controller")


def canonical(name: str) -> str:
    """A controller's canonical name for itself or an alias ("nodelifecycle" -> ...)."""
    return ALIASES.get(name, name)


def _registry(*classes: type) -> dict[str, Callable[[ControllerContext], object]]:
    registry = {canonical(cls.NAME): cls for cls in classes}
    unknown = sorted(n for n in registry if n not in KNOWN_CONTROLLERS)
    if unknown:
        raise K8sLabError(f"controller classes with unknown names: {', '.join(unknown)}")
    return registry


# The controllers the lab models, by canonical name.
REGISTRY = _registry(
    DeploymentController, ReplicaSetController, ReplicationManager, DaemonSetsController,
    StatefulSetController, JobController, GarbageCollector, NodeLifecycleController,
    TaintEvictionController, EndpointSliceController, NamespaceController,
    ResourceQuotaController,
    ClusterRoleAggregationController,
    ServiceAccountsController, RootCACertPublisher,
)


def check_controllers(selectors: Sequence[str]) -> list[str]:
    """The `--controllers` entries with aliases made canonical; an unknown name is the error
    upstream's options validation gives."""
    checked = []
    for selector in selectors:
        if selector == "*":
            checked.append(selector)
            continue
        bare = selector.removeprefix("-")
        name = canonical(bare)
        if name not in KNOWN_CONTROLLERS:
            raise K8sLabError(f'"{bare}" is not in the list of known controllers')
        checked.append(f"-{name}" if selector.startswith("-") else name)
    return checked


def is_enabled(name: str, selectors: Sequence[str]) -> bool:
    """IsControllerEnabled: the first entry naming the controller decides; else `*` turns on
    what is on by default; with neither, it is off."""
    star = False
    for selector in selectors:
        if selector == name:
            return True
        if selector == f"-{name}":
            return False
        star = star or selector == "*"
    return star and name not in DISABLED_BY_DEFAULT


def enabled_controllers(selectors: Sequence[str]) -> list[str]:
    """Every known controller `--controllers` turns on, cloud ones left out, sorted by name."""
    checked = check_controllers(selectors)
    return [name for name in sorted(KNOWN_CONTROLLERS)
            if name not in CLOUD_CONTROLLERS and is_enabled(name, checked)]


@dataclass(frozen=True, slots=True)
class ControllerManagerView:
    """A kube-controller-manager as the lab sees it: where it runs, whether it holds the Lease,
    the controllers it runs now, and those turned on that the lab does not model."""

    host: str
    leading: bool
    running: tuple[str, ...]
    not_modelled: tuple[str, ...]


class ControllerManager:
    """One kube-controller-manager process: campaigns for the Lease kube-system/kube-controller-
    manager and, once leading, starts its controllers with shared informers."""

    def __init__(self, group: ProcessGroup, server: str, options: ControllerOptions,
                 selectors: Sequence[str] = ("*",), *, leader_elect: bool = True,
                 credentials: Credentials = ANONYMOUS_CREDENTIALS,
                 account_credentials: Callable[[str], Credentials] | None = None) -> None:
        self.group = group
        self.options = options
        self.enabled = enabled_controllers(selectors)
        self.leader_elect = leader_elect
        # controller-manager.conf's credentials: system:kube-controller-manager (kubeadm's).
        self.client = Client(group, credentials, server)
        # --use-service-account-credentials: each controller's credentials from its account's
        # user name; None: every controller shares the manager's own.
        self.account_credentials = account_credentials
        self.leading = False
        self.controllers: dict[str, object] = {}
        self.on_lost: list[Callable[[], None]] = []
        self.elector: LeaderElector | None = None

    def start(self) -> None:
        """Campaign for the Lease (or, with --leader-elect=false, start at once)."""
        if not self.leader_elect:
            self._run()
            return
        self.elector = LeaderElector(self.client, "kube-controller-manager",
                                     on_started=self._run, on_stopped=self._lost)
        self.elector.start()

    def _run(self) -> None:
        """The controllers get one context and one informer factory; informers start after
        every controller has asked for its own, so each resource is listed and watched once."""
        self.leading = True
        # Its informers drop managedFields from what they cache (CreateControllerContext's
        # "trim" transform): controllers never read them, and memory is saved.
        informers = SharedInformerFactory(self.client, strip_managed_fields=True)
        ctx = ControllerContext(self.group, self.client, informers, self.options)
        for name in self.enabled:
            factory = REGISTRY.get(name)
            if factory is None:
                continue
            # --use-service-account-credentials=true (kubeadm): the informers list and watch
            # as kube-controller-manager, each controller writes as its own ServiceAccount,
            # which the system:controller:* roles authorize.
            client = self.client if self.account_credentials is None else Client(
                self.group, self.account_credentials(account_user(name)), self.client.server)
            controller = factory(replace(ctx, client=client))
            controller.start()
            self.controllers[name] = controller
            self.group.sim.record(self.group.host.name, COMPONENT, "Started controller",
                                  f"lease/kube-system/{COMPONENT}", controller=name)
        ctx.informers.start()

    def _lost(self) -> None:
        self.leading = False
        for callback in self.on_lost:
            callback()

    def view(self) -> ControllerManagerView:
        """What the lab may read of this process now."""
        alive = self.group.alive  # a stopped container runs nothing, whatever it last knew
        return ControllerManagerView(
            self.group.host.name, alive and self.leading,
            tuple(self.controllers) if alive else (),
            tuple(n for n in self.enabled if n not in REGISTRY))

"""The `Cluster` facade's custom-resource verbs: the kinds its CRDs serve (what kubectl learns
by discovery), manifests that use them, and `run_controller`, an operator in one cell.

run_controller starts a k8slab.client.controller.Controller in a process of a control-plane
host, logged in as kubeadm's admin (simplified: a real operator runs as a pod with its own
ServiceAccount). With leader_election=True one replica runs on every control-plane host and
they elect a leader through a Lease, as kube-controller-manager's replicas do.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from typing import Any

from k8slab.api.custom_kinds import crd_kinds, established
from k8slab.api.kinds import Kind
from k8slab.api.manifests import load_manifests
from k8slab.client.controller import Controller
from k8slab.client.rest import Client
from k8slab.errors import K8sLabError, ManifestError
from k8slab.lab import arguments
from k8slab.lab.pki import admin_client
from k8slab.sim.network import Network


class CustomResourceVerbs:
    """Custom resources for a cluster that has a network, an API endpoint and control planes
    (`Cluster` is one)."""

    network: Network
    endpoint: str
    control_planes: list[str]

    def request(self, steps: Callable[[Client], Generator]) -> Any:  # Cluster provides it
        raise NotImplementedError

    def custom_kinds(self) -> tuple[Kind, ...]:
        """The kinds the cluster's Established CRDs serve, read through the API (discovery)."""
        crds, _ = self.request(lambda c: c.list("customresourcedefinitions"))
        return tuple(kind for crd in crds if established(crd) for kind in crd_kinds(crd))

    def _manifests(self, manifest: Any) -> tuple[list[dict], tuple[Kind, ...]]:
        """The documents of `manifest`, and the custom kinds needed to read them (asked of
        the API server only when a document's kind is not a built-in one)."""
        try:
            return load_manifests(manifest), ()
        except ManifestError as error:
            if "no matches for kind" not in error.message:
                raise
        custom = self.custom_kinds()
        return load_manifests(manifest, custom), custom

    def run_controller(self, resource: str, reconcile: Callable, *,
                       watches: Sequence[str] = (), name: str = "", workers: int = 1,
                       leader_election: bool = False) -> Controller:
        """Run `reconcile(ctl, key)` for every change of `resource` (e.g. "webapps") and of
        the objects of `watches` it owns (e.g. ["deployments"]): an operator.

        Returns the Controller (the first replica's): its `errors` and `reconciles` show
        what happened. It runs as the simulation runs (`c.run(seconds)`).
        """
        arguments.text(resource, "resource", 'a resource such as "webapps"')
        if not callable(reconcile):
            raise K8sLabError("reconcile must be a function of (ctl, key), got "
                              f"{arguments.shown(reconcile)}")
        if not isinstance(leader_election, bool):
            raise K8sLabError("leader_election must be True or False, got "
                              f"{arguments.shown(leader_election)}")
        hosts = self.control_planes if leader_election else self.control_planes[:1]
        controllers = []
        for host_name in hosts:
            host = self.network.host(host_name)
            if not host.up:
                continue
            group = host.group(f"controller/{name or resource}")
            controller = Controller(admin_client(group), resource,
                                    reconcile, watches=watches, name=name, workers=workers,
                                    leader_election=leader_election)
            controller.start()
            controllers.append(controller)
        if not controllers:
            raise K8sLabError("every control-plane host is down: nowhere to run a controller")
        return controllers[0]

"""What kube-controller-manager hands each controller it starts: the API client, the shared
informers, the options its flags set, and an event recorder named after the controller.

A controller is a class with `NAME` (its `--controllers` name), built as `Controller(ctx)`
and started with `start()`; it registers informer handlers that add keys to a work queue
(k8slab.client.workqueue) and runs `sync(key)` in workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from k8slab.client.events import EventRecorder
from k8slab.client.informer import SharedInformerFactory
from k8slab.client.rest import Client
from k8slab.sim.host import ProcessGroup

COMPONENT = "kube-controller-manager"


@dataclass(frozen=True)
class ControllerOptions:
    """kube-controller-manager's flags the controllers read, with upstream's defaults
    (cmd/kube-controller-manager/app/options, pkg/controller/*/config/v1alpha1/defaults.go)."""

    concurrent_replicaset_syncs: int = 5
    concurrent_rc_syncs: int = 5
    concurrent_deployment_syncs: int = 5
    concurrent_daemonset_syncs: int = 2
    concurrent_statefulset_syncs: int = 5
    concurrent_job_syncs: int = 5
    concurrent_gc_syncs: int = 20
    node_monitor_period: float = 5.0
    # 50 s since v1.32 (kk PR #126287; 40 s before).
    node_monitor_grace_period: float = 50.0
    node_startup_grace_period: float = 60.0
    node_eviction_rate: float = 0.1
    secondary_node_eviction_rate: float = 0.01
    unhealthy_zone_threshold: float = 0.55
    large_cluster_size_threshold: int = 50


@dataclass
class ControllerContext:
    """The shared parts of one kube-controller-manager process."""

    group: ProcessGroup
    client: Client
    informers: SharedInformerFactory
    options: ControllerOptions = field(default_factory=ControllerOptions)

    def recorder(self, source: str) -> EventRecorder:
        """An EventRecorder whose Events say `source` (e.g. "replicaset-controller") and
        whose trace records are kube-controller-manager's, with `controller=source`."""
        return EventRecorder(self.client, source, trace_component=COMPONENT, controller=source)

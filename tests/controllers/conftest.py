"""Controllers under test against the fake API: seed objects, start a controller, run time."""

from __future__ import annotations

import pytest

from k8slab.api.timestamps import to_micro_time, to_time
from k8slab.client.fake import FakeClient
from k8slab.client.informer import SharedInformerFactory
from k8slab.controllers.context import ControllerContext, ControllerOptions
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network


@pytest.fixture
def fake() -> FakeClient:
    network = Network(Simulation(1))
    host = network.add_host("control-plane")
    host.start()
    return FakeClient(host.group("kube-controller-manager"))


def start(fake: FakeClient, controller_class, **options):
    """Build `controller_class` on the fake API, start it and its informers."""
    ctx = ControllerContext(fake.group, fake, SharedInformerFactory(fake),
                            ControllerOptions(**options))
    controller = controller_class(ctx)
    controller.start()
    ctx.informers.start()
    return controller


def node(name: str, ready: str = "True", *, taints: list | None = None,
         labels: dict | None = None, at: float = 0.0) -> dict:
    """A Node whose kubelet posted Ready=`ready` at time `at`."""
    conditions = [{"type": kind, "status": "False", "lastHeartbeatTime": to_time(at),
                   "lastTransitionTime": to_time(at)}
                  for kind in ("MemoryPressure", "DiskPressure", "PIDPressure")]
    conditions.append({"type": "Ready", "status": ready, "reason": "KubeletReady",
                       "lastHeartbeatTime": to_time(at), "lastTransitionTime": to_time(at)})
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": labels or {}, "uid": f"uid-{name}",
                         "creationTimestamp": to_time(at)},
            "spec": {"taints": list(taints or [])}, "status": {"conditions": conditions}}


def lease(name: str, renewed: float) -> dict:
    """The node's Lease in kube-node-lease, renewed at `renewed`."""
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": name, "namespace": "kube-node-lease"},
            "spec": {"holderIdentity": name, "leaseDurationSeconds": 40,
                     "renewTime": to_micro_time(renewed)}}


def pod(name: str, node_name: str, tolerations: list | None = None, ready: bool = True) -> dict:
    """A running pod bound to `node_name`."""
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}"},
            "spec": {"nodeName": node_name, "containers": [{"name": "c", "image": "nginx"}],
                     "tolerations": list(tolerations or [])},
            "status": {"phase": "Running",
                       "conditions": [{"type": "Ready", "status": str(ready)}]}}


def pod_writes(fake: FakeClient) -> list[tuple[str, str, str]]:
    """The writes to pods and nodes (the Events the recorder stores left out)."""
    return [w for w in fake.writes() if w[1] != "events"]


def keep_renewing(fake: FakeClient, *names: str, every: float = 10.0) -> None:
    """Kubelets that renew their nodes' Leases every `every` seconds, as live ones do."""

    def renew():
        while True:
            yield fake.group.env.timeout(every)
            for found in fake.stored("leases"):
                if found["metadata"]["name"] in names:
                    found = dict(found, spec=dict(
                        found["spec"], renewTime=to_micro_time(fake.group.sim.now)))
                    yield from fake.update(found)

    fake.group.spawn(renew())

"""Builders for the controller tests: a FakeClient world, pods, owners, nodes."""

from __future__ import annotations

from k8slab.api.timestamps import to_time
from k8slab.client.fake import FakeClient
from k8slab.client.informer import SharedInformerFactory
from k8slab.controllers.context import ControllerContext
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network


def fake_world(seed: int = 1) -> FakeClient:
    """A FakeClient in group kube-controller-manager of a started host."""
    network = Network(Simulation(seed))
    host = network.add_host("control-plane")
    host.start()
    return FakeClient(host.group("kube-controller-manager"))


def start(fake: FakeClient, controller_class, seconds: float = 1.0):
    """Build the controller over `fake`, start it and its informers, run `seconds`."""
    factory = SharedInformerFactory(fake)
    controller = controller_class(ControllerContext(fake.group, fake, factory))
    controller.start()
    factory.start()
    fake.group.sim.run(fake.group.sim.now + seconds)
    return controller


def advance(fake: FakeClient, seconds: float) -> None:
    fake.group.sim.run(fake.group.sim.now + seconds)


def replica_set(name="web", replicas=3, labels=None, uid=None, min_ready=0, owner=None):
    labels = labels or {"app": name}
    meta = {"name": name, "namespace": "default", "uid": uid or f"uid-{name}", "generation": 1}
    if owner:
        meta["ownerReferences"] = [owner]
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": meta,
            "spec": {"replicas": replicas, "minReadySeconds": min_ready,
                     "selector": {"matchLabels": dict(labels)},
                     "template": {"metadata": {"labels": dict(labels)},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


def pod(name, labels=None, owner=None, node="", phase="Running", ready=True, ready_at=0.0,
        created=0.0, restarts=0, cost=None, deleting=False, uid=None):
    meta = {"name": name, "namespace": "default", "labels": dict(labels or {"app": "web"}),
            "uid": uid or f"uid-{name}", "creationTimestamp": to_time(created)}
    if owner is not None:
        meta["ownerReferences"] = [{"apiVersion": owner["apiVersion"], "kind": owner["kind"],
                                    "name": owner["metadata"]["name"],
                                    "uid": owner["metadata"]["uid"], "controller": True,
                                    "blockOwnerDeletion": True}]
    if cost is not None:
        meta["annotations"] = {"controller.kubernetes.io/pod-deletion-cost": str(cost)}
    if deleting:
        meta["deletionTimestamp"] = to_time(created)
    status = {"phase": phase,
              "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                              "lastTransitionTime": to_time(ready_at)}],
              "containerStatuses": [{"name": "c", "restartCount": restarts}]}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "nginx"}]},
            "status": status}


def names(objs):
    return [o["metadata"]["name"] for o in objs]

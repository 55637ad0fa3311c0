"""A Deployment controller over a fake API, and the helpers its tests share.

`Harness` seeds objects, starts the controller, and lets a test act as the ReplicaSet
controller and the kubelets would: `settle` reports each ReplicaSet's pods as existing and
(some of them) available, which is what moves a rollout on.
"""

from __future__ import annotations

import copy

import pytest

from k8slab.client.fake import FakeClient, _answer
from k8slab.client.informer import SharedInformerFactory
from k8slab.controllers.context import ControllerContext
from k8slab.controllers.deployment import DeploymentController
from k8slab.controllers.deployment.hash import compute_hash
from k8slab.errors import ConflictError
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network


class DeploymentStatusFake(FakeClient):
    """The fake, with the Deployment status strategy of the API server: an UpdateStatus keeps
    the request's metadata but for labels (kk pkg/registry/apps/deployment/strategy.go
    deploymentStatusStrategy.PrepareForUpdate resets only spec and labels), which is how the
    controller writes the Deployment's revision annotation."""

    def update_status(self, obj):
        if obj.get("kind") != "Deployment":
            return super().update_status(obj)
        key = f"{obj['metadata']['namespace']}/{obj['metadata']['name']}"
        self.actions.append(("update_status", "deployments", key))
        current = self._existing("deployments", key, obj["metadata"]["name"])
        if obj["metadata"].get("resourceVersion") != current["metadata"]["resourceVersion"]:
            raise ConflictError('Operation cannot be fulfilled on deployments.apps "web": the '
                                "object has been modified; please apply your changes to the "
                                "latest version and try again")
        merged = copy.deepcopy(obj)
        merged["spec"] = copy.deepcopy(current["spec"])
        merged["metadata"]["labels"] = copy.deepcopy(current["metadata"].get("labels"))
        merged["metadata"]["generation"] = current["metadata"].get("generation", 1)
        return _answer(copy.deepcopy(self._store("deployments", merged, "MODIFIED")))


def template(image: str = "nginx:1.27") -> dict:
    """A pod template labelled app=web."""
    return {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "app", "image": image}]}}


def deployment(replicas: int = 10, surge: int | str = "25%", unavailable: int | str = "25%",
               image: str = "nginx:1.27", **spec) -> dict:
    """A Deployment "web" in default, RollingUpdate unless `strategy` says otherwise."""
    body = {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
            "template": template(image),
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}},
            **spec}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default", "uid": "uid-web",
                         "generation": 1}, "spec": body}


def replica_set(d: dict, image: str, replicas: int, revision: int, available: int | None = None,
                owned: bool = True, created: str = "2025-12-31T00:00:00Z") -> dict:
    """A ReplicaSet as the controller would have made it for `image`, with its pods reported."""
    tpl = template(image)
    pod_hash = compute_hash(tpl)
    tpl["metadata"]["labels"]["pod-template-hash"] = pod_hash
    available = replicas if available is None else available
    meta = {"name": f"web-{pod_hash}", "namespace": "default", "uid": f"uid-rs-{image}",
            "labels": dict(tpl["metadata"]["labels"]), "generation": 1,
            "creationTimestamp": created,
            "annotations": {"deployment.kubernetes.io/revision": str(revision)}}
    if owned:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                                    "uid": d["metadata"]["uid"], "controller": True,
                                    "blockOwnerDeletion": True}]
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": meta,
            "spec": {"replicas": replicas, "selector": {"matchLabels": dict(
                tpl["metadata"]["labels"])}, "template": tpl},
            "status": {"replicas": replicas, "readyReplicas": available,
                       "availableReplicas": available, "observedGeneration": 1}}


class Harness:
    """The controller under test, its fake API and simulated time."""

    def __init__(self, *objects: dict) -> None:
        network = Network(Simulation(1))
        host = network.add_host("control-plane")
        host.start()
        self.fake = DeploymentStatusFake(host.group("kube-controller-manager"))
        self.sim = self.fake.group.sim
        for obj in objects:
            self.fake.add(obj)
        informers = SharedInformerFactory(self.fake)
        self.controller = DeploymentController(
            ControllerContext(self.fake.group, self.fake, informers))
        self.controller.start()
        informers.start()
        self.run()

    def run(self, seconds: float = 1.0) -> None:
        """Let the controller work for `seconds` of simulated time."""
        self.sim.run(seconds)

    def deployment(self) -> dict:
        """The stored Deployment."""
        return self.fake.stored("deployments")[0]

    def update(self, change) -> None:
        """Change the Deployment's spec as kubectl would (a PUT), then let the controller run."""
        d = copy.deepcopy(self.deployment())
        change(d["spec"])
        self.fake.group.sim.run_process(self.fake.group.spawn(self.fake.update(d)), 1)
        self.run()

    def replica_sets(self) -> list[dict]:
        """The stored ReplicaSets, oldest revision first."""
        return sorted(self.fake.stored("replicasets"), key=lambda rs: int(
            rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]))

    def sizes(self) -> tuple[int, int]:
        """(new ReplicaSet's spec.replicas, the old ones' together)."""
        image = self.deployment()["spec"]["template"]["spec"]["containers"][0]["image"]
        new = old = 0
        for rs in self.fake.stored("replicasets"):
            if rs["spec"]["template"]["spec"]["containers"][0]["image"] == image:
                new += rs["spec"]["replicas"]
            else:
                old += rs["spec"]["replicas"]
        return new, old

    def settle(self, available: dict[str, int] | None = None) -> None:
        """Report every ReplicaSet's pods as existing and available (or `available[name]` of
        them), as the ReplicaSet controller would once the kubelets made them ready."""
        for rs in self.fake.stored("replicasets"):
            rs = copy.deepcopy(rs)
            want = rs["spec"]["replicas"]
            ready = min(want, (available or {}).get(rs["metadata"]["name"], want))
            rs["status"] = {"replicas": want, "readyReplicas": ready, "availableReplicas": ready,
                            "observedGeneration": rs["metadata"]["generation"]}
            self.fake.add(rs)
        self.run()

    def events(self, reason: str = "ScalingReplicaSet") -> list[str]:
        """The messages of the Events traced with this reason, in order."""
        return [r.details["message"] for r in self.sim.trace.where(kind=reason)]

    def condition(self, kind: str) -> dict | None:
        """The Deployment's condition of this type."""
        for condition in (self.deployment().get("status") or {}).get("conditions") or []:
            if condition["type"] == kind:
                return condition
        return None


@pytest.fixture
def harness():
    return Harness

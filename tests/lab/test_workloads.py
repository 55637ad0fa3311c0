"""Workloads on a running cluster: a bad Deployment is refused with upstream's words and
nothing changes; deleting a Deployment takes its ReplicaSets and pods with it (background
cascading, the garbage collector), and orphaning keeps them."""

from __future__ import annotations

import copy

import pytest

from k8slab import Cluster
from k8slab.errors import K8sLabError

DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
              "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [{"name": "web",
                                                             "image": "nginx:1.27"}]}}}}


def deployment(**spec) -> dict:
    made = copy.deepcopy(DEPLOYMENT)
    made["spec"].update(spec)
    return made


@pytest.fixture
def cluster() -> Cluster:
    return Cluster(workers=2, seed=3)


@pytest.mark.parametrize(("spec", "message"), [
    ({"template": {"metadata": {"labels": {"app": "other"}},
                   "spec": DEPLOYMENT["spec"]["template"]["spec"]}},
     'spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` does not '
     "match template `labels`"),
    ({"replicas": -1}, "spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
    ({"strategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}},
     "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when "
     "`maxSurge` is 0"),
])
def test_an_invalid_deployment_is_refused_and_nothing_is_stored(cluster, spec, message):
    with pytest.raises(K8sLabError, match="is invalid") as caught:
        cluster.apply(deployment(**spec))
    assert message in str(caught.value)
    cluster.run(5)
    # only what kubeadm's addon phase stored: CoreDNS's Deployment and its ReplicaSet
    assert [name_of(d) for d in cluster.list("deployments")] == ["kube-system/coredns"]
    assert [name_of(r) for r in cluster.list("replicasets")] == ["kube-system/coredns-9fdf59497"]
    assert str(cluster.etcdctl("get /registry/deployments --prefix --keys-only")) == (
        "/registry/deployments/kube-system/coredns\n")


def name_of(obj: dict) -> str:
    return f"{obj['metadata']['namespace']}/{obj['metadata']['name']}"


def test_a_deployments_selector_is_immutable(cluster):
    cluster.apply(DEPLOYMENT)
    cluster.run(10)
    changed = deployment(selector={"matchLabels": {"app": "web", "tier": "x"}})
    changed["spec"]["template"]["metadata"]["labels"] = {"app": "web", "tier": "x"}
    with pytest.raises(K8sLabError, match="spec.selector: Invalid value: .*field is immutable"):
        cluster.apply(changed)
    assert cluster.get("deployments", "web")["spec"]["selector"] == DEPLOYMENT["spec"]["selector"]


def test_deleting_a_deployment_cascades_to_its_replica_sets_and_pods(cluster):
    cluster.apply(DEPLOYMENT)
    cluster.run(20)
    assert len(cluster.list("pods", "default")) == 3
    assert cluster.kubectl("delete deployment web") == (
        'deployment.apps "web" deleted from default namespace')
    cluster.run(40)  # the GC deletes the ReplicaSet, then its pods (30 s to stop each)
    assert cluster.list("replicasets", "default") == []
    assert cluster.list("pods", "default") == []
    deleted = [r.obj for r in cluster.trace.where(component="apiserver", kind="delete")]
    assert any(obj.startswith("replicaset/default/web-") for obj in deleted)


def test_orphaning_keeps_the_replica_set_without_its_owner(cluster):
    cluster.apply(DEPLOYMENT)
    cluster.run(20)
    cluster.kubectl("delete deployment web --cascade=orphan")
    cluster.run(20)
    [rs] = cluster.list("replicasets", "default")
    assert "ownerReferences" not in rs["metadata"]
    assert len(cluster.list("pods", "default")) == 3

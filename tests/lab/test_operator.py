"""An operator in ten lines: a WebApp custom resource whose reconcile creates a Deployment it
owns and reports readyReplicas; kubectl gets, scales and deletes it, and deleting it
garbage-collects the Deployment. A reconcile that raises is retried, never fatal."""

import pytest

from k8slab.errors import K8sLabError
from k8slab.lab.cluster import Cluster

CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: webapps.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: webapps, kind: WebApp, shortNames: [wa]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.readyReplicas}
    additionalPrinterColumns:
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Ready, type: integer, jsonPath: .status.readyReplicas}
    - {name: Image, type: string, jsonPath: .spec.image, priority: 1}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [image]
            properties:
              image: {type: string}
              replicas: {type: integer, minimum: 0, default: 1}
          status:
            type: object
            properties:
              readyReplicas: {type: integer}
"""
WEB = {"apiVersion": "example.com/v1", "kind": "WebApp", "metadata": {"name": "web"},
       "spec": {"image": "nginx", "replicas": 2}}


def reconcile(ctl, key):
    app = ctl.get(key)
    if app is None:
        return
    name, labels = app["metadata"]["name"], {"app": app["metadata"]["name"]}
    template = {"metadata": {"labels": labels},
                "spec": {"containers": [{"name": "web", "image": app["spec"]["image"]}]}}
    yield from ctl.ensure(app, {"apiVersion": "apps/v1", "kind": "Deployment",
                                "metadata": {"name": name, "labels": labels},
                                "spec": {"replicas": app["spec"]["replicas"],
                                         "selector": {"matchLabels": labels},
                                         "template": template}})
    ready = sum(d.get("status", {}).get("readyReplicas", 0)
                for d in ctl.owned_by(app, "deployments"))
    yield from ctl.update_status(app, {"readyReplicas": ready})


@pytest.fixture(scope="module")
def cluster():
    c = Cluster(2, seed=5)
    assert c.apply(CRD) == ["customresourcedefinition.apiextensions.k8s.io/"
                            "webapps.example.com created"]
    c.run(1)
    return c


def test_the_operator_reconciles_scales_and_cleans_up(cluster):
    c = cluster
    ctl = c.run_controller("webapps", reconcile, watches=["deployments"])
    assert c.apply(WEB) == ["webapp.example.com/web created"]
    c.run(30)
    assert ctl.errors == []
    deployment = c.get("deployments", "web")
    assert [(r["kind"], r["name"], r["controller"]) for r in
            deployment["metadata"]["ownerReferences"]] == [("WebApp", "web", True)]
    assert c.get("webapps", "web")["status"] == {"readyReplicas": 2}
    assert c.kubectl("get webapps") == ("NAME   REPLICAS   READY\n"
                                        "web    2          2")
    assert c.kubectl("get wa -o wide").splitlines()[0].split() == [
        "NAME", "REPLICAS", "READY", "IMAGE"]
    created = c.get("customresourcedefinitions", "webapps.example.com", None)["metadata"][
        "creationTimestamp"]
    assert c.kubectl("get crd").splitlines() == ["NAME                  CREATED AT",
                                                 f"webapps.example.com   {created}"]
    assert c.kubectl("scale webapp/web --replicas=3") == "webapp.example.com/web scaled"
    c.run(30)
    assert c.get("deployments", "web")["spec"]["replicas"] == 3
    assert c.get("webapps", "web")["status"] == {"readyReplicas": 3}
    assert c.kubectl("delete webapp web") == 'webapp.example.com "web" deleted from default ' \
                                             "namespace"
    c.run(15)
    assert c.list("deployments", "default") == []
    assert c.list("pods", "default") == []


def test_a_reconcile_that_raises_is_retried_with_back_off(cluster):
    c = cluster
    calls = []

    def broken(ctl, key):
        calls.append(c.now)
        raise KeyError("spec")

    ctl = c.run_controller("webapps", broken, name="broken")
    c.apply(dict(WEB, metadata={"name": "other"}))
    c.run(2)
    assert 3 < len(ctl.errors) == len(calls) < 20  # not a hot loop: 5 ms, 10 ms, 20 ms...
    assert ctl.errors[0][1:] == ("default/other", "KeyError: 'spec'")
    gaps = [b - a for a, b in zip(calls, calls[1:], strict=False)]
    assert gaps[-1] > 0.25 > gaps[0]  # the per-key back-off grows
    assert c.trace.where(component="controller", kind="reconcile error")
    c.kubectl("get pods")  # the simulation runs on


def test_bad_operator_arguments_are_refused(cluster):
    with pytest.raises(K8sLabError, match="reconcile must be a function"):
        cluster.run_controller("webapps", "not a function")
    with pytest.raises(K8sLabError, match="watches is a list of resources"):
        cluster.run_controller("webapps", reconcile, watches="deployments")
    with pytest.raises(K8sLabError, match='is invalid: spec.replicas: Invalid value: -1'):
        cluster.apply(dict(WEB, metadata={"name": "neg"}, spec={"image": "x", "replicas": -1}))


def test_another_cluster_does_not_know_the_kind(cluster):
    other = Cluster(0, seed=6, skip_phases=["addon"])
    with pytest.raises(K8sLabError, match='no matches for kind "WebApp"'):
        other.apply(WEB)
    assert cluster.get("customresourcedefinitions", "webapps.example.com", None)


def test_a_deleted_namespace_loses_its_custom_objects(cluster):
    c = cluster
    c.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    c.apply(dict(WEB, metadata={"name": "web", "namespace": "team"}))
    assert [o["metadata"]["name"] for o in c.list("webapps", "team")] == ["web"]
    c.kubectl("delete namespace team")
    assert c.list("webapps", "team") == []
    assert "team" not in [n["metadata"]["name"] for n in c.list("namespaces")]

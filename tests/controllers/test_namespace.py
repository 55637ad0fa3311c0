"""The namespace controller: a Terminating namespace is emptied (pods gracefully), then its
`kubernetes` finalizer is removed and the namespace goes; other namespaces are left alone."""

from k8slab.controllers.namespace import RESOURCES
from k8slab.controllers.namespace_conditions import deletion_conditions
from k8slab.lab.cluster import Cluster

DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment",
              "metadata": {"name": "web", "namespace": "team"},
              "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [{"name": "nginx",
                                                             "image": "nginx:1.27"}]}}}}


def test_every_namespaced_kind_is_emptied_once():
    assert "pods" in RESOURCES and "configmaps" in RESOURCES and "nodes" not in RESOURCES
    assert len(RESOURCES) == len(set(RESOURCES))


def test_a_deleted_namespace_is_emptied_then_removed():
    # The addons play no part in a namespace of one's own.
    c = Cluster(1, skip_phases=["addon"])
    c.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    c.apply([DEPLOYMENT, {"apiVersion": "v1", "kind": "ConfigMap",
                          "metadata": {"name": "cfg", "namespace": "team"}, "data": {"a": "b"}},
             dict(DEPLOYMENT, metadata={"name": "web", "namespace": "default"})])
    c.run(10)
    assert len(c.list("pods", "team")) == 2
    assert c.kubectl("delete namespace team --wait=false") == 'namespace "team" deleted'
    c.run(1)
    assert c.get("namespaces", "team")["status"]["phase"] == "Terminating"
    c.run(60)
    assert [n["metadata"]["name"] for n in c.list("namespaces")] == [
        "default", "kube-node-lease", "kube-public", "kube-system"]
    for resource in ("pods", "deployments", "replicasets", "configmaps"):
        assert c.list(resource, "team") == []
    # Pods went through graceful deletion: the kubelet stopped them before they were removed.
    killed = [r for r in c.trace.where(component="kubelet", kind="Killing")
              if "/team/" in r.obj]
    assert len(killed) == 2
    assert len(c.list("pods", "default")) == 2  # another namespace is untouched


def test_kubectl_delete_namespace_waits_until_it_is_gone():
    c = Cluster(1, skip_phases=["addon"])
    c.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    c.apply(DEPLOYMENT)
    c.run(10)
    assert c.kubectl("delete namespace team") == 'namespace "team" deleted'
    assert "team" not in [n["metadata"]["name"] for n in c.list("namespaces")]


def test_a_terminating_namespace_shows_upstreams_conditions():
    c = Cluster(1, skip_phases=["addon"])
    c.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    c.apply({"apiVersion": "v1", "kind": "ConfigMap",
             "metadata": {"name": "held", "namespace": "team", "finalizers": ["example.com/hold"]},
             "data": {"a": "b"}})
    c.run(2)
    c.kubectl("delete namespace team --wait=false")
    c.run(5)
    conditions = {x["type"]: x for x in c.get("namespaces", "team")["status"]["conditions"]}
    assert (conditions["NamespaceContentRemaining"]["status"],
            conditions["NamespaceContentRemaining"]["message"]) == (
        "True", "Some resources are remaining: configmaps has 1 resource instances")
    assert conditions["NamespaceFinalizersRemaining"]["message"] == (
        "Some content in the namespace has finalizers remaining: example.com/hold in 1 "
        "resource instances")
    assert conditions["NamespaceDeletionDiscoveryFailure"]["reason"] == "ResourcesDiscovered"
    assert conditions["NamespaceDeletionContentFailure"]["status"] == "False"
    assert len(conditions) == 5
    text = c.kubectl("describe namespace team")
    lines = text.splitlines()
    assert lines[:4] == ["Name:         team",
                         "Labels:       <none>",
                         "Annotations:  <none>",
                         "Status:       Terminating"]
    # Columns as wide as the longest cell plus two (NamespaceDeletionGroupVersionParsingFailure,
    # SomeFinalizersRemain), as kubectl's tabwriter pads them.
    assert lines[4:6] == ["Conditions:", "  Type" + " " * 41 + "Status  LastTransitionTime"
                          + " " * 15 + "Reason" + " " * 16 + "Message"]
    assert any(line.startswith("  NamespaceContentRemaining") and line.endswith(
        "SomeResourcesRemain   Some resources are remaining: configmaps has 1 resource "
        "instances") for line in lines)
    assert lines[-3:] == ["No resource quota.", "", "No LimitRange resource."]
    assert deletion_conditions({}, {}, [])["NamespaceContentRemaining"] == (
        "False", "ContentRemoved", "All content successfully removed")

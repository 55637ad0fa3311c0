"""managedFields on a running cluster: `apply` and `create` name kubectl's field managers, the
kubelet's status writes are recorded against the status subresource, and `kubectl get -o yaml`
(or json) leaves them out, as real kubectl does unless --show-managed-fields."""

from __future__ import annotations

import json

import pytest

from k8slab import Cluster


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    c = Cluster(workers=1, seed=3)
    c.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
             "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    c.run(10)
    return c


def test_apply_is_kubectl_client_side_apply_and_the_status_is_a_subresource_write(cluster):
    entries = cluster.get("pods", "web")["metadata"]["managedFields"]
    first = entries[0]
    assert (first["manager"], first["operation"], first["apiVersion"]) == \
        ("kubectl-client-side-apply", "Update", "v1")
    assert "f:spec" in first["fieldsV1"] and "subresource" not in first
    # The kubelet writes status (its client sends no User-Agent in the lab: no manager name).
    status = [e for e in entries if e.get("subresource") == "status"]
    assert status and "f:status" in status[0]["fieldsV1"]


def test_kubectl_get_yaml_and_json_hide_managed_fields(cluster):
    assert "managedFields" not in cluster.kubectl("get pod web -o yaml")
    document = json.loads(cluster.kubectl("get pods -o json"))
    assert document["items"] and all("managedFields" not in item["metadata"]
                                      for item in document["items"])
    shown = cluster.kubectl("get pod web -o yaml --show-managed-fields")
    assert "managedFields:" in shown and "manager: kubectl-client-side-apply" in shown

"""`kubectl delete namespace` on a lab cluster: the namespace is listed Terminating, refuses new
content, and the system namespaces cannot be deleted (no namespace controller runs yet)."""

from __future__ import annotations

import pytest

from k8slab import Cluster
from k8slab.errors import ForbiddenError
from k8slab.lab.apply import ApplyError


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    c = Cluster(workers=1, seed=3, skip_phases=["addon"])
    c.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    return c


def test_a_deleted_namespace_is_listed_terminating_and_refuses_content(cluster: Cluster) -> None:
    assert cluster.kubectl("delete namespace team --wait=false") == 'namespace "team" deleted'
    rows = {line.split()[0]: line.split()[1] for line in cluster.kubectl("get ns").splitlines()}
    assert rows["team"] == "Terminating" and rows["default"] == "Active"
    with pytest.raises(ApplyError) as refused:
        cluster.apply({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": "late", "namespace": "team"}})
    assert str(refused.value) == (
        'Error from server (Forbidden): error when creating "STDIN": configmaps "late" is '
        "forbidden: unable to create new content in namespace team because it is being "
        "terminated")


def test_kubectl_cannot_delete_the_default_namespace(cluster: Cluster) -> None:
    with pytest.raises(ForbiddenError, match='namespaces "default" is forbidden'):
        cluster.kubectl("delete namespace default")
    assert "default" in cluster.kubectl("get ns default")

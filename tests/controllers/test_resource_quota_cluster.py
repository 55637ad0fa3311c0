"""ResourceQuota in a running cluster: the third pod under `pods: 2` is refused with upstream's
403, a Deployment of 3 leaves its ReplicaSet a FailedCreate event, and a deleted pod frees its
slot once the resource quota controller has recounted."""

import pytest

from k8slab.lab.apply import ApplyError
from k8slab.lab.cluster import Cluster


def quota(namespace: str, pods: str = "2") -> dict:
    return {"apiVersion": "v1", "kind": "ResourceQuota",
            "metadata": {"name": "pods-2", "namespace": namespace},
            "spec": {"hard": {"pods": pods}}}


def pod(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}


DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment",
              "metadata": {"name": "web", "namespace": "team"},
              "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [{"name": "nginx",
                                                             "image": "nginx:1.27"}]}}}}


@pytest.fixture(scope="module")
def cluster():
    c = Cluster(1, skip_phases=["addon"])
    c.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    c.apply([quota("default"), quota("team")])
    c.run(2)
    return c


def used(c: Cluster, namespace: str) -> dict:
    return c.get("resourcequotas", "pods-2", namespace)["status"]["used"]


def test_the_third_pod_is_refused_and_a_deleted_one_frees_its_slot(cluster):
    c = cluster
    assert c.get("resourcequotas", "pods-2", "default")["status"] == {
        "hard": {"pods": "2"}, "used": {"pods": "0"}}
    c.apply([pod("a"), pod("b")])
    with pytest.raises(ApplyError) as refused:
        c.apply(pod("c"))
    assert str(refused.value) == (
        'Error from server (Forbidden): error when creating "STDIN": pods "c" is forbidden: '
        "exceeded quota: pods-2, requested: pods=1, used: pods=2, limited: pods=2")
    assert c.kubectl("delete pod a") == 'pod "a" deleted from default namespace'
    c.run(2)
    assert used(c, "default") == {"pods": "1"}
    c.apply(pod("c"))
    assert sorted(p["metadata"]["name"] for p in c.list("pods", "default")) == ["b", "c"]


def test_a_deployment_of_three_under_the_quota_gets_two_pods_and_a_failed_create(cluster):
    c = cluster
    c.apply(DEPLOYMENT)
    c.run(10)
    assert len(c.list("pods", "team")) == 2
    assert used(c, "team") == {"pods": "2"}
    failed = [e for e in c.list("events", "team") if e.get("reason") == "FailedCreate"]
    assert failed and failed[0]["involvedObject"]["kind"] == "ReplicaSet"
    message = failed[0]["message"]
    assert message.startswith('Error creating: pods "web-')
    assert message.endswith('" is forbidden: exceeded quota: pods-2, requested: pods=1, '
                            "used: pods=2, limited: pods=2")
    rs = c.list("replicasets", "team")[0]
    assert rs["status"]["replicas"] == 2 and rs["spec"]["replicas"] == 3
    header, row = c.kubectl("get quota -n team").splitlines()
    assert header.split() == ["NAME", "AGE", "REQUEST", "LIMIT"]
    assert row.split()[0] == "pods-2" and row.endswith("pods: 2/2   ")

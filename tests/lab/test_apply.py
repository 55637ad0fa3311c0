"""Multi-document apply and create, as kubectl does them: read and validate everything first,
then send each document in order, report each, keep going past a refusal, fail at the end."""

from __future__ import annotations

import pytest

from k8slab import Cluster
from k8slab.errors import K8sLabError
from k8slab.lab.apply import ApplyError, source_name


def pod(name: str, container: str = "c", namespace: str = "") -> str:
    ns = f"\n  namespace: {namespace}" if namespace else ""
    return (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}{ns}\n"
            f"spec:\n  containers:\n  - name: {container}\n    image: nginx\n")


@pytest.fixture
def cluster() -> Cluster:
    return Cluster(workers=1)


def names(cluster: Cluster) -> list[str]:
    return sorted(p["metadata"]["name"] for p in cluster.list("pods", "default"))


def test_each_document_is_reported_in_order(cluster):
    assert cluster.apply(pod("a")) == ["pod/a created"]
    assert cluster.apply("---\n".join([pod("a"), pod("b")])) == [
        "pod/a unchanged", "pod/b created"]


def test_a_refused_document_fails_alone_and_the_others_stand(cluster):
    cluster.apply(pod("a"))
    text = "---\n".join([pod("b"), pod("a", container="renamed"), pod("c", namespace="nowhere"),
                         pod("d")])
    with pytest.raises(ApplyError) as raised:
        cluster.apply(text)
    error = raised.value
    assert error.failed == [2, 3]
    assert error.results[0] == "pod/b created" and error.results[3] == "pod/d created"
    assert error.results[1].startswith(
        'Error from server (Invalid): error when applying patch to "STDIN": ')
    assert error.results[2] == ('Error from server (NotFound): error when creating "STDIN": '
                                'namespaces "nowhere" not found')
    assert str(error).splitlines() == [error.results[1], error.results[2],
                                       "2 of 4 documents failed"]
    assert names(cluster) == ["a", "b", "d"]


def test_create_refuses_a_taken_name_in_kubectls_words_and_creates_the_rest(cluster):
    cluster.apply(pod("a"))
    with pytest.raises(ApplyError) as raised:
        cluster.create("---\n".join([pod("a"), pod("b")]))
    assert raised.value.results == [
        'Error from server (AlreadyExists): error when creating "STDIN": pods "a" already exists',
        "pod/b created"]
    assert names(cluster) == ["a", "b"]


def test_a_document_that_does_not_read_refuses_the_whole_input(cluster):
    with pytest.raises(K8sLabError, match="document 2") as raised:
        cluster.apply(pod("a") + "---\n" + pod("b").replace("image: nginx", "image: [1]"))
    assert not isinstance(raised.value, ApplyError)
    assert names(cluster) == []


@pytest.mark.parametrize(("manifest", "name"), [
    ("pods.yaml", "pods.yaml"), (pod("a"), "STDIN"), ({"kind": "Pod"}, "STDIN")])
def test_errors_name_the_input_as_kubectl_does(manifest, name):
    assert source_name(manifest) == name


def test_lines_name_a_kind_outside_the_core_group_with_its_group() -> None:
    # kubectl's name printer: lowercase kind, then ".<group>" unless the group is core.
    c = Cluster(workers=0, seed=3)
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
             "metadata": {"name": "lock", "namespace": "default"},
             "spec": {"holderIdentity": "me"}}
    assert c.apply(lease) == ["lease.coordination.k8s.io/lock created"]
    assert c.apply(lease) == ["lease.coordination.k8s.io/lock unchanged"]


def test_apply_sees_a_change_outside_spec_and_data(cluster):
    config = {"apiVersion": "admissionregistration.k8s.io/v1",
              "kind": "ValidatingWebhookConfiguration", "metadata": {"name": "v"},
              "webhooks": [{"name": "v.example.com", "failurePolicy": "Fail",
                            "sideEffects": "None", "admissionReviewVersions": ["v1"],
                            "clientConfig": {"service": {"name": "v", "namespace": "default"}}}]}
    assert cluster.apply(config) == [
        "validatingwebhookconfiguration.admissionregistration.k8s.io/v created"]
    config["webhooks"][0]["failurePolicy"] = "Ignore"
    assert cluster.apply(config) == [
        "validatingwebhookconfiguration.admissionregistration.k8s.io/v configured"]
    stored = cluster.get("validatingwebhookconfigurations", "v", None)
    assert stored["webhooks"][0]["failurePolicy"] == "Ignore"

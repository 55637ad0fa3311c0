"""Kinds: the table, kubectl resource names, etcd keys and trace references."""

import dataclasses

import pytest

from k8slab.api.kinds import (
    KINDS,
    LEASE,
    NODE,
    POD,
    Kind,
    kind_info,
    object_ref,
    registry_key,
    registry_prefix,
    resource_info,
)
from k8slab.errors import BadRequestError, K8sLabError, ManifestError


def test_the_modelled_kinds():
    assert [(k.kind, k.api_version, k.resource, k.namespaced) for k in KINDS] == [
        ("Pod", "v1", "pods", True),
        ("Node", "v1", "nodes", False),
        ("Namespace", "v1", "namespaces", False),
        ("Lease", "coordination.k8s.io/v1", "leases", True),
        ("Event", "v1", "events", True),
        ("ReplicationController", "v1", "replicationcontrollers", True),
        ("Deployment", "apps/v1", "deployments", True),
        ("ReplicaSet", "apps/v1", "replicasets", True),
        ("DaemonSet", "apps/v1", "daemonsets", True),
        ("StatefulSet", "apps/v1", "statefulsets", True),
        ("Job", "batch/v1", "jobs", True),
        ("Event", "events.k8s.io/v1", "events", True),
        ("Service", "v1", "services", True),
        ("EndpointSlice", "discovery.k8s.io/v1", "endpointslices", True),
        ("ConfigMap", "v1", "configmaps", True),
        ("MutatingWebhookConfiguration", "admissionregistration.k8s.io/v1",
         "mutatingwebhookconfigurations", False),
        ("ValidatingWebhookConfiguration", "admissionregistration.k8s.io/v1",
         "validatingwebhookconfigurations", False),
        ("LimitRange", "v1", "limitranges", True),
        ("ResourceQuota", "v1", "resourcequotas", True),
        ("PriorityClass", "scheduling.k8s.io/v1", "priorityclasses", False),
        ("Role", "rbac.authorization.k8s.io/v1", "roles", True),
        ("ClusterRole", "rbac.authorization.k8s.io/v1", "clusterroles", False),
        ("RoleBinding", "rbac.authorization.k8s.io/v1", "rolebindings", True),
        ("ClusterRoleBinding", "rbac.authorization.k8s.io/v1", "clusterrolebindings", False),
        ("ServiceAccount", "v1", "serviceaccounts", True),
        ("CustomResourceDefinition", "apiextensions.k8s.io/v1", "customresourcedefinitions",
         False),
        ("Secret", "v1", "secrets", True),
    ]


def test_kind_records_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        POD.kind = "Other"


def test_group_and_qualified_kind():
    assert POD.group == "" and POD.qualified_kind == "Pod"
    assert LEASE.group == "coordination.k8s.io"
    assert LEASE.qualified_kind == "Lease.coordination.k8s.io"


def test_kind_info_checks_the_version_when_given():
    assert kind_info("Pod") is POD
    assert kind_info("Lease", "coordination.k8s.io/v1") is LEASE


@pytest.mark.parametrize(
    ("kind", "version", "message"),
    [
        ("Foo", "v1", 'no matches for kind "Foo" in version "v1"'),
        ("Pod", "apps/v1", 'no matches for kind "Pod" in version "apps/v1"'),
        ("CronJob", None, 'no matches for kind "CronJob"'),
        ("Deployment", "extensions/v1beta1",
         'no matches for kind "Deployment" in version "extensions/v1beta1"'),
    ],
)
def test_unknown_kinds_are_refused_in_kubectl_words(kind, version, message):
    with pytest.raises(ManifestError) as caught:
        kind_info(kind, version)
    assert str(caught.value).startswith(message)
    assert "Pod (v1), Node (v1), Namespace (v1), Lease (coordination.k8s.io/v1)" in str(
        caught.value
    )


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("pods", "Pod"),
        ("pod", "Pod"),
        ("po", "Pod"),
        ("Pods", "Pod"),
        ("nodes", "Node"),
        ("node", "Node"),
        ("no", "Node"),
        ("namespaces", "Namespace"),
        ("namespace", "Namespace"),
        ("ns", "Namespace"),
        ("leases", "Lease"),
        ("lease", "Lease"),
        ("leases.coordination.k8s.io", "Lease"),
        ("deploy", "Deployment"),
        ("deployments.apps", "Deployment"),
        ("rs", "ReplicaSet"),
        ("rc", "ReplicationController"),
        ("ds", "DaemonSet"),
        ("sts", "StatefulSet"),
        ("jobs.batch", "Job"),
        ("ev", "Event"),
    ],
)
def test_resource_names_kubectl_accepts(name, kind):
    assert resource_info(name).kind == kind


def test_the_two_event_views_share_one_storage():
    assert resource_info("events").api_version == "v1"
    assert resource_info("events.events.k8s.io").api_version == "events.k8s.io/v1"
    assert registry_prefix(resource_info("events.events.k8s.io")) == "/registry/events/"


def test_unknown_resource_names():
    with pytest.raises(K8sLabError, match=r"resource type \"cronjobs\".*pods \(po\)"):
        resource_info("cronjobs")


@pytest.mark.parametrize(
    ("kind", "namespace", "name", "key"),
    [
        ("Pod", "default", "web", "/registry/pods/default/web"),
        ("Node", None, "node-1", "/registry/minions/node-1"),
        ("Node", "ignored", "node-1", "/registry/minions/node-1"),
        ("Namespace", None, "dev", "/registry/namespaces/dev"),
        (LEASE, "kube-node-lease", "node-1", "/registry/leases/kube-node-lease/node-1"),
    ],
)
def test_registry_keys(kind, namespace, name, key):
    assert registry_key(kind, namespace, name) == key


def test_nodes_live_under_minions():
    assert NODE.storage_prefix == "minions"


@pytest.mark.parametrize(
    ("namespace", "name", "message"),
    [
        (None, "web", "Namespace parameter required."),
        ("", "web", "Namespace parameter required."),
        ("default", "", "Name parameter required."),
        ("default", "a/b", "may not contain '/'"),
        ("default", "..", "may not be '..'"),
    ],
)
def test_bad_key_parts_are_bad_requests(namespace, name, message):
    with pytest.raises(BadRequestError, match=message.replace(".", r"\.")):
        registry_key("Pod", namespace, name)


def test_registry_prefixes_end_in_a_slash():
    assert registry_prefix("Pod") == "/registry/pods/"
    assert registry_prefix("Pod", "dev") == "/registry/pods/dev/"
    assert not registry_key("Pod", "dev2", "x").startswith(registry_prefix("Pod", "dev"))
    assert registry_prefix(NODE, "anything") == "/registry/minions/"


def test_object_refs_name_objects_in_the_trace():
    pod = {"kind": "Pod", "metadata": {"namespace": "default", "name": "web"}}
    node = {"kind": "Node", "metadata": {"name": "node-1"}}
    other = {"kind": "ConfigMap", "metadata": {"namespace": "a", "name": "b"}}
    assert object_ref(pod) == "pod/default/web"
    assert object_ref(node) == "node/node-1"
    assert object_ref(other) == "configmap/a/b"


def test_kind_is_a_plain_dataclass():
    assert Kind("X", "v1", "xs", True, "xs").short_names == ()

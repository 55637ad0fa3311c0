"""Validation: the API server's messages, field paths and aggregation."""

import copy

import pytest

from k8slab.api.defaults import apply_defaults
from k8slab.api.kinds import POD
from k8slab.api.quantity import FORMAT_ERROR
from k8slab.api.validation import (
    check_shape,
    dns1123_label_errors,
    dns1123_subdomain_errors,
    field_errors,
    invalid,
    invalid_error,
    qualified_name_errors,
    required,
    validate,
)
from k8slab.errors import InvalidError, ManifestError

SUBDOMAIN_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_MESSAGE = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)


def pod(**spec_changes):
    obj = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"containers": [{"name": "web", "image": "nginx"}]},
    }
    obj["spec"].update(spec_changes)
    return obj


def with_container(**fields):
    return pod(containers=[{"name": "web", "image": "nginx", **fields}])


def message(obj):
    with pytest.raises(InvalidError) as caught:
        validate(obj)
    assert caught.value.code == 422 and caught.value.reason == "Invalid"
    return str(caught.value)


def test_a_valid_pod_passes():
    validate(pod())
    validate(apply_defaults(pod()))


def test_missing_image():
    obj = with_container(image="")
    assert message(obj) == 'Pod "web" is invalid: spec.containers[0].image: Required value'


def test_missing_name():
    obj = pod()
    del obj["metadata"]["name"]
    assert message(obj) == (
        'Pod "" is invalid: metadata.name: Required value: name or generateName is required'
    )


def test_generate_name_is_enough():
    obj = pod()
    obj["metadata"] = {"generateName": "web-", "namespace": "default"}
    validate(obj)


def test_bad_pod_name_uses_upstream_regex_message():
    obj = pod()
    obj["metadata"]["name"] = "Web"
    assert (
        message(obj)
        == f'Pod "Web" is invalid: metadata.name: Invalid value: "Web": {SUBDOMAIN_MESSAGE}'
    )


def test_namespace_names_are_labels():
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a.b"}}
    assert message(namespace) == (
        'Namespace "a.b" is invalid: metadata.name: Invalid value: "a.b": must not contain dots'
    )


def test_metadata_namespace_must_be_a_label():
    obj = pod()
    obj["metadata"]["namespace"] = "Prod"
    assert message(obj) == (
        f'Pod "web" is invalid: metadata.namespace: Invalid value: "Prod": {LABEL_MESSAGE}'
    )


def test_namespaced_kinds_need_a_namespace_and_cluster_kinds_forbid_one():
    obj = pod()
    del obj["metadata"]["namespace"]
    assert message(obj) == 'Pod "web" is invalid: metadata.namespace: Required value'
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n", "namespace": "x"}}
    assert message(node) == (
        'Node "n" is invalid: metadata.namespace: Forbidden: not allowed on this type'
    )


def test_several_errors_are_bracketed_and_joined():
    obj = pod(containers=[{"name": "a"}, {"name": "a", "image": "x"}], restartPolicy="Sometimes")
    assert message(obj) == (
        'Pod "web" is invalid: [spec.containers[0].image: Required value, '
        'spec.containers[1].name: Duplicate value: "a", '
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: '
        '"Always", "OnFailure", "Never"]'
    )


def test_repeated_messages_are_shown_once():
    error = invalid_error(POD, "web", [required("spec.x"), required("spec.x")])
    assert str(error) == 'Pod "web" is invalid: spec.x: Required value'


def test_containers_are_required():
    assert message(pod(containers=[])) == 'Pod "web" is invalid: spec.containers: Required value'
    obj = pod()
    del obj["spec"]
    assert message(obj) == 'Pod "web" is invalid: spec.containers: Required value'


def test_container_names_are_labels_and_unique_across_init_containers():
    obj = pod(initContainers=[{"name": "web", "image": "x"}])
    assert message(obj) == (
        'Pod "web" is invalid: spec.initContainers[0].name: Duplicate value: "web"'
    )
    assert message(with_container(name="Web_1")) == (
        f'Pod "web" is invalid: spec.containers[0].name: Invalid value: "Web_1": {LABEL_MESSAGE}'
    )


def test_unparsable_quantity():
    obj = with_container(resources={"requests": {"cpu": "abc"}})
    assert message(obj) == (
        'Pod "web" is invalid: spec.containers[0].resources.requests[cpu]: '
        f'Invalid value: "abc": {FORMAT_ERROR}'
    )


def test_negative_quantity():
    obj = with_container(resources={"limits": {"memory": "-1Gi"}})
    assert message(obj) == (
        'Pod "web" is invalid: spec.containers[0].resources.limits[memory]: '
        'Invalid value: "-1Gi": must be greater than or equal to 0'
    )


def test_request_above_limit():
    obj = with_container(resources={"requests": {"cpu": "2"}, "limits": {"cpu": "1"}})
    assert message(obj) == (
        'Pod "web" is invalid: spec.containers[0].resources.requests: '
        'Invalid value: "2": must be less than or equal to cpu limit of 1'
    )


def test_request_equal_to_limit_in_other_units_is_fine():
    validate(with_container(resources={"requests": {"cpu": "1000m"}, "limits": {"cpu": 1}}))


def test_extended_resources_need_request_equal_to_limit():
    obj = with_container(
        resources={"requests": {"example.com/gpu": 1}, "limits": {"example.com/gpu": 2}}
    )
    assert "must be equal to example.com/gpu limit of 2" in message(obj)
    obj = with_container(resources={"requests": {"example.com/gpu": 1}})
    assert "Limit must be set for non overcommitable resources" in message(obj)


def test_non_standard_resource_names():
    obj = with_container(resources={"requests": {"gpu": 1}})
    assert 'requests[gpu]: Invalid value: "gpu": must be a standard resource for containers' in (
        message(obj)
    )


def test_pull_and_dns_policies():
    assert 'supported values: "Always", "IfNotPresent", "Never"' in message(
        with_container(imagePullPolicy="Sometimes")
    )
    assert "spec.dnsPolicy: Required value" in message(pod(dnsPolicy=""))


def test_tolerations():
    obj = pod(
        tolerations=[
            {"key": "a", "operator": "Exists", "value": "b"},
            {"operator": "Equal", "value": "x"},
            {"key": "c", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 5},
            {"key": "d", "operator": "Exists", "effect": "Sometimes"},
        ]
    )
    text = message(obj)
    assert 'spec.tolerations[0].operator: Invalid value: "b": value must be empty when' in text
    assert 'spec.tolerations[1].operator: Invalid value: "Equal": operator must be Exists' in text
    assert (
        'spec.tolerations[2].effect: Invalid value: "NoSchedule": effect must be '
        "'NoExecute' when `tolerationSeconds` is set"
    ) in text
    assert (
        'spec.tolerations[3].effect: Unsupported value: "Sometimes": supported values: '
        '"NoSchedule", "PreferNoSchedule", "NoExecute"'
    ) in text


def test_the_default_tolerations_are_valid():
    obj = pod(
        tolerations=[
            {
                "key": "node.kubernetes.io/not-ready",
                "operator": "Exists",
                "effect": "NoExecute",
                "tolerationSeconds": 300,
            },
            {"operator": "Exists"},
        ]
    )
    validate(obj)


def test_labels():
    obj = pod()
    obj["metadata"]["labels"] = {"app": "web", "bad key!": "x", "tier": "front end"}
    text = message(obj)
    assert 'metadata.labels: Invalid value: "bad key!": name part must consist of' in text
    assert 'metadata.labels: Invalid value: "front end": a valid label must be' in text


def test_wrong_types_name_the_field():
    assert message(pod(priority="high")) == (
        'Pod "web" is invalid: spec.priority: Invalid value: "high": must be an integer'
    )
    assert "spec.containers: Invalid value" in message(pod(containers={"name": "web"}))


def node(**status):
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "node-1"},
        "spec": {},
        "status": status,
    }


def test_node_quantities():
    validate(node(capacity={"cpu": "4", "memory": "8Gi", "pods": "110"}))
    text = message(node(capacity={"cpu": "four"}, allocatable={"memory": "-1", "pods": "1.5"}))
    assert f'status.capacity.cpu: Invalid value: "four": {FORMAT_ERROR}' in text
    assert 'status.allocatable.memory: Invalid value: "-1": must be greater than or equal to 0' in (
        text
    )
    assert 'status.allocatable.pods: Invalid value: "1.5": must be an integer' in text


def test_node_taints():
    obj = node()
    obj["spec"]["taints"] = [
        {"key": "a", "effect": "NoSchedule"},
        {"key": "b"},
        {"key": "a", "effect": "NoSchedule"},
    ]
    text = message(obj)
    assert "spec.taints[1].effect: Required value" in text
    assert "spec.taints[2]: Duplicate value: " in text
    assert "taints must be unique by key and effect pair" in text


def lease(**spec):
    return {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "node-1", "namespace": "kube-node-lease"},
        "spec": spec,
    }


def test_lease_spec():
    validate(
        lease(
            holderIdentity="node-1",
            leaseDurationSeconds=40,
            renewTime="2026-01-01T00:00:10.000000Z",
            leaseTransitions=0,
        )
    )
    text = message(
        lease(leaseDurationSeconds=0, leaseTransitions=-1, renewTime="soon", holderIdentity=5)
    )
    assert text.startswith('Lease.coordination.k8s.io "node-1" is invalid: [')
    assert "spec.holderIdentity: Invalid value: 5: must be a string" in text
    assert "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0" in text
    assert "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0" in text
    assert 'spec.renewTime: Invalid value: "soon"' in text


def test_validate_does_not_change_its_input():
    obj = with_container(resources={"limits": {"cpu": "1"}})
    snapshot = copy.deepcopy(obj)
    validate(obj)
    assert obj == snapshot


def test_field_errors_are_data():
    errors = field_errors(with_container(image=""))
    assert errors == [required("spec.containers[0].image")]
    assert str(invalid("a.b", 3, "too big")) == "a.b: Invalid value: 3: too big"


@pytest.mark.parametrize(
    ("document", "text"),
    [
        (["a"], "a manifest must be a mapping"),
        ("Pod", "a manifest must be a mapping"),
        (
            {"apiVersion": "v1", "metadata": {"name": "x"}},
            'Object \'Kind\' is missing in \'{"apiVersion":"v1","metadata":{"name":"x"}}\'',
        ),
        ({"kind": "Pod"}, "Object 'apiVersion' is missing in '{\"kind\":\"Pod\"}'"),
        ({"kind": ["Pod"], "apiVersion": "v1"}, "kind must be a string"),
        (
            {"kind": "Pod", "apiVersion": "v1", "metadata": ["x"]},
            'Pod field "metadata" must be a mapping',
        ),
        ({"kind": "Pod", "apiVersion": "v1", "spec": "x"}, 'Pod field "spec" must be a mapping'),
    ],
)
def test_check_shape(document, text):
    with pytest.raises(ManifestError) as caught:
        check_shape(document)
    assert text in str(caught.value)


def test_unknown_kinds_are_manifest_errors():
    with pytest.raises(
        ManifestError, match='no matches for kind "Deployment" in version "apps/v1"'
    ):
        validate({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}})


def test_name_format_helpers():
    assert dns1123_label_errors("my-name") == []
    assert dns1123_label_errors("a" * 64)[0] == "must be no more than 63 characters"
    assert dns1123_subdomain_errors("example.com") == []
    assert qualified_name_errors("node.kubernetes.io/not-ready") == []
    assert qualified_name_errors("/x") == ["prefix part must be non-empty"]
    assert qualified_name_errors("a/b/c")[0].startswith("a qualified name must consist of")

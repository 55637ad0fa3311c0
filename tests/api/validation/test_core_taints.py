"""Taints and tolerations: upstream's toleration cases (TestValidatePod) and node taints."""

import pytest

from k8slab.api.validation import field_errors

QUALIFIED_NAME_MESSAGE = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
    "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)


# TestValidatePod successCases (pkg/apis/core/validation/validation_test.go).
@pytest.mark.parametrize(
    "toleration",
    [
        pytest.param(
            {
                "key": "foo",
                "operator": "Exists",
                "value": "",
                "effect": "NoExecute",
                "tolerationSeconds": 60,
            },
            id="populate forgiveness tolerations with exists operator in annotations.",
        ),
        pytest.param(
            {
                "key": "foo",
                "operator": "Equal",
                "value": "bar",
                "effect": "NoExecute",
                "tolerationSeconds": 60,
            },
            id="populate forgiveness tolerations with equal operator in annotations.",
        ),
        pytest.param(
            {"key": "foo", "operator": "Equal", "value": "bar", "effect": "NoSchedule"},
            id="populate tolerations equal operator in annotations.",
        ),
        pytest.param(
            {"operator": "Exists", "effect": "NoSchedule"},
            id="empty key with Exists operator is OK for toleration, "
            "empty toleration key means match all taint keys.",
        ),
        pytest.param(
            {"key": "foo", "value": "bar", "effect": "NoSchedule"},
            id="empty operator is OK for toleration, defaults to Equal.",
        ),
        pytest.param(
            {"key": "foo", "operator": "Equal", "value": "bar"},
            id="empty effect is OK for toleration, "
            "empty toleration effect means match all taint effects.",
        ),
        pytest.param(
            {
                "key": "node.kubernetes.io/not-ready",
                "operator": "Exists",
                "effect": "NoExecute",
                "tolerationSeconds": -2,
            },
            id="negative tolerationSeconds is OK for toleration.",
        ),
    ],
)
def test_validate_pod_toleration_success_cases(pod, toleration):
    assert field_errors(pod(tolerations=[toleration])) == []


# TestValidatePod errorCases; upstream checks the field path, here the whole message.
@pytest.mark.parametrize(
    ("toleration", "errors"),
    [
        pytest.param(
            {
                "key": "nospecialchars^=@",
                "operator": "Equal",
                "value": "bar",
                "effect": "NoSchedule",
            },
            [
                'spec.tolerations[0].key: Invalid value: "nospecialchars^=@": '
                + QUALIFIED_NAME_MESSAGE
            ],
            id="invalid toleration key",
        ),
        pytest.param(
            {"key": "foo", "operator": "In", "value": "bar", "effect": "NoSchedule"},
            [
                'spec.tolerations[0].operator: Unsupported value: "In": '
                'supported values: "Equal", "Exists"'
            ],
            id="invalid toleration operator",
        ),
        pytest.param(
            {"key": "foo", "operator": "Exists", "value": "bar", "effect": "NoSchedule"},
            [
                'spec.tolerations[0].operator: Invalid value: "bar": '
                "value must be empty when `operator` is 'Exists'"
            ],
            id="value must be empty when `operator` is 'Exists'",
        ),
        pytest.param(
            {"operator": "Equal", "value": "bar", "effect": "NoSchedule"},
            [
                'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists '
                'when `key` is empty, which means "match all values and all keys"'
            ],
            id="operator must be 'Exists' when `key` is empty",
        ),
        pytest.param(
            {
                "key": "node.kubernetes.io/not-ready",
                "operator": "Exists",
                "effect": "NoSchedule",
                "tolerationSeconds": 20,
            },
            [
                'spec.tolerations[0].effect: Invalid value: "NoSchedule": '
                "effect must be 'NoExecute' when `tolerationSeconds` is set"
            ],
            id="effect must be 'NoExecute' when `TolerationSeconds` is set",
        ),
        # Not in upstream's table: an effect no taint can have.
        pytest.param(
            {"key": "d", "operator": "Exists", "effect": "Sometimes"},
            [
                'spec.tolerations[0].effect: Unsupported value: "Sometimes": '
                'supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'
            ],
            id="unsupported toleration effect",
        ),
    ],
)
def test_validate_pod_toleration_error_cases(pod, toleration, errors):
    assert [str(error) for error in field_errors(pod(tolerations=[toleration]))] == errors


def test_the_default_tolerations_are_valid(pod):
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
    assert field_errors(obj) == []


def test_tolerations_must_be_a_list(pod, undecodable):
    assert undecodable(pod(tolerations="x")) == (
        'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into '
        "Go struct field PodSpec.spec.tolerations of type []v1.Toleration"
    )


def test_node_taints(rejection):
    node = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "node-1"},
        "spec": {
            "taints": [
                {"key": "a", "effect": "NoSchedule"},
                {"key": "b"},
                {"key": "a", "effect": "NoSchedule"},
            ]
        },
    }
    text = rejection(node)
    assert "spec.taints[1].effect: Required value" in text
    assert "spec.taints[2]: Duplicate value: " in text
    assert "taints must be unique by key and effect pair" in text

"""Pod validation: containers, policies and types, and upstream's TestValidatePod cases."""

import copy

import pytest

from k8slab.api.defaults import apply_defaults
from k8slab.api.validation import field_errors, validate
from k8slab.api.validation.field import required

LABEL_MESSAGE = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)


def test_a_valid_pod_passes(pod):
    assert field_errors(pod()) == []
    assert field_errors(apply_defaults(pod())) == []


def test_missing_image(pod, rejection):
    obj = pod(containers=[{"name": "web", "image": ""}])
    assert rejection(obj) == 'Pod "web" is invalid: spec.containers[0].image: Required value'


def test_several_errors_are_bracketed_and_joined(pod, rejection):
    obj = pod(containers=[{"name": "a"}, {"name": "a", "image": "x"}], restartPolicy="Sometimes")
    assert rejection(obj) == (
        'Pod "web" is invalid: [spec.containers[0].image: Required value, '
        'spec.containers[1].name: Duplicate value: "a", '
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: '
        '"Always", "OnFailure", "Never"]'
    )


def test_containers_are_required(pod, rejection):
    assert rejection(pod(containers=[])) == 'Pod "web" is invalid: spec.containers: Required value'
    obj = pod()
    del obj["spec"]
    assert rejection(obj) == 'Pod "web" is invalid: spec.containers: Required value'


def test_container_names_are_labels_and_unique_across_init_containers(pod, rejection):
    obj = pod(initContainers=[{"name": "web", "image": "x"}])
    assert rejection(obj) == (
        'Pod "web" is invalid: spec.initContainers[0].name: Duplicate value: "web"'
    )
    assert rejection(pod(containers=[{"name": "Web_1", "image": "nginx"}])) == (
        f'Pod "web" is invalid: spec.containers[0].name: Invalid value: "Web_1": {LABEL_MESSAGE}'
    )


def test_pull_and_dns_policies(pod, rejection):
    sometimes = pod(containers=[{"name": "web", "image": "nginx", "imagePullPolicy": "Sometimes"}])
    assert 'supported values: "Always", "IfNotPresent", "Never"' in rejection(sometimes)
    assert "spec.dnsPolicy: Required value" in rejection(pod(dnsPolicy=""))


def test_wrong_types_name_the_field(pod, undecodable):
    cannot = 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal'
    assert undecodable(pod(priority="high")) == (
        f"{cannot} string into Go struct field PodSpec.spec.priority of type int32"
    )
    assert undecodable(pod(containers={"name": "web"})) == (
        f"{cannot} object into Go struct field PodSpec.spec.containers of type []v1.Container"
    )


def test_field_errors_are_data(pod):
    errors = field_errors(pod(containers=[{"name": "web", "image": ""}]))
    assert errors == [required("spec.containers[0].image")]


def test_validate_does_not_change_its_input(pod):
    obj = pod(containers=[{"name": "web", "image": "nginx", "resources": {"limits": {"cpu": "1"}}}])
    snapshot = copy.deepcopy(obj)
    validate(obj)
    assert obj == snapshot


def _with_metadata(**metadata):
    def change(obj: dict) -> dict:
        obj["metadata"].update(metadata)
        return obj

    return change


def _with_containers(*containers):
    def change(obj: dict) -> dict:
        obj["spec"]["containers"] = list(containers)
        return obj

    return change


# TestValidatePod errorCases (pkg/apis/core/validation/validation_test.go): upstream asserts
# that the aggregated message contains expectedError.
@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(_with_metadata(name=""), "metadata.name", id="bad name"),
        pytest.param(
            _with_containers({"name": "ctr", "image": " "}),
            "spec.containers[0].image",
            id="image whitespace",
        ),
        pytest.param(
            _with_containers({"name": "ctr", "image": " something "}),
            "spec.containers[0].image",
            id="image leading and trailing whitespace",
        ),
        pytest.param(_with_metadata(namespace=""), "metadata.namespace", id="bad namespace"),
        pytest.param(_with_containers({}), "spec.containers[0].name", id="bad spec"),
        pytest.param(
            _with_metadata(labels={"NoUppercaseOrSpecialCharsLike=Equals": "bar"}),
            "NoUppercaseOrSpecialCharsLike=Equals",
            id="bad label",
        ),
    ],
)
def test_validate_pod_error_cases(pod, rejection, change, expected):
    assert expected in rejection(change(pod()))

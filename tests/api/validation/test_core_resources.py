"""Container resources: quantities, requests against limits, extended resource names."""

import pytest

from k8slab.api.quantity import FORMAT_ERROR
from k8slab.api.validation import field_errors


def resources(requests=None, limits=None, init=False):
    """Spec changes giving one container (an init container when init) these resources."""
    given = {}
    if requests is not None:
        given["requests"] = requests
    if limits is not None:
        given["limits"] = limits
    container = {"name": "invalid", "image": "nginx", "resources": given}
    return {"initContainers": [container]} if init else {"containers": [container]}


def test_unparsable_quantity(pod, undecodable):
    assert undecodable(pod(**resources(requests={"cpu": "abc"}))) == (
        f'Pod in version "v1" cannot be handled as a Pod: {FORMAT_ERROR} '
        '(spec.containers[0].resources.requests[cpu]: "abc")'
    )


def test_negative_quantity(pod, rejection):
    assert rejection(pod(**resources(limits={"memory": "-1Gi"}))) == (
        'Pod "web" is invalid: spec.containers[0].resources.limits[memory]: '
        'Invalid value: "-1Gi": must be greater than or equal to 0'
    )


def test_request_above_limit(pod, rejection):
    assert rejection(pod(**resources(requests={"cpu": "2"}, limits={"cpu": "1"}))) == (
        'Pod "web" is invalid: spec.containers[0].resources.requests: '
        'Invalid value: "2": must be less than or equal to cpu limit of 1'
    )


def test_request_equal_to_limit_in_other_units_is_fine(pod):
    obj = pod(**resources(requests={"cpu": "1000m"}, limits={"cpu": 1}))
    assert field_errors(obj) == []


def test_non_standard_resource_names(pod, rejection):
    assert (
        'requests[gpu]: Invalid value: "gpu": must be a standard resource for containers'
        in rejection(pod(**resources(requests={"gpu": 1})))
    )


# TestValidatePod successCases and errorCases (pkg/apis/core/validation/validation_test.go).
@pytest.mark.parametrize(
    "changes",
    [
        pytest.param(
            resources({"example.com/a": "10"}, {"example.com/a": "10"}, init=True),
            id="valid extended resources for init container",
        ),
        pytest.param(
            resources({"example.com/a": "10"}, {"example.com/a": "10"}),
            id="valid extended resources for regular container",
        ),
    ],
)
def test_validate_pod_success_cases(pod, changes):
    assert field_errors(pod(**changes)) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            resources({"invalid-name": "2"}, {"invalid-name": "2"}),
            "must be a standard resource for containers",
            id="invalid extended resource name in container request",
        ),
        pytest.param(
            resources({"example.com/a": "2"}, {"example.com/a": "1"}),
            "must be equal to example.com/a",
            id="invalid extended resource requirement: request must be == limit",
        ),
        pytest.param(
            resources({"example.com/a": "2"}, {}),
            "Limit must be set",
            id="invalid extended resource requirement without limit",
        ),
        pytest.param(
            resources({"example.com/a": "500m"}, {}),
            "must be an integer",
            id="invalid fractional extended resource in container request",
        ),
        pytest.param(
            resources({"example.com/a": "500m"}, {}, init=True),
            "must be an integer",
            id="invalid fractional extended resource in init container request",
        ),
        pytest.param(
            resources({"example.com/a": "5"}, {"example.com/a": "2.5"}),
            "must be an integer",
            id="invalid fractional extended resource in container limit",
        ),
        pytest.param(
            resources({"example.com/a": "2.5"}, {"example.com/a": "2.5"}, init=True),
            "must be an integer",
            id="invalid fractional extended resource in init container limit",
        ),
    ],
)
def test_validate_pod_error_cases(pod, rejection, changes, expected):
    assert expected in rejection(pod(**changes))

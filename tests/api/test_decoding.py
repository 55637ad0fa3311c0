"""Decoding into the Go structs: the API server's 400 errors for wrong types and unknown fields."""

import pytest

from k8slab.api.decoding import decode, zero_value
from k8slab.api.quantity import FORMAT_ERROR
from k8slab.api.schema.types import INT32, QUANTITY, STRING, STRINGS, Struct
from k8slab.errors import BadRequestError

CANNOT = 'Pod in version "v1" cannot be handled as a Pod: '


def pod(**container):
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web"},
        "spec": {"containers": [{"name": "web", "image": "nginx", **container}]},
    }


def refusal(obj: dict) -> str:
    with pytest.raises(BadRequestError) as caught:
        decode(obj)
    assert caught.value.code == 400
    return str(caught.value)


@pytest.mark.parametrize(
    ("container", "error"),
    [
        # The message readers meet for `command: [sleep, 1200]` in a real cluster.
        (
            {"command": ["sleep", 1200]},
            "number into Go struct field Container.spec.containers.command of type string",
        ),
        (
            {"command": "sleep"},
            "string into Go struct field Container.spec.containers.command of type []string",
        ),
        (
            {"ports": [80]},
            "number into Go struct field Container.spec.containers.ports of type v1.ContainerPort",
        ),
        (
            {"ports": [{"containerPort": 1.5}]},
            "number 1.5 into Go struct field "
            "ContainerPort.spec.containers.ports.containerPort of type int32",
        ),
        (
            {"ports": [{"containerPort": 2**31}]},
            "number 2147483648 into Go struct field "
            "ContainerPort.spec.containers.ports.containerPort of type int32",
        ),
        (
            {"ports": [{"containerPort": True}]},
            "bool into Go struct field "
            "ContainerPort.spec.containers.ports.containerPort of type int32",
        ),
        (
            {"imagePullPolicy": 5},
            "number into Go struct field "
            "Container.spec.containers.imagePullPolicy of type v1.PullPolicy",
        ),
        (
            {"resources": {"requests": 5}},
            "number into Go struct field "
            "ResourceRequirements.spec.containers.resources.requests of type v1.ResourceList",
        ),
        (
            {"livenessProbe": "x"},
            "string into Go struct field Container.spec.containers.livenessProbe of type v1.Probe",
        ),
    ],
)
def test_a_value_of_the_wrong_type_fails_as_encoding_json_says(container, error):
    assert refusal(pod(**container)) == f"{CANNOT}json: cannot unmarshal {error}"


def test_the_first_type_error_wins_and_unknown_fields_wait_for_none():
    obj = pod(command=[1], args=[2], foo=3)
    assert "Container.spec.containers.command of type string" in refusal(obj)


def test_every_unknown_field_is_named_with_its_path():
    obj = pod(foo=1)
    obj["spec"]["nodeNmae"] = "x"
    obj["extra"] = True
    assert refusal(obj) == (
        f'{CANNOT}strict decoding error: unknown field "spec.containers[0].foo", '
        'unknown field "spec.nodeNmae", unknown field "extra"'
    )


def test_quantities_and_times_fail_with_their_parsers_words_and_where():
    assert refusal(pod(resources={"limits": {"cpu": "lots"}})) == (
        f'{CANNOT}{FORMAT_ERROR} (spec.containers[0].resources.limits[cpu]: "lots")'
    )
    obj = pod()
    obj["metadata"]["creationTimestamp"] = "yesterday"
    assert refusal(obj) == (
        f'{CANNOT}parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": '
        'cannot parse "yesterday" as "2006" (metadata.creationTimestamp)'
    )


def test_a_lease_field_upstream_does_not_have_is_unknown():
    lease = {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "node-1", "namespace": "kube-node-lease"},
        "spec": {"nodeName": {"a": 1}},
    }
    with pytest.raises(BadRequestError) as caught:
        decode(lease)
    assert str(caught.value) == (
        'Lease in version "v1" cannot be handled as a Lease: strict decoding error: '
        'unknown field "spec.nodeName"'
    )


def test_decoding_writes_back_what_go_decoded_and_leaves_the_input():
    obj = pod(command=[None], resources={"requests": {"cpu": " 1 ", "memory": None}})
    obj["spec"]["nodeName"] = None
    decoded = decode(obj)
    assert decoded["spec"]["containers"][0]["command"] == [""]
    assert decoded["spec"]["containers"][0]["resources"]["requests"] == {"cpu": "1", "memory": "0"}
    assert "nodeName" not in decoded["spec"]
    assert obj["spec"]["nodeName"] is None


def test_zero_values():
    assert [zero_value(t) for t in (STRING, INT32, QUANTITY, STRINGS, Struct("v1.X", {}))] == [
        "",
        0,
        "0",
        [],
        {},
    ]

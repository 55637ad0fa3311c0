"""Node validation: capacity and allocatable are resource lists, unschedulable a boolean."""

from k8slab.api.quantity import FORMAT_ERROR
from k8slab.api.validation import field_errors


def node(spec=None, **status):
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "node-1"},
        "spec": spec or {},
        "status": status,
    }


def test_node_quantities(rejection, undecodable):
    assert field_errors(node(capacity={"cpu": "4", "memory": "8Gi", "pods": "110"})) == []
    assert undecodable(node(capacity={"cpu": "four"})) == (
        'Node in version "v1" cannot be handled as a Node: '
        f'{FORMAT_ERROR} (status.capacity[cpu]: "four")'
    )
    text = rejection(node(allocatable={"memory": "-1", "pods": "1.5"}))
    assert 'status.allocatable.memory: Invalid value: "-1": must be greater than or equal to 0' in (
        text
    )
    assert 'status.allocatable.pods: Invalid value: "1.5": must be an integer' in text


def test_unschedulable_is_a_boolean(undecodable):
    assert undecodable(node({"unschedulable": "yes"})) == (
        'Node in version "v1" cannot be handled as a Node: json: cannot unmarshal string into '
        "Go struct field NodeSpec.spec.unschedulable of type bool"
    )

"""Lease validation (coordination.k8s.io): durations, transitions and RFC 3339 times."""

from k8slab.api.validation import field_errors


def lease(**spec):
    return {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "node-1", "namespace": "kube-node-lease"},
        "spec": spec,
    }


def test_a_node_lease_is_valid():
    obj = lease(
        holderIdentity="node-1",
        leaseDurationSeconds=40,
        renewTime="2026-01-01T00:00:10.000000Z",
        leaseTransitions=0,
    )
    assert field_errors(obj) == []


def test_lease_spec(rejection):
    text = rejection(
        lease(leaseDurationSeconds=0, leaseTransitions=-1, renewTime="soon", holderIdentity=5)
    )
    assert text.startswith('Lease.coordination.k8s.io "node-1" is invalid: [')
    assert "spec.holderIdentity: Invalid value: 5: must be a string" in text
    assert "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0" in text
    assert "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0" in text
    assert 'spec.renewTime: Invalid value: "soon"' in text

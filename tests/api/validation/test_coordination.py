"""Lease validation (coordination.k8s.io): durations, transitions and RFC 3339 times."""

import pytest

from k8slab.api.validation import field_errors, validate
from k8slab.errors import BadRequestError


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
    text = rejection(lease(leaseDurationSeconds=0, leaseTransitions=-1))
    assert text.startswith('Lease.coordination.k8s.io "node-1" is invalid: [')
    assert "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0" in text
    assert "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0" in text


def test_lease_fields_of_the_wrong_type_do_not_decode():
    with pytest.raises(BadRequestError) as caught:
        validate(lease(holderIdentity=5))
    assert str(caught.value) == (
        'Lease in version "v1" cannot be handled as a Lease: json: cannot unmarshal number '
        "into Go struct field LeaseSpec.spec.holderIdentity of type string"
    )
    with pytest.raises(BadRequestError, match='parsing time "soon"'):
        validate(lease(renewTime="soon"))

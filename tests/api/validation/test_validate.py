"""The entry point: validate() checks shape, kind, metadata and the kind's group checks."""

import pytest

from k8slab.api.manifests import load_manifests
from k8slab.api.validation import validate
from k8slab.errors import InvalidError, ManifestError


def test_unknown_kinds_are_manifest_errors():
    with pytest.raises(
        ManifestError, match='no matches for kind "CronJob" in version "batch/v1"'
    ):
        validate({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "x"}})


def test_the_shape_is_checked_first():
    with pytest.raises(ManifestError, match="a manifest must be a mapping"):
        validate(["a"])


def test_every_kind_is_validated_by_its_group(pod, rejection):
    assert rejection(pod(preemptionPolicy="Sometimes")).startswith(
        'Pod "web" is invalid: spec.preemptionPolicy: Unsupported value: "Sometimes"'
    )
    lease = {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "n", "namespace": "kube-node-lease"},
        "spec": {"leaseDurationSeconds": 0},
    }
    assert rejection(lease) == (
        'Lease.coordination.k8s.io "n" is invalid: '
        "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"
    )


def test_manifests_are_validated_on_load(pod):
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [{"key": "a", "operator": "Exists"}]}]
            }
        }
    }
    [loaded] = load_manifests(pod(affinity=affinity))
    assert loaded["spec"]["affinity"] == affinity
    bad = {"key": "a", "operator": "Near"}
    affinity["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
        "nodeSelectorTerms"
    ][0]["matchExpressions"] = [bad]
    bad_operator = r'operator: Invalid value: "Near": not a valid selector operator'
    with pytest.raises(InvalidError, match=bad_operator):
        load_manifests(pod(affinity=affinity))

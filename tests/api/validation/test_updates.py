"""validate_update: what an update may not change, with upstream's messages."""

import copy

import pytest

from k8slab.api.defaults import apply_defaults
from k8slab.api.validation import validate_status_update, validate_update
from k8slab.errors import InvalidError

TEMPLATE = {"metadata": {"labels": {"app": "web", "tier": "front"}},
            "spec": {"containers": [{"name": "web", "image": "nginx"}]}}


def stored(kind: str, version: str = "apps/v1", **spec) -> dict:
    base = {"selector": {"matchLabels": {"app": "web"}}, "template": copy.deepcopy(TEMPLATE)}
    return apply_defaults({"apiVersion": version, "kind": kind,
                           "metadata": {"name": "web", "namespace": "default"},
                           "spec": {**base, **spec}})


def rejection(old: dict, new: dict) -> str:
    with pytest.raises(InvalidError) as caught:
        validate_update(old, new)
    return str(caught.value)


@pytest.mark.parametrize("kind", ["Deployment", "ReplicaSet", "DaemonSet"])
def test_an_apps_selector_is_immutable(kind):
    old = stored(kind)
    new = copy.deepcopy(old)
    new["spec"]["selector"] = {"matchLabels": {"tier": "front"}}
    assert rejection(old, new) == (
        f'{kind}.apps "web" is invalid: spec.selector: Invalid value: '
        '{"matchLabels":{"tier":"front"}}: field is immutable')


def test_other_deployment_changes_are_updates():
    old = stored("Deployment")
    new = copy.deepcopy(old)
    new["spec"]["replicas"] = 5
    new["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28"
    validate_update(old, new)


def test_an_update_is_validated_like_a_create_first():
    old = stored("Deployment")
    new = copy.deepcopy(old)
    new["spec"]["replicas"] = -1
    new["spec"]["selector"] = {"matchLabels": {"tier": "front"}}
    assert rejection(old, new) == (
        'Deployment.apps "web" is invalid: [spec.replicas: Invalid value: -1: must be greater '
        'than or equal to 0, spec.selector: Invalid value: {"matchLabels":{"tier":"front"}}: '
        "field is immutable]")


def test_a_stateful_sets_fixed_fields():
    old = stored("StatefulSet", serviceName="web")
    new = copy.deepcopy(old)
    new["spec"]["replicas"] = 3
    new["spec"]["updateStrategy"] = {"type": "OnDelete"}
    validate_update(old, new)
    new["spec"]["serviceName"] = "other"
    assert rejection(old, new) == (
        'StatefulSet.apps "web" is invalid: spec: Forbidden: updates to statefulset spec for '
        "fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
        "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")


def test_a_jobs_template_is_immutable():
    old = apply_defaults({
        "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"},
        "spec": {"manualSelector": True, "selector": {"matchLabels": {"job": "pi"}},
                 "template": {"metadata": {"labels": {"job": "pi"}},
                              "spec": {"restartPolicy": "Never",
                                       "containers": [{"name": "pi", "image": "perl"}]}}}})
    new = copy.deepcopy(old)
    new["spec"]["parallelism"] = 4
    validate_update(old, new)
    new["spec"]["template"]["spec"]["containers"][0]["image"] = "perl:5"
    assert rejection(old, new).startswith(
        'Job.batch "pi" is invalid: spec.template: Invalid value: {"metadata":')
    assert rejection(old, new).endswith(": field is immutable")


def test_a_replication_controllers_selector_may_change():
    old = stored("ReplicationController", version="v1", selector={"app": "web"})
    new = copy.deepcopy(old)
    new["spec"]["selector"] = {"tier": "front"}
    validate_update(old, new)


STATUS_CASES = [
    ("ReplicaSet", {"replicas": 2, "readyReplicas": 3, "availableReplicas": 1},
     "status.readyReplicas: Invalid value: 3: cannot be greater than status.replicas"),
    ("ReplicaSet", {"replicas": 3, "readyReplicas": 1, "availableReplicas": 2},
     "status.availableReplicas: Invalid value: 2: cannot be greater than readyReplicas"),
    # Go's zero values count: with replicas -1, an unset updatedReplicas (0) is "greater".
    ("Deployment", {"replicas": -1},
     "[status.replicas: Invalid value: -1: must be greater than or equal to 0, "
     "status.updatedReplicas: Invalid value: 0: cannot be greater than status.replicas, "
     "status.readyReplicas: Invalid value: 0: cannot be greater than status.replicas, "
     "status.availableReplicas: Invalid value: 0: cannot be greater than status.replicas]"),
    ("StatefulSet", {"replicas": 2, "readyReplicas": 1, "availableReplicas": 2},
     "status.availableReplicas: Invalid value: 2: cannot be greater than status.readyReplicas"),
    ("DaemonSet", {"numberReady": -2},
     "status.numberReady: Invalid value: -2: must be greater than or equal to 0"),
]


@pytest.mark.parametrize(("kind", "status", "message"), STATUS_CASES,
                         ids=["rs-ready-above-replicas", "rs-available-above-ready",
                              "deploy-negative", "sts-available-above-ready", "ds-negative"])
def test_status_updates_are_checked(kind, status, message):
    old = stored(kind)
    with pytest.raises(InvalidError) as caught:
        validate_status_update(old, dict(old, status=status))
    assert str(caught.value) == f'{kind}.apps "web" is invalid: {message}'


def test_a_collision_count_may_not_go_down():
    old = dict(stored("Deployment"), status={"collisionCount": 2})
    validate_status_update(old, dict(old, status={"collisionCount": 3}))
    with pytest.raises(InvalidError, match="status.collisionCount: Invalid value: 1: cannot be "
                                           "decremented"):
        validate_status_update(old, dict(old, status={"collisionCount": 1}))

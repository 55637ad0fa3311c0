"""apps/v1 validation: upstream's paths and messages for Deployments, ReplicaSets, DaemonSets
and StatefulSets (pkg/apis/apps/validation/validation_test.go's cases, in our table)."""

import copy

import pytest

from k8slab.api.defaults import apply_defaults
from k8slab.api.validation import field_errors, validate
from k8slab.errors import InvalidError

TEMPLATE = {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx"}]}}


def manifest(kind: str, **spec) -> dict:
    """A valid apps/v1 object of `kind` named "web"; keyword arguments replace spec fields."""
    base = {"selector": {"matchLabels": {"app": "web"}}, "template": copy.deepcopy(TEMPLATE)}
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "web"},
            "spec": {**base, **spec}}


def errors(obj: dict) -> list[str]:
    """The field errors of obj as the API server would see it (decoded and defaulted)."""
    return [str(error) for error in field_errors(apply_defaults(obj))]


@pytest.mark.parametrize("kind", ["Deployment", "ReplicaSet", "DaemonSet", "StatefulSet"])
def test_a_plain_object_of_each_kind_is_valid(kind):
    validate(apply_defaults(manifest(kind)))


def other_labels() -> dict:
    template = copy.deepcopy(TEMPLATE)
    template["metadata"]["labels"] = {"app": "x"}
    return template


DEPLOYMENT_CASES = [
    ("negative-replicas", {"replicas": -1},
     ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"]),
    ("no-selector", {"selector": None}, ["spec.selector: Required value"]),
    ("empty-selector", {"selector": {}},
     ["spec.selector: Invalid value: {}: empty selector is invalid for deployment"]),
    ("selector-does-not-match", {"template": other_labels()},
     ['spec.template.metadata.labels: Invalid value: {"app":"x"}: '
      "`selector` does not match template `labels`"]),
    ("bad-operator", {"selector": {"matchExpressions": [{"key": "a", "operator": "Near"}]}},
     ['spec.selector.matchExpressions[0].operator: Invalid value: "Near": '
      "not a valid selector operator",
      'spec.selector: Invalid value: {"matchExpressions":[{"key":"a","operator":"Near"}]}: '
      "invalid label selector"]),
    ("both-zero", {"strategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}},
     ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: "
      "may not be 0 when `maxSurge` is 0"]),
    ("both-zero-percent", {"strategy": {"rollingUpdate": {"maxSurge": "0%",
                                                          "maxUnavailable": "0%"}}},
     ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": '
      "may not be 0 when `maxSurge` is 0"]),
    ("over-100-percent", {"strategy": {"rollingUpdate": {"maxUnavailable": "110%"}}},
     ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "110%": '
      "must not be greater than 100%"]),
    ("not-a-percent", {"strategy": {"rollingUpdate": {"maxSurge": "25"}}},
     ['spec.strategy.rollingUpdate.maxSurge: Invalid value: "25": a valid percent string must '
      "be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for "
      "validation is '[0-9]+%')"]),
    ("negative-surge", {"strategy": {"rollingUpdate": {"maxSurge": -1}}},
     ["spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: "
      "must be greater than or equal to 0"]),
    ("recreate-with-rollingUpdate",
     {"strategy": {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}},
     ["spec.strategy.rollingUpdate: Forbidden: "
      "may not be specified when strategy `type` is 'Recreate'"]),
    ("unknown-strategy", {"strategy": {"type": "BlueGreen"}},
     ['spec.strategy: Unsupported value: {"Type":"BlueGreen","RollingUpdate":null}: '
      'supported values: "Recreate", "RollingUpdate"']),
    ("restart-never", {"template": {**TEMPLATE, "spec": {**TEMPLATE["spec"],
                                                         "restartPolicy": "Never"}}},
     ['spec.template.spec.restartPolicy: Unsupported value: "Never": '
      'supported values: "Always"']),
    ("active-deadline", {"template": {**TEMPLATE, "spec": {**TEMPLATE["spec"],
                                                           "activeDeadlineSeconds": 5}}},
     ["spec.template.spec.activeDeadlineSeconds: Forbidden: "
      "activeDeadlineSeconds in ReplicaSet is not Supported"]),
    ("no-containers", {"template": {"metadata": TEMPLATE["metadata"], "spec": {}}},
     ["spec.template.spec.containers: Required value"]),
    ("deadline-not-above-minReady", {"minReadySeconds": 10, "progressDeadlineSeconds": 10},
     ["spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds"]),
    ("negative-history", {"revisionHistoryLimit": -1},
     ["spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0"]),
    ("bad-template-label", {"selector": {"matchLabels": {"app": "web"}},
                            "template": {"metadata": {"labels": {"app": "web", "-x": "y"}},
                                         "spec": TEMPLATE["spec"]}},
     None),  # only the count is checked: the label name message is names.py's
]


@pytest.mark.parametrize(("spec", "expected"), [case[1:] for case in DEPLOYMENT_CASES],
                         ids=[case[0] for case in DEPLOYMENT_CASES])
def test_deployment_messages(spec, expected):
    found = errors(manifest("Deployment", **spec))
    if expected is None:
        assert len(found) == 1 and found[0].startswith('spec.template.labels: Invalid value: "-x"')
    else:
        assert found == expected


def test_the_whole_message_names_the_deployment():
    with pytest.raises(InvalidError) as caught:
        validate(apply_defaults(manifest("Deployment", replicas=-1)))
    assert str(caught.value) == ('Deployment.apps "web" is invalid: spec.replicas: Invalid value: '
                                 "-1: must be greater than or equal to 0")


def test_a_replica_set_says_deployment_for_an_empty_selector_as_upstream_does():
    assert errors(manifest("ReplicaSet", selector={})) == [
        "spec.selector: Invalid value: {}: empty selector is invalid for deployment"]


DAEMON_SET_CASES = [
    ("no-selector", {"selector": None},
     ['spec.template.metadata.labels: Invalid value: {"app":"web"}: '
      "`selector` does not match template `labels`"]),
    ("surge-and-unavailable", {"updateStrategy": {"rollingUpdate": {"maxSurge": 1}}},
     ["spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: "
      "may not be set when maxUnavailable is non-zero"]),
    ("both-zero", {"updateStrategy": {"rollingUpdate": {"maxUnavailable": 0}}},
     ["spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: "
      "cannot be 0 when maxSurge is 0"]),
    ("unknown-type", {"updateStrategy": {"type": "Sometimes"}},
     ['spec.updateStrategy: Unsupported value: {"Type":"Sometimes","RollingUpdate":null}: '
      'supported values: "RollingUpdate", "OnDelete"']),
    ("restart-on-failure", {"template": {**TEMPLATE, "spec": {**TEMPLATE["spec"],
                                                              "restartPolicy": "OnFailure"}}},
     ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": '
      'supported values: "Always"']),
]


@pytest.mark.parametrize(("spec", "expected"), [case[1:] for case in DAEMON_SET_CASES],
                         ids=[case[0] for case in DAEMON_SET_CASES])
def test_daemon_set_messages(spec, expected):
    assert errors(manifest("DaemonSet", **spec)) == expected


STATEFUL_SET_CASES = [
    ("bad-policy", {"podManagementPolicy": "Random"},
     ['spec.podManagementPolicy: Invalid value: "Random": '
      "must be 'OrderedReady' or 'Parallel'"]),
    ("negative-partition", {"updateStrategy": {"rollingUpdate": {"partition": -1}}},
     ["spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: "
      "must be greater than or equal to 0"]),
    ("zero-max-unavailable", {"updateStrategy": {"rollingUpdate": {"maxUnavailable": 0}}},
     ["spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: cannot be 0"]),
    ("on-delete-with-rolling", {"updateStrategy": {"type": "OnDelete",
                                                   "rollingUpdate": {"partition": 1}}},
     ['spec.updateStrategy.rollingUpdate: Invalid value: {"Partition":1,"MaxUnavailable":null}:'
      " only allowed for updateStrategy 'RollingUpdate'"]),
    ("retention", {"persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Keep"}},
     ['spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": '
      'supported values: "Retain", "Delete"']),
    ("empty-selector", {"selector": {}},
     ["spec.selector: Invalid value: {}: empty selector is invalid for statefulset"]),
    ("restart-never", {"template": {**TEMPLATE, "spec": {**TEMPLATE["spec"],
                                                         "restartPolicy": "Never"}}},
     ['spec.template.spec.restartPolicy: Unsupported value: "Never": '
      'supported values: "Always"']),
]


@pytest.mark.parametrize(("spec", "expected"), [case[1:] for case in STATEFUL_SET_CASES],
                         ids=[case[0] for case in STATEFUL_SET_CASES])
def test_stateful_set_messages(spec, expected):
    assert errors(manifest("StatefulSet", **spec)) == expected


def test_a_stateful_set_is_named_by_a_dns_label():
    obj = manifest("StatefulSet")
    obj["metadata"]["name"] = "web.v1"
    assert errors(obj) == ['metadata.name: Invalid value: "web.v1": must not contain dots']

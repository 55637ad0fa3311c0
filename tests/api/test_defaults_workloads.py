"""Workload defaults: apps/v1, batch/v1 and ReplicationController, as upstream's defaults.go."""

import copy

import pytest

from k8slab.api.defaults import apply_defaults

TEMPLATE = {
    "metadata": {"labels": {"app": "web"}},
    "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
}
VERSIONS = {
    "Deployment": "apps/v1", "ReplicaSet": "apps/v1", "DaemonSet": "apps/v1",
    "StatefulSet": "apps/v1", "Job": "batch/v1", "ReplicationController": "v1",
}


def workload(kind: str, **spec) -> dict:
    """A minimal manifest of `kind` named "web" with a one-container template."""
    return {
        "apiVersion": VERSIONS[kind],
        "kind": kind,
        "metadata": {"name": "web"},
        "spec": {"template": copy.deepcopy(TEMPLATE), **spec},
    }


def without_template(spec: dict) -> dict:
    return {key: value for key, value in spec.items() if key != "template"}


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("Deployment", {
            "replicas": 1,
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
        }),
        ("ReplicaSet", {"replicas": 1}),
        ("DaemonSet", {
            "updateStrategy": {"type": "RollingUpdate",
                               "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}},
            "revisionHistoryLimit": 10,
        }),
        ("StatefulSet", {
            "podManagementPolicy": "OrderedReady",
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain",
                                                     "whenScaled": "Retain"},
            "replicas": 1,
            "revisionHistoryLimit": 10,
        }),
        ("Job", {
            "completions": 1, "parallelism": 1, "backoffLimit": 6,
            "completionMode": "NonIndexed", "suspend": False,
            "podReplacementPolicy": "TerminatingOrFailed",
        }),
        ("ReplicationController", {"selector": {"app": "web"}, "replicas": 1}),
    ],
    ids=["SetDefaults_Deployment", "SetDefaults_ReplicaSet", "SetDefaults_DaemonSet",
         "SetDefaults_StatefulSet", "SetDefaults_Job", "SetDefaults_ReplicationController"],
)
def test_spec_defaults(kind, expected):
    assert without_template(apply_defaults(workload(kind))["spec"]) == expected


@pytest.mark.parametrize("kind", list(VERSIONS))
def test_templates_get_the_pod_spec_defaults_but_not_the_pod_only_ones(kind):
    spec = apply_defaults(workload(kind))["spec"]["template"]["spec"]
    assert spec["restartPolicy"] == "Always"
    assert spec["terminationGracePeriodSeconds"] == 30
    assert spec["dnsPolicy"] == "ClusterFirst"
    assert spec["schedulerName"] == "default-scheduler"
    assert spec["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    assert spec["containers"][0]["terminationMessagePath"] == "/dev/termination-log"
    assert "priority" not in spec  # the Priority admission plugin sets it on Pods only


def test_template_limits_are_not_copied_to_requests():
    obj = workload("ReplicaSet")
    obj["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "1"}}
    container = apply_defaults(obj)["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"] == {"limits": {"cpu": "1"}}


@pytest.mark.parametrize(
    ("kind", "spec", "field", "value"),
    [
        ("Deployment", {"strategy": {"type": "Recreate"}}, "strategy", {"type": "Recreate"}),
        ("Deployment", {"strategy": {"rollingUpdate": {"maxSurge": 0}}}, "strategy",
         {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": "25%"}}),
        ("DaemonSet", {"updateStrategy": {"type": "OnDelete"}}, "updateStrategy",
         {"type": "OnDelete"}),
        ("StatefulSet", {"updateStrategy": {"type": "OnDelete"}}, "updateStrategy",
         {"type": "OnDelete"}),
        ("StatefulSet", {"updateStrategy": {"type": "RollingUpdate"}}, "updateStrategy",
         {"type": "RollingUpdate"}),
        ("Job", {"parallelism": 3}, "completions", None),
        ("Job", {"completions": 5}, "parallelism", 1),
        ("Job", {"backoffLimitPerIndex": 1, "completionMode": "Indexed", "completions": 2},
         "backoffLimit", 2**31 - 1),
        ("Job", {"podFailurePolicy": {"rules": []}}, "podReplacementPolicy", "Failed"),
        ("ReplicationController", {"selector": {"tier": "x"}}, "selector", {"tier": "x"}),
        ("Deployment", {"replicas": 0}, "replicas", 0),
    ],
    ids=["recreate-has-no-rollingUpdate", "half-given-rollingUpdate", "ds-on-delete",
         "sts-on-delete", "sts-given-type-gets-no-partition", "job-parallel-no-completions",
         "job-completions-only", "job-per-index-backoff", "job-failure-policy",
         "rc-given-selector", "zero-replicas-kept"],
)
def test_what_is_given_decides_the_rest(kind, spec, field, value):
    assert apply_defaults(workload(kind, **spec))["spec"].get(field) == value


@pytest.mark.parametrize("kind", ["Job", "ReplicationController"])
def test_labels_come_from_the_template_when_none_are_given(kind):
    assert apply_defaults(workload(kind))["metadata"]["labels"] == {"app": "web"}
    obj = workload(kind)
    obj["metadata"]["labels"] = {"team": "a"}
    assert apply_defaults(obj)["metadata"]["labels"] == {"team": "a"}


@pytest.mark.parametrize("kind", ["Deployment", "ReplicaSet", "DaemonSet", "StatefulSet"])
def test_apps_kinds_do_not_copy_template_labels(kind):
    assert "labels" not in apply_defaults(workload(kind))["metadata"]


@pytest.mark.parametrize("kind", list(VERSIONS))
def test_defaulting_is_idempotent_and_leaves_the_input(kind):
    obj = workload(kind)
    before = copy.deepcopy(obj)
    once = apply_defaults(obj)
    assert obj == before
    assert apply_defaults(once) == once

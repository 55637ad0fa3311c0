"""Job and ReplicationController validation, and the Job selector the API server generates."""

import copy

import pytest

from k8slab.api.defaults import apply_defaults
from k8slab.api.defaults_workloads import generate_job_selector
from k8slab.api.validation import field_errors

CONTAINERS = [{"name": "pi", "image": "perl"}]


def job(restart: str | None = "Never", **spec) -> dict:
    """A Job "pi" as the API server sees it after defaults and selector generation."""
    pod_spec = {"containers": copy.deepcopy(CONTAINERS)}
    if restart is not None:
        pod_spec["restartPolicy"] = restart
    obj = apply_defaults({"apiVersion": "batch/v1", "kind": "Job",
                          "metadata": {"name": "pi", "namespace": "default"},
                          "spec": {"template": {"spec": pod_spec}, **spec}})
    obj["metadata"]["uid"] = "0a1b"
    generate_job_selector(obj)
    return obj


def errors(obj: dict) -> list[str]:
    return [str(error) for error in field_errors(obj)]


def test_the_generated_selector_and_labels():
    obj = job()
    uid_label = "batch.kubernetes.io/controller-uid"
    assert obj["spec"]["selector"] == {"matchLabels": {uid_label: "0a1b"}}
    assert obj["spec"]["template"]["metadata"]["labels"] == {
        "controller-uid": "0a1b", "job-name": "pi",
        "batch.kubernetes.io/controller-uid": "0a1b", "batch.kubernetes.io/job-name": "pi"}
    assert errors(obj) == []


def test_a_manual_selector_is_left_alone():
    obj = job(manualSelector=True, selector={"matchLabels": {"a": "b"}})
    assert obj["spec"]["selector"] == {"matchLabels": {"a": "b"}}
    assert errors(obj) == ['spec.template.metadata.labels: Invalid value: null: '
                           "`selector` does not match template `labels`"]


JOB_CASES = [
    ("restart-always-by-default", {"restart": None},
     ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']),
    ("restart-always", {"restart": "Always"},
     ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']),
    ("negative-backoff", {"backoffLimit": -1},
     ["spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0"]),
    ("negative-parallelism", {"parallelism": -2},
     ["spec.parallelism: Invalid value: -2: must be greater than or equal to 0"]),
    ("bad-mode", {"completionMode": "Sometimes"},
     ['spec.completionMode: Unsupported value: "Sometimes": '
      'supported values: "NonIndexed", "Indexed"']),
    ("indexed-needs-completions", {"completionMode": "Indexed", "parallelism": 2},
     ["spec.completions: Required value: when completion mode is Indexed"]),
    ("foreign-uid", {"selector": {"matchLabels": {
        "batch.kubernetes.io/controller-uid": "other"}}},
     ['spec.selector: Invalid value: {"matchLabels":{"batch.kubernetes.io/controller-uid":'
      '"other"}}: `selector` not auto-generated',
      'spec.template.metadata.labels: Invalid value: {"batch.kubernetes.io/controller-uid":'
      '"0a1b","batch.kubernetes.io/job-name":"pi","controller-uid":"0a1b","job-name":"pi"}: '
      "`selector` does not match template `labels`"]),
]


@pytest.mark.parametrize(("change", "expected"), [case[1:] for case in JOB_CASES],
                         ids=[case[0] for case in JOB_CASES])
def test_job_messages(change, expected):
    change = dict(change)
    restart = change.pop("restart", "Never")
    assert errors(job(restart, **change)) == expected


def rc(**spec) -> dict:
    template = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": CONTAINERS}}
    return apply_defaults({"apiVersion": "v1", "kind": "ReplicationController",
                           "metadata": {"name": "web"}, "spec": {"template": template, **spec}})


RC_CASES = [
    ("valid", {}, []),
    ("selector-mismatch", {"selector": {"app": "db"}},
     ['spec.template.metadata.labels: Invalid value: {"app":"web"}: '
      "`selector` does not match template `labels`"]),
    ("negative-replicas", {"replicas": -3},
     ["spec.replicas: Invalid value: -3: must be greater than or equal to 0"]),
]


@pytest.mark.parametrize(("spec", "expected"), [case[1:] for case in RC_CASES],
                         ids=[case[0] for case in RC_CASES])
def test_replication_controller_messages(spec, expected):
    assert errors(rc(**spec)) == expected


def test_an_rc_without_template_labels_needs_a_selector():
    obj = apply_defaults({"apiVersion": "v1", "kind": "ReplicationController",
                          "metadata": {"name": "web"},
                          "spec": {"template": {"spec": {"containers": CONTAINERS}}}})
    assert errors(obj) == ["spec.selector: Required value"]


def test_a_job_manifest_loads_before_the_server_generates_its_selector():
    from k8slab.api.manifests import load_manifests
    [loaded] = load_manifests({"apiVersion": "batch/v1", "kind": "Job",
                               "metadata": {"name": "pi"},
                               "spec": {"template": {"spec": {
                                   "restartPolicy": "Never", "containers": CONTAINERS}}}})
    assert "selector" not in loaded["spec"]
    assert errors(job(manualSelector=True)) == ["spec.selector: Required value"]

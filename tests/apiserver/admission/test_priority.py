"""The Priority plugin: a pod's priority comes from its PriorityClass (or the globalDefault, else
0); a pod that states another priority or preemptionPolicy is refused; only one class may be
the default (kk plugin/pkg/admission/priority/admission_test.go). And PriorityClass validation
(pkg/apis/scheduling/validation)."""

from __future__ import annotations

import pytest

from k8slab.api.validation import validate, validate_update
from k8slab.apiserver.admission.priority import Priority, system_priority_classes
from k8slab.errors import ForbiddenError, InvalidError

from .conftest import FakeLister, review, run


def priority_class(name: str, value: int, **fields) -> dict:
    return {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
            "metadata": {"name": name}, "value": value, **fields}


DEFAULT = priority_class("default", 1000, globalDefault=True, preemptionPolicy="Never")
HIGH = priority_class("high", 100000, preemptionPolicy="PreemptLowerPriority")
NEVER = priority_class("batch", 50, preemptionPolicy="Never")


def admitted(pod: dict, *classes: dict) -> dict:
    request = review("CREATE", pod)
    run(Priority(FakeLister(*classes)).mutate(request))
    assert request.patches == ["Priority"]
    return request.obj["spec"]


@pytest.mark.parametrize(("spec", "classes", "expected"), [
    ({}, (), {"priority": 0, "preemptionPolicy": "PreemptLowerPriority"}),
    ({}, (DEFAULT, HIGH), {"priorityClassName": "default", "priority": 1000,
                           "preemptionPolicy": "Never"}),
    ({"priorityClassName": "high"}, (DEFAULT, HIGH),
     {"priorityClassName": "high", "priority": 100000, "preemptionPolicy": "PreemptLowerPriority"}),
    ({"priorityClassName": "batch", "priority": 50}, (NEVER,),
     {"priorityClassName": "batch", "priority": 50, "preemptionPolicy": "Never"}),
    ({"priorityClassName": "system-node-critical"}, tuple(system_priority_classes()),
     {"priorityClassName": "system-node-critical", "priority": 2000001000}),
], ids=["no class, no default", "the global default", "a named class",
        "a matching priority is kept", "a system class"])
def test_the_pods_priority_comes_from_its_class(pod_spec, spec, classes, expected):
    resolved = admitted(pod_spec(**spec), *classes)
    assert {k: resolved[k] for k in expected} == expected


def test_the_lowest_of_two_defaults_wins(pod_spec):
    other = priority_class("other", 10, globalDefault=True)
    assert admitted(pod_spec(), DEFAULT, other)["priority"] == 10


@pytest.mark.parametrize(("spec", "classes", "message"), [
    ({"priorityClassName": "missing"}, (), "no PriorityClass with name missing was found"),
    ({"priority": 1000}, (), "the integer value of priority (1000) must not be provided in pod "
     "spec; priority admission controller computed 0 from the given PriorityClass name"),
    ({"priorityClassName": "high", "preemptionPolicy": "Never"}, (HIGH,),
     "the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority "
     "admission controller computed PreemptLowerPriority from the given PriorityClass name"),
], ids=["unknown class", "a priority of its own", "a preemptionPolicy of its own"])
def test_a_pod_cannot_choose_its_own_priority(pod_spec, spec, classes, message):
    with pytest.raises(ForbiddenError) as refused:
        run(Priority(FakeLister(*classes)).mutate(review("CREATE", pod_spec(**spec))))
    assert refused.value.message == f'pods "web" is forbidden: {message}'


def test_an_update_keeps_the_priority_creation_set(pod_spec):
    old = review("CREATE", pod_spec(priorityClassName="high")).obj
    old["spec"].update(priority=100000, preemptionPolicy="PreemptLowerPriority")
    request = review("UPDATE", pod_spec(priorityClassName="high"), old)
    run(Priority(FakeLister(HIGH)).mutate(request))
    assert (request.obj["spec"]["priority"], request.obj["spec"]["preemptionPolicy"]) == (
        100000, "PreemptLowerPriority")
    assert request.patches == ["Priority"]


def test_only_one_class_may_be_the_global_default():
    second = priority_class("second", 5, globalDefault=True)
    with pytest.raises(ForbiddenError) as refused:
        run(Priority(FakeLister(DEFAULT)).validate(review("CREATE", second)))
    assert refused.value.message == (
        'priorityclasses.scheduling.k8s.io "second" is forbidden: PriorityClass default is '
        "already marked as default. Only one default can exist")
    run(Priority(FakeLister(DEFAULT)).validate(review("UPDATE", DEFAULT, DEFAULT)))
    run(Priority(FakeLister()).validate(review("CREATE", second)))


@pytest.mark.parametrize(("obj", "message"), [
    (priority_class("huge", 1000000001), "value: Forbidden: maximum allowed value of a user "
     "defined priority is 1000000000"),
    (priority_class("system-mine", 5), "metadata.name: Forbidden: priority class names with "
     "'system-' prefix are reserved for system use only. error: system-mine is not a known "
     "system priority class"),
    (priority_class("system-node-critical", 5), "metadata.name: Forbidden: priority class "
     "names with 'system-' prefix are reserved for system use only. error: value of "
     "system-node-critical PriorityClass must be 2000001000"),
    (priority_class("odd", 5, preemptionPolicy="Sometimes"), 'preemptionPolicy: Unsupported '
     'value: "Sometimes": supported values: "Never", "PreemptLowerPriority"'),
], ids=["above the user maximum", "reserved prefix", "wrong system value", "bad policy"])
def test_priority_class_validation(obj, message):
    with pytest.raises(InvalidError) as refused:
        validate(obj)
    name = obj["metadata"]["name"]
    assert refused.value.message == (
        f'PriorityClass.scheduling.k8s.io "{name}" is invalid: {message}')


def test_the_system_classes_are_valid_and_a_class_value_never_changes():
    for obj in system_priority_classes():
        validate(obj)
    changed = dict(HIGH, value=7)
    with pytest.raises(InvalidError) as refused:
        validate_update(HIGH, changed)
    assert refused.value.message.endswith("value: Forbidden: may not be changed in an update.")

"""The PodSecurity plugin: a namespace's labels pick the levels; enforce refuses with upstream's
403, audit adds an annotation, warn a warning; templates are only warned about; namespaces need
valid labels (k8s.io/pod-security-admission admission/admission_test.go, api/helpers_test.go)."""

from __future__ import annotations

import pytest

from k8slab.apiserver.admission.pod_security import (
    AUDIT_VIOLATIONS,
    ENFORCE_POLICY,
    PodSecurity,
    PodSecurityConfiguration,
)
from k8slab.apiserver.admission.pod_security_policy import LevelVersion, Policy, policy_for
from k8slab.errors import ForbiddenError, InternalError, InvalidError

from .conftest import FakeLister, review, run

PRIVILEGED_DETAIL = 'privileged (container "c" must not set securityContext.privileged=true)'
RESTRICTED_DETAIL = (
    'allowPrivilegeEscalation != false (container "c" must set '
    "securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "
    '"c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or '
    'container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or '
    'container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or '
    '"Localhost")')


def namespace(name: str = "team", **labels: str) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": {f"pod-security.kubernetes.io/{k}": v
                                                  for k, v in labels.items()}}}


def plugin(*objects: dict, **config) -> PodSecurity:
    return PodSecurity(FakeLister(*objects), PodSecurityConfiguration(**config))


@pytest.fixture
def privileged_pod(pod_spec):
    return pod_spec("web", "team", containers=[
        {"name": "c", "image": "nginx", "securityContext": {"privileged": True}}])


@pytest.mark.parametrize(("labels", "expected"), [
    ({}, Policy()),
    ({"enforce": "baseline"}, Policy(LevelVersion("baseline"), LevelVersion("privileged"),
                                     LevelVersion("baseline"))),
    ({"enforce": "baseline", "enforce-version": "v1.30"},
     Policy(LevelVersion("baseline", 30), LevelVersion("privileged"),
            LevelVersion("baseline", 30))),
    ({"enforce": "restricted", "warn": "baseline"},
     Policy(LevelVersion("restricted"), LevelVersion("privileged"), LevelVersion("baseline"))),
    ({"audit": "restricted", "warn-version": "v1.25"},
     Policy(LevelVersion("privileged"), LevelVersion("restricted"),
            LevelVersion("privileged", 25))),
], ids=["no labels", "enforce sets warn", "pinned enforce pins warn", "explicit warn kept",
        "audit only"])
def test_policy_for_labels(labels, expected):
    policy, errors = policy_for(namespace(**labels)["metadata"]["labels"])
    assert (policy, errors) == (expected, [])


def test_bad_labels_fail_closed_for_enforce_and_open_for_warn_and_audit():
    policy, errors = policy_for(namespace(enforce="bogus", warn="nope", audit="x",
                                          **{"audit-version": "1.2"})["metadata"]["labels"])
    assert (policy.enforce.level, policy.warn.level, policy.audit.level) == (
        "restricted", "privileged", "privileged")
    assert [str(e) for e in errors] == [
        'metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "bogus": must be '
        "one of privileged, baseline, restricted",
        'metadata.labels[pod-security.kubernetes.io/audit]: Invalid value: "x": must be one '
        "of privileged, baseline, restricted",
        'metadata.labels[pod-security.kubernetes.io/audit-version]: Invalid value: "1.2": '
        'must be "latest" or "v1.x"',
        'metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: "nope": must be one '
        "of privileged, baseline, restricted"]


def test_enforce_refuses_a_privileged_pod_in_upstreams_words(privileged_pod):
    request = review("CREATE", privileged_pod)
    with pytest.raises(ForbiddenError) as refused:
        run(plugin(namespace(enforce="baseline")).validate(request))
    assert refused.value.message == (
        f'pods "web" is forbidden: violates PodSecurity "baseline:latest": {PRIVILEGED_DETAIL}')


def test_a_generated_name_is_not_there_yet_so_the_prefix_names_the_pod(pod_spec):
    pod = pod_spec("", "team", containers=[{"name": "c", "image": "nginx"}])
    pod["metadata"] = {"generateName": "web-", "namespace": "team"}
    with pytest.raises(ForbiddenError) as refused:
        run(plugin(namespace(enforce="restricted")).validate(review("CREATE", pod)))
    assert refused.value.message == (
        f'pods "web-" is forbidden: violates PodSecurity "restricted:latest": {RESTRICTED_DETAIL}')


def test_warn_and_audit_let_the_pod_in_and_say_why(privileged_pod):
    request = review("CREATE", privileged_pod)
    run(plugin(namespace(warn="restricted", audit="baseline")).validate(request))
    assert request.warnings == [
        f'would violate PodSecurity "restricted:latest": {PRIVILEGED_DETAIL}, {RESTRICTED_DETAIL}']
    assert request.audit_annotations == {
        ENFORCE_POLICY: "privileged:latest",
        AUDIT_VIOLATIONS: f'would violate PodSecurity "baseline:latest": {PRIVILEGED_DETAIL}'}


def test_a_fully_privileged_namespace_checks_nothing(privileged_pod):
    request = review("CREATE", privileged_pod)
    run(plugin(namespace()).validate(request))
    assert (request.warnings, request.audit_annotations) == (
        [], {ENFORCE_POLICY: "privileged:latest"})


def test_kube_system_is_not_exempt_but_exemptions_can_be_configured(privileged_pod):
    privileged_pod["metadata"]["namespace"] = "kube-system"
    system = namespace("kube-system", enforce="baseline")
    with pytest.raises(ForbiddenError):
        run(plugin(system).validate(review("CREATE", privileged_pod)))
    request = review("CREATE", privileged_pod)
    run(plugin(system, exempt_namespaces=("kube-system",)).validate(request))
    assert request.audit_annotations == {"pod-security.kubernetes.io/exempt": "namespace"}


def test_a_pod_update_that_changes_no_image_is_not_checked_again(privileged_pod):
    old = review("CREATE", privileged_pod).obj
    new = review("UPDATE", privileged_pod, old).obj
    new["metadata"]["labels"] = {"touched": "yes"}
    request = review("UPDATE", new, old)
    run(plugin(namespace(enforce="baseline")).validate(request))
    new["spec"]["containers"][0]["image"] = "nginx:2"
    with pytest.raises(ForbiddenError):
        run(plugin(namespace(enforce="baseline")).validate(review("UPDATE", new, old)))


def test_a_status_update_is_ignored(privileged_pod):
    request = review("UPDATE", privileged_pod, privileged_pod, verb="update_status")
    run(plugin(namespace(enforce="baseline")).validate(request))
    assert request.audit_annotations == {}


def test_a_missing_namespace_is_an_internal_error(privileged_pod):
    with pytest.raises(InternalError) as failed:
        run(plugin().validate(review("CREATE", privileged_pod)))
    assert failed.value.message == 'Internal error occurred: failed to lookup namespace "team"'


def test_a_deployment_template_is_warned_about_but_never_refused():
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": {"name": "web", "namespace": "team"},
                  "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
                      "metadata": {"labels": {"app": "web"}},
                      "spec": {"containers": [{"name": "c", "image": "nginx",
                                               "securityContext": {"privileged": True}}]}}}}
    request = review("CREATE", deployment)
    run(plugin(namespace(enforce="baseline")).validate(request))
    assert request.warnings == [
        f'would violate PodSecurity "baseline:latest": {PRIVILEGED_DETAIL}']


def test_a_namespace_with_a_bad_label_is_invalid():
    with pytest.raises(InvalidError) as refused:
        run(plugin().validate(review("CREATE", namespace(enforce="strict"))))
    assert refused.value.message == (
        'Namespace "team" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: '
        'Invalid value: "strict": must be one of privileged, baseline, restricted')


def test_tightening_enforce_warns_about_the_pods_already_there(pod_spec):
    pods = [pod_spec(n, "team", containers=[{"name": "c", "image": "nginx",
                                             "securityContext": {"privileged": True}}])
            for n in ("b", "a", "c")]
    pods.append(pod_spec("host", "team", hostNetwork=True))
    request = review("UPDATE", namespace(enforce="baseline"), namespace())
    run(plugin(*pods).validate(request))
    assert request.warnings == [
        'existing pods in namespace "team" violate the new PodSecurity enforce level '
        '"baseline:latest"',
        "a (and 2 other pods): privileged",
        "host: host namespaces"]
    relaxed = review("UPDATE", namespace(enforce="baseline"), namespace(enforce="restricted"))
    run(plugin(*pods).validate(relaxed))
    assert relaxed.warnings == []

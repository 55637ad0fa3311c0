"""The three plugins inside the API server: the system PriorityClasses exist from the start, a
new pod leaves admission with its priority and tolerations (and the trace says who set them),
and PodSecurity's refusals and warnings reach the client."""

from __future__ import annotations

from k8slab.errors import ForbiddenError


def namespace(name: str, **labels: str) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": {f"pod-security.kubernetes.io/{k}": v
                                                  for k, v in labels.items()}}}


def privileged(make_pod, namespace_name: str) -> dict:
    pod = make_pod("web", namespace_name)
    pod["spec"]["containers"][0]["securityContext"] = {"privileged": True}
    return pod


def test_the_server_creates_the_system_priority_classes_at_start(cp):
    items, _ = cp.ok(cp.client().list("priorityclasses"))
    assert [(pc["metadata"]["name"], pc["value"], pc["preemptionPolicy"])
            for pc in items] == [
        ("system-cluster-critical", 2000000000, "PreemptLowerPriority"),
        ("system-node-critical", 2000001000, "PreemptLowerPriority")]


def test_a_new_pod_gets_its_priority_and_tolerations_from_admission(cp, make_pod):
    created = cp.ok(cp.client().create(make_pod("web", priorityClassName="system-node-critical")))
    spec = created["spec"]
    assert (spec["priority"], spec["preemptionPolicy"]) == (2000001000, "PreemptLowerPriority")
    assert [t["key"] for t in spec["tolerations"]] == [
        "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]
    [admit] = [r for r in cp.sim.trace.where(component="apiserver", kind="admit")
               if r.obj == "pod/default/web"]
    assert admit.details["mutated_by"] == ["ServiceAccount", "Priority", "DefaultTolerationSeconds"]
    assert admit.details["plugins"] == [
        "NamespaceLifecycle", "LimitRanger", "ServiceAccount", "Priority",
        "DefaultTolerationSeconds", "MutatingAdmissionWebhook"]


def test_a_pod_naming_a_missing_class_is_refused_and_nothing_is_stored(cp, make_pod):
    refused = cp.call(cp.client().create(make_pod("web", priorityClassName="gold")))
    assert isinstance(refused, ForbiddenError)
    assert refused.message == 'pods "web" is forbidden: no PriorityClass with name gold was found'
    assert cp.ok(cp.client().list("pods"))[0] == []


def test_enforce_baseline_refuses_a_privileged_pod(cp, make_pod):
    cp.ok(cp.client().create(namespace("locked", enforce="baseline")))
    cp.sim.run(cp.sim.now + 0.5)  # the watch cache sees the namespace
    refused = cp.call(cp.client().create(privileged(make_pod, "locked")))
    assert isinstance(refused, ForbiddenError)
    assert refused.message == (
        'pods "web" is forbidden: violates PodSecurity "baseline:latest": privileged '
        '(container "app" must not set securityContext.privileged=true)')


def test_warn_restricted_lets_the_pod_in_and_the_client_gets_the_warning(cp, make_pod):
    cp.ok(cp.client().create(namespace("watched", warn="restricted", audit="baseline")))
    cp.sim.run(cp.sim.now + 0.5)
    client = cp.client()
    created = cp.ok(client.create(privileged(make_pod, "watched")))
    assert created["metadata"]["name"] == "web" and type(created) is dict
    [warning] = client.warnings
    assert warning.startswith('would violate PodSecurity "restricted:latest": privileged '
                              '(container "app" must not set securityContext.privileged=true), '
                              "allowPrivilegeEscalation != false")
    [validated] = [r for r in cp.sim.trace.where(component="apiserver", kind="validate")
                   if r.obj == "pod/watched/web"]
    assert validated.details["warnings"] == [warning]
    assert validated.details["audit_annotations"] == {
        "pod-security.kubernetes.io/audit-violations":
            'would violate PodSecurity "baseline:latest": privileged (container "app" must not '
            "set securityContext.privileged=true)",
        "pod-security.kubernetes.io/enforce-policy": "privileged:latest"}


def test_an_update_without_the_priority_keeps_it_and_is_valid(cp, make_pod):
    manifest = make_pod("web", priorityClassName="system-cluster-critical")
    # What the ServiceAccount plugin would add stated up front, so the update sends it back.
    manifest["spec"].update(serviceAccountName="default", automountServiceAccountToken=False)
    created = cp.ok(cp.client().create(manifest))
    body = dict(manifest, metadata=dict(manifest["metadata"], labels={"touched": "yes"},
                                        resourceVersion=created["metadata"]["resourceVersion"]))
    updated = cp.ok(cp.client().update(body))
    assert updated["metadata"]["labels"] == {"touched": "yes"}
    assert (updated["spec"]["priority"], updated["spec"]["preemptionPolicy"]) == (
        2000000000, "PreemptLowerPriority")
    changed = dict(body, spec=dict(body["spec"], priority=7))
    changed["metadata"] = dict(body["metadata"], resourceVersion=updated["metadata"][
        "resourceVersion"])
    refused = cp.call(cp.client().update(changed))
    assert refused.message.startswith('Pod "web" is invalid: spec: Forbidden: pod updates may '
                                      "not change fields other than")

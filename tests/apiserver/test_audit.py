"""The audit log: the policy's first matching rule sets the level, the level sets what an Event
keeps, omitStages drops stages, and failures (401, 403, a panic) are recorded too."""

from __future__ import annotations

import json
import random

import pytest

from k8slab.api.kubeconfig import Credentials
from k8slab.apiserver.audit import AuditLog
from k8slab.apiserver.audit_policy import AuditPolicyError, parse_policy, policy_document
from k8slab.apiserver.authorization import DENY, Decision
from k8slab.client.rest import Client
from k8slab.errors import ForbiddenError, InternalError, UnauthorizedError
from tests.pki_fixtures import TEST_CA, credentials

LOG = "/var/log/kubernetes/audit/audit.log"


def audit(cp, policy: dict) -> None:
    """Turn the test API server's audit log on with `policy` (rules and omitStages)."""
    cp.apiserver.audit = AuditLog(parse_policy({"kind": "Policy", **policy}),
                                  cp.control_plane.disk, LOG, lambda: cp.sim.now,
                                  random.Random(0))


def events(cp, **wanted) -> list[dict]:
    found = [json.loads(line) for line in cp.control_plane.disk.get(LOG, [])]
    return [e for e in found if all(
        (e.get("objectRef") or {}).get(k, e.get(k)) == v for k, v in wanted.items())]


def configmap(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "default"}, "data": {"k": "v"}}


def test_a_metadata_event_says_who_did_what_to_which_object_and_the_answer(cp) -> None:
    audit(cp, {"rules": [{"level": "Metadata"}]})
    cp.ok(cp.client("jane", groups=("dev",)).create(configmap("settings")))
    received, complete = events(cp, name="settings")
    assert [received["stage"], complete["stage"]] == ["RequestReceived", "ResponseComplete"]
    assert complete["verb"] == "create"
    assert complete["requestURI"] == "/api/v1/namespaces/default/configmaps"
    assert complete["user"] == {"username": "jane",
                                "groups": ["dev", "system:masters", "system:authenticated"]}
    assert complete["sourceIPs"] == ["worker-1"]
    assert complete["objectRef"] == {"resource": "configmaps", "namespace": "default",
                                     "name": "settings", "apiVersion": "v1"}
    assert complete["responseStatus"] == {"metadata": {}, "code": 201}
    assert complete["annotations"] == {"authorization.k8s.io/decision": "allow",
                                       "authorization.k8s.io/reason": ""}
    assert "requestObject" not in complete and "responseObject" not in complete
    assert received["auditID"] == complete["auditID"]
    assert list(complete)[:5] == ["kind", "apiVersion", "level", "auditID", "stage"]


def test_an_event_names_the_user_agent_and_whom_the_request_impersonated(cp) -> None:
    audit(cp, {"rules": [{"level": "Metadata"}]})
    admin = Client(cp.worker.group("deployer"), credentials("admin", ("system:masters",)),
                   "control-plane", impersonate_user="jane",
                   impersonate_groups=("system:masters",))
    cp.ok(admin.create(configmap("settings")))
    received, complete = events(cp, name="settings")
    agent = "deployer/v1.35.0 (linux/amd64) kubernetes/6645204"  # client-go's default form
    assert received["userAgent"] == complete["userAgent"] == agent
    assert complete["user"]["username"] == "admin"  # who authenticated
    # The impersonation filter runs after the audit one: RequestReceived does not know jane.
    assert "impersonatedUser" not in received
    assert complete["impersonatedUser"] == {
        "username": "jane", "groups": ["system:masters", "system:authenticated"]}
    assert list(complete)[7:11] == ["user", "impersonatedUser", "sourceIPs", "userAgent"]


@pytest.mark.parametrize("level, request_object, response_object", [
    ("Metadata", False, False),
    ("Request", True, False),
    ("RequestResponse", True, True),
])
def test_each_level_keeps_more_of_the_request(cp, level, request_object,
                                              response_object) -> None:
    audit(cp, {"rules": [{"level": level}], "omitStages": ["RequestReceived"]})
    cp.ok(cp.client("jane").create(configmap("settings")))
    (event,) = events(cp, name="settings")
    assert event["level"] == level
    assert ("requestObject" in event) is request_object
    assert ("responseObject" in event) is response_object
    if response_object:
        assert event["responseObject"]["metadata"]["uid"]  # what the server stored


def test_the_first_matching_rule_decides(cp) -> None:
    audit(cp, {"omitStages": ["RequestReceived"], "rules": [
        {"level": "None", "users": ["quiet"]},
        {"level": "RequestResponse", "verbs": ["delete"]},
        {"level": "Metadata", "resources": [{"group": "", "resources": ["configmaps"]}]},
    ]})
    cp.ok(cp.client("quiet").create(configmap("a")))
    cp.ok(cp.client("jane").create(configmap("b")))
    cp.ok(cp.client("jane").delete("configmaps", "b", "default"))
    cp.ok(cp.client("jane").list("pods", "default"))  # no rule matches pods lists: None
    assert [(e["objectRef"].get("name"), e["verb"], e["level"]) for e in events(cp)] == [
        ("b", "create", "Metadata"), ("b", "delete", "RequestResponse")]


@pytest.mark.parametrize("rule, matched", [
    ({"userGroups": ["dev"]}, True),
    ({"userGroups": ["ops"]}, False),
    ({"namespaces": ["default"]}, True),
    ({"namespaces": ["kube-system"]}, False),
    ({"resources": [{"group": "", "resources": ["configmaps"],
                     "resourceNames": ["settings"]}]}, True),
    ({"resources": [{"group": "", "resources": ["configmaps"],
                     "resourceNames": ["other"]}]}, False),
    ({"resources": [{"group": "apps"}]}, False),
    ({"resources": [{"group": ""}]}, True),
    ({"nonResourceURLs": ["/healthz*"]}, False),
], ids=["group", "other-group", "namespace", "other-namespace", "resource-name",
        "other-resource-name", "other-api-group", "whole-core-group", "non-resource-only"])
def test_rule_fields(cp, rule, matched) -> None:
    audit(cp, {"rules": [{"level": "Metadata", **rule}]})
    cp.ok(cp.client("jane", groups=("dev",)).update(
        {**cp.ok(cp.client("jane").create(configmap("settings"))), "data": {"k": "w"}}))
    assert bool(events(cp, name="settings", verb="update")) is matched


def test_a_subresource_rule_matches_pods_binding(cp, make_pod) -> None:
    audit(cp, {"rules": [{"level": "Request", "resources": [
        {"group": "", "resources": ["*/binding"]}]}], "omitStages": ["RequestReceived"]})
    cp.ok(cp.client("admin").create(make_pod("web")))
    cp.ok(cp.client("system:kube-scheduler").bind("default", "web", "worker-1"))
    (event,) = events(cp)
    assert event["objectRef"]["subresource"] == "binding"
    assert event["requestURI"] == "/api/v1/namespaces/default/pods/web/binding"
    assert event["requestObject"]["target"] == {"kind": "Node", "name": "worker-1"}


def test_failures_are_recorded_401_403_and_a_panic(cp, monkeypatch) -> None:
    audit(cp, {"rules": [{"level": "Metadata"}], "omitStages": ["RequestReceived"]})
    expired = TEST_CA.issue("mallory", (), serial=9, now=0.0, validity=1.0)
    stranger = Client(cp.worker.group("stranger"), Credentials(expired), "control-plane")
    assert isinstance(cp.call(stranger.list("pods")), UnauthorizedError)
    cp.apiserver.authorizer = type("Deny", (), {"authorize": lambda self, a: Decision(
        DENY, "no", "Deny")})()
    assert isinstance(cp.call(cp.client("jane").list("pods")), ForbiddenError)
    unauthenticated, forbidden = events(cp)
    assert (unauthenticated["stage"], unauthenticated["responseStatus"]["code"],
            unauthenticated["user"]) == ("ResponseStarted", 401, {})
    assert forbidden["responseStatus"]["code"] == 403
    assert forbidden["annotations"]["authorization.k8s.io/decision"] == "forbid"
    cp.apiserver.authorizer = type("Allow", (), {"authorize": lambda self, a: Decision(
        "allow", "", "Allow")})()

    def panic(*_args) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cp.apiserver, "_list", panic)
    assert isinstance(cp.call(cp.client("jane").list("pods")), InternalError)
    assert events(cp)[-1]["stage"] == "Panic"


def test_a_watch_is_recorded_when_it_starts(cp) -> None:
    audit(cp, {"rules": [{"level": "Metadata", "verbs": ["watch"]}]})
    cp.client("jane").watch("pods", "", lambda _: None, lambda _: None, namespace="default")
    cp.sim.run(1)
    assert [(e["stage"], e["requestURI"]) for e in events(cp)] == [
        ("RequestReceived", "/api/v1/namespaces/default/pods?watch=true"),
        ("ResponseStarted", "/api/v1/namespaces/default/pods?watch=true")]


@pytest.mark.parametrize("policy, message", [
    ({"rules": [{"level": "Everything"}]}, r'rules\[0\].level: Unsupported value: "Everything"'),
    ({"rules": [{"level": "Metadata", "user": ["x"]}]}, 'unknown field "user"'),
    ({"rules": [], "omitStages": ["Sometimes"]}, 'omitStages: Unsupported value: "Sometimes"'),
    ({"rules": "all"}, "rules must be a list"),
    ("verbose", "must be a preset"),
    (42, "must be a preset name"),
])
def test_a_bad_policy_is_refused_naming_the_field(policy, message) -> None:
    with pytest.raises(AuditPolicyError, match=message):
        policy_document(policy)


def test_presets_and_yaml_text_read_as_policies() -> None:
    assert policy_document("writes")["rules"][0]["level"] == "RequestResponse"
    assert policy_document("rules:\n- level: Metadata\n")["rules"] == [{"level": "Metadata"}]

"""The audit log and managedFields: logged with the objects by default; omitManagedFields, on the
policy or on a rule (which wins), leaves them out of requestObject and responseObject."""

from __future__ import annotations

import pytest

from k8slab.apiserver.audit_policy import AuditPolicyError, parse_policy
from tests.apiserver.test_audit import audit, configmap, events


def written(cp, name: str) -> dict:
    cp.ok(cp.client().create(configmap(name)))
    [complete] = [e for e in events(cp, name=name) if e["stage"] == "ResponseComplete"]
    return complete


@pytest.mark.parametrize(("policy", "logged"), [
    ({"rules": [{"level": "RequestResponse"}]}, True),
    ({"omitManagedFields": True, "rules": [{"level": "RequestResponse"}]}, False),
    ({"omitManagedFields": True,
      "rules": [{"level": "RequestResponse", "omitManagedFields": False}]}, True),
    ({"rules": [{"level": "RequestResponse", "omitManagedFields": True}]}, False),
], ids=["default", "policy", "rule-overrides-policy", "rule"])
def test_omit_managed_fields(cp, policy, logged):
    audit(cp, policy)
    complete = written(cp, "settings")
    assert ("managedFields" in complete["responseObject"]["metadata"]) is logged
    assert complete["responseObject"]["data"] == {"k": "v"}
    stored = cp.ok(cp.client().get("configmaps", "settings", "default"))
    assert "managedFields" in stored["metadata"]  # the object itself keeps them


def test_omit_managed_fields_must_be_a_boolean():
    with pytest.raises(AuditPolicyError) as raised:
        parse_policy({"kind": "Policy", "rules": [{"level": "None", "omitManagedFields": "yes"}]})
    assert raised.value.message == ("audit policy: rules[0].omitManagedFields must be true or "
                                    "false, got 'yes'")

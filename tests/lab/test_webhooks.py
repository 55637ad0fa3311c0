"""The webhook helpers: a handler's answers, the configurations, and refused arguments."""

import base64
import json

import pytest

from k8slab.api.defaults import apply_defaults
from k8slab.api.validation import validate
from k8slab.errors import K8sLabError
from k8slab.lab.webhooks import (
    allowed,
    denied,
    mutating_webhook_configuration,
    run_webhook_server,
    server_manifests,
    validating_webhook_configuration,
)


def test_allowed_carries_a_base64_json_patch():
    answer = allowed([{"op": "add", "path": "/metadata/labels/a", "value": "b"}], ["careful"])
    assert answer["patchType"] == "JSONPatch" and answer["warnings"] == ["careful"]
    assert json.loads(base64.b64decode(answer["patch"])) == [
        {"op": "add", "path": "/metadata/labels/a", "value": "b"}]
    assert allowed() == {"allowed": True}


def test_denied_is_a_403_forbidden_by_default():
    assert denied("no") == {"allowed": False,
                            "status": {"code": 403, "reason": "Forbidden", "message": "no"}}


def test_the_built_objects_are_valid():
    for obj in (mutating_webhook_configuration("a", reinvocation_policy="IfNeeded"),
                validating_webhook_configuration("b", failure_policy="Ignore"),
                *server_manifests("a", "default", 2)):
        validate(apply_defaults(obj))


@pytest.mark.parametrize("name, handler, message", [
    ("Bad_Name", lambda r: {}, "name 'Bad_Name' must be a valid Service name"),
    ("ok", "not a function", "handler must be a function"),
])
def test_bad_arguments_are_refused_before_anything_runs(name, handler, message):
    with pytest.raises(K8sLabError) as caught:
        run_webhook_server(None, name, handler)
    assert str(caught.value).startswith(message)

"""Webhook configuration validation (admissionregistration.k8s.io/v1), on the defaulted object
as the API server checks it; texts from upstream's admissionregistration validation."""

import copy

import pytest

from k8slab.api.defaults import apply_defaults
from k8slab.api.validation import field_errors

HOOK = {
    "name": "label-adder.webhooks.k8slab.dev",
    "clientConfig": {"service": {"name": "label-adder", "namespace": "default", "path": "/"}},
    "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
               "resources": ["pods"]}],
    "sideEffects": "None",
    "admissionReviewVersions": ["v1"],
}


def configuration(kind="MutatingWebhookConfiguration", **changes):
    hook = copy.deepcopy(HOOK)
    for key, value in changes.items():
        if value is None:
            hook.pop(key, None)
        else:
            hook[key] = value
    return apply_defaults({"apiVersion": "admissionregistration.k8s.io/v1", "kind": kind,
                           "metadata": {"name": "label-adder"}, "webhooks": [hook]})


def errors_of(obj):
    return [str(error) for error in field_errors(obj)]


def test_a_configuration_gets_upstreams_defaults_and_is_valid():
    obj = configuration()
    hook = obj["webhooks"][0]
    assert (hook["failurePolicy"], hook["matchPolicy"], hook["timeoutSeconds"],
            hook["reinvocationPolicy"], hook["namespaceSelector"], hook["objectSelector"],
            hook["rules"][0]["scope"], hook["clientConfig"]["service"]["port"]) == (
        "Fail", "Equivalent", 10, "Never", {}, {}, "*", 443)
    assert errors_of(obj) == []
    assert errors_of(configuration("ValidatingWebhookConfiguration")) == []
    assert "reinvocationPolicy" not in configuration(
        "ValidatingWebhookConfiguration")["webhooks"][0]


P = "webhooks[0]"
CASES = [
    ("name with two segments", {"name": "a.b"},
     f'{P}.name: Invalid value: "a.b": should be a domain with at least three segments '
     "separated by dots"),
    ("no name", {"name": ""}, f"{P}.name: Required value"),
    ("no sideEffects", {"sideEffects": None},
     f"{P}.sideEffects: Required value: must specify one of None, NoneOnDryRun"),
    ("sideEffects Some", {"sideEffects": "Some"},
     f'{P}.sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"'),
    ("failurePolicy", {"failurePolicy": "Maybe"},
     f'{P}.failurePolicy: Unsupported value: "Maybe": supported values: "Fail", "Ignore"'),
    ("matchPolicy", {"matchPolicy": "Loose"},
     f'{P}.matchPolicy: Unsupported value: "Loose": supported values: "Equivalent", "Exact"'),
    ("timeout 31", {"timeoutSeconds": 31},
     f"{P}.timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 "
     "seconds"),
    ("timeout 0", {"timeoutSeconds": 0},
     f"{P}.timeoutSeconds: Invalid value: 0: the timeout value must be between 1 and 30 "
     "seconds"),
    ("reinvocationPolicy", {"reinvocationPolicy": "Always"},
     f'{P}.reinvocationPolicy: Unsupported value: "Always": supported values: "IfNeeded", '
     '"Never"'),
    ("no review versions", {"admissionReviewVersions": None},
     f"{P}.admissionReviewVersions: Required value: must specify one of v1, v1beta1"),
    ("unknown review version", {"admissionReviewVersions": ["v2"]},
     f'{P}.admissionReviewVersions: Invalid value: ["v2"]: must include at least one of v1, '
     "v1beta1"),
    ("neither url nor service", {"clientConfig": {}},
     f"{P}.clientConfig: Required value: exactly one of url or service is required"),
    ("http url", {"clientConfig": {"url": "http://10.0.0.1/x"}},
     f"{P}.clientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme; "
     "desired format: https://host[/path]"),
    ("url with a query", {"clientConfig": {"url": "https://10.0.0.1/x?a=b"}},
     f'{P}.clientConfig.url: Invalid value: "a=b": query parameters are not permitted in the '
     "URL"),
    ("service without a name", {"clientConfig": {"service": {"namespace": "default"}}},
     f"{P}.clientConfig.service.name: Required value"),
    ("service path without slash", {"clientConfig": {"service": {
        "name": "s", "namespace": "d", "path": "mutate"}}},
     f"{P}.clientConfig.service.path: Invalid value: \"mutate\": must start with a '/'"),
    ("service port 0", {"clientConfig": {"service": {"name": "s", "namespace": "d",
                                                     "port": 70000}}},
     f"{P}.clientConfig.service.port: Invalid value: 70000: port is not valid: must be "
     "between 1 and 65535, inclusive"),
    ("no operations", {"rules": [{"apiGroups": [""], "apiVersions": ["v1"],
                                  "resources": ["pods"]}]},
     f"{P}.rules[0].operations: Required value"),
    ("unknown operation", {"rules": [{"operations": ["PATCH"], "apiGroups": [""],
                                      "apiVersions": ["v1"], "resources": ["pods"]}]},
     f'{P}.rules[0].operations[0]: Unsupported value: "PATCH": supported values: "*", '
     '"CONNECT", "CREATE", "DELETE", "UPDATE"'),
    ("wildcard with others", {"rules": [{"operations": ["*"], "apiGroups": ["", "*"],
                                         "apiVersions": ["v1"], "resources": ["pods"]}]},
     f"{P}.rules[0].apiGroups: Invalid value: [\"\",\"*\"]: if '*' is present, must not "
     "specify other API groups"),
    ("*/* with others", {"rules": [{"operations": ["*"], "apiGroups": ["*"],
                                    "apiVersions": ["*"], "resources": ["*/*", "pods"]}]},
     f"{P}.rules[0].resources: Invalid value: [\"*/*\",\"pods\"]: if '*/*' is present, must "
     "not specify other resources"),
    ("bad scope", {"rules": [{"operations": ["*"], "apiGroups": ["*"], "apiVersions": ["*"],
                              "resources": ["*"], "scope": "Global"}]},
     f'{P}.rules[0].scope: Unsupported value: "Global": supported values: "*", "Cluster", '
     '"Namespaced"'),
    ("bad selector operator", {"namespaceSelector": {"matchExpressions": [
        {"key": "env", "operator": "Is", "values": ["x"]}]}},
     f'{P}.namespaceSelector.matchExpressions[0].operator: Invalid value: "Is": not a valid '
     "selector operator"),
    ("matchConditions (no CEL here)", {"matchConditions": [{"name": "a", "expression": "true"}]},
     f"{P}.matchConditions: Forbidden: k8slab does not evaluate CEL: matchConditions are not "
     "supported"),
]


@pytest.mark.parametrize("changes, message", [(c, m) for _, c, m in CASES],
                         ids=[name for name, _, _ in CASES])
def test_configuration_validation(changes, message):
    assert errors_of(configuration(**changes)) == [message]


def test_webhook_names_are_unique_within_a_configuration():
    obj = configuration()
    obj["webhooks"].append(copy.deepcopy(obj["webhooks"][0]))
    assert errors_of(obj) == ['webhooks[1].name: Duplicate value: '
                              '"label-adder.webhooks.k8slab.dev"']

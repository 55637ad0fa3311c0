"""k8s.io/api/admissionregistration/v1: the webhook configurations admission reads.

types.go MutatingWebhookConfiguration, ValidatingWebhookConfiguration and their webhooks:
where the webhook is (clientConfig), which requests it sees (rules, selectors), and what a
failure means (failurePolicy). caBundle is a []byte, base64 text in JSON.
"""

from __future__ import annotations

from k8slab.api.schema.meta_v1 import LABEL_SELECTOR, OBJECT_META
from k8slab.api.schema.types import INT32, STRING, STRINGS, ListOf, Struct, enum

SERVICE_REFERENCE = Struct(
    "v1.ServiceReference",
    {"namespace": STRING, "name": STRING, "path": STRING, "port": INT32},
)
WEBHOOK_CLIENT_CONFIG = Struct(
    "v1.WebhookClientConfig",
    {"url": STRING, "service": SERVICE_REFERENCE, "caBundle": STRING},
)
RULE_WITH_OPERATIONS = Struct(
    "v1.RuleWithOperations",
    {
        "operations": ListOf(enum("v1.OperationType")),
        "apiGroups": STRINGS,
        "apiVersions": STRINGS,
        "resources": STRINGS,
        "scope": enum("v1.ScopeType"),
    },
)
MATCH_CONDITION = Struct("v1.MatchCondition", {"name": STRING, "expression": STRING})

_WEBHOOK_FIELDS = {
    "name": STRING,
    "clientConfig": WEBHOOK_CLIENT_CONFIG,
    "rules": ListOf(RULE_WITH_OPERATIONS),
    "failurePolicy": enum("v1.FailurePolicyType"),
    "matchPolicy": enum("v1.MatchPolicyType"),
    "namespaceSelector": LABEL_SELECTOR,
    "objectSelector": LABEL_SELECTOR,
    "sideEffects": enum("v1.SideEffectClass"),
    "timeoutSeconds": INT32,
    "admissionReviewVersions": STRINGS,
}
MUTATING_WEBHOOK = Struct(
    "v1.MutatingWebhook",
    {**_WEBHOOK_FIELDS, "reinvocationPolicy": enum("v1.ReinvocationPolicyType"),
     "matchConditions": ListOf(MATCH_CONDITION)},
)
VALIDATING_WEBHOOK = Struct(
    "v1.ValidatingWebhook", {**_WEBHOOK_FIELDS, "matchConditions": ListOf(MATCH_CONDITION)})

MUTATING_WEBHOOK_CONFIGURATION = Struct(
    "v1.MutatingWebhookConfiguration",
    {"apiVersion": STRING, "kind": STRING, "metadata": OBJECT_META,
     "webhooks": ListOf(MUTATING_WEBHOOK)},
)
VALIDATING_WEBHOOK_CONFIGURATION = Struct(
    "v1.ValidatingWebhookConfiguration",
    {"apiVersion": STRING, "kind": STRING, "metadata": OBJECT_META,
     "webhooks": ListOf(VALIDATING_WEBHOOK)},
)

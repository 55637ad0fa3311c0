"""admissionregistration.k8s.io/v1 defaults (kubernetes pkg/apis/admissionregistration/v1
defaults.go): a webhook fails closed, matches equivalent versions, waits 10 seconds, is never
reinvoked, selects every namespace and object; a rule covers every scope; a Service is on 443.
sideEffects and admissionReviewVersions have no default in v1: they must be given.
"""

from __future__ import annotations

from k8slab.api.defaults_pod import dicts_in

WEBHOOK_DEFAULTS = {
    "failurePolicy": "Fail",
    "matchPolicy": "Equivalent",
    "timeoutSeconds": 10,
}
DEFAULT_SERVICE_PORT = 443


def default_webhook_configuration(obj: dict, mutating: bool) -> None:
    """Fill in every webhook's defaults in place (values already present are kept)."""
    for hook in dicts_in(obj.get("webhooks")):
        for field, value in WEBHOOK_DEFAULTS.items():
            if hook.get(field) is None:
                hook[field] = value
        for field in ("namespaceSelector", "objectSelector"):
            if hook.get(field) is None:
                hook[field] = {}
        if mutating and hook.get("reinvocationPolicy") is None:
            hook["reinvocationPolicy"] = "Never"
        for rule in dicts_in(hook.get("rules")):
            if rule.get("scope") is None:
                rule["scope"] = "*"
        service = (hook.get("clientConfig") or {}).get("service")
        if isinstance(service, dict) and service.get("port") is None:
            service["port"] = DEFAULT_SERVICE_PORT

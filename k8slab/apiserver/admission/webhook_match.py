"""Which webhooks a request goes to: the configurations in the watch cache, each webhook's
rules, namespaceSelector and objectSelector (apiserver pkg/admission/plugin/webhook:
predicates/rules, predicates/namespace, predicates/object, generic.ShouldCallHook).

Configurations are read in name order and each one's webhooks in their listed order, as
upstream's configuration managers sort them. Simplified: k8slab serves each resource in one
version, so matchPolicy Equivalent matches exactly what Exact does.
"""

from __future__ import annotations

from dataclasses import dataclass

from k8slab.api.kinds import NAMESPACE, Kind, registry_key, registry_prefix
from k8slab.api.labels import selector_is_empty, selector_matches
from k8slab.apiserver.admission import CREATE, UPDATE, AdmissionRequest
from k8slab.errors import NotFoundError

ADMISSION_GROUP = "admissionregistration.k8s.io"
# rules.IsExemptAdmissionConfigurationResource: webhooks never see these kinds, so a broken
# webhook can always be removed.
EXEMPT_KINDS = ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
                "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
                "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding")


@dataclass(frozen=True)
class Webhook:
    """One webhook of one configuration, with its defaults already filled in."""

    configuration: str
    spec: dict

    @property
    def name(self) -> str:
        """The webhook's name (a fully qualified domain, `label-adder.k8slab.dev`)."""
        return self.spec["name"]

    @property
    def key(self) -> tuple[str, str]:
        """(configuration, webhook): unique, since names are unique within a configuration."""
        return self.configuration, self.name

    @property
    def fails_open(self) -> bool:
        """failurePolicy Ignore: a call that fails lets the request go on."""
        return self.spec.get("failurePolicy", "Fail") == "Ignore"

    @property
    def timeout(self) -> int:
        """timeoutSeconds: how long the API server waits for the answer (default 10)."""
        return int(self.spec.get("timeoutSeconds") or 10)


def webhooks_in(objects: dict[str, dict], kind: Kind) -> list[Webhook]:
    """Every webhook of every configuration of `kind` in the cache, in the order they run."""
    prefix = registry_prefix(kind)
    configurations = sorted((key, obj) for key, obj in objects.items() if key.startswith(prefix))
    return [Webhook(obj["metadata"]["name"], hook)
            for _, obj in configurations for hook in obj.get("webhooks") or []]


def exempt(kind: Kind) -> bool:
    """True for the admission configuration kinds themselves."""
    return kind.group == ADMISSION_GROUP and kind.kind in EXEMPT_KINDS


def _any(items: list, wanted: str) -> bool:
    return "*" in items or wanted in items


def rule_matches(rule: dict, request: AdmissionRequest) -> bool:
    """rules.Matcher: scope, operation, API group, version, and resource/subresource."""
    attrs = request.attributes
    namespaces = attrs.resource == "namespaces" and attrs.api_group == ""
    scope = rule.get("scope") or "*"
    if scope == "Namespaced" and (namespaces or not attrs.namespace):
        return False
    if scope == "Cluster" and not (namespaces or not attrs.namespace):
        return False
    if not _any(list(rule.get("operations") or []), request.operation):
        return False
    if not (_any(list(rule.get("apiGroups") or []), attrs.api_group)
            and _any(list(rule.get("apiVersions") or []), attrs.api_version)):
        return False
    for entry in rule.get("resources") or []:
        resource, _, sub = entry.partition("/")
        if resource in ("*", attrs.resource) and sub in ("*", attrs.subresource):
            return True
    return False


def _namespace_labels(objects: dict[str, dict], request: AdmissionRequest) -> dict:
    attrs = request.attributes
    if (attrs.resource == "namespaces" and not attrs.subresource
            and request.operation in (CREATE, UPDATE)):
        return (request.obj or {}).get("metadata", {}).get("labels") or {}
    namespace = objects.get(registry_key(NAMESPACE, None, attrs.namespace))
    if namespace is None:  # upstream asks the API for it, then answers its 404
        raise NotFoundError(f'namespaces "{attrs.namespace}" not found')
    return namespace["metadata"].get("labels") or {}


def should_call(hook: Webhook, request: AdmissionRequest, objects: dict[str, dict]) -> bool:
    """generic.ShouldCallHook: the namespace, then the object, then any rule must match."""
    attrs = request.attributes
    selector = hook.spec.get("namespaceSelector") or {}
    if (attrs.namespace or attrs.resource == "namespaces") and not selector_is_empty(selector):
        if not selector_matches(selector, _namespace_labels(objects, request)):
            return False
    selector = hook.spec.get("objectSelector") or {}
    if not selector_is_empty(selector) and not any(
            obj is not None and selector_matches(selector, obj["metadata"].get("labels"))
            for obj in (request.obj, request.old)):
        return False
    return any(rule_matches(rule, request) for rule in hook.spec.get("rules") or [])

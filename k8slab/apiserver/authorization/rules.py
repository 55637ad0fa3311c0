"""Does one PolicyRule allow one request? RBAC's matching, shared by the RBAC authorizer, the
Node authorizer's static rules and `kubectl auth can-i --list`.

pkg/apis/rbac/v1/evaluation_helpers.go: `*` matches any verb, group or resource; `*/scale`
matches the scale subresource of any resource; a rule with resourceNames applies only to
requests naming one of them; a non-resource URL ending in `*` matches every path it prefixes.
"""

from __future__ import annotations

from k8slab.apiserver.request_info import Attributes


def verb_matches(rule: dict, verb: str) -> bool:
    """VerbMatches."""
    verbs = rule.get("verbs") or []
    return "*" in verbs or verb in verbs


def resource_matches(rule: dict, resource: str, subresource: str) -> bool:
    """ResourceMatches: `pods`, `pods/log`, `*`, or `*/<subresource>`."""
    combined = f"{resource}/{subresource}" if subresource else resource
    for allowed in rule.get("resources") or []:
        if allowed in ("*", combined):
            return True
        if subresource and allowed == f"*/{subresource}":
            return True
    return False


def url_matches(rule: dict, path: str) -> bool:
    """NonResourceURLMatches: exact, `*`, or a prefix ending in `*`."""
    for allowed in rule.get("nonResourceURLs") or []:
        if allowed in ("*", path):
            return True
        if allowed.endswith("*") and path.startswith(allowed[:-1]):
            return True
    return False


def rule_allows(attributes: Attributes, rule: dict) -> bool:
    """RuleAllows: the verb, and either the group, resource and name or the URL path."""
    if not verb_matches(rule, attributes.verb):
        return False
    if not attributes.resource_request:
        return url_matches(rule, attributes.path)
    groups = rule.get("apiGroups") or []
    names = rule.get("resourceNames") or []
    return (("*" in groups or attributes.api_group in groups)
            and resource_matches(rule, attributes.resource, attributes.subresource)
            and (not names or attributes.name in names))

"""The audit policy (audit.k8s.io/v1 Policy): which requests the API server records, and how much.

Each rule names who (users, userGroups), what (verbs, resources by group with resourceNames,
namespaces, nonResourceURLs) and a level: None (not recorded), Metadata (who, what, when, the
answer's code), Request (and the object sent), RequestResponse (and the object returned). The
first rule that matches decides; a request no rule matches is not recorded. omitStages, on the
policy or a rule, drops stages (RequestReceived, ResponseStarted, ResponseComplete, Panic).
Upstream: apiserver pkg/audit/policy/checker.go and the website's auditing page.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from k8slab.apiserver.request_info import Attributes
from k8slab.errors import K8sLabError

NONE, METADATA, REQUEST, REQUEST_RESPONSE = "None", "Metadata", "Request", "RequestResponse"
LEVELS = (NONE, METADATA, REQUEST, REQUEST_RESPONSE)
REQUEST_RECEIVED, RESPONSE_STARTED = "RequestReceived", "ResponseStarted"
RESPONSE_COMPLETE, PANIC = "ResponseComplete", "Panic"
STAGES = (REQUEST_RECEIVED, RESPONSE_STARTED, RESPONSE_COMPLETE, PANIC)
_RULE_FIELDS = ("level", "users", "userGroups", "verbs", "resources", "namespaces",
                "nonResourceURLs", "omitStages", "omitManagedFields")


class AuditPolicyError(K8sLabError):
    """An audit policy that does not read, naming the field and what it accepts."""


@dataclass(frozen=True)
class Rule:
    """One policy rule: a level for the requests it matches (empty lists match everything)."""

    level: str
    users: tuple[str, ...] = ()
    user_groups: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()
    resources: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = ()
    namespaces: tuple[str, ...] = ()
    non_resource_urls: tuple[str, ...] = ()
    omit_stages: tuple[str, ...] = ()
    omit_managed_fields: bool | None = None  # None: the policy's

    def matches(self, attributes: Attributes) -> bool:
        """True if this rule applies to the request (checker.go ruleMatches)."""
        user = attributes.user
        if self.users and user.name not in self.users:
            return False
        if self.user_groups and not any(g in self.user_groups for g in user.groups):
            return False
        if self.verbs and attributes.verb not in self.verbs:
            return False
        if not attributes.resource_request:
            if self.resources or self.namespaces:
                return False
            return not self.non_resource_urls or any(
                _path_matches(pattern, attributes.path) for pattern in self.non_resource_urls)
        if self.non_resource_urls:
            return False
        if self.namespaces and attributes.namespace not in self.namespaces:
            return False
        return not self.resources or any(
            _resource_matches(entry, attributes) for entry in self.resources)


@dataclass(frozen=True)
class Policy:
    """An audit policy: its rules in order and the stages omitted for every request."""

    rules: tuple[Rule, ...]
    omit_stages: tuple[str, ...] = ()
    omit_managed_fields: bool = False

    def level_of(self, attributes: Attributes) -> tuple[str, tuple[str, ...]]:
        """(level, omitted stages) for a request: the first matching rule's, else None."""
        for rule in self.rules:
            if rule.matches(attributes):
                return rule.level, (*self.omit_stages, *rule.omit_stages)
        return NONE, self.omit_stages

    def omits_managed_fields(self, attributes: Attributes) -> bool:
        """Whether the request's and response's objects go to the log without their
        metadata.managedFields: the first matching rule's omitManagedFields, else the
        policy's (false by default: they are logged)."""
        for rule in self.rules:
            if rule.matches(attributes):
                if rule.omit_managed_fields is not None:
                    return rule.omit_managed_fields
                break
        return self.omit_managed_fields


# Ready-made policies `Cluster(audit_policy=...)` accepts by name: every request at one level,
# without the RequestReceived stage (as the website's example policy omits it).
PRESETS = {
    "metadata": {"rules": [{"level": METADATA}]},
    "request": {"rules": [{"level": REQUEST}]},
    "request-response": {"rules": [{"level": REQUEST_RESPONSE}]},
    # Who changed what: writes with their bodies, reads not at all.
    "writes": {"rules": [{"level": REQUEST_RESPONSE, "verbs": [
        "create", "update", "patch", "delete", "deletecollection"]}]},
}


def policy_document(policy: object) -> dict:
    """The Policy document for `policy`: a preset name, a dict, or YAML text."""
    if isinstance(policy, str) and policy in PRESETS:
        document = {"apiVersion": "audit.k8s.io/v1", "kind": "Policy",
                    "omitStages": [REQUEST_RECEIVED], **PRESETS[policy]}
    elif isinstance(policy, str):
        try:
            document = yaml.safe_load(policy)
        except yaml.YAMLError as error:
            raise AuditPolicyError(f"audit policy: not YAML ({error})") from None
        if not isinstance(document, dict):
            raise AuditPolicyError(f"audit policy must be a preset ({', '.join(PRESETS)}) or a "
                                   f"Policy document, got {policy!r:.80}")
    elif isinstance(policy, dict):
        document = policy
    else:
        raise AuditPolicyError(f"audit policy must be a preset name ({', '.join(PRESETS)}), a "
                               f"dict or YAML text, got {type(policy).__name__}")
    parse_policy(document)
    return document


def parse_policy(document: dict) -> Policy:
    """A Policy from its document; AuditPolicyError names the first bad field."""
    if document.get("kind", "Policy") != "Policy":
        raise AuditPolicyError(f'audit policy: kind must be "Policy", got {document["kind"]!r}')
    rules = document.get("rules")
    if not isinstance(rules, list):
        raise AuditPolicyError("audit policy: rules must be a list of rules")
    return Policy(tuple(_rule(rule, f"rules[{i}]") for i, rule in enumerate(rules)),
                  _stages(document.get("omitStages"), "omitStages"),
                  bool(_flag(document, "omitManagedFields", "audit policy")))


def _rule(rule: object, where: str) -> Rule:
    if not isinstance(rule, dict):
        raise AuditPolicyError(f"audit policy: {where} must be a mapping, got {rule!r}")
    unknown = [k for k in rule if k not in _RULE_FIELDS]
    if unknown:
        raise AuditPolicyError(f'audit policy: {where}: unknown field "{unknown[0]}"; a rule '
                               f"has {', '.join(_RULE_FIELDS)}")
    level = rule.get("level")
    if level not in LEVELS:
        raise AuditPolicyError(f'{where}.level: Unsupported value: "{level}": supported '
                               f"values: {', '.join(map(repr, LEVELS))}")
    return Rule(level, _strings(rule, "users", where), _strings(rule, "userGroups", where),
                _strings(rule, "verbs", where), _resources(rule.get("resources"), where),
                _strings(rule, "namespaces", where), _strings(rule, "nonResourceURLs", where),
                _stages(rule.get("omitStages"), f"{where}.omitStages"),
                _flag(rule, "omitManagedFields", f"audit policy: {where}"))


def _flag(document: dict, field: str, where: str) -> bool | None:
    value = document.get(field)
    if value is not None and not isinstance(value, bool):
        raise AuditPolicyError(f"{where}.{field} must be true or false, got {value!r}")
    return value


def _strings(rule: dict, field: str, where: str) -> tuple[str, ...]:
    values = rule.get(field) or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise AuditPolicyError(f"audit policy: {where}.{field} must be a list of strings, "
                               f"got {values!r}")
    return tuple(values)


def _resources(entries: object, where: str) -> tuple:
    if entries is None:
        return ()
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise AuditPolicyError(f"audit policy: {where}.resources must be a list of "
                               f"{{group, resources, resourceNames}}, got {entries!r}")
    return tuple((str(e.get("group", "")), _strings(e, "resources", f"{where}.resources"),
                  _strings(e, "resourceNames", f"{where}.resources")) for e in entries)


def _stages(stages: object, where: str) -> tuple[str, ...]:
    stages = stages or []
    bad = [s for s in stages if s not in STAGES] if isinstance(stages, list) else [stages]
    if bad:
        raise AuditPolicyError(f'{where}: Unsupported value: "{bad[0]}": supported values: '
                               f"{', '.join(map(repr, STAGES))}")
    return tuple(stages)


def _path_matches(pattern: str, path: str) -> bool:
    # A trailing `*` matches any path with that prefix.
    return path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern


def _resource_matches(entry: tuple, attributes: Attributes) -> bool:
    # checker.go ruleMatchesResource: the group exactly; no resources = all of the group's;
    # a resource as `pods`, `pods/log`, `*`, `*/log` or `pods/*`, limited by resourceNames.
    group, resources, names = entry
    if group != attributes.api_group:
        return False
    if not resources:
        return True
    if names and attributes.name not in names:
        return False
    sub = attributes.subresource
    full = f"{attributes.resource}/{sub}" if sub else attributes.resource
    return any(r in (full, "*") or (sub and r == f"*/{sub}")
               or (r.endswith("/*") and r[:-2] == attributes.resource) for r in resources)

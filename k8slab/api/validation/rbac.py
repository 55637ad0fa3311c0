"""The rbac.authorization.k8s.io group: Role, ClusterRole, RoleBinding, ClusterRoleBinding.

pkg/apis/rbac/validation/validation.go: a rule names verbs, and either resources (with API
groups) or non-resource URLs, never both, and a namespaced Role no URLs; a binding's roleRef is
a Role or ClusterRole of this group (a ClusterRoleBinding's only a ClusterRole) and may never
change; each subject is a User, a Group or a namespaced ServiceAccount.
"""

from __future__ import annotations

from collections.abc import Callable

from k8slab.api.defaults_rbac import RBAC_GROUP
from k8slab.api.validation.field import FieldError, invalid, not_supported, required
from k8slab.api.validation.labels import label_selector_errors
from k8slab.api.validation.names import dns1123_subdomain_errors

SUBJECT_KINDS = ["ServiceAccount", "User", "Group"]


def path_segment_errors(name: str) -> list[str]:
    """ValidateRBACName (path.IsValidPathSegmentName): RBAC names may hold colons
    (`system:node`) but not `/` or `%`, and may not be `.` or `..`."""
    if name in (".", ".."):
        return [f"may not be '{name}'"]
    return [f"may not contain '{bad}'" for bad in ("/", "%") if bad in name]


def rule_errors(rule: dict, namespaced: bool, path: str) -> list[FieldError]:
    """ValidatePolicyRule: verbs, then either non-resource URLs or groups and resources."""
    errors = []
    if not rule.get("verbs"):
        errors.append(required(f"{path}.verbs", "verbs must contain at least one value"))
    urls = rule.get("nonResourceURLs") or []
    if urls:
        if namespaced:
            errors.append(invalid(f"{path}.nonResourceURLs", urls,
                                  "namespaced rules cannot apply to non-resource URLs"))
        if rule.get("apiGroups") or rule.get("resources") or rule.get("resourceNames"):
            errors.append(invalid(f"{path}.nonResourceURLs", urls,
                                  "rules cannot apply to both regular resources and "
                                  "non-resource URLs"))
        return errors
    if not rule.get("apiGroups"):
        errors.append(required(f"{path}.apiGroups",
                               "resource rules must supply at least one api group"))
    if not rule.get("resources"):
        errors.append(required(f"{path}.resources",
                               "resource rules must supply at least one resource"))
    return errors


def role_errors(obj: dict) -> list[FieldError]:
    """A Role's rules (namespaced: no non-resource URLs)."""
    return [e for i, rule in enumerate(obj.get("rules") or [])
            for e in rule_errors(rule, True, f"rules[{i}]")]


def cluster_role_errors(obj: dict) -> list[FieldError]:
    """A ClusterRole's rules and its aggregationRule's selectors."""
    errors = [e for i, rule in enumerate(obj.get("rules") or [])
              for e in rule_errors(rule, False, f"rules[{i}]")]
    aggregation = obj.get("aggregationRule")
    if aggregation is not None:
        selectors = aggregation.get("clusterRoleSelectors") or []
        if not selectors:
            errors.append(required("aggregationRule.clusterRoleSelectors",
                                   "at least one clusterRoleSelector required if "
                                   "aggregationRule is non-nil"))
        for i, selector in enumerate(selectors):
            errors += label_selector_errors(selector,
                                            f"aggregationRule.clusterRoleSelectors[{i}]")
    return errors


def subject_errors(subject: dict, namespaced: bool, path: str) -> list[FieldError]:
    """ValidateRoleBindingSubject: a name; a ServiceAccount in the core group (with a
    namespace in a ClusterRoleBinding), a User or Group in rbac.authorization.k8s.io."""
    errors = []
    name, kind, group = subject.get("name", ""), subject.get("kind", ""), subject.get(
        "apiGroup", "")
    if not name:
        errors.append(required(f"{path}.name"))
    if kind == "ServiceAccount":
        errors += [invalid(f"{path}.name", name, m) for m in
                   (dns1123_subdomain_errors(name) if name else [])]
        if group:
            errors.append(not_supported(f"{path}.apiGroup", group, [""]))
        if not namespaced and not subject.get("namespace"):
            errors.append(required(f"{path}.namespace"))
    elif kind in ("User", "Group"):
        if group != RBAC_GROUP:
            errors.append(not_supported(f"{path}.apiGroup", group, [RBAC_GROUP]))
    else:
        errors.append(not_supported(f"{path}.kind", kind, SUBJECT_KINDS))
    return errors


def _binding_errors(obj: dict, namespaced: bool) -> list[FieldError]:
    ref = obj.get("roleRef") or {}
    errors = []
    if ref.get("apiGroup", "") != RBAC_GROUP:
        errors.append(not_supported("roleRef.apiGroup", ref.get("apiGroup", ""), [RBAC_GROUP]))
    kinds = ["Role", "ClusterRole"] if namespaced else ["ClusterRole"]
    if ref.get("kind", "") not in kinds:
        errors.append(not_supported("roleRef.kind", ref.get("kind", ""), kinds))
    if not ref.get("name"):
        errors.append(required("roleRef.name"))
    else:
        errors += [invalid("roleRef.name", ref["name"], m)
                   for m in path_segment_errors(ref["name"])]
    for i, subject in enumerate(obj.get("subjects") or []):
        errors += subject_errors(subject, namespaced, f"subjects[{i}]")
    return errors


def binding_update_errors(old: dict, new: dict) -> list[FieldError]:
    """ValidateRoleBindingUpdate: `roleRef: Invalid value: ...: cannot change roleRef`."""
    if (old.get("roleRef") or {}) != (new.get("roleRef") or {}):
        return [invalid("roleRef", new.get("roleRef") or {}, "cannot change roleRef")]
    return []


RBAC_CHECKS: dict[str, Callable[[dict], list[FieldError]]] = {
    "Role.rbac.authorization.k8s.io": role_errors,
    "ClusterRole.rbac.authorization.k8s.io": cluster_role_errors,
    "RoleBinding.rbac.authorization.k8s.io": lambda obj: _binding_errors(obj, True),
    "ClusterRoleBinding.rbac.authorization.k8s.io": lambda obj: _binding_errors(obj, False),
}
RBAC_UPDATE_CHECKS: dict[str, Callable[[dict, dict], list[FieldError]]] = {
    "RoleBinding.rbac.authorization.k8s.io": binding_update_errors,
    "ClusterRoleBinding.rbac.authorization.k8s.io": binding_update_errors,
}

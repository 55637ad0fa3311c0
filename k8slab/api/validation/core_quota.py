"""LimitRange and ResourceQuota, checked as kubernetes pkg/apis/core/validation
ValidateLimitRange and ValidateResourceQuota check them.

A LimitRange item has a known type (Container, Pod, PersistentVolumeClaim) at most once, names
resources a container may ask for, and keeps min <= defaultRequest <= default <= max with a
limit-to-request ratio of at least 1. A ResourceQuota's hard names are resources quota
tracks, whole numbers where they count objects, and its scopes are known, apply to what it
limits and do not contradict each other. Upstream walks Go maps in random order; the lab
reports in sorted resource order. A Quantity prints bare in a field error (it is a
fmt.Stringer), a value already turned into text is quoted.
"""

from __future__ import annotations

from k8slab.api.amounts import Amount, amount
from k8slab.api.validation.core_resources import STANDARD_CONTAINER_RESOURCES
from k8slab.api.validation.field import (
    FieldError,
    GoValue,
    duplicate,
    forbidden,
    invalid,
    required,
)
from k8slab.api.validation.names import qualified_name_errors

CONTAINER, POD, PVC = "Container", "Pod", "PersistentVolumeClaim"
LIMIT_TYPES = (POD, CONTAINER, PVC)
# helper.standardResources and standardQuotaResources (pkg/apis/core/helper/helpers.go).
STANDARD_RESOURCES = (
    "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
    "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage",
    "pods", "resourcequotas", "services", "replicationcontrollers", "secrets", "configmaps",
    "persistentvolumeclaims", "storage", "requests.storage", "services.nodeports",
    "services.loadbalancers",
)
STANDARD_QUOTA_RESOURCES = tuple(r for r in STANDARD_RESOURCES if r != "storage")
# helper.integerResources: quota names that count objects.
INTEGER_RESOURCES = ("pods", "resourcequotas", "services", "replicationcontrollers", "secrets",
                     "configmaps", "persistentvolumeclaims", "services.nodeports",
                     "services.loadbalancers")
TERMINATING, NOT_TERMINATING = "Terminating", "NotTerminating"
BEST_EFFORT, NOT_BEST_EFFORT = "BestEffort", "NotBestEffort"
PRIORITY_CLASS, CROSS_NAMESPACE = "PriorityClass", "CrossNamespacePodAffinity"
SCOPES = (TERMINATING, NOT_TERMINATING, BEST_EFFORT, NOT_BEST_EFFORT, PRIORITY_CLASS,
          CROSS_NAMESPACE)
CONFLICTING_SCOPES = ((BEST_EFFORT, NOT_BEST_EFFORT), (TERMINATING, NOT_TERMINATING))
POD_COMPUTE = ("cpu", "memory", "limits.cpu", "limits.memory", "requests.cpu",
               "requests.memory")
EXISTS_ONLY = (
    "must be 'Exist' only operator when scope is any of ResourceQuotaScopeTerminating, "
    "ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort and "
    "ResourceQuotaScopeNotBestEffort")


def _hugepages(name: str) -> bool:
    return name.startswith(("hugepages-", "requests.hugepages-"))


def resource_name_errors(name: str, path: str) -> list[FieldError]:
    """validateResourceName: a qualified name, and a standard one when it has no prefix."""
    errors = [invalid(path, name, message) for message in qualified_name_errors(name)]
    if not errors and "/" not in name and name not in STANDARD_RESOURCES \
            and not _hugepages(name):
        errors.append(invalid(path, name, "must be a standard resource type or fully qualified"))
    return errors


def _limit_resource_errors(limit_type: str, name: str, path: str) -> list[FieldError]:
    """validateLimitRangeResourceName: Pod and Container items name container resources."""
    if limit_type not in (POD, CONTAINER):
        return resource_name_errors(name, path)
    if "/" not in name:
        if name not in STANDARD_CONTAINER_RESOURCES and not name.startswith("hugepages-"):
            return [invalid(path, name, "must be a standard resource for containers")]
        return []
    return [invalid(path, name, message) for message in qualified_name_errors(name)]


def _type_errors(value: str, path: str) -> list[FieldError]:
    errors = [invalid(path, value, message) for message in qualified_name_errors(value)]
    if not errors and "/" not in value and value not in LIMIT_TYPES:
        errors.append(invalid(path, value, "must be a standard limit type or fully qualified"))
    return errors


def limit_range_errors(obj: dict) -> list[FieldError]:
    """Every problem with a LimitRange's spec.limits."""
    errors: list[FieldError] = []
    seen: list[str] = []
    for i, item in enumerate((obj.get("spec") or {}).get("limits") or []):
        path = f"spec.limits[{i}]"
        limit_type = item.get("type") or ""
        errors += _type_errors(limit_type, f"{path}.type")
        if limit_type in seen:
            errors.append(duplicate(f"{path}.type", limit_type))
        seen.append(limit_type)
        errors += _item_errors(item, limit_type, path)
    return errors


def _item_errors(item: dict, limit_type: str, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    lists: dict[str, dict[str, Amount]] = {}
    fields = ["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"]
    for field in fields:
        if limit_type == POD and field in ("default", "defaultRequest"):
            if item.get(field):
                errors.append(forbidden(f"{path}.{field}", "may not be specified when `type` "
                                        "is 'Pod'"))
            lists[field] = {}
            continue
        lists[field] = {}
        for name, text in (item.get(field) or {}).items():
            errors += _limit_resource_errors(limit_type, name, f"{path}.{field}[{name}]")
            lists[field][name] = amount(text, f"{path}.{field}[{name}]")
    if limit_type == PVC and "storage" not in lists["min"] and "storage" not in lists["max"]:
        errors.append(required(f"{path}.limits", "either minimum or maximum storage value is "
                               "required, but neither was provided"))
    names = sorted({name for values in lists.values() for name in values})
    for name in names:
        errors += _bounds_errors(name, {f: v.get(name) for f, v in lists.items()}, path)
    return errors


def _bounds_errors(name: str, q: dict[str, Amount | None], path: str) -> list[FieldError]:
    low, high, default, request, ratio = (q["min"], q["max"], q["default"],
                                          q["defaultRequest"], q["maxLimitRequestRatio"])
    errors = []

    def check(bad: bool, field: str, value: Amount, detail: str) -> None:
        if bad:
            errors.append(invalid(f"{path}.{field}[{name}]", GoValue(str(value)), detail))

    if low and high:
        check(low.value > high.value, "min", low, f"min value {low} is greater than max value "
              f"{high}")
    if request and low:
        check(low.value > request.value, "defaultRequest", request,
              f"min value {low} is greater than default request value {request}")
    if request and high:
        check(request.value > high.value, "defaultRequest", request,
              f"default request value {request} is greater than max value {high}")
    if request and default:
        check(request.value > default.value, "defaultRequest", request,
              f"default request value {request} is greater than default limit value {default}")
    if default and low:
        check(low.value > default.value, "default", low,
              f"min value {low} is greater than default value {default}")
    if default and high:
        check(default.value > high.value, "default", high,
              f"default value {default} is greater than max value {high}")
    if ratio:
        check(ratio.value < 1, "maxLimitRequestRatio", ratio, f"ratio {ratio} is less than 1")
    if ratio and low and high and low.value > 0:
        most = high.value / low.value
        check(ratio.value > most, "maxLimitRequestRatio", ratio,
              f"ratio {ratio} is greater than max/min = {float(most):f}")
    return errors


def resource_quota_errors(obj: dict) -> list[FieldError]:
    """Every problem with a ResourceQuota's spec: hard names and values, scopes, selector."""
    spec = obj.get("spec") or {}
    hard = spec.get("hard") or {}
    errors: list[FieldError] = []
    for name in sorted(hard):
        path = f"spec.hard[{name}]"
        errors += resource_name_errors(name, path)
        if "/" not in name and name not in STANDARD_QUOTA_RESOURCES and not _hugepages(name):
            errors.append(invalid(path, name, "must be a standard resource for quota"))
        value = amount(hard[name], path)
        if value.value < 0:
            errors.append(invalid(path, str(value), "must be greater than or equal to 0"))
        if name in INTEGER_RESOURCES and value.value.denominator != 1:
            errors.append(invalid(path, GoValue(str(value)), "must be an integer"))
    scopes = list(spec.get("scopes") or [])
    errors += _scope_errors(scopes, sorted(hard), "spec.scopes", scopes)
    selector = spec.get("scopeSelector")
    if selector:
        errors += _selector_errors(selector, sorted(hard))
    return errors


def _scope_valid_for(scope: str, resource: str) -> bool:
    """IsResourceQuotaScopeValidForResource: pod scopes limit pods and pod compute only."""
    if scope in (TERMINATING, NOT_TERMINATING, NOT_BEST_EFFORT, PRIORITY_CLASS):
        return resource == "pods" or resource in POD_COMPUTE
    if scope == BEST_EFFORT:
        return resource == "pods"
    return True


def _scope_errors(scopes: list[str], hard: list[str], path: str, shown: object
                  ) -> list[FieldError]:
    errors = []
    for scope in scopes:
        if scope not in SCOPES:
            errors.append(invalid(path, shown, "unsupported scope"))
        for name in hard:
            if name in STANDARD_QUOTA_RESOURCES and not _scope_valid_for(scope, name):
                errors.append(invalid(path, shown, "unsupported scope applied to resource"))
    for pair in CONFLICTING_SCOPES:
        if all(scope in scopes for scope in pair):
            errors.append(invalid(path, shown, "conflicting scopes"))
    return errors


def _selector_errors(selector: dict, hard: list[str]) -> list[FieldError]:
    path = "spec.scopeSelector.matchExpressions"
    errors: list[FieldError] = []
    for requirement in selector.get("matchExpressions") or []:
        scope, operator = requirement.get("scopeName", ""), requirement.get("operator", "")
        values = requirement.get("values") or []
        if scope not in SCOPES:
            errors.append(invalid(f"{path}.scopeName", scope, "unsupported scope"))
        for name in hard:
            if name in STANDARD_QUOTA_RESOURCES and not _scope_valid_for(scope, name):
                errors.append(invalid(path, selector, "unsupported scope applied to resource"))
        if scope in (BEST_EFFORT, NOT_BEST_EFFORT, TERMINATING, NOT_TERMINATING) \
                and operator != "Exists":
            errors.append(invalid(f"{path}.operator", operator, EXISTS_ONLY))
        if operator in ("In", "NotIn") and not values:
            errors.append(required(f"{path}.values", "must be at least one value when "
                                   "`operator` is 'In' or 'NotIn' for scope selector"))
        elif operator in ("Exists", "DoesNotExist") and values:
            errors.append(invalid(f"{path}.values", values, "must be no value when `operator` "
                                  "is 'Exist' or 'DoesNotExist' for scope selector"))
        elif operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            errors.append(invalid(f"{path}.operator", operator, "not a valid selector operator"))
    names = [r.get("scopeName") for r in selector.get("matchExpressions") or []]
    for pair in CONFLICTING_SCOPES:
        if all(scope in names for scope in pair):
            errors.append(invalid(path, None, "conflicting scopes"))
    return errors

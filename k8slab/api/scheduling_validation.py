"""Validation of the pod fields the scheduler reads: affinity, selectors, spread constraints.

The API server rejects a pod whose affinity, selectors or topology spread constraints are
malformed (`k8slab.api.validation` runs these checks on every Pod), so the scheduler's plugins
never see one. They follow kk pkg/apis/core/validation/validation.go (ValidateNodeSelector,
ValidateNodeSelectorRequirement, ValidateNodeFieldSelectorRequirement, validatePodAffinityTerm,
validateTopologySpreadConstraints) and apimachinery's ValidateLabelSelector.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from k8slab.api.validation import (
    FieldError,
    dns1123_subdomain_errors,
    duplicate,
    forbidden,
    invalid,
    label_value_errors,
    not_supported,
    qualified_name_errors,
    required,
)

OBJECT_NAME_FIELD = "metadata.name"  # the one field a node selector term may match on
WHEN_UNSATISFIABLE = ["DoNotSchedule", "ScheduleAnyway"]
NODE_INCLUSION_POLICIES = ["Honor", "Ignore"]
PREEMPTION_POLICIES = ["Never", "PreemptLowerPriority"]
NOT_POSITIVE = "must be greater than zero"


def aggregate(errors: list[FieldError]) -> str:
    """Several field errors as one message: "e" alone, or "[e1, e2]" (utilerrors.NewAggregate)."""
    messages = list(dict.fromkeys(str(error) for error in errors))
    return messages[0] if len(messages) == 1 else "[" + ", ".join(messages) + "]"


def label_name_errors(key: Any, path: str) -> list[FieldError]:
    """metav1validation.ValidateLabelName: the key must be a qualified name."""
    return [invalid(path, key, message) for message in qualified_name_errors(str(key))]


def label_values_errors(values: list, path: str) -> list[FieldError]:
    """Each value must be a valid label value."""
    return [
        invalid(f"{path}[{index}]", value, message)
        for index, value in enumerate(values)
        for message in label_value_errors(str(value))
    ]


def node_selector_requirement_errors(requirement: Mapping, path: str) -> list[FieldError]:
    """ValidateNodeSelectorRequirement: operator, values count, key, label values."""
    operator, values = requirement.get("operator"), list(requirement.get("values") or [])
    errors = []
    if operator in ("In", "NotIn"):
        if not values:
            errors.append(
                required(f"{path}.values", "must be specified when `operator` is 'In' or 'NotIn'")
            )
    elif operator in ("Exists", "DoesNotExist"):
        if values:
            detail = "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
            errors.append(forbidden(f"{path}.values", detail))
    elif operator in ("Gt", "Lt"):
        if len(values) != 1:
            detail = "must be specified single value when `operator` is 'Lt' or 'Gt'"
            errors.append(required(f"{path}.values", detail))
    else:
        errors.append(invalid(f"{path}.operator", operator, "not a valid selector operator"))
    errors += label_name_errors(requirement.get("key", ""), f"{path}.key")
    return errors + label_values_errors(values, f"{path}.values")


def node_field_selector_requirement_errors(requirement: Mapping, path: str) -> list[FieldError]:
    """ValidateNodeFieldSelectorRequirement: only metadata.name, In or NotIn, one value."""
    operator, values = requirement.get("operator"), list(requirement.get("values") or [])
    errors = []
    if operator in ("In", "NotIn"):
        if len(values) != 1:
            detail = (
                "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"
            )
            errors.append(required(f"{path}.values", detail))
    else:
        errors.append(invalid(f"{path}.operator", operator, "not a valid selector operator"))
    key = requirement.get("key", "")
    if key != OBJECT_NAME_FIELD:
        errors.append(invalid(f"{path}.key", key, "not a valid field selector key"))
    else:
        errors += [
            invalid(f"{path}.values[{index}]", value, message)
            for index, value in enumerate(values)
            for message in dns1123_subdomain_errors(str(value))
        ]
    return errors


def node_selector_term_errors(term: Mapping, path: str) -> list[FieldError]:
    """ValidateNodeSelectorTerm: each matchExpressions and matchFields entry."""
    errors = []
    for index, requirement in enumerate(term.get("matchExpressions") or []):
        errors += node_selector_requirement_errors(requirement, f"{path}.matchExpressions[{index}]")
    for index, requirement in enumerate(term.get("matchFields") or []):
        errors += node_field_selector_requirement_errors(
            requirement, f"{path}.matchFields[{index}]"
        )
    return errors


def node_affinity_errors(node_affinity: Mapping, path: str) -> list[FieldError]:
    """validateNodeAffinity: the required node selector and the weighted preferred terms."""
    errors = []
    required_selector = node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
    if required_selector is not None:
        terms_path = f"{path}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
        terms = required_selector.get("nodeSelectorTerms") or []
        if not terms:
            errors.append(required(terms_path, "must have at least one node selector term"))
        for index, term in enumerate(terms):
            errors += node_selector_term_errors(term, f"{terms_path}[{index}]")
    preferred_path = f"{path}.preferredDuringSchedulingIgnoredDuringExecution"
    for index, entry in enumerate(
        node_affinity.get("preferredDuringSchedulingIgnoredDuringExecution") or []
    ):
        errors += _weight_errors(entry.get("weight"), f"{preferred_path}[{index}].weight")
        errors += node_selector_term_errors(
            entry.get("preference") or {}, f"{preferred_path}[{index}].preference"
        )
    return errors


def label_selector_errors(selector: Mapping | None, path: str) -> list[FieldError]:
    """metav1validation.ValidateLabelSelector: matchLabels and matchExpressions."""
    if selector is None:
        return []
    errors = []
    for key, value in (selector.get("matchLabels") or {}).items():
        errors += label_name_errors(key, f"{path}.matchLabels")
        errors += [invalid(f"{path}.matchLabels", value, m) for m in label_value_errors(str(value))]
    for index, expression in enumerate(selector.get("matchExpressions") or []):
        item = f"{path}.matchExpressions[{index}]"
        operator, values = expression.get("operator"), list(expression.get("values") or [])
        if operator in ("In", "NotIn"):
            if not values:
                detail = "must be specified when `operator` is 'In' or 'NotIn'"
                errors.append(required(f"{item}.values", detail))
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                detail = "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
                errors.append(forbidden(f"{item}.values", detail))
        else:
            errors.append(invalid(f"{item}.operator", operator, "not a valid selector operator"))
        errors += label_name_errors(expression.get("key", ""), f"{item}.key")
        errors += label_values_errors(values, f"{item}.values")
    return errors


def pod_affinity_term_errors(term: Mapping, path: str) -> list[FieldError]:
    """validatePodAffinityTerm: selectors, namespaces, a non-empty valid topologyKey."""
    errors = label_selector_errors(term.get("labelSelector"), f"{path}.labelSelector")
    errors += label_selector_errors(term.get("namespaceSelector"), f"{path}.namespaceSelector")
    topology_key = term.get("topologyKey") or ""
    if not topology_key:
        errors.append(required(f"{path}.topologyKey", "can not be empty"))
    return errors + label_name_errors(topology_key, f"{path}.topologyKey")


def pod_affinity_errors(pod_affinity: Mapping, path: str) -> list[FieldError]:
    """validatePodAffinity / validatePodAntiAffinity: required and weighted preferred terms."""
    errors = []
    required_path = f"{path}.requiredDuringSchedulingIgnoredDuringExecution"
    for index, term in enumerate(
        pod_affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or []
    ):
        errors += pod_affinity_term_errors(term, f"{required_path}[{index}]")
    preferred_path = f"{path}.preferredDuringSchedulingIgnoredDuringExecution"
    for index, entry in enumerate(
        pod_affinity.get("preferredDuringSchedulingIgnoredDuringExecution") or []
    ):
        errors += _weight_errors(entry.get("weight"), f"{preferred_path}[{index}].weight")
        errors += pod_affinity_term_errors(
            entry.get("podAffinityTerm") or {}, f"{preferred_path}[{index}].podAffinityTerm"
        )
    return errors


def topology_spread_constraint_errors(constraints: list, path: str) -> list[FieldError]:
    """validateTopologySpreadConstraints: maxSkew, topologyKey, whenUnsatisfiable, no repeats."""
    errors = []
    for index, constraint in enumerate(constraints):
        item = f"{path}[{index}]"
        max_skew = constraint.get("maxSkew")
        if not isinstance(max_skew, int) or max_skew <= 0:
            errors.append(invalid(f"{item}.maxSkew", max_skew, NOT_POSITIVE))
        if not constraint.get("topologyKey"):
            errors.append(required(f"{item}.topologyKey", "can not be empty"))
        action = constraint.get("whenUnsatisfiable")
        if action not in WHEN_UNSATISFIABLE:
            errors.append(not_supported(f"{item}.whenUnsatisfiable", action, WHEN_UNSATISFIABLE))
        pair = (constraint.get("topologyKey"), action)
        if any(
            (other.get("topologyKey"), other.get("whenUnsatisfiable")) == pair
            for other in constraints[index + 1 :]
        ):
            errors.append(
                duplicate(f"{item}.{{topologyKey, whenUnsatisfiable}}", f"{{{pair[0]}, {pair[1]}}}")
            )
        min_domains = constraint.get("minDomains")
        if min_domains is not None:
            if not isinstance(min_domains, int) or min_domains <= 0:
                errors.append(invalid(f"{item}.minDomains", min_domains, NOT_POSITIVE))
            if action != "DoNotSchedule":
                detail = f"can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {action}"
                errors.append(invalid(f"{item}.minDomains", min_domains, detail))
        for policy in ("nodeAffinityPolicy", "nodeTaintsPolicy"):
            value = constraint.get(policy)
            if value is not None and value not in NODE_INCLUSION_POLICIES:
                errors.append(not_supported(f"{item}.{policy}", value, NODE_INCLUSION_POLICIES))
        errors += label_selector_errors(constraint.get("labelSelector"), f"{item}.labelSelector")
    return errors


def _weight_errors(weight: Any, path: str) -> list[FieldError]:
    if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 100:
        return [invalid(path, weight, "must be in the range 1-100")]
    return []


def pod_scheduling_field_errors(pod: Mapping) -> list[FieldError]:
    """Every problem with the pod fields the scheduler reads, with the API server's paths."""
    spec = pod.get("spec") or {}
    affinity = spec.get("affinity") or {}
    errors = []
    if affinity.get("nodeAffinity") is not None:
        errors += node_affinity_errors(affinity["nodeAffinity"], "spec.affinity.nodeAffinity")
    for kind in ("podAffinity", "podAntiAffinity"):
        if affinity.get(kind) is not None:
            errors += pod_affinity_errors(affinity[kind], f"spec.affinity.{kind}")
    errors += topology_spread_constraint_errors(
        list(spec.get("topologySpreadConstraints") or []), "spec.topologySpreadConstraints"
    )
    policy = spec.get("preemptionPolicy")
    if policy is not None and policy not in PREEMPTION_POLICIES:
        errors.append(not_supported("spec.preemptionPolicy", policy, PREEMPTION_POLICIES))
    return errors

"""The pod fields the scheduler reads: node and pod affinity, topology spread, preemption policy.

The API server rejects a pod whose affinity, selectors or topology spread constraints are
malformed, so the scheduler's plugins never see one. The checks follow kubernetes
pkg/apis/core/validation/validation.go (validateNodeAffinity, ValidateNodeSelectorTerm,
ValidateNodeFieldSelectorRequirement, validatePodAffinityTerm,
validateTopologySpreadConstraints).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from k8slab.api.validation.field import (
    FieldError,
    duplicate,
    invalid,
    not_supported,
    required,
)
from k8slab.api.validation.field_types import each_errors
from k8slab.api.validation.labels import (
    label_name_errors,
    label_selector_errors,
    selector_requirement_errors,
)
from k8slab.api.validation.names import dns1123_subdomain_errors

OBJECT_NAME_FIELD = "metadata.name"  # the one field a node selector term may match on
WHEN_UNSATISFIABLE = ["DoNotSchedule", "ScheduleAnyway"]
NODE_INCLUSION_POLICIES = ["Honor", "Ignore"]
PREEMPTION_POLICIES = ["Never", "PreemptLowerPriority"]
NOT_POSITIVE = "must be greater than zero"
REQUIRED_TERMS = "requiredDuringSchedulingIgnoredDuringExecution"
PREFERRED_TERMS = "preferredDuringSchedulingIgnoredDuringExecution"

# A check of one term at its path, such as node_selector_term_errors.
TermCheck = Callable[[Mapping, str], list[FieldError]]


def node_selector_requirement_errors(requirement: Mapping, path: str) -> list[FieldError]:
    """ValidateNodeSelectorRequirement: a label selector requirement that also admits Gt, Lt."""
    return selector_requirement_errors(requirement, path, numeric=True)


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
    errors = each_errors(
        term.get("matchExpressions") or [],
        f"{path}.matchExpressions",
        node_selector_requirement_errors,
    )
    return errors + each_errors(
        term.get("matchFields") or [], f"{path}.matchFields", node_field_selector_requirement_errors
    )


def _weight_errors(weight: int, path: str) -> list[FieldError]:
    if not 1 <= weight <= 100:
        return [invalid(path, weight, "must be in the range 1-100")]
    return []


def _preferred_terms_errors(
    affinity: Mapping, path: str, term_field: str, term_errors: TermCheck
) -> list[FieldError]:
    """Each weighted preferred term: a weight in 1-100, then the term under term_field."""

    def weighted_term_errors(entry: Mapping, item: str) -> list[FieldError]:
        errors = _weight_errors(entry.get("weight", 0), f"{item}.weight")
        return errors + term_errors(entry.get(term_field) or {}, f"{item}.{term_field}")

    entries = affinity.get(PREFERRED_TERMS) or []
    return each_errors(entries, f"{path}.{PREFERRED_TERMS}", weighted_term_errors)


def node_affinity_errors(node_affinity: Mapping, path: str) -> list[FieldError]:
    """validateNodeAffinity: the required node selector and the weighted preferred terms."""
    errors = []
    required_selector = node_affinity.get(REQUIRED_TERMS)
    if required_selector is not None:
        terms_path = f"{path}.{REQUIRED_TERMS}.nodeSelectorTerms"
        terms = required_selector.get("nodeSelectorTerms") or []
        if not terms:
            errors.append(required(terms_path, "must have at least one node selector term"))
        errors += each_errors(terms, terms_path, node_selector_term_errors)
    return errors + _preferred_terms_errors(
        node_affinity, path, "preference", node_selector_term_errors
    )


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
    errors = each_errors(
        pod_affinity.get(REQUIRED_TERMS) or [],
        f"{path}.{REQUIRED_TERMS}",
        pod_affinity_term_errors,
    )
    return errors + _preferred_terms_errors(
        pod_affinity, path, "podAffinityTerm", pod_affinity_term_errors
    )


def topology_spread_constraint_errors(constraints: list, path: str) -> list[FieldError]:
    """validateTopologySpreadConstraints: maxSkew, topologyKey, whenUnsatisfiable, no repeats."""
    errors = []
    for index, constraint in enumerate(constraints):
        item = f"{path}[{index}]"
        max_skew = constraint.get("maxSkew", 0)
        if max_skew <= 0:
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
            if min_domains <= 0:
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


def pod_scheduling_field_errors(spec: Mapping, path: str = "spec") -> list[FieldError]:
    """Every problem with the PodSpec fields the scheduler reads, at `path` ("spec" in a Pod)."""
    affinity = spec.get("affinity") or {}
    errors = []
    if affinity.get("nodeAffinity") is not None:
        errors += node_affinity_errors(affinity["nodeAffinity"], f"{path}.affinity.nodeAffinity")
    for kind in ("podAffinity", "podAntiAffinity"):
        if affinity.get(kind) is not None:
            errors += pod_affinity_errors(affinity[kind], f"{path}.affinity.{kind}")
    errors += topology_spread_constraint_errors(
        list(spec.get("topologySpreadConstraints") or []), f"{path}.topologySpreadConstraints"
    )
    policy = spec.get("preemptionPolicy")
    if policy is not None and policy not in PREEMPTION_POLICIES:
        errors.append(not_supported(f"{path}.preemptionPolicy", policy, PREEMPTION_POLICIES))
    return errors

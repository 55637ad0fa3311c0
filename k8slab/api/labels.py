"""Matching labels against selectors, as a controller decides which pods are its own.

A metav1.LabelSelector (matchLabels plus matchExpressions In / NotIn / Exists / DoesNotExist)
matches as apimachinery's LabelSelectorAsSelector turns it into labels.Selector: every
requirement must hold; an empty selector matches everything and a nil one (None) nothing.
A ReplicationController's selector is a plain map: labels.SelectorFromSet, every pair present.
"""

from __future__ import annotations

from collections.abc import Mapping

from k8slab.errors import K8sLabError

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def _requirement_holds(requirement: Mapping, labels: Mapping[str, str]) -> bool:
    key, operator = requirement.get("key", ""), requirement.get("operator")
    values = list(requirement.get("values") or [])
    if operator == "In":
        return key in labels and labels[key] in values
    if operator == "NotIn":
        return key not in labels or labels[key] not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    # LabelSelectorAsSelector: fmt.Errorf("%q is not a valid label selector operator", op).
    raise K8sLabError(f'"{operator}" is not a valid label selector operator; '
                      f"accepted: {', '.join(OPERATORS)}")


def selector_matches(selector: Mapping | None, labels: Mapping[str, str] | None) -> bool:
    """True if `labels` satisfy the metav1.LabelSelector; None matches nothing, {} everything.

    Raises K8sLabError for an operator upstream does not know (validation refuses such a
    selector before it is stored).
    """
    if selector is None:
        return False
    labels = labels or {}
    match_labels = selector.get("matchLabels") or {}
    if any(labels.get(key) != value for key, value in match_labels.items()):
        return False
    return all(_requirement_holds(requirement, labels)
               for requirement in selector.get("matchExpressions") or [])


def set_selector_matches(selector: Mapping[str, str] | None, labels: Mapping[str, str] | None
                         ) -> bool:
    """A map selector (a ReplicationController's): every key present with its value.

    labels.SelectorFromSet: an empty or absent map matches everything.
    """
    labels = labels or {}
    return all(labels.get(key) == value for key, value in (selector or {}).items())


def selector_is_empty(selector: Mapping | None) -> bool:
    """True for a selector with neither matchLabels nor matchExpressions (matches everything)."""
    return selector is not None and not selector.get("matchLabels") and not selector.get(
        "matchExpressions")

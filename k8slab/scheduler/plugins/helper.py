"""Selectors the plugins share: label selectors (metav1.LabelSelector) and node selector terms.

A selector is parsed once per scheduling cycle into a `Selector`, then matched against many label
sets. As upstream: a nil label selector matches nothing and an empty one ({}) matches everything
(kk staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector); a node
selector term with a parse error (unknown operator, Gt with a non-integer) matches no node, and
an empty term matches no node (kk staging/src/k8s.io/component-helpers/scheduling/corev1/
nodeaffinity/nodeaffinity.go). Rejecting such pods at creation is the API server's job; the checks
it needs are in pod_validation.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from k8slab.api.validation.core_affinity import OBJECT_NAME_FIELD

NODE_FIELD_SELECTOR_OPERATORS = ("In", "NotIn")

# strconv.ParseInt(value, 10, 64): an optional sign and decimal digits, nothing else.
_INTEGER = re.compile(r"[+-]?[0-9]+")

Requirement = Callable[[Mapping[str, str]], bool]


def _integer(text: str) -> int | None:
    return int(text) if isinstance(text, str) and _INTEGER.fullmatch(text) else None


def requirement(
    key: str, operator: str, values: Sequence[str], numeric: bool
) -> Requirement | None:
    """One label requirement as a test on a label set, or None if it cannot be parsed.

    In needs the label with one of the values; NotIn passes when the label is absent; Gt and Lt
    (node selectors only) compare the label's integer value with the single integer given.
    """
    values = list(values or [])
    if operator in ("In", "NotIn"):
        if not values:
            return None
        allowed = frozenset(values)
        if operator == "In":
            return lambda labels: key in labels and labels[key] in allowed
        return lambda labels: key not in labels or labels[key] not in allowed
    if operator in ("Exists", "DoesNotExist"):
        if values:
            return None
        if operator == "Exists":
            return lambda labels: key in labels
        return lambda labels: key not in labels
    if numeric and operator in ("Gt", "Lt") and len(values) == 1:
        bound = _integer(values[0])
        if bound is None:
            return None
        if operator == "Gt":
            return lambda labels: (value := _integer(labels.get(key))) is not None and value > bound
        return lambda labels: (value := _integer(labels.get(key))) is not None and value < bound
    return None


class Selector:
    """A parsed label selector: every requirement must hold. `None` requirements match nothing."""

    __slots__ = ("requirements",)

    def __init__(self, requirements: Sequence[Requirement] | None) -> None:
        self.requirements = None if requirements is None else tuple(requirements)

    def matches(self, labels: Mapping[str, str]) -> bool:
        """True if the label set satisfies every requirement."""
        if self.requirements is None:
            return False
        return all(test(labels) for test in self.requirements)

    @property
    def empty(self) -> bool:
        """True if the selector has no requirements at all (it matches everything)."""
        return self.requirements == ()


NOTHING = Selector(None)


def _equals(key: str, value: str) -> Requirement:
    return lambda labels: key in labels and labels[key] == value


def selector_from_set(labels: Mapping[str, str]) -> Selector:
    """Every key=value of `labels` must be present (labels.SelectorFromSet)."""
    return Selector([_equals(key, value) for key, value in labels.items()])


def label_selector(selector: Mapping | None) -> Selector:
    """A metav1.LabelSelector (matchLabels, matchExpressions) parsed; nil matches nothing."""
    if selector is None:
        return NOTHING
    tests = [_equals(key, value) for key, value in (selector.get("matchLabels") or {}).items()]
    for expression in selector.get("matchExpressions") or []:
        test = requirement(
            expression.get("key", ""),
            expression.get("operator", ""),
            expression.get("values") or [],
            numeric=False,
        )
        if test is None:
            return NOTHING
        tests.append(test)
    return Selector(tests)


def merge_labels_into(labels: Mapping[str, str], selector: Selector) -> Selector:
    """`selector` plus key=value requirements for `labels` (matchLabelKeys merging)."""
    if selector.requirements is None:
        return selector
    return Selector(
        list(selector_from_set(labels).requirements or ()) + list(selector.requirements)
    )


class NodeSelectorTerm:
    """One nodeSelectorTerm: its matchExpressions (on labels) and matchFields (on the name)."""

    __slots__ = ("labels", "fields", "valid")

    def __init__(self, term: Mapping) -> None:
        expressions = term.get("matchExpressions") or []
        fields = term.get("matchFields") or []
        self.labels: list[Requirement] = []
        self.fields: list[Requirement] = []
        self.valid = bool(expressions or fields)
        for expression in expressions:
            test = requirement(
                expression.get("key", ""),
                expression.get("operator", ""),
                expression.get("values") or [],
                numeric=True,
            )
            self.valid = self.valid and test is not None
            if test is not None:
                self.labels.append(test)
        for expression in fields:
            values = expression.get("values") or []
            operator = expression.get("operator", "")
            ok = (
                expression.get("key") == OBJECT_NAME_FIELD
                and operator in NODE_FIELD_SELECTOR_OPERATORS
                and len(values) == 1
            )
            self.valid = self.valid and ok
            if ok:
                self.fields.append(requirement(OBJECT_NAME_FIELD, operator, values, numeric=False))

    def matches(self, labels: Mapping[str, str], name: str) -> bool:
        """True if the node's labels and name satisfy the whole term."""
        if not self.valid:
            return False
        fields = {OBJECT_NAME_FIELD: name}
        return all(test(labels) for test in self.labels) and all(
            test(fields) for test in self.fields
        )


class RequiredNodeAffinity:
    """A pod's spec.nodeSelector AND its required node affinity terms (ORed); both optional.

    As GetRequiredNodeAffinity in kk .../component-helpers/scheduling/corev1/nodeaffinity.
    """

    __slots__ = ("selector", "terms")

    def __init__(self, pod: Mapping) -> None:
        spec = pod.get("spec") or {}
        node_selector = spec.get("nodeSelector") or {}
        self.selector = selector_from_set(node_selector) if node_selector else None
        required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
            "requiredDuringSchedulingIgnoredDuringExecution"
        )
        self.terms = (
            None
            if required is None
            else [NodeSelectorTerm(term) for term in required.get("nodeSelectorTerms") or []]
        )

    def matches(self, labels: Mapping[str, str], name: str) -> bool:
        """True if the node (labels, name) satisfies the selector and at least one term."""
        if self.selector is not None and not self.selector.matches(labels):
            return False
        if self.terms is None:
            return True
        return any(term.matches(labels, name) for term in self.terms)


def preferred_node_terms(pod: Mapping) -> list[tuple[int, NodeSelectorTerm]]:
    """The pod's preferred node affinity as (weight, term); weight-0 and empty terms are dropped."""
    preferred = (((pod.get("spec") or {}).get("affinity") or {}).get("nodeAffinity") or {}).get(
        "preferredDuringSchedulingIgnoredDuringExecution"
    ) or []
    terms = []
    for entry in preferred:
        weight = int(entry.get("weight") or 0)
        preference = entry.get("preference") or {}
        if weight and (preference.get("matchExpressions") or preference.get("matchFields")):
            terms.append((weight, NodeSelectorTerm(preference)))
    return terms

"""Label selectors written out the way kubectl prints them: `app=web,tier in (back,front)`.

apimachinery turns a metav1.LabelSelector into requirements (LabelSelectorAsSelector), sorts
them by key and joins their String() forms with commas; FormatLabelSelector prints `<none>`
for a selector with no requirements (k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go,
pkg/labels/selector.go).
"""

from __future__ import annotations

from k8slab.errors import K8sLabError

NONE = "<none>"

# Requirement.String() spells each operator this way (labels/selector.go).
_SET_OPERATORS = {"In": "in", "NotIn": "notin"}


def selector_string(selector: dict | None) -> str:
    """`app=web,tier in (back,front)`; "" for a missing or empty selector (labels.Everything)."""
    if not selector:
        return ""
    requirements = [
        (key, f"{key}={value}") for key, value in (selector.get("matchLabels") or {}).items()
    ]
    for expression in selector.get("matchExpressions") or []:
        requirements.append((expression.get("key", ""), _expression_string(expression)))
    # Selector.Add sorts by key; the sort is stable here, so equal keys keep their order.
    requirements.sort(key=lambda pair: pair[0])
    return ",".join(text for _, text in requirements)


def format_label_selector(selector: dict | None) -> str:
    """metav1.FormatLabelSelector: the selector string, `<none>` when it is empty, `<error>`
    when apimachinery cannot read it."""
    try:
        return selector_string(selector) or NONE
    except K8sLabError:
        return "<error>"


def _expression_string(expression: dict) -> str:
    key, operator = expression.get("key", ""), expression.get("operator", "")
    values = sorted(expression.get("values") or [])
    if operator in _SET_OPERATORS:
        return f"{key} {_SET_OPERATORS[operator]} ({','.join(values)})"
    if operator == "Exists":
        return key
    if operator == "DoesNotExist":
        return f"!{key}"
    raise K8sLabError(
        f"matchExpressions operator {operator!r} of key {key!r} is not one of "
        "In, NotIn, Exists, DoesNotExist"
    )

"""selector_matches: metav1.LabelSelector semantics, checked against a direct reading."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k8slab.api.labels import selector_is_empty, selector_matches, set_selector_matches
from k8slab.errors import K8sLabError

WEB = {"app": "web", "tier": "front"}


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        (None, WEB, False),
        ({}, WEB, True),
        ({}, {}, True),
        ({"matchLabels": {"app": "web"}}, WEB, True),
        ({"matchLabels": {"app": "db"}}, WEB, False),
        ({"matchLabels": {"env": ""}}, WEB, False),
        ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "x"]}]},
         WEB, True),
        ({"matchExpressions": [{"key": "env", "operator": "In", "values": ["a"]}]}, WEB, False),
        ({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["a"]}]}, WEB, True),
        ({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]},
         WEB, False),
        ({"matchExpressions": [{"key": "app", "operator": "Exists"}]}, WEB, True),
        ({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, WEB, False),
        ({"matchLabels": {"app": "web"},
          "matchExpressions": [{"key": "env", "operator": "Exists"}]}, WEB, False),
    ],
    ids=["nil-matches-nothing", "empty-matches-everything", "empty-matches-no-labels",
         "matchLabels", "matchLabels-other", "matchLabels-empty-value-needs-key", "In",
         "In-missing-key", "NotIn-missing-key", "NotIn", "Exists", "DoesNotExist", "all-must-hold"],
)
def test_selector_matches(selector, labels, expected):
    assert selector_matches(selector, labels) is expected


def test_an_unknown_operator_is_an_error():
    with pytest.raises(K8sLabError, match='"Near" is not a valid label selector operator'):
        selector_matches({"matchExpressions": [{"key": "a", "operator": "Near"}]}, WEB)


def test_map_selectors_and_emptiness():
    assert set_selector_matches({"app": "web"}, WEB)
    assert not set_selector_matches({"app": "web", "env": "x"}, WEB)
    assert set_selector_matches({}, WEB)
    assert selector_is_empty({}) and not selector_is_empty(None)
    assert not selector_is_empty({"matchLabels": {"a": "b"}})


keys = st.sampled_from(["a", "b", "c"])
values = st.sampled_from(["1", "2", ""])
requirements = st.one_of(
    st.builds(lambda k, op, vs: {"key": k, "operator": op, "values": vs}, keys,
              st.sampled_from(["In", "NotIn"]), st.lists(values, min_size=1, max_size=2)),
    st.builds(lambda k, op: {"key": k, "operator": op}, keys,
              st.sampled_from(["Exists", "DoesNotExist"])),
)


@given(st.dictionaries(keys, values), st.dictionaries(keys, values, max_size=2),
       st.lists(requirements, max_size=3))
def test_a_selector_is_the_conjunction_of_its_parts(labels, match_labels, expressions):
    whole = selector_matches({"matchLabels": match_labels, "matchExpressions": expressions},
                             labels)
    parts = [selector_matches({"matchLabels": {k: v}}, labels) for k, v in match_labels.items()]
    parts += [selector_matches({"matchExpressions": [e]}, labels) for e in expressions]
    assert whole == all(parts)
    # NotIn is the negation of In for a present key, and holds for an absent one.
    for e in expressions:
        if e["operator"] in ("In", "NotIn"):
            flipped = dict(e, operator="NotIn" if e["operator"] == "In" else "In")
            one = selector_matches({"matchExpressions": [e]}, labels)
            other = selector_matches({"matchExpressions": [flipped]}, labels)
            assert one != other if e["key"] in labels else (one or other)

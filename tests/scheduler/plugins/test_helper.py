import pytest

from k8slab.scheduler.plugins.helper import (
    RequiredNodeAffinity,
    label_selector,
    preferred_node_terms,
    selector_from_set,
)


@pytest.mark.parametrize(
    ("selector", "labels", "matches"),
    [
        (None, {"a": "1"}, False),  # a nil selector selects nothing
        ({}, {"a": "1"}, True),  # an empty one selects everything
        ({"matchLabels": {"a": "1"}}, {"a": "1", "b": "2"}, True),
        ({"matchLabels": {"a": "1"}}, {"a": "2"}, False),
        ({"matchLabels": {"a": ""}}, {}, False),
        (
            {"matchExpressions": [{"key": "a", "operator": "In", "values": ["1", "2"]}]},
            {"a": "2"},
            True,
        ),
        ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}, {}, True),
        ({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {"a": ""}, True),
        ({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {"a": ""}, False),
        (
            {"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]},
            {"a": "5"},
            False,
        ),
        ({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]}, {"a": "1"}, False),
    ],
)
def test_label_selectors(selector, labels, matches):
    assert label_selector(selector).matches(labels) is matches


def test_selector_from_set_and_emptiness():
    assert selector_from_set({"a": "1"}).matches({"a": "1"})
    assert label_selector({}).empty and not label_selector({"matchLabels": {"a": "1"}}).empty


def test_required_node_affinity_without_anything_matches_every_node():
    assert RequiredNodeAffinity({"spec": {}}).matches({}, "n")


def test_preferred_terms_drop_zero_weights_and_empty_terms():
    pod = {
        "spec": {
            "affinity": {
                "nodeAffinity": {
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        {
                            "weight": 0,
                            "preference": {
                                "matchExpressions": [{"key": "a", "operator": "Exists"}]
                            },
                        },
                        {"weight": 3, "preference": {}},
                        {
                            "weight": 2,
                            "preference": {
                                "matchExpressions": [{"key": "a", "operator": "Exists"}]
                            },
                        },
                    ]
                }
            }
        }
    }
    assert [weight for weight, _ in preferred_node_terms(pod)] == [2]

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


def node_term(key, operator, *values):
    return {"matchExpressions": [{"key": key, "operator": operator, "values": list(values)}]}


@pytest.mark.parametrize(
    ("terms", "labels", "matches"),
    [
        ([node_term("foo", "In", "bar")], {}, False),
        ([node_term("foo", "NotIn", "bar")], {}, True),
        ([node_term("foo", "DoesNotExist")], {"foo": "x"}, False),
        ([node_term("kernel", "Gt", "204")], {"kernel": "204"}, False),
        ([node_term("gpu", "Lt", "8")], {"gpu": "2"}, True),
        ([node_term("gpu", "Gt", "1")], {"gpu": "a"}, False),
        ([node_term("gpu", "Gt", "x")], {"gpu": "2"}, False),
        ([node_term("foo", "Like", "bar"), node_term("zone", "Exists")], {"zone": "z1"}, True),
        ([], {"a": "b"}, False),
    ],
    ids=[
        "In, label absent",
        "NotIn, label absent",
        "DoesNotExist, label present",
        "Gt is strict",
        "Lt",
        "Gt on a label that is no integer",
        "Gt with a value that is no integer",
        "a term with an unknown operator matches nothing, the others still count",
        "empty nodeSelectorTerms match no node",
    ],
)
def test_required_node_affinity_terms(terms, labels, matches):
    required = {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}}
    pod = {"spec": {"affinity": {"nodeAffinity": required}}}
    assert RequiredNodeAffinity(pod).matches(labels, "node1") is matches


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

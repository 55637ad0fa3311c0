"""Field errors: how one prints (field/errors.go) and how several join (NewAggregate)."""

import pytest

from k8slab.api.kinds import LEASE, POD
from k8slab.api.validation.field import (
    aggregate,
    duplicate,
    forbidden,
    invalid,
    invalid_error,
    not_supported,
    required,
)


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (required("spec.x"), "spec.x: Required value"),
        (required("spec.x", "can not be empty"), "spec.x: Required value: can not be empty"),
        (invalid("a.b", 3, "too big"), "a.b: Invalid value: 3: too big"),
        (invalid("a.b", "x", "bad"), 'a.b: Invalid value: "x": bad'),
        (invalid("a.b", None, "bad"), "a.b: Invalid value: null: bad"),
        (invalid("a.b", True, "bad"), "a.b: Invalid value: true: bad"),
        (invalid("a.b", {"k": [1], "a": "x"}, "bad"), 'a.b: Invalid value: {"a":"x","k":[1]}: bad'),
        (
            not_supported("a", "x", ["Always", "Never"]),
            'a: Unsupported value: "x": supported values: "Always", "Never"',
        ),
        (duplicate("a", "x"), 'a: Duplicate value: "x"'),
        (forbidden("a", "not allowed"), "a: Forbidden: not allowed"),
    ],
    ids=[
        "required",
        "required with detail",
        "invalid number",
        "invalid string",
        "invalid null",
        "invalid boolean",
        "invalid mapping",
        "not supported",
        "duplicate",
        "forbidden",
    ],
)
def test_a_field_error_prints_as_upstream(error, text):
    assert str(error) == text


def test_one_error_stands_alone_and_several_are_bracketed():
    assert aggregate([required("a")]) == "a: Required value"
    assert aggregate([required("a"), required("b")]) == "[a: Required value, b: Required value]"


def test_repeated_messages_are_shown_once():
    error = invalid_error(POD, "web", [required("spec.x"), required("spec.x")])
    assert str(error) == 'Pod "web" is invalid: spec.x: Required value'


def test_the_invalid_error_names_the_qualified_kind():
    error = invalid_error(LEASE, "n", [required("spec.x")])
    assert (error.code, error.reason) == (422, "Invalid")
    assert str(error) == 'Lease.coordination.k8s.io "n" is invalid: spec.x: Required value'

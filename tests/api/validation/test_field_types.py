"""The checks standing in for Go's types: a dict field may hold a value of any type."""

import pytest

from k8slab.api.validation.field_types import (
    enum_errors,
    list_errors,
    string_fields_errors,
    type_errors,
)


def messages(errors):
    return [str(error) for error in errors]


@pytest.mark.parametrize(
    ("value", "wanted", "expected"),
    [
        (3, int, []),
        (True, int, ["f: Invalid value: true: must be an integer"]),
        ("3", int, ['f: Invalid value: "3": must be an integer']),
        (True, bool, []),
        ([], dict, ["f: Invalid value: []: must be a mapping"]),
    ],
    ids=["an integer", "a boolean is not an integer", "a string", "a boolean", "not a mapping"],
)
def test_type_errors(value, wanted, expected):
    assert messages(type_errors("f", value, wanted)) == expected


def test_string_fields_skip_unset_ones():
    item = {"key": 1, "value": None}
    assert messages(string_fields_errors(item, "t", ("key", "value"))) == [
        "t.key: Invalid value: 1: must be a string"
    ]


def test_an_empty_enum_is_required_and_an_unknown_one_unsupported():
    assert messages(enum_errors("p", "", ["A", "B"])) == ["p: Required value"]
    assert messages(enum_errors("p", "C", ["A", "B"])) == [
        'p: Unsupported value: "C": supported values: "A", "B"'
    ]
    assert enum_errors("p", "A", ["A", "B"]) == []


def test_list_items_are_checked_at_their_index():
    def an_integer(item, path):
        return type_errors(path, item, int)

    assert list_errors(None, "xs", an_integer) == []
    assert messages(list_errors("x", "xs", an_integer)) == [
        'xs: Invalid value: "x": must be a list'
    ]
    assert messages(list_errors([1, "b"], "xs", an_integer)) == [
        'xs[1]: Invalid value: "b": must be an integer'
    ]

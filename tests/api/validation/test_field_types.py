"""Helpers for decoded fields: enums, and list items checked at their index."""

from k8slab.api.validation.field import invalid
from k8slab.api.validation.field_types import each_errors, enum_errors


def messages(errors):
    return [str(error) for error in errors]


def test_an_empty_enum_is_required_and_an_unknown_one_unsupported():
    assert messages(enum_errors("p", "", ["A", "B"])) == ["p: Required value"]
    assert messages(enum_errors("p", "C", ["A", "B"])) == [
        'p: Unsupported value: "C": supported values: "A", "B"'
    ]
    assert enum_errors("p", "A", ["A", "B"]) == []


def test_list_items_are_checked_at_their_index():
    def positive(item, path):
        return [] if item > 0 else [invalid(path, item, "must be positive")]

    assert messages(each_errors([1, -2], "xs", positive)) == [
        "xs[1]: Invalid value: -2: must be positive"
    ]

"""Labels and label selectors (apimachinery meta/v1 validation), at the paths given."""

import pytest

from k8slab.api.validation.labels import (
    label_selector_errors,
    labels_errors,
    selector_requirement_errors,
)


def messages(errors):
    return [str(error) for error in errors]


def test_labels_are_a_mapping_of_names_to_values():
    assert labels_errors({}, "metadata.labels") == []
    assert labels_errors({"app": "web", "example.com/tier": ""}, "metadata.labels") == []
    assert messages(labels_errors({"app": "-x"}, "metadata.labels"))[0].startswith(
        'metadata.labels: Invalid value: "-x": a valid label must be'
    )


def test_match_labels_are_checked_like_labels():
    errors = messages(label_selector_errors({"matchLabels": {"a/b/c": "x"}}, "sel"))
    assert len(errors) == 1 and errors[0].startswith('sel.matchLabels: Invalid value: "a/b/c"')


def test_a_missing_selector_has_nothing_to_check():
    assert label_selector_errors(None, "sel") == []
    assert label_selector_errors({}, "sel") == []


@pytest.mark.parametrize(
    ("requirement", "numeric", "expected"),
    [
        pytest.param({"key": "a", "operator": "In", "values": ["1"]}, False, [], id="In"),
        pytest.param({"key": "a", "operator": "DoesNotExist"}, False, [], id="DoesNotExist"),
        pytest.param(
            {"key": "a", "operator": "Gt", "values": ["1"]},
            False,
            ['r.operator: Invalid value: "Gt": not a valid selector operator'],
            id="Gt in a label selector",
        ),
        pytest.param({"key": "a", "operator": "Lt", "values": ["1"]}, True, [], id="Lt for nodes"),
        pytest.param(
            {"key": "a", "operator": "Lt"},
            True,
            [
                "r.values: Required value: must be specified single value when `operator` is "
                "'Lt' or 'Gt'"
            ],
            id="Lt without a value",
        ),
    ],
)
def test_selector_requirements(requirement, numeric, expected):
    assert messages(selector_requirement_errors(requirement, "r", numeric=numeric)) == expected

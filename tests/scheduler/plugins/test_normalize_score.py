"""DefaultNormalizeScore (kk pkg/scheduler/framework/plugins/helper/normalize_score.go), in both
its forms."""

import numpy as np
import pytest

from k8slab.scheduler.plugins.normalize_score import (
    default_normalize_array,
    default_normalize_score,
)


@pytest.mark.parametrize(
    ("scores", "reverse", "expected"),
    [
        ({"a": 0, "b": 5, "c": 10}, False, {"a": 0, "b": 50, "c": 100}),
        ({"a": 1, "b": 3}, False, {"a": 33, "b": 100}),
        ({"a": 0, "b": 0}, False, {"a": 0, "b": 0}),
        ({"a": 0, "b": 0}, True, {"a": 100, "b": 100}),
        ({"a": 1, "b": 3}, True, {"a": 67, "b": 0}),
        ({}, True, {}),
    ],
)
def test_default_normalize_score_in_both_forms(scores, reverse, expected):
    assert default_normalize_score(scores, reverse) == expected
    raw = np.array(list(scores.values()), dtype=np.int64)
    assert default_normalize_array(raw, reverse).tolist() == list(expected.values())

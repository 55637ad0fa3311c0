"""Ages as kubectl prints them: upstream's HumanDuration cases, rounded down to the last unit."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k8slab.errors import K8sLabError
from k8slab.lab.kubectl.durations import human_duration

MINUTE, HOUR, DAY, YEAR = 60, 3600, 86400, 365 * 86400
MS = 0.001


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        # apimachinery duration_test.go TestHumanDuration
        (1, "1s"),
        (70, "70s"),
        (190, "3m10s"),
        (70 * MINUTE, "70m"),
        (47 * HOUR, "47h"),
        (49 * HOUR, "2d1h"),
        ((8 * 24 + 2) * HOUR, "8d"),
        (367 * DAY, "367d"),
        ((365 * 2 * 24 + 25) * HOUR, "2y1d"),
        ((365 * 8 * 24 + 2) * HOUR, "8y"),
        # TestHumanDurationBoundaries
        (-2, "<invalid>"),
        (-2 + 1e-9, "0s"),
        (0, "0s"),
        (1 - MS, "0s"),
        (2 * MINUTE - MS, "119s"),
        (2 * MINUTE, "2m"),
        (2 * MINUTE + 1, "2m1s"),
        (10 * MINUTE - MS, "9m59s"),
        (10 * MINUTE, "10m"),
        (10 * MINUTE + 1, "10m"),
        (3 * HOUR - MS, "179m"),
        (3 * HOUR, "3h"),
        (3 * HOUR + MINUTE, "3h1m"),
        (8 * HOUR - MS, "7h59m"),
        (8 * HOUR, "8h"),
        (8 * HOUR + 59 * MINUTE, "8h"),
        (2 * DAY - MS, "47h"),
        (2 * DAY, "2d"),
        (2 * DAY + HOUR, "2d1h"),
        (8 * DAY - MS, "7d23h"),
        (8 * DAY, "8d"),
        (8 * DAY + 23 * HOUR, "8d"),
        (2 * YEAR - MS, "729d"),
        (2 * YEAR, "2y"),
        (2 * YEAR + 23 * HOUR, "2y"),
        (2 * YEAR + 23 * HOUR + 59 * MINUTE, "2y"),
        (2 * YEAR + DAY - MS, "2y"),
        (2 * YEAR + DAY, "2y1d"),
        (3 * YEAR, "3y"),
        (7 * YEAR, "7y"),
        (8 * YEAR - MS, "7y364d"),
        (8 * YEAR, "8y"),
        (8 * YEAR + 364 * DAY, "8y"),
        (9 * YEAR, "9y"),
    ],
)
def test_human_duration_matches_upstream_cases(seconds, expected):
    assert human_duration(seconds) == expected


def test_human_duration_rejects_nan():
    with pytest.raises(K8sLabError, match="finite"):
        human_duration(float("nan"))


UNIT_SECONDS = {"s": 1, "m": MINUTE, "h": HOUR, "d": DAY, "y": YEAR}


@given(st.floats(min_value=0, max_value=30 * YEAR, allow_nan=False))
def test_human_duration_rounds_down_to_its_last_unit(seconds):
    text = human_duration(seconds)
    parts = re.fullmatch(r"(\d+)([smhdy])(?:(\d+)([smhd]))?", text)
    assert parts, text
    pairs = [
        (int(n), u) for n, u in zip(parts.groups()[::2], parts.groups()[1::2], strict=True) if n
    ]
    shown = sum(n * UNIT_SECONDS[u] for n, u in pairs)
    assert shown <= int(seconds) < shown + UNIT_SECONDS[pairs[-1][1]]

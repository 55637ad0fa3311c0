"""Timestamps: simulated seconds to metav1.Time / MicroTime text and back."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k8slab.api.timestamps import EPOCH_TEXT, from_time, to_micro_time, to_time


def test_epoch():
    assert to_time(0) == EPOCH_TEXT == "2026-01-01T00:00:00Z"
    assert from_time(EPOCH_TEXT) == 0


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (30, "2026-01-01T00:00:30Z"),
        (30.7, "2026-01-01T00:00:30Z"),
        (29.9999999999, "2026-01-01T00:00:30Z"),
        (86_400 + 61, "2026-01-02T00:01:01Z"),
    ],
)
def test_time_has_second_precision(seconds, text):
    assert to_time(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (30, "2026-01-01T00:00:30.000000Z"),
        (0.1, "2026-01-01T00:00:00.100000Z"),
        (12.345678, "2026-01-01T00:00:12.345678Z"),
    ],
)
def test_micro_time_has_microseconds(seconds, text):
    assert to_micro_time(seconds) == text


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("2026-01-01T00:00:30Z", 30),
        ("2026-01-01T00:00:30.500000Z", 30.5),
        ("2026-01-01T00:00:30.5Z", 30.5),
        ("2026-01-01T00:00:30.123456789Z", 30.123456),
        ("2026-01-01T01:00:30+01:00", 30),
        ("2025-12-31T23:59:00Z", -60),
    ],
)
def test_from_time_accepts_both_forms_and_offsets(text, seconds):
    assert from_time(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["yesterday", "2026-01-01", "2026-02-30T00:00:00Z", 5, None])
def test_from_time_rejects_other_text(text):
    with pytest.raises(ValueError):
        from_time(text)


@given(st.integers(min_value=-(10**8), max_value=10**10))
def test_micro_time_round_trip(micros):
    seconds = micros / 1_000_000
    assert round(from_time(to_micro_time(seconds)) * 1_000_000) == micros
    assert from_time(to_time(seconds)) == micros // 1_000_000

"""JSON values only: what to_json converts as kubectl does, and what it refuses."""

import datetime
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k8slab.api.json_values import MAX_DEPTH, _text_size, go_time_text, to_json
from k8slab.errors import ManifestError


def test_json_is_copied_unchanged():
    value = {"a": [1, 2.5, "x", None, True, {"b": []}]}
    copied = to_json(value)
    assert copied == value and copied is not value and copied["a"] is not value["a"]


def test_kubectl_conversions():
    value = {1: (1, 2), "t": datetime.date(2026, 1, 2), "b": b"\xff", "s": "\ud800"}
    assert to_json(value) == {
        "1": [1, 2],
        "t": "2026-01-02T00:00:00Z",
        "b": "\ufffd",
        "s": "\ufffd\ufffd\ufffd",
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"a": float("inf")}, "a: json: unsupported value: Infinity"),
        ({"a": {1, 2}}, "a: a set has no order; use a list"),
        ({"a": object()}, "a: a object is not a JSON value"),
        ({"a": {None: 1}}, "a: the key None is not text"),
    ],
)
def test_refusals_name_the_path(value, message):
    with pytest.raises(ManifestError, match="^" + message.replace("(", r"\(")):
        to_json(value)


def test_strict_refuses_what_it_would_convert():
    for value in ({"a": (1,)}, {1: "a"}, {"a": datetime.date(2026, 1, 1)}, {"a": b""}):
        with pytest.raises(ManifestError, match="only JSON values"):
            to_json(value, strict=True)


def test_cycles_depth_and_size():
    cycle: dict = {}
    cycle["self"] = cycle
    with pytest.raises(ManifestError, match="self: holds itself"):
        to_json(cycle)
    deep: list = []
    for _ in range(MAX_DEPTH):
        deep = [deep]
    with pytest.raises(ManifestError, match=f"nested deeper than {MAX_DEPTH} levels"):
        to_json(deep)
    shared = ["x" * 1000] * 10
    for _ in range(5):
        shared = [shared] * 10  # a billion-laughs structure: 10^6 copies of 1 kB
    with pytest.raises(ManifestError, match="Request entity too large: limit is 3145728"):
        to_json({"bomb": shared})


def test_go_time_text():
    offset = datetime.timezone(datetime.timedelta(hours=-5))
    moment = datetime.datetime(2001, 12, 14, 21, 59, 43, 100000, tzinfo=offset)
    assert go_time_text(moment) == "2001-12-14T21:59:43.1-05:00"
    assert go_time_text(datetime.datetime(2026, 1, 1, 0, 0, 30)) == "2026-01-01T00:00:30Z"


@given(st.text())
def test_a_text_is_counted_as_many_bytes_as_its_json_takes(text):
    assert _text_size(text) == len(json.dumps(text, ensure_ascii=False).encode())

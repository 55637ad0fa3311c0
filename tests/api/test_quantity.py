"""Quantities: upstream's parse cases (quantity_test.go TestQuantityParse), rounding, formatting."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k8slab.api.quantity import (
    FORMAT_ERROR,
    MAX_ALLOWED,
    SUFFIX_ERROR,
    cpu_millis,
    format_cpu,
    format_memory,
    memory_bytes,
    parse_quantity,
)

KI, MI, GI, TI, PI, EI = (2**power for power in (10, 20, 30, 40, 50, 60))
N = Fraction(1, 10**9)


# TestQuantityParse's table has no case names: each input is its own id.
PARSE_CASES = [
    # zero with any suffix
    ("0", 0),
    ("0n", 0),
    ("0m", 0),
    ("0Ki", 0),
    ("0Mi", 0),
    ("0T", 0),
    # binary suffixes
    ("1Ki", KI),
    ("8Ki", 8 * KI),
    ("7Mi", 7 * MI),
    ("6Gi", 6 * GI),
    ("5Ti", 5 * TI),
    ("4Pi", 4 * PI),
    ("3Ei", 3 * EI),
    ("100Ti", 100 * TI),
    # decimal suffixes
    ("5n", 5 * N),
    ("4u", Fraction(4, 10**6)),
    ("3m", Fraction(3, 1000)),
    ("9", 9),
    ("8k", 8000),
    ("50k", 50_000),
    ("7M", 7 * 10**6),
    ("6G", 6 * 10**9),
    ("40T", 40 * 10**12),
    ("2P", 2 * 10**15),
    ("1E", 10**18),
    # decimal exponents
    ("1E-3", Fraction(1, 1000)),
    ("1e3", 1000),
    ("1E6", 10**6),
    ("1e14", 10**14),
    ("1.2e3", 1200),
    ("1.3E+6", 1_300_000),
    ("0.5e-1", Fraction(5, 100)),
    # numbers that look like floating point
    ("0.001", Fraction(1, 1000)),
    ("0.0005k", Fraction(1, 2)),
    ("0.50000", Fraction(1, 2)),
    ("100.035k", 100_035),
    ("10.035M", 10_035_000),
    ("6.987654321G", 6_987_654_321),
    ("1.01E", 101 * 10**16),
    # rounded up to a whole nano-unit
    ("3.001n", 4 * N),
    ("1.1E-9", 2 * N),
    ("0.0000000001", N),
    ("0.5e-9", N),
    ("0.00000012345", 124 * N),
    ("1e-2147483647", N),
    # capped at int64 on upstream's slow path only
    ("9Ei", MAX_ALLOWED),
    ("9223372036854775807Ki", MAX_ALLOWED),
    ("12E", 12 * 10**18),
    # fractional binary
    ("100.035Ki", Fraction(10243584, 100)),
    ("0.5Mi", MI // 2),
    ("0.025Ti", Fraction(274877906944, 10)),
    # odd but accepted upstream
    ("0.000000000001Ki", 2 * N),
    (".001", Fraction(1, 1000)),
    ("1.", 1),
    ("1.G", 10**9),
    ("+1k", 1000),
]


@pytest.mark.parametrize(("text", "value"), PARSE_CASES, ids=[text for text, _ in PARSE_CASES])
def test_parse_matches_upstream_table(text, value):
    assert parse_quantity(text) == value
    if value:
        assert parse_quantity("-" + text.lstrip("+")) == -value


@pytest.mark.parametrize("text", ["1.1.M", "1+1.0M", "0.1am", "aoeu", " 1", "1 ", "", "-3.01e-x"])
def test_text_outside_the_grammar_gets_the_regex_message(text):
    with pytest.raises(ValueError) as caught:
        parse_quantity(text)
    assert str(caught.value) == FORMAT_ERROR
    assert "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'" in FORMAT_ERROR


@pytest.mark.parametrize("text", ["0.1mi", ".5i", "1i", "-3.01i", "-3.01e-", "1e4294967297"])
def test_unknown_suffixes_get_the_suffix_message(text):
    with pytest.raises(ValueError, match=SUFFIX_ERROR):
        parse_quantity(text)


def test_numbers_are_accepted_as_yaml_gives_them():
    assert parse_quantity(2) == 2
    assert parse_quantity(0.5) == Fraction(1, 2)
    assert parse_quantity(1e-05) == Fraction(1, 100_000)


@pytest.mark.parametrize("value", [True, None, [1], float("nan")])
def test_non_quantities_are_rejected(value):
    with pytest.raises(ValueError):
        parse_quantity(value)


def test_absurd_exponents_are_refused_rather_than_computed():
    with pytest.raises(ValueError, match="too large"):
        parse_quantity("1e999999999")


@pytest.mark.parametrize(
    ("text", "millis"),
    [
        ("250m", 250),
        ("1", 1000),
        ("0.1", 100),
        ("1.5", 1500),
        ("0.0001", 1),
        ("1u", 1),
        ("2k", 2_000_000),
        ("-0.0001", -1),
        ("0", 0),
    ],
)
def test_cpu_millis_rounds_up_like_milli_value(text, millis):
    assert cpu_millis(text) == millis


@pytest.mark.parametrize(
    ("text", "size"),
    [("128Mi", 128 * MI), ("1Gi", GI), ("1k", 1000), ("1.5Ki", 1536), ("0.5", 1), ("1m", 1)],
)
def test_memory_bytes_rounds_up_like_value(text, size):
    assert memory_bytes(text) == size


def test_rounding_accepts_an_already_parsed_value():
    assert cpu_millis(Fraction(1, 3)) == 334
    assert memory_bytes(Fraction(5, 2)) == 3


@pytest.mark.parametrize(
    ("millis", "text"), [(250, "250m"), (2000, "2"), (0, "0"), (1500, "1500m")]
)
def test_format_cpu(millis, text):
    assert format_cpu(millis) == text


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (128 * MI, "128Mi"),
        (GI, "1Gi"),
        (1536 * MI, "1536Mi"),
        (1500, "1500"),
        (0, "0"),
        (1024, "1Ki"),
        (3 * EI, "3Ei"),
        (1025, "1025"),
    ],
)
def test_format_memory_uses_the_largest_exact_binary_suffix(size, text):
    assert format_memory(size) == text


@pytest.mark.parametrize("value", [1.5, "1", True])
def test_formatting_needs_whole_numbers(value):
    with pytest.raises(ValueError):
        format_cpu(value)
    with pytest.raises(ValueError):
        format_memory(value)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_cpu_round_trip(millis):
    text = format_cpu(millis)
    assert cpu_millis(text) == millis
    assert parse_quantity(text) == Fraction(millis, 1000)


@given(st.integers(min_value=-(2**62), max_value=2**62))
def test_memory_round_trip(size):
    text = format_memory(size)
    assert memory_bytes(text) == size
    number = int(text.rstrip("KMGTPEi"))
    if text[-1] == "i" and not text.endswith("Ei"):
        assert number % 1024 != 0  # the suffix chosen is the largest exact one


@given(
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=0, max_value=6),
    st.sampled_from(["", "k", "M", "G", "Ki", "Mi", "Gi"]),
)
def test_decimal_text_parses_to_its_exact_value(units, decimals, suffix):
    text = f"{units / 10**decimals:.{decimals}f}{suffix}"
    scale = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "Ki": KI, "Mi": MI, "Gi": GI}[suffix]
    assert parse_quantity(text) == Fraction(units, 10**decimals) * scale

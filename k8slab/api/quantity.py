"""Resource quantities ("250m", "128Mi", "1e3"), parsed exactly as Kubernetes parses them.

A quantity is a number with an optional suffix: decimal SI (n u m k M G T P E), binary
(Ki Mi Gi Ti Pi Ei) or a decimal exponent (e3, E-6). We keep the value as an exact Fraction.
The grammar, error messages, rounding to whole nano-units and the int64 cap follow
k8s.io/apimachinery/pkg/api/resource/quantity.go (ParseQuantity, parseQuantityString).
"""

from __future__ import annotations

import functools
import math
import re
from fractions import Fraction

# quantity.go: splitREString and the three parse errors (ErrFormatWrong, ErrSuffix).
QUANTITY_REGEX = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
FORMAT_ERROR = f"quantities must match the regular expression '{QUANTITY_REGEX}'"
SUFFIX_ERROR = "unable to parse quantity's suffix"

# suffix.go: newSuffixer. Decimal suffixes are powers of ten, binary ones powers of two.
DECIMAL_SUFFIXES = {
    "n": -9,
    "u": -6,
    "m": -3,
    "": 0,
    "k": 3,
    "M": 6,
    "G": 9,
    "T": 12,
    "P": 15,
    "E": 18,
}
BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}

# quantity.go: maxAllowed caps DecimalSI and BinarySI values at the largest int64.
MAX_ALLOWED = 2**63 - 1
# suffix.go interpret: a decimal exponent must fit in an int32 scale.
MAX_EXPONENT = 2**31 - 1
# Ours, not upstream's: Python computes 10**exponent exactly, so refuse absurd sizes.
LARGEST_DECIMAL_EXPONENT = 1000
NANO = 10**9

# The same pieces parseQuantityString walks through: sign, digits, fraction, suffix.
_PIECES = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)")


def parse_quantity(text: str | int | float) -> Fraction:
    """The exact value of a quantity such as "250m" (1/4) or "1Ki" (1024).

    Raises ValueError with upstream's message when the text is not a quantity.
    """
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise ValueError(f"{FORMAT_ERROR}, got {text!r}")
    return _parse_text(str(text))


@functools.lru_cache(maxsize=4096)
def _parse_text(text: str) -> Fraction:
    # Cached: a cluster repeats a handful of quantities ("250m", "1Gi") millions of times.
    pieces = _PIECES.fullmatch(text)
    if not text or pieces is None:
        raise ValueError(FORMAT_ERROR)
    sign_text, whole, fraction, suffix = pieces.groups()
    sign = -1 if sign_text == "-" else 1
    fraction = fraction or ""
    digits = int(whole + fraction or "0")
    base, exponent = _interpret(suffix)
    if base == 2:
        magnitude = Fraction(digits * 2**exponent, 10 ** len(fraction))
    else:
        magnitude = _decimal_magnitude(text, digits, exponent - len(fraction))
    # Non-zero values round up to a whole nano-unit: "if you want some resources, you
    # should get some resources" (quantity.go ParseQuantity).
    magnitude = Fraction(math.ceil(magnitude * NANO), NANO)
    if _is_si(suffix) and not _fits_int64_path(whole, fraction, base, exponent):
        magnitude = min(magnitude, Fraction(MAX_ALLOWED))
    return sign * magnitude


def _interpret(suffix: str) -> tuple[int, int]:
    """(base, exponent) for a suffix: "Mi" is (2, 20), "k" is (10, 3), "e-3" is (10, -3)."""
    if suffix in DECIMAL_SUFFIXES:
        return 10, DECIMAL_SUFFIXES[suffix]
    if suffix in BINARY_SUFFIXES:
        return 2, BINARY_SUFFIXES[suffix]
    if len(suffix) > 1 and suffix[0] in "eE" and re.fullmatch(r"[-+]?[0-9]+", suffix[1:]):
        exponent = int(suffix[1:])
        if abs(exponent) <= MAX_EXPONENT:
            return 10, exponent
    raise ValueError(SUFFIX_ERROR)


def _decimal_magnitude(text: str, digits: int, exponent: int) -> Fraction:
    """digits x 10**exponent, without building huge powers for far-out exponents."""
    if digits == 0:
        return Fraction(0)
    if len(str(digits)) + exponent <= -9:
        return Fraction(1, NANO)  # below one nano-unit: rounds up to exactly 1n
    if exponent > LARGEST_DECIMAL_EXPONENT:
        raise ValueError(
            f"quantity {text!r} is too large: k8slab accepts decimal exponents "
            f"up to {LARGEST_DECIMAL_EXPONENT}"
        )
    return digits * Fraction(10) ** exponent


def _is_si(suffix: str) -> bool:
    """True for DecimalSI and BinarySI quantities (the formats upstream caps at int64)."""
    return suffix in DECIMAL_SUFFIXES or suffix in BINARY_SUFFIXES


def _fits_int64_path(whole: str, fraction: str, base: int, exponent: int) -> bool:
    """True when ParseQuantity's int64 fast path reads the value: exact, and never capped.

    Upstream caps only values that take the slow inf.Dec path, so "12E" stays 12e18
    while "9Ei" is capped. The precision estimates below are upstream's.
    """
    whole_digits = len(whole.lstrip("0") or "0")
    if base == 10:
        precision = 18 - whole_digits - len(fraction)
        scale = exponent - len(fraction)
    elif exponent >= 0 and not fraction:
        precision = 15 - whole_digits - exponent * 3 // 10 - 1
        scale = 0
    else:
        return False
    return precision >= 0 and scale >= -9


def _as_value(quantity: str | int | float | Fraction) -> Fraction:
    if isinstance(quantity, Fraction):
        return quantity
    return parse_quantity(quantity)


def _round_away_from_zero(value: Fraction) -> int:
    magnitude = math.ceil(abs(value))
    return magnitude if value >= 0 else -magnitude


def cpu_millis(quantity: str | int | float | Fraction) -> int:
    """Whole millicores in a CPU quantity, rounded up: "250m" is 250, "0.1" is 100, "1" is 1000.

    Matches Quantity.MilliValue, which rounds a fraction of a millicore away from zero.
    """
    return _round_away_from_zero(_as_value(quantity) * 1000)


def memory_bytes(quantity: str | int | float | Fraction) -> int:
    """Whole units in a quantity (bytes for memory), rounded up: "1Ki" is 1024, "1k" is 1000.

    Matches Quantity.Value, which rounds a fraction away from zero.
    """
    return _round_away_from_zero(_as_value(quantity))


def format_cpu(millis: int) -> str:
    """The quantity text for a number of millicores: 250 is "250m", 2000 is "2"."""
    _require_int(millis, "millicores")
    if millis % 1000 == 0:
        return str(millis // 1000)
    return f"{millis}m"


def format_memory(size: int) -> str:
    """The quantity text for a number of bytes, with the largest exact binary suffix.

    134217728 is "128Mi", 1073741824 is "1Gi", 1500 stays "1500".
    """
    _require_int(size, "bytes")
    if size != 0:
        for suffix, power in sorted(BINARY_SUFFIXES.items(), key=lambda item: -item[1]):
            if size % 2**power == 0:
                return f"{size // 2**power}{suffix}"
    return str(size)


def _require_int(value: int, unit: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number of {unit}, got {value!r}")

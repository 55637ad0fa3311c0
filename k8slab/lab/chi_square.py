"""Pearson's chi-square goodness-of-fit test, for "did kube-proxy split the traffic evenly?".

The statistic is Σ (observed − expected)² / expected; its p-value is the chance that a truly
even split would look at least this uneven, the upper tail of the chi-square distribution with
(categories − 1) degrees of freedom: the regularized upper incomplete gamma Q(k/2, x/2).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from k8slab.errors import K8sLabError

_EPSILON = 1e-15
_MAX_STEPS = 10_000


@dataclass(frozen=True)
class ChiSquare:
    """The test's `statistic`, its `degrees` of freedom, and the `p_value`."""

    statistic: float
    degrees: int
    p_value: float


def upper_gamma_q(a: float, x: float) -> float:
    """Q(a, x) = Γ(a, x) / Γ(a): a series below x = a + 1, a continued fraction above (Lentz)."""
    if x <= 0:
        return 1.0
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        n = a
        for _ in range(_MAX_STEPS):
            n += 1
            term *= x / n
            total += term
            if abs(term) < abs(total) * _EPSILON:
                break
        return max(0.0, 1.0 - total * math.exp(log_front))
    tiny = 1e-300
    b = x + 1 - a
    c, d = 1 / tiny, 1 / b
    fraction = d
    for i in range(1, _MAX_STEPS):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        step = d * c
        fraction *= step
        if abs(step - 1) < _EPSILON:
            break
    return min(1.0, math.exp(log_front) * fraction)


def chi_square(observed: Sequence[int], expected: Sequence[float]) -> ChiSquare:
    """Pearson's test of `observed` counts against `expected` ones (same length, at least two
    categories, every expectation above zero)."""
    if len(observed) != len(expected) or len(observed) < 2:
        raise K8sLabError("a chi-square test needs observed and expected counts for the same "
                          f"two or more categories, got {len(observed)} and {len(expected)}")
    if any(e <= 0 for e in expected):
        raise K8sLabError(f"every expected count must be above zero, got {list(expected)}")
    statistic = sum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True))
    degrees = len(observed) - 1
    return ChiSquare(statistic, degrees, upper_gamma_q(degrees / 2, statistic / 2))

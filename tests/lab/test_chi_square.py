"""The chi-square test against values any table gives: the 5 % critical values, and the closed
form exp(-x/2) of two degrees of freedom."""

import math

import pytest

from k8slab.errors import K8sLabError
from k8slab.lab.chi_square import chi_square, upper_gamma_q


@pytest.mark.parametrize(("statistic", "degrees"), [(3.841459, 1), (5.991465, 2), (7.814728, 3),
                                                     (11.070498, 5), (18.307038, 10),
                                                     (124.342113, 100)])
def test_the_five_percent_critical_values_give_p_005(statistic, degrees):
    assert upper_gamma_q(degrees / 2, statistic / 2) == pytest.approx(0.05, abs=1e-6)


@pytest.mark.parametrize("x", [0.1, 1.0, 3.0, 10.0, 40.0])
def test_two_degrees_of_freedom_is_an_exponential_tail(x):
    assert upper_gamma_q(1.0, x / 2) == pytest.approx(math.exp(-x / 2), rel=1e-9)


def test_an_even_split_has_p_one_and_a_lopsided_one_p_near_zero():
    assert chi_square([100, 100, 100], [100, 100, 100]).p_value == 1.0
    lopsided = chi_square([150, 100, 50], [100, 100, 100])
    assert lopsided.statistic == pytest.approx(50.0)
    assert lopsided.degrees == 2
    assert lopsided.p_value == pytest.approx(math.exp(-25), rel=1e-9)


@pytest.mark.parametrize(("observed", "expected", "says"), [
    ([1], [1.0], "two or more categories"), ([1, 2], [1.0], "same two or more"),
    ([1, 2], [1.0, 0.0], "above zero")])
def test_a_test_that_cannot_be_made_is_refused(observed, expected, says):
    with pytest.raises(K8sLabError, match=says):
        chi_square(observed, expected)

"""The linearizability checker accepts histories that have a valid order and rejects the rest."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.robustness.linearizability import Operation, check, linearizable


def put(value, call, ret, client="a"):
    return Operation(client, "put", "k", call, ret, value=value)


def get(output, call, ret, client="b"):
    return Operation(client, "get", "k", call, ret, output=output)


def test_sequential_history_is_linearizable():
    assert linearizable([put("1", 0, 1), get("1", 2, 3), put("2", 4, 5), get("2", 6, 7)])


def test_a_read_of_an_old_value_after_a_completed_write_is_not():
    assert not linearizable([put("1", 0, 1), put("2", 2, 3), get("1", 4, 5)])


def test_a_read_concurrent_with_a_write_may_see_either_value():
    assert linearizable([put("1", 0, 1), put("2", 2, 6), get("1", 3, 4)])
    assert linearizable([put("1", 0, 1), put("2", 2, 6), get("2", 3, 4)])


def test_two_reads_cannot_see_values_flip_back():
    # Once a read saw "2" and returned, a later read cannot see "1" again.
    assert not linearizable(
        [put("1", 0, 1), put("2", 2, 10), get("2", 3, 4), get("1", 5, 6, client="c")]
    )


def test_reading_a_value_nobody_wrote_is_not_linearizable():
    assert not linearizable([put("1", 0, 1), get("9", 2, 3)])


def test_a_timed_out_write_may_have_happened_or_not():
    assert linearizable([put("1", 0, None), get("1", 5, 6)])
    assert linearizable([put("1", 0, None), get(None, 5, 6)])
    # ...but not before it was called
    assert not linearizable([get("1", 0, 1), put("1", 2, None)])


def test_delete_makes_the_key_absent():
    ops = [put("1", 0, 1), Operation("a", "delete", "k", 2, 3), get(None, 4, 5)]
    assert linearizable(ops)
    assert not linearizable([*ops[:2], get("1", 4, 5)])


def test_check_reports_each_bad_key_alone():
    good = [put("1", 0, 1), get("1", 2, 3)]
    bad = [Operation("a", "put", "x", 0, 1, value="1"),
           Operation("b", "get", "x", 2, 3, output="0")]
    assert check(good + bad) == ["key 'x': 2 operations admit no linearization"]


def test_bad_operations_are_refused():
    with pytest.raises(ValueError, match="unknown operation kind"):
        Operation("a", "cas", "k", 0, 1)
    with pytest.raises(ValueError, match="before it was called"):
        Operation("a", "get", "k", 5, 1)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["put", "get"]), st.integers(0, 3)), max_size=12))
def test_any_sequential_run_of_a_dict_is_linearizable(steps):
    state, ops, t = None, [], 0.0
    for kind, n in steps:
        value = str(n)
        if kind == "put":
            state = value
            ops.append(put(value, t, t + 0.5))
        else:
            ops.append(get(state, t, t + 0.5))
        t += 1.0
    assert linearizable(ops)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=2, max_size=8), st.integers(0, 20))
def test_a_read_of_a_value_never_written_is_always_caught(values, at):
    ops = [put(str(v), i, i + 0.5) for i, v in enumerate(values)]
    ops.append(get("never", at, at + 0.5))
    assert not linearizable(ops)

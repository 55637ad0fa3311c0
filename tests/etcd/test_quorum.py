import pytest

from k8slab.etcd.quorum import quorum, quorum_table


def test_quorum_is_a_majority():
    assert [quorum(n) for n in range(1, 8)] == [1, 2, 2, 3, 3, 4, 4]


def test_even_sizes_tolerate_no_more_failures_than_the_odd_size_below():
    rows = {row["members"]: row["failures tolerated"] for row in quorum_table()}
    assert rows == {1: 0, 2: 0, 3: 1, 4: 1, 5: 2, 6: 2, 7: 3}


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="whole number of members"):
        quorum(0)

"""go_sort is Go's sort.Sort: sorted by Less, ties left where pdqsort leaves them (the order
real kubectl 1.36 printed `kubectl events` in for the same list), every path exercised."""

import random

import pytest

from k8slab.lab.kubectl.go_sort import go_sort

# A served cluster's default-namespace events in the API server's (name) order: (the second
# they were last seen, what they are), and the order real kubectl 1.36's `kubectl events`
# printed them in (tests/lab/serving/test_equivalence.py compares the whole output).
LISTED = [(3, "RegisteredNode control-plane"), (15, "Scheduled a"), (16, "Pulling a"),
          (17, "Pulled a"), (17, "Created a"), (17, "Started a"), (15, "Scheduled b"),
          (16, "Pulling b"), (17, "Pulled b"), (17, "Created b"), (17, "Started b"),
          (15, "SuccessfulCreate a"), (15, "SuccessfulCreate b"), (15, "ScalingReplicaSet"),
          (3, "RegisteredNode worker-1"), (3, "RegisteredNode worker-2")]
KUBECTL_PRINTED = [15, 0, 14, 11, 1, 6, 13, 12, 2, 7, 4, 10, 9, 8, 5, 3]


def by_time(one, other):
    return one[0] < other[0]


def test_ties_come_out_as_real_kubectl_printed_them():
    events = list(LISTED)
    go_sort(events, by_time)
    assert events == [LISTED[i] for i in KUBECTL_PRINTED]
    stable = sorted(LISTED, key=lambda e: e[0])
    assert events != stable  # what Python's stable sort would have printed instead


def test_up_to_twelve_elements_is_insertion_sort_so_stable():
    items = [(i % 3, i) for i in range(12)]
    go_sort(items, by_time)
    assert items == sorted(items, key=lambda e: e[0])


@pytest.mark.parametrize("size", [13, 40, 49, 50, 51, 200, 1000])
@pytest.mark.parametrize("shape", ["random", "sorted", "reversed", "few keys", "organ pipe"])
def test_it_sorts_every_shape(size, shape):
    generator = random.Random(size)
    keys = {
        "random": [generator.random() for _ in range(size)],
        "sorted": list(range(size)),
        "reversed": list(range(size, 0, -1)),
        "few keys": [generator.randrange(3) for _ in range(size)],
        "organ pipe": list(range(size // 2)) + list(range(size - size // 2, 0, -1)),
    }[shape]
    items = [(key, index) for index, key in enumerate(keys)]
    go_sort(items, by_time)
    assert [k for k, _ in items] == sorted(keys)
    assert sorted(i for _, i in items) == list(range(size))  # a permutation: nothing lost


def test_nothing_or_one_is_left_alone():
    empty, one = [], [(1, "x")]
    go_sort(empty, by_time)
    go_sort(one, by_time)
    assert (empty, one) == ([], [(1, "x")])


def test_the_heapsort_fallback_sorts_its_range_only():
    # pdqsort falls back to it after log2(n) bad pivots; no gentle input gets there.
    from k8slab.lab.kubectl.go_sort import _Sorter

    items = [(k, i) for i, k in enumerate([9, 8, 7, 6, 5, 4, 3, 2, 1, 0])]
    _Sorter(items, by_time).heap_sort(2, 8)
    assert [k for k, _ in items] == [9, 8, 2, 3, 4, 5, 6, 7, 1, 0]

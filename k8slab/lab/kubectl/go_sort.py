"""Go's `sort.Sort`, step for step, so that kubectl's unstable sorts order ties as kubectl does.

`kubectl events` sorts with sort.Sort, which is not stable: events last seen in the same second
come out in whatever order Go's pattern-defeating quicksort (pdqsort, Go 1.19 onwards) leaves
them, a fixed function of the input order. Python's stable sort would keep the API server's
order instead, so the lab's `kubectl events` would print ties in a different order from real
kubectl. This module runs the same algorithm: insertion sort up to 12 elements, then pivots
chosen by median of three (Tukey's ninther from 50), partial insertion sort on sorted-looking
input, a pattern-breaking shuffle from a length-seeded xorshift after an unbalanced partition,
and heapsort after too many. Upstream: go/src/sort/sort.go and zsortinterface.go.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
MAX_INSERTION = 12
SHORTEST_NINTHER = 50
MAX_SWAPS = 4 * 3
PARTIAL_MAX_STEPS, SHORTEST_SHIFTING = 5, 50
UNKNOWN, INCREASING, DECREASING = 0, 1, 2  # pdqsort's sortedHint
MASK64 = (1 << 64) - 1


def go_sort(items: list[T], less: Callable[[T, T], bool]) -> None:
    """Sort `items` in place exactly as Go's sort.Sort with this Less would."""
    if len(items) > 1:
        _Sorter(items, less).pdqsort(0, len(items), len(items).bit_length())


class _Sorter:
    def __init__(self, items: list, less: Callable) -> None:
        self.items = items
        self.less_items = less

    def less(self, i: int, j: int) -> bool:
        return self.less_items(self.items[i], self.items[j])

    def swap(self, i: int, j: int) -> None:
        self.items[i], self.items[j] = self.items[j], self.items[i]

    def insertion_sort(self, a: int, b: int) -> None:
        for i in range(a + 1, b):
            j = i
            while j > a and self.less(j, j - 1):
                self.swap(j, j - 1)
                j -= 1

    def heap_sort(self, a: int, b: int) -> None:
        size = b - a
        for i in range((size - 1) // 2, -1, -1):
            self.sift_down(i, size, a)
        for i in range(size - 1, -1, -1):
            self.swap(a, a + i)
            self.sift_down(0, i, a)

    def sift_down(self, root: int, hi: int, first: int) -> None:
        while True:
            child = 2 * root + 1
            if child >= hi:
                return
            if child + 1 < hi and self.less(first + child, first + child + 1):
                child += 1
            if not self.less(first + root, first + child):
                return
            self.swap(first + root, first + child)
            root = child

    def pdqsort(self, a: int, b: int, limit: int) -> None:
        balanced, partitioned = True, True
        while True:
            length = b - a
            if length <= MAX_INSERTION:
                self.insertion_sort(a, b)
                return
            if limit == 0:
                self.heap_sort(a, b)
                return
            if not balanced:
                self.break_patterns(a, b)
                limit -= 1
            pivot, hint = self.choose_pivot(a, b)
            if hint == DECREASING:
                self.reverse(a, b)
                pivot, hint = (b - 1) - (pivot - a), INCREASING
            if balanced and partitioned and hint == INCREASING and \
                    self.partial_insertion_sort(a, b):
                return
            if a > 0 and not self.less(a - 1, pivot):  # many equal to the one before
                a = self.partition_equal(a, b, pivot)
                continue
            mid, partitioned = self.partition(a, b, pivot)
            left, right = mid - a, b - mid
            if left < right:
                balanced = left >= length // 8
                self.pdqsort(a, mid, limit)
                a = mid + 1
            else:
                balanced = right >= length // 8
                self.pdqsort(mid + 1, b, limit)
                b = mid

    def partition(self, a: int, b: int, pivot: int) -> tuple[int, bool]:
        self.swap(a, pivot)
        i, j = a + 1, b - 1
        while i <= j and self.less(i, a):
            i += 1
        while i <= j and not self.less(j, a):
            j -= 1
        if i > j:
            self.swap(j, a)
            return j, True
        self.swap(i, j)
        i, j = i + 1, j - 1
        while True:
            while i <= j and self.less(i, a):
                i += 1
            while i <= j and not self.less(j, a):
                j -= 1
            if i > j:
                break
            self.swap(i, j)
            i, j = i + 1, j - 1
        self.swap(j, a)
        return j, False

    def partition_equal(self, a: int, b: int, pivot: int) -> int:
        self.swap(a, pivot)
        i, j = a + 1, b - 1
        while True:
            while i <= j and not self.less(a, i):
                i += 1
            while i <= j and self.less(a, j):
                j -= 1
            if i > j:
                return i
            self.swap(i, j)
            i, j = i + 1, j - 1

    def partial_insertion_sort(self, a: int, b: int) -> bool:
        i = a + 1
        for _ in range(PARTIAL_MAX_STEPS):
            while i < b and not self.less(i, i - 1):
                i += 1
            if i == b:
                return True
            if b - a < SHORTEST_SHIFTING:
                return False
            self.swap(i, i - 1)
            if i - a >= 2:  # the smaller one to the left
                for j in range(i - 1, 0, -1):
                    if not self.less(j, j - 1):
                        break
                    self.swap(j, j - 1)
            if b - i >= 2:  # the greater one to the right
                for j in range(i + 1, b):
                    if not self.less(j, j - 1):
                        break
                    self.swap(j, j - 1)
        return False

    def break_patterns(self, a: int, b: int) -> None:
        length = b - a
        if length < 8:
            return
        state = length
        modulus = 1 << length.bit_length()
        for index in range(a + (length // 4) * 2 - 1, a + (length // 4) * 2 + 2):
            # xorshift64 (13, 7, 17), seeded with the length
            state ^= (state << 13) & MASK64
            state ^= state >> 7
            state ^= (state << 17) & MASK64
            other = state & (modulus - 1)
            if other >= length:
                other -= length
            self.swap(index, a + other)

    def choose_pivot(self, a: int, b: int) -> tuple[int, int]:
        length = b - a
        swaps = [0]
        i, j, k = a + length // 4, a + length // 4 * 2, a + length // 4 * 3
        if length >= 8:
            if length >= SHORTEST_NINTHER:
                i = self.median(i - 1, i, i + 1, swaps)
                j = self.median(j - 1, j, j + 1, swaps)
                k = self.median(k - 1, k, k + 1, swaps)
            j = self.median(i, j, k, swaps)
        if swaps[0] == 0:
            return j, INCREASING
        if swaps[0] == MAX_SWAPS:
            return j, DECREASING
        return j, UNKNOWN

    def median(self, a: int, b: int, c: int, swaps: list[int]) -> int:
        a, b = self.order2(a, b, swaps)
        b, c = self.order2(b, c, swaps)
        a, b = self.order2(a, b, swaps)
        return b

    def order2(self, a: int, b: int, swaps: list[int]) -> tuple[int, int]:
        if self.less(b, a):
            swaps[0] += 1
            return b, a
        return a, b

    def reverse(self, a: int, b: int) -> None:
        i, j = a, b - 1
        while i < j:
            self.swap(i, j)
            i, j = i + 1, j - 1

"""Columns padded as kubectl's tabwriter pads them: at least six wide, three spaces apart."""

import re

from hypothesis import given
from hypothesis import strategies as st

from k8slab.lab.kubectl.tabwriter import format_table


def test_a_short_column_is_still_six_wide():
    # kubectl's tabwriter has minwidth 6: a 1-character column takes 6, not 1 + 3 padding.
    assert format_table([["A", "B"], ["x", "y"]]) == "A     B\nx     y"


cells = st.text(alphabet="abcxyz0123456789-/<>", min_size=1, max_size=12)


@given(
    st.integers(1, 5).flatmap(
        lambda n: st.lists(st.lists(cells, min_size=n, max_size=n), min_size=1, max_size=6)
    )
)
def test_tables_keep_cells_and_align_columns(rows):
    lines = format_table(rows).split("\n")
    assert [line.split() for line in lines] == rows
    assert all(line == line.rstrip() for line in lines)
    starts = [0]
    for column in range(1, len(rows[0])):
        offsets = {re.match(rf"(?:\S+ +){{{column}}}", line).end() for line in lines}
        assert len(offsets) == 1
        starts.append(offsets.pop())
        widest = max(len(row[column - 1]) for row in rows)
        assert starts[-1] - starts[-2] == max(6, widest + 3)

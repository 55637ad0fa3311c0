"""kubectl's table writer: columns padded the way k8s.io/cli-runtime's tabwriter pads them.

Every column but the last is padded to its widest cell; the last is written as it is.
"""

from __future__ import annotations

# Table layout of kubectl's tabwriter: minwidth 6, padding 3, pad with spaces
# (k8s.io/cli-runtime/pkg/printers/tabwriter.go).
MIN_CELL_WIDTH = 6
CELL_PADDING = 3


def format_table(rows: list[list[str]]) -> str:
    """Align rows of cells the way kubectl's tabwriter does.

    Every column but the last is padded to its widest cell plus 3 spaces (at least 6 wide);
    the last column is written as it is, so lines carry no trailing padding.
    """
    widths = [
        max(MIN_CELL_WIDTH, max(len(row[column]) for row in rows) + CELL_PADDING)
        for column in range(len(rows[0]) - 1)
    ]
    return "\n".join(
        "".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + row[-1]
        for row in rows
    )

"""Go's text/tabwriter, the aligner behind `kubectl describe` (minwidth 0, padding 2, spaces).

Text comes in lines of tab-terminated cells; the text after a line's last tab is not a cell.
A column block is a run of consecutive lines that all have a cell in that column: its cells
are padded to the widest one plus the padding, and a line with fewer cells ends the block.
A flush ends every block, so what comes after it aligns on its own (DescribeEvents flushes
before its table). This is the algorithm of Go's text/tabwriter format(), written for strings.
"""

from __future__ import annotations

# kubectl describe's tabbedString: out.Init(buf, 0, 8, 2, ' ', 0).
DESCRIBE_MIN_WIDTH = 0
DESCRIBE_PADDING = 2


def align(parts: list[str], min_width: int = DESCRIBE_MIN_WIDTH,
          padding: int = DESCRIBE_PADDING) -> str:
    """The text of `parts` (what was written between flushes), each part aligned on its own."""
    return "".join(_align_part(part, min_width, padding) for part in parts)


def _align_part(text: str, min_width: int, padding: int) -> str:
    if not text:
        return ""
    ends_with_newline = text.endswith("\n")
    lines = [line.split("\t") for line in text.removesuffix("\n").split("\n")]
    out: list[str] = []
    _format(lines, 0, len(lines), [], min_width, padding, out)
    return "\n".join(out) + ("\n" if ends_with_newline else "")


def _format(lines: list[list[str]], line0: int, line1: int, widths: list[int],
            min_width: int, padding: int, out: list[str]) -> None:
    """Align lines[line0:line1], whose first len(widths) columns already have their widths."""
    column = len(widths)
    this = line0
    while this < line1:
        if column >= len(lines[this]) - 1:
            this += 1
            continue
        # A cell in this column starts a block: print the lines before it, then size the block.
        _write(lines, line0, this, widths, out)
        line0 = this
        width = min_width
        while this < line1 and column < len(lines[this]) - 1:
            width = max(width, len(lines[this][column]) + padding)
            this += 1
        _format(lines, line0, this, [*widths, width], min_width, padding, out)
        line0 = this
    _write(lines, line0, line1, widths, out)


def _write(lines: list[list[str]], line0: int, line1: int, widths: list[int],
           out: list[str]) -> None:
    for cells in lines[line0:line1]:
        out.append("".join(
            cell.ljust(widths[j]) if j < len(widths) else cell for j, cell in enumerate(cells)
        ))

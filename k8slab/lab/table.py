"""Rows of data that show as a table: plain text in a terminal, HTML in a notebook.

Library functions return rows (a list of dicts) a program can read; wrapping them in `Table`
makes the same rows readable by a person.
"""

from __future__ import annotations

import html
from collections.abc import Sequence


class Table:
    """A list of dict rows with a fixed column order, rendered as text or HTML."""

    def __init__(self, rows: Sequence[dict], columns: Sequence[str] | None = None) -> None:
        self.rows = list(rows)
        if columns is None:
            columns = list(dict.fromkeys(key for row in self.rows for key in row))
        self.columns = list(columns)

    def __len__(self) -> int:
        return len(self.rows)

    def _cells(self) -> list[list[str]]:
        return [[_text(row.get(col)) for col in self.columns] for row in self.rows]

    def __repr__(self) -> str:
        lines = [self.columns, *self._cells()]
        widths = [max(len(line[i]) for line in lines) for i in range(len(self.columns))]
        return "\n".join(
            "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
            for line in lines
        )

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in cells) + "</tr>"
            for cells in self._cells()
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)

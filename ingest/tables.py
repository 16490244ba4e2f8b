"""Tables: find them in positioned page lines, and write each row as one line with its column headers.

A figure in a table only answers a question together with its row and column ("Eure", "Dotation
2023"), so every row becomes "Eure — Dotation 2023 : 512 300 € ; Structures : 9".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MIN_LINES = 3  # a header and two rows: fewer aligned lines are too often a letterhead or a signature
MAX_SINGLE_RUN = 8  # single-cell lines allowed between two rows: a tall row written cell by cell, line by line
# Bullets and list numbers aligned on their own column make a list, not a table.
MARKER_RE = re.compile(r"^(?:[•●▪■◦○◆◇►▶➢➤✓✔\-–—*·\uf0a7\uf0b7\uf0d8\uf0fc\uf076\uf0a8]|\d{1,2}[.)]|[a-z][.)])$")
ROW_RE = re.compile(r"^(?P<label>[^;—]*?) — (?P<cells>[^—]+)$")
NUMBER_RE = re.compile(r"^[-+]?[\d\s.,]+\s?(?:%|€|k€|M€)?$")


@dataclass(frozen=True, slots=True)
class Cell:
    """A run of text on one visual line, separated from its neighbours by a wide gap."""

    x0: float
    x1: float
    y: float  # baseline, growing upwards as in PDF space
    text: str


@dataclass(frozen=True, slots=True)
class TableSpan:
    """Lines [start, end) of a page that form a table, and its rows of cell texts (header first)."""

    start: int
    end: int
    rows: tuple[tuple[str, ...], ...]


def find_tables(lines: Sequence[Sequence[Cell]]) -> list[TableSpan]:
    """Tables among a page's lines (given as their cells, in reading order): aligned columns on consecutive lines."""
    spans: list[TableSpan] = []
    index = 0
    while index < len(lines):
        span = _table_at(lines, index) if len(lines[index]) >= 2 else None
        if span is None:
            index += 1
            continue
        spans.append(span)
        index = span.end
    return spans


def _table_at(lines: Sequence[Sequence[Cell]], start: int) -> TableSpan | None:
    # Multi-cell lines, with single-cell lines between them (wrapped cells, cells written one by one).
    end = last_multi = start
    while end < len(lines):
        if len(lines[end]) >= 2:
            last_multi = end
        elif not any(len(line) >= 2 for line in lines[end + 1 : end + 1 + MAX_SINGLE_RUN]):
            break
        end += 1
    end = last_multi + 1
    columns = _columns([cell for line in lines[start:end] if len(line) >= 2 for cell in line])
    if len(columns) < 2:
        return None
    # A single-cell line crossing a column gap is prose: the table stops before it.
    for index in range(start, end):
        if len(lines[index]) < 2 and _column_of(lines[index][0], columns) is None:
            end = index
            break
    # Wrapped cells of the last row sit in other columns than the first, after its line.
    while end < len(lines) and len(lines[end]) == 1 and (_column_of(lines[end][0], columns) or 0) >= 1:
        end += 1
    block = lines[start:end]
    if sum(len(line) >= 2 for line in block) < MIN_LINES or not _looks_tabular(block, columns):
        return None
    return TableSpan(start, end, _rows(block, columns))


def _columns(cells: list[Cell]) -> list[tuple[float, float]]:
    """Column extents: the x intervals covered by cells, merged where they overlap."""
    merged: list[list[float]] = []
    for cell in sorted(cells, key=lambda c: c.x0):
        if merged and cell.x0 <= merged[-1][1] + 1.0:
            merged[-1][1] = max(merged[-1][1], cell.x1)
        else:
            merged.append([cell.x0, cell.x1])
    return [(a, b) for a, b in merged]


def _column_of(cell: Cell, columns: list[tuple[float, float]]) -> int | None:
    """Index of the one column the cell overlaps (the nearest if none), None when it crosses a gap between columns."""
    overlaps = [i for i, (x0, x1) in enumerate(columns) if cell.x0 < x1 + 1.0 and cell.x1 > x0 - 1.0]
    if len(overlaps) == 1:
        return overlaps[0]
    if overlaps:
        return None
    middle = (cell.x0 + cell.x1) / 2
    return min(range(len(columns)), key=lambda i: min(abs(middle - columns[i][0]), abs(middle - columns[i][1])))


def _looks_tabular(block: Sequence[Sequence[Cell]], columns: list[tuple[float, float]]) -> bool:
    by_column: list[list[str]] = [[] for _ in columns]
    for line in block:
        for cell in line:
            column = _column_of(cell, columns)
            if column is not None:
                by_column[column].append(cell.text)
    if all(MARKER_RE.match(text) for text in by_column[0]):
        return False  # bullets or numbers in front of list items
    filled = [texts for texts in by_column if len(texts) >= 2]
    if len(filled) < 2:
        return False
    return not all(_prose(texts) for texts in filled)  # a page in two columns of text is not a table


def _prose(texts: list[str]) -> bool:
    """Lines of running text: mostly long runs of several words (a table has a column of short values)."""
    return sum(len(t) > 25 and len(t.split()) >= 4 for t in texts) >= 0.6 * len(texts)


def _rows(block: Sequence[Sequence[Cell]], columns: list[tuple[float, float]]) -> tuple[tuple[str, ...], ...]:
    """Cell texts per row: a line with a first-column cell opens a row, the other lines complete the last one."""
    rows: list[list[list[Cell]]] = []
    for line in block:
        placed = [(cell, _column_of(cell, columns)) for cell in line]
        if not rows or any(column == 0 for _, column in placed):
            rows.append([[] for _ in columns])
        for cell, column in placed:
            rows[-1][column if column is not None else 0].append(cell)
    return tuple(
        tuple(" ".join(c.text for c in sorted(cells, key=lambda c: -c.y)).strip() for cells in row) for row in rows
    )


def has_header(rows: Sequence[Sequence[str]]) -> bool:
    """Whether the first row names the columns: more than one row, and its cells are not mostly figures."""
    if len(rows) < 2:
        return False
    values = [cell for cell in rows[0][1:] if cell]
    return bool(values) and sum(bool(NUMBER_RE.match(cell)) for cell in values) * 2 < len(values)


def row_texts(rows: Sequence[Sequence[str]]) -> list[str]:
    """One line per row: "label — header : value ; header : value", headers taken from the first row."""
    if not rows:
        return []
    headers: Sequence[str] = rows[0] if has_header(rows) else ()
    body = rows[1:] if headers else rows
    out: list[str] = []
    for row in body:
        label, values = (row[0], row[1:]) if row else ("", [])
        named = [
            f"{headers[i + 1]} : {value}" if i + 1 < len(headers) and headers[i + 1] else value
            for i, value in enumerate(values)
            if value
        ]
        text = f"{label} — {' ; '.join(named)}" if label and named else label or " ; ".join(named)
        if text:
            out.append(text)
    return out


def row_cells(text: str) -> tuple[str, list[str]] | None:
    """The label and "header : value" cells of a line written by `row_texts`, or None for other text."""
    match = ROW_RE.match(text)
    if match is None:
        return None
    cells = match.group("cells").split(" ; ")
    if not all(" : " in cell for cell in cells):
        return None
    return match.group("label"), cells

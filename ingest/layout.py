"""Positioned page lines (PDF text layer or OCR) grouped into headings, paragraphs, list items and table rows."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from ingest.clean import BlockBuilder, bullet_text, squash
from ingest.models import Block
from ingest.tables import Cell, TableSpan, find_tables, row_texts

# Two runs of text on a line further apart than this share of the font size are two table cells;
# a space is about 0.3 em, so bold words inside a sentence stay in one cell.
CELL_GAP = 0.8


@dataclass(slots=True)
class Line:
    """One visual line of a page with the layout facts that tell headings, paragraphs and tables apart."""

    text: str = ""
    y: float | None = None  # baseline, growing upwards (PDF space, in points)
    size: float = 0.0
    bold_chars: int = 0
    chars: int = 0
    sizes: list[float] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    opens_paragraph: bool = False  # OCR found a paragraph start here, whatever the spacing

    @property
    def bold(self) -> bool:
        return self.chars > 0 and self.bold_chars >= 0.6 * self.chars

    def add_run(self, x0: float, x1: float, y: float, text: str, size: float) -> None:
        """Record a run of text at its position: it extends the last cell, or opens a new one after a wide gap."""
        text = squash(text)
        if not text:
            return
        last = self.cells[-1] if self.cells else None
        if last is not None and -size <= x0 - last.x1 < CELL_GAP * size:
            self.cells[-1] = Cell(last.x0, max(last.x1, x1), last.y, f"{last.text} {text}")
        else:
            self.cells.append(Cell(x0, x1, y, text))


def page_blocks(lines: list[Line], page: int, vocab: set[str]) -> list[Block]:
    """Group a page's lines into headings, paragraphs, list items and table rows using font and spacing."""
    if not lines:
        return []
    body_size = _body_size(lines)
    gap = _line_gap(lines, body_size)
    tables = {span.start: span for span in find_tables([line.cells for line in lines])}
    built = BlockBuilder(page, vocab, kind="")  # the block being built
    previous: Line | None = None
    index = 0
    while index < len(lines):
        table: TableSpan | None = tables.get(index)
        if table is not None:
            for text in row_texts(table.rows):
                built.append(Block("row", text, page, 0))
            built.kind, previous, index = "", None, table.end
            continue
        line = lines[index]
        index += 1
        heading_level = _heading_level(line, body_size) or _heading_tail(previous, line, built.kind, built.level, gap)
        item = bullet_text(line.text)
        if heading_level:
            same_heading = built.kind == "heading" and previous is not None and _close(previous, line, gap, 1.8)
            if not same_heading or built.level != heading_level:
                built.start("heading", heading_level)
            built.add(line.text)
        elif item is not None:
            built.start("item")
            built.add(item)
        else:
            continues = (
                built.kind in ("paragraph", "item")
                and previous is not None
                and not line.opens_paragraph
                and _close(previous, line, gap)
            )
            if not continues:
                built.start("paragraph")
            built.add(line.text)
        previous = line
    built.close()
    return built.blocks


def _heading_tail(previous: Line | None, line: Line, kind: str, level: int, gap: float) -> int:
    """The heading's level for a line of figures only ("2023") that ends the heading above it, else 0."""
    if kind != "heading" or previous is None or re.search(r"[^\W\d_]", line.text) or len(line.text) > 20:
        return 0
    return level if abs(line.size - previous.size) < 0.5 and _close(previous, line, gap, 1.8) else 0


def _body_size(lines: list[Line]) -> float:
    """The font size that covers most characters on the page."""
    weights: dict[float, int] = {}
    for line in lines:
        size = round(line.size, 1)
        weights[size] = weights.get(size, 0) + line.chars
    return max(weights, key=lambda s: weights[s]) if weights else 0.0


def _line_gap(lines: list[Line], body_size: float) -> float:
    """Typical distance between two lines of the same paragraph."""
    gaps = [
        a.y - b.y
        for a, b in zip(lines, lines[1:], strict=False)
        if a.y is not None and b.y is not None and abs(a.size - body_size) < 0.5 and 0 < a.y - b.y < 3 * body_size
    ]
    if gaps:
        return min(statistics.median(gaps), 2.0 * body_size)
    return 1.25 * body_size if body_size else 14.0


def _close(previous: Line, line: Line, gap: float, factor: float = 1.35) -> bool:
    """True when the line follows the previous one without a paragraph gap."""
    if previous.y is None or line.y is None:
        return True  # no layout facts: trust the text flow
    distance = previous.y - line.y
    return 0 < distance <= factor * gap


def _heading_level(line: Line, body_size: float) -> int:
    """0 for body text; 1, 2 or 3 for headings, by size relative to the body."""
    text = line.text
    if len(text) > 200 or bullet_text(text) is not None or not body_size:
        return 0
    if not re.search(r"[^\W\d_]", text):
        return 0
    ratio = line.size / body_size
    if ratio >= 1.4:
        return 1
    if ratio >= 1.15:
        return 2
    if line.bold:
        return 3
    return 0

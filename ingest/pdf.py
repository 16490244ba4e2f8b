"""PDF reading with pypdf: page lines with their layout, then headings, paragraphs and list items."""

from __future__ import annotations

import logging
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

from ingest.clean import (
    bullet_text,
    is_running_line,
    join_lines,
    normalize_text,
    running_lines,
    squash,
    vocabulary,
)
from ingest.errors import SkipFile
from ingest.models import Block

log = logging.getLogger(__name__)

BOLD_FONT_RE = re.compile(r"bold|black|heavy|semibold|demibold|,b$", re.IGNORECASE)
GENERIC_TITLES = re.compile(r"^(untitled|sans titre|document|microsoft word\b.*|diapositive \d+)$", re.I)


@dataclass(slots=True)
class Line:
    """One visual line of a page with the layout facts that tell headings and paragraphs apart."""

    text: str = ""
    y: float | None = None
    size: float = 0.0
    bold_chars: int = 0
    chars: int = 0
    sizes: list[float] = field(default_factory=list)

    @property
    def bold(self) -> bool:
        return self.chars > 0 and self.bold_chars >= 0.6 * self.chars


@dataclass(frozen=True, slots=True)
class PdfContent:
    """What a PDF yields before chunking."""

    title: str
    page_count: int
    blocks: tuple[Block, ...]
    empty_pages: tuple[int, ...]


def open_pdf(path: Path) -> PdfReader:
    """Open a PDF, trying the empty password on encrypted files; SkipFile with a French reason otherwise."""
    with path.open("rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" not in head:
        raise SkipFile("ce n'est pas un PDF (en-tête %PDF absent) ; vérifiez le fichier ou son extension")
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise SkipFile("PDF protégé par un mot de passe ; enregistrez-en une copie non protégée")
        page_count = len(reader.pages)
    except SkipFile:
        raise
    except FileNotDecryptedError as exc:
        raise SkipFile("PDF protégé par un mot de passe ; enregistrez-en une copie non protégée") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError) as exc:
        log.info("cannot open %s: %r", path.name, exc)
        raise SkipFile("PDF illisible ou endommagé ; ré-exportez-le depuis le logiciel d'origine") from exc
    if page_count == 0:
        raise SkipFile("le PDF ne contient aucune page")
    return reader


def read_pdf(path: Path) -> PdfContent:
    """Read a PDF into structured blocks; pages are numbered from 1."""
    reader = open_pdf(path)
    pages: list[list[Line]] = []
    for index, page in enumerate(reader.pages):
        try:
            pages.append(_page_lines(page))
        except Exception as exc:  # a broken page must not lose the rest of the document
            log.warning("page %d of %s unreadable: %r", index + 1, path.name, exc)
            pages.append([])
    if not any(line.text.strip() for lines in pages for line in lines):
        raise SkipFile(
            "aucun texte dans ce PDF (document numérisé ?) : il faut une reconnaissance de caractères (OCR)"
        )
    keys = running_lines([[line.text for line in lines] for lines in pages])
    vocab = vocabulary(line.text for lines in pages for line in lines)
    blocks: list[Block] = []
    empty_pages: list[int] = []
    for number, lines in enumerate(pages, start=1):
        kept = _trim_running(lines, keys)
        page_blocks = _blocks(kept, number, vocab)
        if not page_blocks:
            empty_pages.append(number)
        blocks.extend(page_blocks)
    return PdfContent(
        title=_title(reader, blocks),
        page_count=len(pages),
        blocks=tuple(blocks),
        empty_pages=tuple(empty_pages),
    )


def _page_lines(page: Any) -> list[Line]:
    """Visual lines of a page; their text is exactly what pypdf's extract_text produces."""
    lines: list[Line] = [Line()]

    def visit(text: str, cm: list[float], tm: list[float], font: dict[str, Any] | None, size: float) -> None:
        if not text:
            return
        scale = abs(tm[3] * cm[3]) or abs(tm[0] * cm[0]) or 1.0
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        name = str(font.get("/BaseFont", "")) if font else ""
        parts = text.split("\n")
        for i, part in enumerate(parts):
            if i > 0:
                lines.append(Line())
            if not part:
                continue
            line = lines[-1]
            line.text += part
            visible = len(part.strip())
            if visible:
                if line.y is None:
                    line.y = y
                line.chars += visible
                line.sizes.append(size * scale)
                if BOLD_FONT_RE.search(name):
                    line.bold_chars += visible

    page.extract_text(visitor_text=visit)
    out = []
    for line in lines:
        line.text = normalize_text(line.text).strip()
        if line.text:
            line.size = max(line.sizes) if line.sizes else 0.0
            out.append(line)
    return out


def _trim_running(lines: list[Line], keys: set[str]) -> list[Line]:
    """Drop repeated headers/footers and page numbers, only at the top and bottom of the page."""
    start, end = 0, len(lines)
    while start < end and start < 3 and is_running_line(lines[start].text, keys):
        start += 1
    while end > start and len(lines) - end < 3 and is_running_line(lines[end - 1].text, keys):
        end -= 1
    return lines[start:end]


def _blocks(lines: list[Line], page: int, vocab: set[str]) -> list[Block]:
    """Group a page's lines into headings, paragraphs and list items using font and spacing."""
    if not lines:
        return []
    body_size = _body_size(lines)
    gap = _line_gap(lines, body_size)
    blocks: list[Block] = []
    kind, level = "", 0  # the block being built
    buffer: list[str] = []
    previous: Line | None = None

    def flush() -> None:
        nonlocal buffer
        text = squash(join_lines(buffer, vocab))
        if text:
            blocks.append(Block(kind=kind, text=text, page=page, level=level))
        buffer = []

    for line in lines:
        heading_level = _heading_level(line, body_size)
        item = bullet_text(line.text)
        if heading_level:
            same_heading = kind == "heading" and previous is not None and _close(previous, line, gap, 1.8)
            if not same_heading or level != heading_level:
                flush()
                kind, level = "heading", heading_level
            buffer.append(line.text)
        elif item is not None:
            flush()
            kind, level = "item", 0
            buffer.append(item)
        else:
            continues = kind in ("paragraph", "item") and previous is not None and _close(previous, line, gap)
            if not continues:
                flush()
                kind, level = "paragraph", 0
            buffer.append(line.text)
        previous = line
    flush()
    return blocks


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


def _title(reader: PdfReader, blocks: list[Block]) -> str:
    """The document's title: its metadata if meaningful, else its first large heading."""
    meta = reader.metadata
    raw = ""
    try:
        raw = str(meta.title or "") if meta else ""
    except Exception:  # broken metadata objects are common and never worth losing a file
        raw = ""
    title = squash(normalize_text(raw))
    if title and not GENERIC_TITLES.match(title) and not title.lower().endswith((".doc", ".docx", ".pdf")):
        return title
    headings = [b for b in blocks if b.kind == "heading"]
    if headings:
        best = min(headings[:5], key=lambda b: (b.level, b.page))
        return best.text
    return ""

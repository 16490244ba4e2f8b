"""Plain text, Markdown and Word (.docx) readers."""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

from ingest.archive import open_checked
from ingest.clean import BlockBuilder, bullet_text, normalize_text, squash, vocabulary
from ingest.errors import SkipFile
from ingest.models import Block
from ingest.tables import row_texts

MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
TITLE_CHARS = 120  # a title from a first line stays readable in a list and a citation
TITLE_MIN_CHARS = 15  # a sentence end before this is more likely an abbreviation ("M. Dupont") than a title's end
SENTENCE_ENDS = ".!?…"


def decode(data: bytes) -> str:
    """Text from bytes: UTF-8 (with or without BOM), else Windows-1252 as French offices write it."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def read_text(path: Path) -> tuple[str, int, list[Block]]:
    """Read .txt or .md: "#" headings, bullet items, blank-line paragraphs; form feeds are page breaks."""
    raw = decode(path.read_bytes())
    if b"\x00" in raw.encode("utf-8", "ignore"):
        raise SkipFile("fichier binaire et non texte ; vérifiez son extension")
    # Split on form feeds before normalising: they are control characters that normalisation drops.
    pages = [normalize_text(p) for p in raw.replace("\r\n", "\n").replace("\r", "\n").split("\f")]
    vocab = vocabulary(pages)
    blocks: list[Block] = []
    for number, page in enumerate(pages, start=1):
        blocks.extend(_text_blocks(page.split("\n"), number, vocab))
    if not blocks:
        raise SkipFile("le fichier ne contient aucun texte")
    title = next((b.text for b in blocks if b.kind == "heading"), "") or first_line_title(pages)
    return title, len(pages), blocks


def first_line_title(pages: list[str]) -> str:
    """A title from the first non-empty line (a plain .txt has no heading): its first sentence, else its start
    cut at a word near TITLE_CHARS; "" for a text without any line."""
    line = next((squash(raw) for page in pages for raw in page.split("\n") if raw.strip()), "")
    return short_title(bullet_text(line) or line)


def short_title(text: str, limit: int = TITLE_CHARS) -> str:
    """`text` up to its first sentence end (the final "." dropped), or cut at a word before `limit` with "…"."""
    for at in range(TITLE_MIN_CHARS, min(len(text), limit) + 1):
        if text[at - 1] in SENTENCE_ENDS and (at == len(text) or text[at] == " "):
            return text[: at - 1] if text[at - 1] == "." else text[:at]
    if len(text) <= limit:
        return text.removesuffix(".")
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > TITLE_MIN_CHARS else limit].rstrip(" ,;:") + "…"


def _text_blocks(lines: list[str], page: int, vocab: set[str]) -> list[Block]:
    built = BlockBuilder(page, vocab)
    for line in lines:
        stripped = line.strip()
        heading = MD_HEADING_RE.match(stripped)
        item = bullet_text(stripped)
        if not stripped:
            built.start("paragraph")
        elif heading:
            built.append(Block("heading", squash(heading.group(2)), page, len(heading.group(1))))
            built.kind, built.level = "paragraph", 0
        elif item is not None:
            built.start("item")
            built.add(item)
        else:
            built.add(stripped)
    built.close()
    return built.blocks


def read_docx(path: Path) -> tuple[str, int, list[Block]]:
    """Read a .docx: Heading styles become headings, list styles items; explicit page breaks count pages."""
    import docx  # python-docx; imported here so that other formats do not pay for it
    from docx.opc.exceptions import PackageNotFoundError

    try:
        with open_checked(path, "document Word"):  # python-docx reads every part whole: check them first
            pass
        document = docx.Document(str(path))
    # a damaged archive fails in zipfile, zlib or the XML parser, each its own way
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, SyntaxError, OSError, EOFError,
            NotImplementedError, zlib.error) as exc:
        raise SkipFile("document Word illisible ou endommagé ; ré-enregistrez-le au format .docx") from exc
    from docx.table import Table

    blocks: list[Block] = []
    page = 1
    # Paragraphs and tables in document order: a table belongs under the heading that introduces it.
    for part in document.iter_inner_content():
        if isinstance(part, Table):
            blocks.extend(Block("row", text, page, 0) for text in row_texts(_docx_rows(part)))
            page += part._tbl.xml.count('w:type="page"')
            continue
        paragraph = part
        xml = paragraph._p.xml
        text = squash(normalize_text(paragraph.text))
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if text:
            level = _docx_heading_level(style)
            if level:
                blocks.append(Block("heading", text, page, level))
            elif "List" in style or "Liste" in style or "<w:numPr>" in xml:
                blocks.append(Block("item", bullet_text(text) or text, page, 0))
            else:
                item = bullet_text(text)
                blocks.append(Block("item" if item else "paragraph", item or text, page, 0))
        page += xml.count('w:type="page"')
    if not blocks:
        raise SkipFile("le document Word ne contient aucun texte")
    title = squash(document.core_properties.title or "")
    if not title:
        title = next((b.text for b in blocks if b.kind == "heading"), "")
    return title, page, blocks


def _docx_rows(table: Any) -> list[list[str]]:
    """Cell texts per row; a cell merged across columns counts once, in its first column."""
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            cells.append("" if cell._tc is previous else squash(normalize_text(cell.text)))
            previous = cell._tc
        if any(cells):
            rows.append(cells)
    return rows


def _docx_heading_level(style: str) -> int:
    if style in ("Title", "Titre"):
        return 1
    match = re.match(r"(?:Heading|Titre)\s*(\d)", style)
    return int(match.group(1)) if match else 0

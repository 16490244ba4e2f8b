"""Saved web pages (.html, .htm): the article's text and headings only, with its title and publication date.

trafilatura tells the article from the site around it (menus, cookie banner, footer, "à lire aussi").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.clean import normalize_text, squash
from ingest.errors import SkipFile
from ingest.models import Block
from ingest.tables import row_texts

HEADING_LEVELS = {f"h{n}": n for n in range(1, 7)}


@dataclass(frozen=True, slots=True)
class WebPage:
    """The article of a web page."""

    title: str
    date: str  # ISO 8601 (YYYY-MM-DD), "" when the page does not say
    blocks: tuple[Block, ...]


def read_html(path: Path) -> WebPage:
    """Read a saved web page: headings, paragraphs, list items and table rows of its main article."""
    import trafilatura  # imported here so that other formats do not pay for it

    data = path.read_bytes()
    result = trafilatura.bare_extraction(
        data,
        with_metadata=True,
        include_formatting=True,
        include_tables=True,
        include_comments=False,
        include_images=False,
        include_links=False,
        deduplicate=False,
    )
    body = getattr(result, "body", None) if result is not None else None
    blocks = _blocks(body) if body is not None else []
    if not blocks:
        raise SkipFile("aucun texte d'article trouvé dans cette page web ; enregistrez la page complète (.html)")
    title = _clean(str(getattr(result, "title", "") or ""))
    if not title:
        title = next((b.text for b in blocks if b.kind == "heading"), "")
    return WebPage(title=title, date=str(getattr(result, "date", "") or ""), blocks=tuple(blocks))


def _blocks(body: Any) -> list[Block]:
    """Blocks of trafilatura's XML body (head, p, list/item, table/row/cell, quote), in order."""
    blocks: list[Block] = []
    for element in body:
        tag = element.tag
        if tag == "head":
            text = _clean(_text(element))
            if text:
                blocks.append(Block("heading", text, 1, HEADING_LEVELS.get(str(element.get("rend", "")), 2)))
        elif tag == "list":
            blocks.extend(Block("item", text, 1, 0) for text in _items(element))
        elif tag == "table":
            rows = [[_clean(_text(cell)) for cell in row.iter("cell")] for row in element.iter("row")]
            blocks.extend(Block("row", text, 1, 0) for text in row_texts([r for r in rows if any(r)]))
        else:  # p, quote, code and anything new: its text as a paragraph
            text = _clean(_text(element))
            if text:
                blocks.append(Block("paragraph", text, 1, 0))
    return blocks


def _items(element: Any) -> list[str]:
    """Texts of a list's items, nested lists flattened after their parent item."""
    out: list[str] = []
    for item in element.iter("item"):
        text = _clean(_text(item, skip="list"))
        if text:
            out.append(text)
    return out


def _text(element: Any, skip: str = "") -> str:
    """All text under an element, line breaks as spaces, without the subtrees tagged `skip`."""
    parts = [element.text or ""]
    for child in element:
        if child.tag != skip:
            parts.append(_text(child, skip))
        parts.append(child.tail or "")
    if element.tag == "lb":
        parts.insert(0, " ")
    return "".join(parts)


def _clean(text: str) -> str:
    return squash(normalize_text(text))

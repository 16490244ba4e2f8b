"""Saved web pages (.html, .htm): the article's text and headings only, with its title and publication date.

The parts of a page that are the site's, not the article's (menus, cookie banner, breadcrumb, sharing
links, "à lire aussi", footer) are removed first by their tags, roles and names; trafilatura then finds
the article in what is left. Removing them first matters on short pages, where trafilatura falls back
to keeping most of the text.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.clean import normalize_text, squash
from ingest.errors import SkipFile
from ingest.models import Block
from ingest.tables import row_texts

HEADING_LEVELS = {f"h{n}": n for n in range(1, 7)}
SITE_PARTS = (
    "//nav | //footer | //aside | //form | //button | //script | //style | //noscript | //template | //iframe"
    " | //header[not(ancestor::article) and not(ancestor::main)]"
    " | //*[@role='navigation' or @role='banner' or @role='contentinfo' or @role='dialog' or @role='search']"
)
# Names (id, class) of site parts; not bare "social", which article blocks use too ("médico-social").
SITE_NAMES = re.compile(
    r"cookie|consent|tarteaucitron|gdpr|rgpd|breadcrumb|ariane|share|partage|social-(?:share|links|networks)|"
    r"reseaux-sociaux|newsletter|skip-?link",
    re.I,
)

# A page that names its encoding (<meta charset>, http-equiv, an XML declaration) is decoded by lxml as it says;
# bounded repeats, so that a page of "<meta" without ">" costs linear time.
DECLARED_CHARSET_RE = re.compile(rb"<meta\b[^<>]{0,1000}?charset|<\?xml\b[^<>]{0,200}?encoding", re.I)
CHARSET_HEAD = 64 * 1024  # where a declaration is looked for
BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True, slots=True)
class WebPage:
    """The article of a web page."""

    title: str
    date: str  # ISO 8601 (YYYY-MM-DD), "" when the page does not say
    blocks: tuple[Block, ...]


def read_html(path: Path) -> WebPage:
    """Read a saved web page: headings, paragraphs, list items and table rows of its main article."""
    import trafilatura  # imported here so that other formats do not pay for it

    result = trafilatura.bare_extraction(
        _without_site_parts(page_markup(path.read_bytes())),
        with_metadata=True,
        include_formatting=True,
        include_tables=True,
        include_comments=False,
        include_images=False,
        include_links=False,
        deduplicate=False,
        # the date the page states (metadata, <time>), never a year guessed from the text
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    body = getattr(result, "body", None) if result is not None else None
    blocks = _blocks(body) if body is not None else []
    if not blocks:
        raise SkipFile("aucun texte d'article trouvé dans cette page web ; enregistrez la page complète (.html)")
    title = _clean(str(getattr(result, "title", "") or ""))
    if not title:
        title = next((b.text for b in blocks if b.kind == "heading"), "")
    return WebPage(title=title, date=str(getattr(result, "date", "") or ""), blocks=tuple(blocks))


def page_markup(data: bytes) -> bytes | str:
    """The page as lxml should read it: its bytes when it declares its encoding (or starts with a byte order
    mark), else text decoded from the bytes: UTF-8 when they are valid UTF-8, else the encoding they look
    like, else Windows-1252 (lxml alone would take them as Latin-1: « pilotÃ©e »)."""
    if data.startswith(BOMS) or DECLARED_CHARSET_RE.search(data, 0, CHARSET_HEAD):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    import charset_normalizer  # imported here so that other formats do not pay for it

    best = charset_normalizer.from_bytes(data).best()
    if best is not None:
        return str(best)
    return data.decode("cp1252", errors="replace")


def _without_site_parts(data: bytes | str) -> Any:
    """The page's HTML tree without the parts that belong to the site rather than to the article."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        tree = lxml_html.document_fromstring(data)
    except (etree.ParserError, ValueError) as exc:
        raise SkipFile("page web illisible ; enregistrez-la à nouveau depuis le navigateur (.html)") from exc
    try:
        for element in tree.xpath(SITE_PARTS):
            if element.getparent() is not None:
                element.drop_tree()
        for element in tree.xpath("//*[@id or @class]"):
            name = f"{element.get('id', '')} {element.get('class', '')}"
            holds_article = element.xpath(".//h1 | .//article | .//main")
            if SITE_NAMES.search(name) and not holds_article and element.getparent() is not None:
                element.drop_tree()
    except ValueError as exc:  # lxml refuses text with NUL or control bytes when it moves it
        raise SkipFile("page web illisible ; enregistrez-la à nouveau depuis le navigateur (.html)") from exc
    return tree


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

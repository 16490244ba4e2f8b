"""OpenDocument text (.odt): headings, paragraphs, lists and tables, read from the zip's content.xml."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from xml.etree import ElementTree

from ingest.archive import open_checked, read_part
from ingest.clean import bullet_text, normalize_text, squash
from ingest.errors import SkipFile
from ingest.models import Block
from ingest.tables import row_texts

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


H, P, LIST, ITEM, HEADER = _q("text:h"), _q("text:p"), _q("text:list"), _q("text:list-item"), _q("text:list-header")
SECTION, SOFT_BREAK = _q("text:section"), _q("text:soft-page-break")
SPACE, TAB, LINE_BREAK, NOTE = _q("text:s"), _q("text:tab"), _q("text:line-break"), _q("text:note")
TABLE, ROW, CELL = _q("table:table"), _q("table:table-row"), _q("table:table-cell")
COVERED = _q("table:covered-table-cell")
WHAT = "document OpenDocument"
STYLE_NAME, PARENT, LEVEL = _q("text:style-name"), _q("style:parent-style-name"), _q("text:outline-level")


class _Reader:
    """Walks the body in order, counting pages from LibreOffice's page breaks."""

    def __init__(self, styles: dict[str, str], page_break_styles: set[str]) -> None:
        self.styles = styles  # automatic style -> the named style it derives from
        self.page_break_styles = page_break_styles
        self.page = 1
        self.blocks: list[Block] = []

    def walk(self, parent: ElementTree.Element) -> None:
        for element in parent:
            tag = element.tag
            if tag in (H, P) and element.get(STYLE_NAME, "") in self.page_break_styles and self.blocks:
                self.page += 1
            if tag == SOFT_BREAK:
                self.page += 1
            elif tag == H:
                self._heading(element, int(element.get(LEVEL, "1") or 1))
            elif tag == P:
                self._paragraph(element)
            elif tag == LIST:
                self._list(element)
            elif tag == TABLE:
                self._table(element)
            elif tag == SECTION:
                self.walk(element)
            if tag in (H, P, TABLE):
                # a paragraph or table that runs onto the next page starts on this one
                self.page += sum(1 for _ in element.iter(SOFT_BREAK))

    def _heading(self, element: ElementTree.Element, level: int) -> None:
        text = self._text(element)
        if text:
            self.blocks.append(Block("heading", text, self.page, max(1, min(level, 6))))

    def _paragraph(self, element: ElementTree.Element) -> None:
        style = self._named_style(element.get(STYLE_NAME, ""))
        if style in ("Title", "Titre"):
            self._heading(element, 1)
            return
        text = self._text(element)
        if text:
            item = bullet_text(text)
            self.blocks.append(Block("item" if item else "paragraph", item or text, self.page, 0))

    def _list(self, element: ElementTree.Element) -> None:
        for entry in element:
            if entry.tag not in (ITEM, HEADER):
                continue
            for child in entry:
                if child.tag == LIST:
                    self._list(child)
                elif child.tag in (P, H):
                    text = self._text(child)
                    if text:
                        self.blocks.append(Block("item", text, self.page, 0))
                    self.page += sum(1 for _ in child.iter(SOFT_BREAK))
                elif child.tag == SOFT_BREAK:
                    self.page += 1

    def _table(self, element: ElementTree.Element) -> None:
        rows: list[list[str]] = []
        for row in element.iter(ROW):
            cells: list[str] = []
            for cell in row:
                if cell.tag == CELL:
                    cells.append(" ".join(t for p in cell.iter(P) if (t := self._text(p))))
                elif cell.tag == COVERED:
                    cells.append("")  # merged into the cell before it
            if any(cells):
                rows.append(cells)
        self.blocks.extend(Block("row", text, self.page, 0) for text in row_texts(rows))

    def _named_style(self, name: str) -> str:
        return self.styles.get(name, name).replace("_20_", " ")

    def _text(self, element: ElementTree.Element) -> str:
        return squash(normalize_text("".join(_inline(element))))


def _inline(element: ElementTree.Element) -> list[str]:
    """Text of a paragraph: <text:s c="n"/> spaces, tabs and line breaks as spaces, footnotes left out."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == SPACE:
            parts.append(" " * int(child.get(_q("text:c"), "1") or 1))
        elif child.tag in (TAB, LINE_BREAK):
            parts.append(" ")
        elif child.tag != NOTE:
            parts.extend(_inline(child))
        parts.append(child.tail or "")
    return parts


def read_odt(path: Path) -> tuple[str, int, list[Block]]:
    """Read an .odt: text:h headings (outline level), paragraphs, list items and table rows; page breaks count pages."""
    try:
        with open_checked(path, WHAT) as archive:
            content = ElementTree.fromstring(read_part(archive, "content.xml", WHAT))
            meta = read_part(archive, "meta.xml", WHAT) if "meta.xml" in archive.namelist() else b""
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, EOFError, ValueError, NotImplementedError,
            zlib.error) as exc:  # a damaged archive fails in zipfile, zlib or the XML parser, each its own way
        raise SkipFile("document OpenDocument illisible ou endommagé ; ré-enregistrez-le au format .odt") from exc
    styles: dict[str, str] = {}
    page_breaks: set[str] = set()
    for style in content.iter(_q("style:style")):
        name = style.get(_q("style:name"), "")
        styles[name] = style.get(PARENT, name)
        properties = style.find("style:paragraph-properties", NS)
        if properties is not None and properties.get(_q("fo:break-before")) == "page":
            page_breaks.add(name)
    body = content.find("office:body/office:text", NS)
    if body is None:
        raise SkipFile("ce fichier OpenDocument n'est pas un texte (.odt) ; enregistrez-le comme document texte")
    reader = _Reader(styles, page_breaks)
    reader.walk(body)
    if not reader.blocks:
        raise SkipFile("le document OpenDocument ne contient aucun texte")
    title = _meta_title(meta) or next((b.text for b in reader.blocks if b.kind == "heading"), "")
    return title, reader.page, reader.blocks


def _meta_title(meta: bytes) -> str:
    if not meta:
        return ""
    try:
        element = ElementTree.fromstring(meta).find("office:meta/dc:title", NS)
    except ElementTree.ParseError:
        return ""
    return squash(normalize_text(element.text or "")) if element is not None else ""
